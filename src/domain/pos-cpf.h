/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Brazilian CPF (11 digits, 2 check digits, mod 11) and CNPJ (14 digits). */
/* Accepts "000.000.000-00" or the 11 digits ('.', '-' and spaces are
 * ignored, anything else rejects); rejects all-same digits. */
gboolean pos_cpf_validate   (const char *text);
char    *pos_cpf_format     (const char *digits); /* "12345678909" -> "123.456.789-09"; NULL if invalid */
char    *pos_cpf_normalize  (const char *text);   /* digits only, NULL if invalid */
/* Copies the nine digits given and computes the two check digits:
 * out holds 11 digits and a NUL. */
void     pos_cpf_complete   (const char nine_digits[9], char out[12]);
/* CNPJ: accepts "00.000.000/0000-00" or the 14 characters alone. The first
 * 12 may also be letters A-Z (the alphanumeric CNPJ of Receita Federal,
 * IN RFB 2.229/2024, from July 2026: each character counts as its ASCII code
 * minus 48); the two check digits are always digits. Rejects all-same. */
gboolean pos_cnpj_validate  (const char *text);
char    *pos_cnpj_format    (const char *digits); /* -> "11.222.333/0001-81"; NULL if invalid */
char    *pos_cnpj_normalize (const char *text);   /* 14 characters, upper case, NULL if invalid */
/* Computes the two check digits of twelve characters into out[15]. */
void     pos_cnpj_complete  (const char twelve[12], char out[15]);

G_END_DECLS
