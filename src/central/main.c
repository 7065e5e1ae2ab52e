/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-central"

#include "config.h"

#include "central-cli.h"

int
main (int    argc,
      char **argv)
{
  return central_cli_run (argc, argv);
}
