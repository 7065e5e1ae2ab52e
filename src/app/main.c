/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "app/pos-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(PosApplication) app = NULL;
  /* The translations of an uninstalled build: the tests point this at
   * <build>/po (tests/ui/test-l10n.py). */
  const char *localedir = g_getenv ("BALCAO_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = pos_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
