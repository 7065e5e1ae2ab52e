/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Contact data as people type it at a counter, reduced to one form so that
 * "(11) 98765-4321" and "+55 11 98765 4321" are the same phone, and
 * "JOSÉ" finds "José". Used by the terminal's search and the central's
 * lookups alike. */

/* A Brazilian phone number to its national digits (area code + number,
 * 10 or 11 digits): "(11) 98765-4321", "+55 11 98765-4321", "011 98765 4321",
 * "55 11 987654321" and "11987654321" all give "11987654321". Spaces,
 * dots, dashes, slashes and parentheses are ignored; a leading "+" is
 * allowed. NULL when the text holds anything else or is not 10/11 digits
 * after dropping the country code 55 or a trunk 0. */
char *pos_phone_normalize (const char *text);

/* National digits to "(11) 98765-4321" / "(11) 3456-7890"; a copy of the
 * text when it is not 10 or 11 digits. NULL in, NULL out. */
char *pos_phone_format    (const char *digits);

/* Lower case, accents removed (NFD, combining marks dropped), runs of
 * anything that is not a letter or digit turned into one space, trimmed:
 * "  Maria-José  da SILVA " → "maria jose da silva". Never NULL for non-NULL
 * text. */
char *pos_name_fold       (const char *text);

/* An e-mail address, trimmed and lower-cased, when it looks like one
 * (one "@", a dot in the domain, no spaces); NULL otherwise. */
char *pos_email_normalize (const char *text);

G_END_DECLS
