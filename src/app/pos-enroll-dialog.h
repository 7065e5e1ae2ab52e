/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Asks for what connecting this terminal to a central takes: the central's
 * address, the one-time enrolment token a manager printed with
 * `balcao-central terminal enroll`, and (for a private certificate
 * authority) a CA file. A message dialog with responses "cancel" and
 * "connect"; read the values in the "response" handler. `problem` (may be
 * NULL) says why the last try failed, above the fields. */
AdwMessageDialog *pos_enroll_dialog_new     (GtkWindow  *parent,
                                             const char *url,
                                             const char *ca_file,
                                             const char *problem);
const char       *pos_enroll_dialog_get_url     (AdwMessageDialog *dialog);
const char       *pos_enroll_dialog_get_token   (AdwMessageDialog *dialog);
const char       *pos_enroll_dialog_get_ca_file (AdwMessageDialog *dialog);

G_END_DECLS
