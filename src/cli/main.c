/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-ctl"

#include "config.h"

#include "pos-cli.h"

int
main (int   argc,
      char *argv[])
{
  return pos_cli_run (argc, argv);
}
