/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Brazilian CPF (11 digits, 2 check digits, mod 11) and CNPJ (14 digits). */
gboolean pos_cpf_validate   (const char *text);   /* accepts "000.000.000-00" or digits; rejects all-same digits */
char    *pos_cpf_format     (const char *digits); /* "12345678909" -> "123.456.789-09"; NULL if invalid */
char    *pos_cpf_normalize  (const char *text);   /* digits only, NULL if invalid */
/* Fills digits[9] given, computes the two check digits into out[11]. */
void     pos_cpf_complete   (const char nine_digits[9], char out[12]);
gboolean pos_cnpj_validate  (const char *text);
char    *pos_cnpj_format    (const char *digits);

G_END_DECLS
