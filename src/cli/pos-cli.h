/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "terminal/pos-database.h"

G_BEGIN_DECLS

/* Each command gets argv with argv[0] = its own name ("barcode", ...),
 * prints to stdout, errors to stderr in words, and returns the exit
 * status: 0 ok, 1 failed, 2 usage. */
typedef int (*PosCliCommandFunc) (int argc, char **argv);

int          pos_cli_run               (int argc, char **argv);

/* The database named by --database, else $BALCAO_DATABASE, else
 * $XDG_DATA_HOME/balcao/balcao.db. Creates the folder. */
const char  *pos_cli_get_database_path (void);
PosDatabase *pos_cli_open_database     (GError **error);
/* Prints "balcao-ctl: <message>" to stderr; returns 1. */
int          pos_cli_fail              (const GError *error);

int pos_cli_cmd_barcode   (int argc, char **argv);  /* pos-cli-barcode.c */
int pos_cli_cmd_demo_data (int argc, char **argv);  /* pos-cli-demo.c */
int pos_cli_cmd_catalog   (int argc, char **argv);  /* pos-cli-catalog.c */
int pos_cli_cmd_sales     (int argc, char **argv);  /* pos-cli-sales.c */
int pos_cli_cmd_enroll    (int argc, char **argv);  /* pos-cli-sync.c */
int pos_cli_cmd_sync      (int argc, char **argv);  /* pos-cli-sync.c */
int pos_cli_cmd_scanners  (int argc, char **argv);  /* pos-cli-scanners.c */
int pos_cli_cmd_staff     (int argc, char **argv);  /* pos-cli-staff.c */
int pos_cli_cmd_audit     (int argc, char **argv);  /* pos-cli-audit.c */
int pos_cli_cmd_shift     (int argc, char **argv);  /* pos-cli-shift.c */
int pos_cli_cmd_pickup    (int argc, char **argv);  /* pos-cli-pickups.c */
int pos_cli_cmd_printers  (int argc, char **argv);  /* pos-cli-printers.c */
int pos_cli_cmd_print_test (int argc, char **argv); /* pos-cli-printers.c */
int pos_cli_cmd_receipt   (int argc, char **argv);  /* pos-cli-receipt.c */
int pos_cli_cmd_online_order (int argc, char **argv); /* pos-cli-online.c */

/* Quantities in units on the command line: "2" -> 2000, "0,512" or
 * "0.512" -> 512 (thousandths; up to 3 decimals); and back ("2", "0.512"). */
gboolean     pos_cli_parse_quantity    (const char *text, gint64 *out);
char        *pos_cli_format_quantity   (gint64 milli);

/* pos-cli-staff.c: a PIN from the standard input, one line (not echoed at
 * a terminal, where prompt is shown first). */
char        *pos_cli_read_pin          (const char *prompt, GError **error);
/* With code != NULL: reads that person's PIN and makes db act as them
 * (pos_staff_act_as), for --as CODE. TRUE with nothing done for NULL. */
gboolean     pos_cli_act_as            (PosDatabase *db, const char *code, GError **error);

G_END_DECLS
