/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-demo"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "domain/pos-barcode.h"
#include "domain/pos-cpf.h"
#include "domain/pos-money.h"
#include "domain/pos-pin.h"
#include "pos-catalog.h"
#include "pos-demo-data.h"
#include "pos-staff.h"

#define BATCH 20000          /* rows per progress report */
#define DAY_MS (G_GINT64_CONSTANT (86400000))

/* ------------------------------------------------------------------ */
/* The assortment                                                      */

typedef struct {
  const char *name;          /* base name */
  const char *brands;        /* '|' separated */
  const char *sizes;         /* '|' separated */
  int         min_cents;     /* price range of the smallest size */
  int         max_cents;
  const char *tax_class;
} Base;

static const Base bases[] = {
  { "Arroz Branco", "Tio João|Camil|Prato Fino|Namorado|Urbano", "1kg|2kg|5kg", 549, 899, "icms-7" },
  { "Arroz Integral", "Tio João|Camil|Urbano", "1kg|2kg", 699, 1099, "icms-7" },
  { "Feijão Carioca", "Camil|Kicaldo|Broto Legal|Tio João", "1kg|2kg", 699, 1099, "icms-7" },
  { "Feijão Preto", "Camil|Kicaldo|Broto Legal", "1kg", 749, 1199, "icms-7" },
  { "Açúcar Refinado", "União|Da Barra|Caravelas|Guarani", "1kg|2kg|5kg", 429, 699, "icms-7" },
  { "Açúcar Cristal", "União|Da Barra|Guarani", "1kg|2kg|5kg", 399, 649, "icms-7" },
  { "Café Torrado e Moído", "Pilão|Melitta|3 Corações|Café do Ponto|Pelé", "250g|500g", 1249, 2199, "icms-18" },
  { "Café em Cápsulas", "3 Corações|Nescafé Dolce Gusto|Pilão", "10un|16un", 1899, 3299, "icms-18" },
  { "Óleo de Soja", "Liza|Soya|Cocamar", "900ml", 699, 999, "icms-7" },
  { "Azeite de Oliva Extra Virgem", "Gallo|Andorinha|Borges|La Violetera", "250ml|500ml", 2299, 4599, "icms-18" },
  { "Macarrão Espaguete", "Barilla|Renata|Adria|Galo|Santa Amália", "500g|1kg", 399, 899, "icms-7" },
  { "Macarrão Parafuso", "Renata|Adria|Galo|Santa Amália", "500g", 379, 799, "icms-7" },
  { "Farinha de Trigo", "Dona Benta|Renata|Anaconda|Sol", "1kg|5kg", 499, 799, "icms-7" },
  { "Farinha de Mandioca", "Yoki|Kodilar", "500g|1kg", 549, 899, "icms-7" },
  { "Sal Refinado", "Cisne|Lebre|Globo", "1kg", 249, 449, "icms-7" },
  { "Leite UHT Integral", "Italac|Piracanjuba|Parmalat|Ninho|Elegê", "1l", 449, 699, "icms-7" },
  { "Leite UHT Desnatado", "Italac|Piracanjuba|Parmalat", "1l", 469, 729, "icms-7" },
  { "Leite Condensado", "Moça|Italac|Piracanjuba", "395g", 599, 899, "icms-18" },
  { "Creme de Leite", "Nestlé|Italac|Piracanjuba", "200g", 349, 549, "icms-18" },
  { "Achocolatado em Pó", "Nescau|Toddy|Ovomaltine", "400g|800g", 749, 1499, "icms-18" },
  { "Biscoito Recheado", "Oreo|Trakinas|Passatempo|Bauducco", "90g|140g", 249, 549, "icms-18" },
  { "Biscoito Cream Cracker", "Vitarella|Marilan|Piraquê|Adria", "200g|400g", 399, 799, "icms-18" },
  { "Biscoito Maisena", "Marilan|Piraquê|Vitarella", "200g|400g", 349, 699, "icms-18" },
  { "Chocolate ao Leite", "Lacta|Nestlé|Garoto|Hershey's", "90g|150g", 599, 1199, "icms-18" },
  { "Refrigerante Cola", "Coca-Cola|Pepsi|Dolly", "350ml|2l|2,5l", 399, 1099, "icms-18" },
  { "Refrigerante Guaraná", "Guaraná Antarctica|Kuat|Dolly", "350ml|2l", 349, 899, "icms-18" },
  { "Suco de Uva Integral", "Aurora|Casa de Bento|Del Valle", "1l|1,5l", 1199, 1999, "icms-18" },
  { "Água Mineral sem Gás", "Crystal|Bonafont|Minalba|São Lourenço", "500ml|1,5l|5l", 199, 1099, "icms-18" },
  { "Cerveja Pilsen Lata", "Skol|Brahma|Antarctica|Itaipava|Heineken|Amstel", "350ml|473ml", 329, 699, "icms-18" },
  { "Vinho Tinto Suave", "Pérgola|Sangue de Boi|Cantina da Serra", "750ml|1l", 1699, 2999, "icms-18" },
  { "Cachaça", "51|Ypióca|Velho Barreiro|Sagatiba", "965ml", 1499, 3999, "icms-18" },
  { "Sabão em Pó", "Omo|Brilhante|Tixan Ypê|Ariel", "800g|1,6kg|4kg", 1299, 2999, "icms-18" },
  { "Detergente Líquido", "Ypê|Limpol|Minuano|Condor", "500ml", 229, 399, "icms-18" },
  { "Amaciante de Roupas", "Comfort|Downy|Ypê", "500ml|2l", 999, 2499, "icms-18" },
  { "Água Sanitária", "Qboa|Ypê|Candura", "1l|2l", 399, 799, "icms-18" },
  { "Papel Higiênico Folha Dupla", "Neve|Personal|Scott|Mili", "4un|12un|30un", 599, 3299, "icms-18" },
  { "Creme Dental", "Colgate|Oral-B|Close Up|Sorriso", "90g", 349, 999, "icms-18" },
  { "Sabonete em Barra", "Dove|Lux|Protex|Nivea|Palmolive", "85g|90g", 199, 499, "icms-18" },
  { "Shampoo", "Seda|Pantene|Elseve|Dove|Clear", "350ml|400ml", 1399, 2699, "icms-18" },
  { "Desodorante Aerossol", "Rexona|Dove|Nivea|Axe", "150ml", 1299, 2199, "icms-18" },
  { "Margarina com Sal", "Qualy|Doriana|Becel|Delícia", "250g|500g", 599, 1199, "icms-12" },
  { "Manteiga com Sal", "Aviação|Itambé|Président|Piracanjuba", "200g", 1399, 2299, "icms-12" },
  { "Iogurte Natural", "Nestlé|Batavo|Danone|Itambé", "170g", 249, 449, "icms-12" },
  { "Requeijão Cremoso", "Catupiry|Vigor|Itambé|Danúbio", "200g", 799, 1399, "icms-12" },
  { "Ovos Brancos", "Mantiqueira|Granja Yabuta|Katayama", "12un|30un", 1099, 2499, "isento" },
  { "Pão de Forma", "Pullman|Wickbold|Seven Boys|Bauducco", "400g|500g", 799, 1299, "icms-7" },
  { "Molho de Tomate", "Heinz|Pomarola|Quero|Fugini", "300g|340g", 249, 549, "icms-12" },
  { "Extrato de Tomate", "Elefante|Quero|Fugini", "140g|340g", 299, 799, "icms-12" },
  { "Maionese", "Hellmann's|Heinz|Quero", "250g|500g", 599, 1299, "icms-18" },
  { "Atum em Lata", "Gomes da Costa|Coqueiro|Pescador", "170g", 899, 1399, "icms-12" },
  { "Sardinha em Óleo", "Gomes da Costa|Coqueiro|88", "125g", 449, 749, "icms-12" },
  { "Milho Verde em Conserva", "Quero|Bonduelle|Predilecta", "170g", 299, 599, "icms-12" },
  { "Ervilha em Conserva", "Quero|Bonduelle|Predilecta", "170g", 299, 599, "icms-12" },
  { "Aveia em Flocos", "Quaker|Yoki|Nestlé", "200g|450g", 499, 999, "icms-7" },
  { "Granola Tradicional", "Mãe Terra|Jasmine|Kobber", "250g|800g", 1199, 2899, "icms-18" },
  { "Tempero Completo", "Sazón|Knorr|Kitano", "60g|300g", 299, 999, "icms-18" },
  { "Caldo de Galinha", "Knorr|Maggi|Arisco", "57g", 249, 449, "icms-18" },
  { "Gelatina em Pó", "Royal|Dr. Oetker|Apti", "25g", 149, 299, "icms-18" },
  { "Ração para Cães Adultos", "Pedigree|Golden|Premier|Dog Chow", "1kg|3kg|15kg", 1999, 4999, "icms-18" },
  { "Fralda Descartável", "Pampers|Huggies|MamyPoko|Turma da Mônica", "P|M|G|XG", 3999, 7999, "icms-12" },
};

static const char *variants[] = {
  NULL, "Tradicional", "Light", "Zero", "Orgânico", "Premium", "Econômico", "Integral",
  "Sem Lactose", "Sem Glúten", "Tipo 1", "Extra", "Original", "Especial", "Gourmet", "Família",
};

static const char *packs[] = {
  NULL, "Pack 2un", "Pack 3un", "Pack 4un", "Pack 6un", "Caixa 12un", "Fardo 24un", "Leve 3 Pague 2",
};

/* Weighed goods, registered with store scale codes (PLU = index + 1). */
typedef struct {
  const char *name;
  const char *brand;
  int         cents_per_kg;
  const char *tax_class;
} Weighed;

static const Weighed weighed_goods[] = {
  { "Banana Prata kg", NULL, 599, "isento" },
  { "Banana Nanica kg", NULL, 499, "isento" },
  { "Tomate Italiano kg", NULL, 899, "isento" },
  { "Tomate Carmem kg", NULL, 799, "isento" },
  { "Batata Inglesa kg", NULL, 549, "isento" },
  { "Cebola kg", NULL, 499, "isento" },
  { "Maçã Gala kg", NULL, 1099, "isento" },
  { "Laranja Pera kg", NULL, 399, "isento" },
  { "Mamão Formosa kg", NULL, 699, "isento" },
  { "Cenoura kg", NULL, 449, "isento" },
  { "Queijo Mussarela Fatiado kg", "Tirolez", 4990, "icms-12" },
  { "Queijo Prato Fatiado kg", "Polenghi", 5490, "icms-12" },
  { "Presunto Cozido Fatiado kg", "Sadia", 3990, "icms-12" },
  { "Mortadela Fatiada kg", "Ceratti", 2990, "icms-12" },
  { "Peito de Peru Defumado kg", "Perdigão", 7990, "icms-12" },
  { "Carne Moída Patinho kg", NULL, 4490, "icms-7" },
  { "Picanha Bovina kg", NULL, 8990, "icms-7" },
  { "Frango Coxa e Sobrecoxa kg", NULL, 1590, "icms-7" },
  { "Linguiça Toscana kg", "Aurora", 2290, "icms-12" },
  { "Pão Francês kg", NULL, 1690, "icms-7" },
};

/* Goods with a price on the label (the store's bakery and deli). */
static const Weighed priced_goods[] = {
  { "Bolo de Cenoura com Chocolate", "Padaria Balcão", 0, "icms-12" },
  { "Salada de Frutas", "Balcão", 0, "icms-12" },
  { "Torta de Frango", "Padaria Balcão", 0, "icms-12" },
  { "Pão de Queijo Congelado", "Padaria Balcão", 0, "icms-12" },
};

static const char *first_names[] = {
  "Maria", "José", "Ana", "João", "Francisca", "Antônio", "Juliana", "Carlos", "Márcia", "Paulo",
  "Aline", "Pedro", "Fernanda", "Lucas", "Patrícia", "Gabriel", "Camila", "Rafael", "Beatriz", "Marcos",
  "Letícia", "Luiz", "Amanda", "Bruno", "Larissa", "Rodrigo", "Vanessa", "Felipe", "Júlia", "Thiago",
  "Sônia", "Eduardo", "Cláudia", "Gustavo", "Renata", "André", "Débora", "Vinícius", "Luciana", "Matheus",
  "Heloísa", "Caio", "Lívia", "Otávio", "Conceição", "Raimundo", "Tânia", "Sérgio", "Simone", "Fábio",
};

static const char *surnames[] = {
  "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes",
  "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira", "Barbosa",
  "Rocha", "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Marques", "Machado", "Mendes", "Freitas",
  "Cardoso", "Ramos", "Gonçalves", "Santana", "Teixeira", "Araújo", "Conceição", "Magalhães", "Brandão", "Azevedo",
};

static const char *area_codes[] = { "11", "11", "11", "11", "12", "13", "15", "19", "21", "31", "41", "47", "51", "61", "71", "81", "85" };

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

typedef struct {
  PosDatabase     *db;
  sqlite3         *handle;
  GRand           *rand;
  PosDemoProgress  progress;
  gpointer         user_data;
} Ctx;

static void
report (Ctx        *ctx,
        const char *what,
        guint64     done,
        guint64     total)
{
  if (ctx->progress != NULL)
    ctx->progress (what, done, total, ctx->user_data);
}

static gboolean
prepare (Ctx           *ctx,
         const char    *sql,
         sqlite3_stmt **stmt,
         GError       **error)
{
  if (sqlite3_prepare_v3 (ctx->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL) != SQLITE_OK)
    {
      sqlite3_finalize (*stmt);
      *stmt = NULL;
      return pos_database_set_error (ctx->db, error, _("Preparing the demo data"));
    }
  return TRUE;
}

static gboolean
step (Ctx          *ctx,
      sqlite3_stmt *stmt,
      GError      **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    return pos_database_set_error (ctx->db, error, _("Writing the demo data"));
  return TRUE;
}

static void
finalize_stmts (sqlite3_stmt **stmts,
                guint          n)
{
  for (guint i = 0; i < n; i++)
    g_clear_pointer (&stmts[i], sqlite3_finalize);
}

/* The same digits as pos_gtin_check_digit; kept here in case a code path
 * needs the check digit without the domain (it is used to verify). */
static int
gtin_check (const char *digits,
            gsize       len)
{
  int sum = 0;

  for (gsize i = 0; i < len; i++)
    {
      int d = digits[len - 1 - i] - '0';
      sum += (i % 2 == 0) ? d * 3 : d;
    }
  return (10 - sum % 10) % 10;
}

/* A deterministic UUIDv7 (time + random bits from our GRand). */
static char *
demo_uuid7 (GRand  *rand,
            gint64  unix_ms)
{
  guint32 r1 = g_rand_int (rand), r2 = g_rand_int (rand), r3 = g_rand_int (rand);
  guint64 ms = (guint64) unix_ms & G_GUINT64_CONSTANT (0xffffffffffff);

  return g_strdup_printf ("%08x-%04x-7%03x-%04x-%04x%08x",
                          (guint32) (ms >> 16), (guint) (ms & 0xffff),
                          r1 & 0xfff, 0x8000 | ((r1 >> 12) & 0x3fff),
                          r2 & 0xffff, r3);
}

static void
cnpj_complete (const char twelve[12],
               char       out[15])
{
  static const int w1[12] = { 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2 };
  static const int w2[13] = { 6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2 };
  int sum = 0, d;

  memcpy (out, twelve, 12);
  for (int i = 0; i < 12; i++)
    sum += (out[i] - '0') * w1[i];
  d = sum % 11 < 2 ? 0 : 11 - sum % 11;
  out[12] = (char) ('0' + d);
  sum = 0;
  for (int i = 0; i < 13; i++)
    sum += (out[i] - '0') * w2[i];
  d = sum % 11 < 2 ? 0 : 11 - sum % 11;
  out[13] = (char) ('0' + d);
  out[14] = '\0';
}

static char *
pick_part (const char *list,
           guint       index,
           guint      *n_out)
{
  g_auto(GStrv) parts = g_strsplit (list, "|", -1);
  guint n = g_strv_length (parts);

  if (n_out != NULL)
    *n_out = n;
  return g_strdup (parts[index % n]);
}

/* Fills a rule's pattern with a PLU and a zero value: the item code the
 * product is registered with (the code with value and check digit zeroed).
 * Also gives a full scannable code for value `value` when asked. */
static char *
rule_code (const char *pattern,
           guint       plu,
           gint64      value,
           gboolean    with_check)
{
  GString *code = g_string_new (NULL);
  g_autofree char *plu_digits = NULL;
  g_autofree char *value_digits = NULL;
  guint n_dots = 0, n_value = 0, di = 0, vi = 0;
  gboolean in_value = FALSE;

  for (const char *p = pattern; *p; p++)
    {
      if (*p == '{') in_value = TRUE;
      else if (*p == '}') in_value = FALSE;
      else if (in_value) n_value++;
      else if (*p == '.') n_dots++;
    }
  plu_digits = g_strdup_printf ("%0*u", (int) n_dots, plu);
  value_digits = g_strdup_printf ("%0*" G_GINT64_FORMAT, (int) n_value, value);

  in_value = FALSE;
  for (const char *p = pattern; *p; p++)
    {
      if (*p == '{') in_value = TRUE;
      else if (*p == '}') in_value = FALSE;
      else if (in_value) g_string_append_c (code, with_check ? value_digits[vi++] : '0');
      else if (*p == '.') g_string_append_c (code, plu_digits[strlen (plu_digits) - n_dots + di++]);
      else g_string_append_c (code, *p);
    }

  /* EAN-13: the pattern covers 12 or 13 positions; the 13th is the check. */
  if (code->len == 13)
    g_string_truncate (code, 12);
  if (with_check)
    g_string_append_c (code, (char) ('0' + gtin_check (code->str, code->len)));
  else
    g_string_append_c (code, '0');

  return g_string_free (code, FALSE);
}

/* The item code through the domain parser when it can tell us (so the
 * registration matches exactly what a scan resolves to), else our own. */
static char *
item_code_for_rule (const PosBarcodeRule *rule,
                    guint                 plu)
{
  g_autofree char *scan = rule_code (rule->pattern, plu, 123, TRUE);
  g_autoptr(PosBarcode) parsed = pos_barcode_parse (scan, rule, 1, NULL);

  if (parsed != NULL && parsed->item_code != NULL)
    return g_strdup (parsed->item_code);

  return rule_code (rule->pattern, plu, 0, FALSE);
}

static gint64
price_cents (GRand *rand,
             int    lo,
             int    hi)
{
  static const int endings[] = { 90, 99, 49, 79, 0, 89 };
  gint64 reais = g_rand_int_range (rand, lo / 100, hi / 100 + 1);

  return reais * 100 + endings[g_rand_int_range (rand, 0, G_N_ELEMENTS (endings))];
}

static char *
ascii_lower (const char *text)
{
  g_autofree char *plain = g_str_to_ascii (text, "C");
  return g_ascii_strdown (plain, -1);
}

/* ------------------------------------------------------------------ */
/* Store                                                               */

typedef struct {
  char *store_id;
  char *terminal_id;
  char *cashier_id;
  char *supervisor_id;
  char *manager_id;
  const PosBarcodeRule *weight_rule;
  const PosBarcodeRule *price_rule;
  PosBarcodeRule *rules;
  guint n_rules;
} Store;

static void
store_clear (Store *s)
{
  g_free (s->store_id);
  g_free (s->terminal_id);
  g_free (s->cashier_id);
  g_free (s->supervisor_id);
  g_free (s->manager_id);
  pos_barcode_rules_free (s->rules, s->n_rules);
}

static gboolean
exec_bind (Ctx         *ctx,
           const char  *sql,
           GError     **error,
           ...)
{
  sqlite3_stmt *stmt = NULL;
  va_list args;
  const char *v;
  int i = 1;
  gboolean ok;

  if (!prepare (ctx, sql, &stmt, error))
    return FALSE;
  va_start (args, error);
  while ((v = va_arg (args, const char *)) != NULL)
    {
      if (v == (const char *) 1)  /* explicit NULL marker */
        sqlite3_bind_null (stmt, i++);
      else
        sqlite3_bind_text (stmt, i++, v, -1, SQLITE_TRANSIENT);
    }
  va_end (args);
  ok = step (ctx, stmt, error);
  sqlite3_finalize (stmt);
  return ok;
}

static gboolean
make_store (Ctx     *ctx,
            Store   *s,
            guint64  n_sales,
            gint64   now,
            GError **error)
{
  static const struct { const char *id, *name; int rate, approx; } taxes[] = {
    { "icms-18", "ICMS 18%", 1800, 3145 },
    { "icms-12", "ICMS 12%", 1200, 2651 },
    { "icms-7",  "ICMS 7% (cesta básica)", 700, 1820 },
    { "isento",  "Isento (hortifrúti)", 0, 845 },
  };
  char cnpj[15];
  g_autofree char *now_text = g_strdup_printf ("%" G_GINT64_FORMAT, now);
  g_autofree char *next_sale = g_strdup_printf ("%" G_GUINT64_FORMAT, n_sales + 1);
  guint n_defaults = 0;
  const PosBarcodeRule *defaults;

  cnpj_complete ("123456780001", cnpj);
  s->store_id = demo_uuid7 (ctx->rand, now - 400 * DAY_MS);
  s->terminal_id = demo_uuid7 (ctx->rand, now - 400 * DAY_MS + 1);
  s->cashier_id = demo_uuid7 (ctx->rand, now - 400 * DAY_MS + 2);
  s->supervisor_id = demo_uuid7 (ctx->rand, now - 400 * DAY_MS + 3);
  s->manager_id = demo_uuid7 (ctx->rand, now - 400 * DAY_MS + 4);

  if (!exec_bind (ctx,
        "INSERT INTO stores (id, code, name, legal_name, cnpj, address, city, state, postal_code, phone, currency, updated_at) "
        "VALUES (?1, '0001', 'Mercado Balcão', 'Mercado Balcão Comércio de Alimentos Ltda.', ?2, "
        "'Av. Paulista, 1000 - Bela Vista', 'São Paulo', 'SP', '01310-100', '(11) 3000-1000', 'BRL', ?3)",
        error, s->store_id, cnpj, now_text, NULL) ||
      !exec_bind (ctx, "INSERT INTO terminals (id, store_id, code, name) VALUES (?1, ?2, '01', 'Caixa 01')",
                  error, s->terminal_id, s->store_id, NULL) ||
      !exec_bind (ctx, "INSERT INTO document_sequences (terminal_id, kind, next_value) VALUES (?1, 'sale', ?2)",
                  error, s->terminal_id, next_sale, NULL) ||
      !exec_bind (ctx, "INSERT INTO staff (id, store_id, code, name, role, badge_code, updated_at) "
                       "VALUES (?1, ?2, '1001', 'Ana Paula Souza', 'cashier', 'CRACHA1001', ?3)",
                  error, s->cashier_id, s->store_id, now_text, NULL) ||
      !exec_bind (ctx, "INSERT INTO staff (id, store_id, code, name, role, badge_code, updated_at) "
                       "VALUES (?1, ?2, '2001', 'Carlos Eduardo Lima', 'supervisor', 'CRACHA2001', ?3)",
                  error, s->supervisor_id, s->store_id, now_text, NULL) ||
      !exec_bind (ctx, "INSERT INTO staff (id, store_id, code, name, role, badge_code, updated_at) "
                       "VALUES (?1, ?2, '3001', 'Fernanda Oliveira', 'manager', 'CRACHA3001', ?3)",
                  error, s->manager_id, s->store_id, now_text, NULL))
    return FALSE;

  /* Their PINs (README, demo section): easy to remember for a demo, which
   * is why they are set here and not through pos_staff_set_pin (that one
   * refuses a repeated digit). */
  {
    static const struct { const char *code, *pin; } pins[] = {
      { "1001", "1111" },   /* Ana Paula Souza, cashier */
      { "2001", "2222" },   /* Carlos Eduardo Lima, supervisor */
      { "3001", "9999" },   /* Fernanda Oliveira, manager */
    };

    for (guint i = 0; i < G_N_ELEMENTS (pins); i++)
      {
        g_autofree char *hash = pos_pin_hash (pins[i].pin, error);

        if (hash == NULL ||
            !exec_bind (ctx, "UPDATE staff SET pin_hash = ?1 WHERE code = ?2 AND store_id = ?3",
                        error, hash, pins[i].code, s->store_id, NULL))
          return FALSE;
      }
    /* The demo's people were made at this counter: a central it is
     * enrolled with learns them (and their PINs) from it. */
    if (!pos_staff_publish (ctx->db, s->cashier_id, error) ||
        !pos_staff_publish (ctx->db, s->supervisor_id, error) ||
        !pos_staff_publish (ctx->db, s->manager_id, error))
      return FALSE;
  }

  for (guint i = 0; i < G_N_ELEMENTS (taxes); i++)
    {
      g_autofree char *rate = g_strdup_printf ("%d", taxes[i].rate);
      g_autofree char *approx = g_strdup_printf ("%d", taxes[i].approx);
      if (!exec_bind (ctx, "INSERT OR IGNORE INTO tax_classes (id, name, rate_bp, approx_rate_bp) VALUES (?1, ?2, ?3, ?4)",
                      error, taxes[i].id, taxes[i].name, rate, approx, NULL))
        return FALSE;
    }

  {
    static const char *settings[][2] = {
      { "currency", "BRL" },
      { "tax_mode", "inclusive" },
      { "pix_key", "12345678000195" },
      { "receipt_header", "Obrigado pela preferência!" },
      { "receipt_footer", "Quinta do hortifrúti: ofertas toda semana.\nVolte sempre!" },
      { "return_days", "30" },
    };
    if (!pos_database_set_setting (ctx->db, "store_id", s->store_id, error) ||
        !pos_database_set_setting (ctx->db, "terminal_id", s->terminal_id, error) ||
        !pos_database_set_setting (ctx->db, "staff_id", s->cashier_id, error))
      return FALSE;
    for (guint i = 0; i < G_N_ELEMENTS (settings); i++)
      if (!pos_database_set_setting (ctx->db, settings[i][0], settings[i][1], error))
        return FALSE;
    /* The pix key is the store's CNPJ. */
    if (!pos_database_set_setting (ctx->db, "pix_key", cnpj, error))
      return FALSE;
  }

  defaults = pos_barcode_default_rules (&n_defaults);
  for (guint i = 0; i < n_defaults; i++)
    {
      g_autofree char *prio = g_strdup_printf ("%u", n_defaults - i);
      if (!exec_bind (ctx, "INSERT OR IGNORE INTO barcode_rules (pattern, kind, priority) VALUES (?1, ?2, ?3)",
                      error, defaults[i].pattern,
                      defaults[i].kind == POS_BARCODE_KIND_PRICE ? "price" : "weight", prio, NULL))
        return FALSE;
    }

  s->rules = pos_catalog_get_barcode_rules (ctx->db, &s->n_rules);
  for (guint i = 0; i < s->n_rules; i++)
    {
      if (s->rules[i].kind == POS_BARCODE_KIND_WEIGHT && s->weight_rule == NULL)
        s->weight_rule = &s->rules[i];
      if (s->rules[i].kind == POS_BARCODE_KIND_PRICE && s->price_rule == NULL)
        s->price_rule = &s->rules[i];
    }

  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Products                                                            */

typedef struct {
  gint64 *price;     /* per product id (1-based) */
  guint8 *weighed;
  guint16 *tax_bp;
  guint64  n;
} Catalog;

static void
catalog_clear (Catalog *c)
{
  g_free (c->price);
  g_free (c->weighed);
  g_free (c->tax_bp);
}

static guint
tax_bp_of (const char *tax_class)
{
  if (g_str_equal (tax_class, "icms-18")) return 1800;
  if (g_str_equal (tax_class, "icms-12")) return 1200;
  if (g_str_equal (tax_class, "icms-7")) return 700;
  return 0;
}

enum { S_PRODUCT, S_BARCODE, S_PRICE, S_STOCK, N_PRODUCT_STMTS };

static gboolean
insert_product (Ctx           *ctx,
                sqlite3_stmt **st,
                Catalog       *cat,
                gint64         id,
                const char    *sku,
                const char    *name,
                const char    *brand,
                const char    *unit,
                gboolean       weighed,
                const char    *tax_class,
                const char    *barcode,
                gint64         price,
                gint64         stock,
                gint64         now,
                GError       **error)
{
  sqlite3_bind_int64 (st[S_PRODUCT], 1, id);
  sqlite3_bind_text (st[S_PRODUCT], 2, sku, -1, SQLITE_STATIC);
  sqlite3_bind_text (st[S_PRODUCT], 3, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (st[S_PRODUCT], 4, brand, -1, SQLITE_STATIC);
  sqlite3_bind_text (st[S_PRODUCT], 5, unit, -1, SQLITE_STATIC);
  sqlite3_bind_int (st[S_PRODUCT], 6, weighed ? 1 : 0);
  sqlite3_bind_text (st[S_PRODUCT], 7, tax_class, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st[S_PRODUCT], 8, now);
  if (!step (ctx, st[S_PRODUCT], error))
    return FALSE;

  sqlite3_bind_text (st[S_BARCODE], 1, barcode, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st[S_BARCODE], 2, id);
  if (!step (ctx, st[S_BARCODE], error))
    return FALSE;

  sqlite3_bind_int64 (st[S_PRICE], 1, id);
  sqlite3_bind_int64 (st[S_PRICE], 2, price);
  if (!step (ctx, st[S_PRICE], error))
    return FALSE;

  sqlite3_bind_int64 (st[S_STOCK], 1, id);
  sqlite3_bind_int64 (st[S_STOCK], 2, stock);
  sqlite3_bind_int64 (st[S_STOCK], 3, now);
  if (!step (ctx, st[S_STOCK], error))
    return FALSE;

  cat->price[id] = price;
  cat->weighed[id] = weighed ? 1 : 0;
  cat->tax_bp[id] = (guint16) tax_bp_of (tax_class);
  return TRUE;
}

/* Fixed first products so the classic examples always exist. */
static const struct { guint base, brand, size; } classics[] = {
  { 4, 0, 0 },   /* Açúcar Refinado União 1kg */
  { 6, 0, 1 },   /* Café Torrado e Moído Pilão 500g */
  { 0, 0, 2 },   /* Arroz Branco Tio João 5kg */
  { 2, 0, 0 },   /* Feijão Carioca Camil 1kg */
  { 15, 1, 0 },  /* Leite UHT Integral Piracanjuba 1l */
  { 24, 0, 1 },  /* Refrigerante Cola Coca-Cola 2l */
  { 8, 0, 0 },   /* Óleo de Soja Liza 900ml */
  { 10, 1, 0 },  /* Macarrão Espaguete Renata 500g */
};

static gboolean
make_products (Ctx      *ctx,
               Store    *store,
               Catalog  *cat,
               guint64   n_products,
               gint64    now,
               GError  **error)
{
  sqlite3_stmt *st[N_PRODUCT_STMTS] = { NULL, };
  guint64 n_special = G_N_ELEMENTS (weighed_goods) + G_N_ELEMENTS (priced_goods);
  gboolean ok = FALSE;
  guint64 id;

  cat->n = n_products;
  cat->price = g_new0 (gint64, n_products + 1);
  cat->weighed = g_new0 (guint8, n_products + 1);
  cat->tax_bp = g_new0 (guint16, n_products + 1);

  if (!prepare (ctx, "INSERT INTO products (id, sku, name, brand, unit, weighed, tax_class_id, updated_at) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", &st[S_PRODUCT], error) ||
      !prepare (ctx, "INSERT INTO product_barcodes (code, product_id) VALUES (?1, ?2)", &st[S_BARCODE], error) ||
      !prepare (ctx, "INSERT INTO prices (product_id, price_list, valid_from, amount, currency) "
                     "VALUES (?1, 'retail', 0, ?2, 'BRL')", &st[S_PRICE], error) ||
      !prepare (ctx, "INSERT INTO stock_levels (product_id, synced_qty, local_delta, synced_at) "
                     "VALUES (?1, ?2, 0, ?3)", &st[S_STOCK], error))
    goto out;

  report (ctx, _("products"), 0, n_products);
  for (id = 1; id <= n_products; id++)
    {
      g_autofree char *sku = g_strdup_printf ("SKU%07" G_GUINT64_FORMAT, id);
      g_autofree char *name = NULL;
      g_autofree char *brand = NULL;
      g_autofree char *barcode = NULL;
      const char *tax_class;
      const char *unit = "un";
      gboolean weighed = FALSE;
      gint64 price;
      gint64 stock;
      guint64 k = id - 1;

      if (k < n_special && store->weight_rule != NULL && store->price_rule != NULL)
        {
          gboolean by_weight = k < G_N_ELEMENTS (weighed_goods);
          const Weighed *w = by_weight ? &weighed_goods[k] : &priced_goods[k - G_N_ELEMENTS (weighed_goods)];
          guint plu = (guint) (by_weight ? k + 1 : k - G_N_ELEMENTS (weighed_goods) + 1);

          name = g_strdup (w->name);
          brand = g_strdup (w->brand);
          tax_class = w->tax_class;
          barcode = item_code_for_rule (by_weight ? store->weight_rule : store->price_rule, plu);
          if (by_weight)
            {
              weighed = TRUE;
              unit = "kg";
              price = w->cents_per_kg;
              stock = g_rand_int_range (ctx->rand, 5, 200) * 1000;   /* grams */
            }
          else
            {
              price = price_cents (ctx->rand, 900, 3500);   /* reference price */
              stock = g_rand_int_range (ctx->rand, 0, 40) * 1000;
            }
        }
      else
        {
          guint64 j = k >= n_special ? k - n_special : k;
          const Base *b;
          guint bi, bri, si, n_sizes = 1;
          g_autofree char *size = NULL;
          const char *variant = NULL;
          const char *pack = NULL;
          char digits[14];
          guint64 serial;

          if (j < G_N_ELEMENTS (classics))
            {
              bi = classics[j].base;
              bri = classics[j].brand;
              si = classics[j].size;
            }
          else
            {
              bi = g_rand_int_range (ctx->rand, 0, G_N_ELEMENTS (bases));
              bri = g_rand_int (ctx->rand);
              si = g_rand_int (ctx->rand);
              variant = variants[g_rand_int_range (ctx->rand, 0, G_N_ELEMENTS (variants))];
              if (g_rand_int_range (ctx->rand, 0, 4) == 0)
                pack = packs[g_rand_int_range (ctx->rand, 0, G_N_ELEMENTS (packs))];
            }
          b = &bases[bi];
          brand = pick_part (b->brands, bri, NULL);
          size = pick_part (b->sizes, si, &n_sizes);
          name = g_strjoin (" ", b->name, variant ? variant : brand, variant ? brand : size,
                            variant ? size : pack, variant ? pack : NULL, NULL);
          tax_class = b->tax_class;
          price = price_cents (ctx->rand, b->min_cents * (1 + (int) (si % n_sizes)),
                               b->max_cents * (1 + (int) (si % n_sizes)));
          stock = g_rand_int_range (ctx->rand, 0, 500) * 1000;

          /* 789 + a 9-digit serial (a bijection of the id) + check digit */
          serial = (id * G_GUINT64_CONSTANT (7919) + G_GUINT64_CONSTANT (104729)) % G_GUINT64_CONSTANT (1000000000);
          g_snprintf (digits, sizeof digits, "789%09" G_GUINT64_FORMAT, serial);
          barcode = g_strdup_printf ("%s%d", digits, pos_gtin_check_digit (digits, 12));
        }

      if (!insert_product (ctx, st, cat, (gint64) id, sku, name, brand, unit, weighed,
                           tax_class, barcode, price, stock, now, error))
        goto out;

      if (id % BATCH == 0)
        report (ctx, _("products"), id, n_products);
    }
  report (ctx, _("products"), n_products, n_products);
  ok = TRUE;

out:
  finalize_stmts (st, N_PRODUCT_STMTS);
  return ok;
}

/* ------------------------------------------------------------------ */
/* Customers                                                           */

enum { S_CUSTOMER, S_CONSENT, S_IDENTITY, N_CUSTOMER_STMTS };

static gboolean
make_customers (Ctx        *ctx,
                GPtrArray  *ids,
                guint64     n_customers,
                gint64      now,
                GError    **error)
{
  static const char *tiers[] = { "bronze", "bronze", "bronze", "prata", "prata", "ouro" };
  static const char *domains[] = { "example.com", "example.com.br", "example.net", "example.org" };
  sqlite3_stmt *st[N_CUSTOMER_STMTS] = { NULL, };
  gboolean ok = FALSE;

  if (!prepare (ctx, "INSERT INTO customers (id, name, cpf, email, phone, birth_date, loyalty_card, "
                     "loyalty_tier, loyalty_points, created_at, updated_at, phone_digits, email_norm) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, "
                     "balcao_phone_digits (?5), balcao_email_norm (?4))", &st[S_CUSTOMER], error) ||
      !prepare (ctx, "INSERT INTO customer_consents (customer_id, channel, granted, source, recorded_at) "
                     "VALUES (?1, ?2, ?3, 'store', ?4)", &st[S_CONSENT], error) ||
      !prepare (ctx, "INSERT INTO customer_identities (channel, external_id, customer_id) VALUES (?1, ?2, ?3)",
                &st[S_IDENTITY], error))
    goto out;

  report (ctx, _("customers"), 0, n_customers);
  for (guint64 i = 1; i <= n_customers; i++)
    {
      const char *first = first_names[g_rand_int_range (ctx->rand, 0, G_N_ELEMENTS (first_names))];
      const char *last1 = surnames[g_rand_int_range (ctx->rand, 0, G_N_ELEMENTS (surnames))];
      const char *last2 = surnames[g_rand_int_range (ctx->rand, 0, G_N_ELEMENTS (surnames))];
      gint64 created = now - g_rand_int_range (ctx->rand, 30, 3 * 365) * DAY_MS
                           - g_rand_int_range (ctx->rand, 0, 86400) * G_GINT64_CONSTANT (1000);
      g_autofree char *id = demo_uuid7 (ctx->rand, created);
      g_autofree char *name = g_strdup_printf ("%s %s %s", first, last1, last2);
      g_autofree char *first_l = ascii_lower (first);
      g_autofree char *last_l = ascii_lower (last2);
      g_autofree char *email = g_strdup_printf ("%s.%s%" G_GUINT64_FORMAT "@%s", first_l, last_l, i,
                                                domains[i % G_N_ELEMENTS (domains)]);
      g_autofree char *phone = g_strdup_printf ("(%s) 9%04u-%04u",
                                                area_codes[g_rand_int_range (ctx->rand, 0, G_N_ELEMENTS (area_codes))],
                                                (guint) g_rand_int_range (ctx->rand, 1000, 10000),
                                                (guint) g_rand_int_range (ctx->rand, 0, 10000));
      g_autofree char *birth = g_strdup_printf ("%04d-%02d-%02d", g_rand_int_range (ctx->rand, 1940, 2006),
                                                g_rand_int_range (ctx->rand, 1, 13), g_rand_int_range (ctx->rand, 1, 29));
      g_autofree char *card = g_strdup_printf ("6040%012" G_GUINT64_FORMAT, i);
      guint64 nine = (i * G_GUINT64_CONSTANT (7919) + G_GUINT64_CONSTANT (31337)) % G_GUINT64_CONSTANT (1000000000);
      char nine_digits[10];
      char cpf[12];
      gboolean same = TRUE;

      g_snprintf (nine_digits, sizeof nine_digits, "%09" G_GUINT64_FORMAT, nine);
      for (int d = 1; d < 9; d++)
        same = same && nine_digits[d] == nine_digits[0];
      pos_cpf_complete (nine_digits, cpf);
      cpf[11] = '\0';

      sqlite3_bind_text (st[S_CUSTOMER], 1, id, -1, SQLITE_STATIC);
      sqlite3_bind_text (st[S_CUSTOMER], 2, name, -1, SQLITE_STATIC);
      if (!same)
        sqlite3_bind_text (st[S_CUSTOMER], 3, cpf, -1, SQLITE_STATIC);
      if (g_rand_int_range (ctx->rand, 0, 10) < 8)
        sqlite3_bind_text (st[S_CUSTOMER], 4, email, -1, SQLITE_STATIC);
      sqlite3_bind_text (st[S_CUSTOMER], 5, phone, -1, SQLITE_STATIC);
      sqlite3_bind_text (st[S_CUSTOMER], 6, birth, -1, SQLITE_STATIC);
      if (g_rand_int_range (ctx->rand, 0, 3) != 0)
        {
          sqlite3_bind_text (st[S_CUSTOMER], 7, card, -1, SQLITE_STATIC);
          sqlite3_bind_text (st[S_CUSTOMER], 8, tiers[g_rand_int_range (ctx->rand, 0, G_N_ELEMENTS (tiers))], -1, SQLITE_STATIC);
          sqlite3_bind_int (st[S_CUSTOMER], 9, g_rand_int_range (ctx->rand, 0, 20000));
        }
      else
        sqlite3_bind_int (st[S_CUSTOMER], 9, 0);
      sqlite3_bind_int64 (st[S_CUSTOMER], 10, created);
      if (!step (ctx, st[S_CUSTOMER], error))
        goto out;

      if (g_rand_int_range (ctx->rand, 0, 4) == 0)
        {
          static const char *channels[] = { "email", "sms", "whatsapp" };
          for (guint c = 0; c < G_N_ELEMENTS (channels); c++)
            {
              sqlite3_bind_text (st[S_CONSENT], 1, id, -1, SQLITE_STATIC);
              sqlite3_bind_text (st[S_CONSENT], 2, channels[c], -1, SQLITE_STATIC);
              sqlite3_bind_int (st[S_CONSENT], 3, g_rand_int_range (ctx->rand, 0, 2));
              sqlite3_bind_int64 (st[S_CONSENT], 4, created);
              if (!step (ctx, st[S_CONSENT], error))
                goto out;
            }
        }
      if (g_rand_int_range (ctx->rand, 0, 5) == 0)
        {
          g_autofree char *ext = g_strdup_printf ("web-%08" G_GUINT64_FORMAT, i);
          sqlite3_bind_text (st[S_IDENTITY], 1, "web", -1, SQLITE_STATIC);
          sqlite3_bind_text (st[S_IDENTITY], 2, ext, -1, SQLITE_STATIC);
          sqlite3_bind_text (st[S_IDENTITY], 3, id, -1, SQLITE_STATIC);
          if (!step (ctx, st[S_IDENTITY], error))
            goto out;
        }

      /* Keep a sample of ids for sales and events (bounded memory). */
      if (ids->len < 50000)
        g_ptr_array_add (ids, g_steal_pointer (&id));

      if (i % BATCH == 0)
        report (ctx, _("customers"), i, n_customers);
    }
  report (ctx, _("customers"), n_customers, n_customers);
  ok = TRUE;

out:
  finalize_stmts (st, N_CUSTOMER_STMTS);
  return ok;
}

/* ------------------------------------------------------------------ */
/* Sales history                                                       */

enum { S_SALE, S_LINE, S_PAYMENT, S_EVENT, N_SALE_STMTS };

static gboolean
make_sales (Ctx        *ctx,
            Store      *store,
            Catalog    *cat,
            GPtrArray  *customers,
            guint64     n_sales,
            gint64      now,
            GError    **error)
{
  static const char *methods[] = { "cash", "credit_card", "debit_card", "pix", "pix", "debit_card" };
  static const char *brands[] = { "Visa", "Mastercard", "Elo", "Hipercard", "Amex" };
  sqlite3_stmt *st[N_SALE_STMTS] = { NULL, };
  sqlite3_stmt *name_stmt = NULL;
  gboolean ok = FALSE;
  /* Sales spread over the last 90 days, in order, during opening hours. */
  gint64 start = now - 90 * DAY_MS;
  gint64 step_ms = n_sales > 0 ? (90 * DAY_MS) / (gint64) n_sales : 0;

  if (!prepare (ctx, "INSERT INTO sales (id, number, kind, store_id, terminal_id, staff_id, customer_id, currency, "
                     "tax_mode, subtotal, total, tax_total, approx_tax, paid, change_given, created_at, business_date) "
                     "VALUES (?1, ?2, 'sale', ?3, ?4, ?5, ?6, 'BRL', 'inclusive', ?7, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                &st[S_SALE], error) ||
      !prepare (ctx, "INSERT INTO sale_lines (sale_id, line_no, product_id, sku, name, barcode, weighed, quantity, "
                     "unit_price, gross, total, tax_rate_bp, tax, approx_tax) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?12, ?13)", &st[S_LINE], error) ||
      !prepare (ctx, "INSERT INTO sale_payments (sale_id, seq, method, amount, tendered, change, reference, card_last4, card_brand) "
                     "VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", &st[S_PAYMENT], error) ||
      !prepare (ctx, "INSERT INTO customer_events (id, customer_id, channel, kind, occurred_at, store_id, amount, currency, "
                     "summary, document_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'BRL', ?8, ?9)", &st[S_EVENT], error) ||
      !prepare (ctx, "SELECT p.sku, p.name, p.tax_class_id, t.approx_rate_bp, "
                     "(SELECT code FROM product_barcodes b WHERE b.product_id = p.id LIMIT 1) "
                     "FROM products p JOIN tax_classes t ON t.id = p.tax_class_id WHERE p.id = ?1", &name_stmt, error))
    goto out;

  report (ctx, _("sales"), 0, n_sales);
  for (guint64 i = 1; i <= n_sales && cat->n > 0; i++)
    {
      gint64 when = start + (gint64) (i - 1) * step_ms + g_rand_int_range (ctx->rand, 0, 60000);
      g_autofree char *id = demo_uuid7 (ctx->rand, when);
      g_autofree char *number = g_strdup_printf ("0001-01-%06" G_GUINT64_FORMAT, i);
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (when / 1000);
      g_autoptr(GDateTime) local = g_date_time_add_hours (utc, -3);   /* America/Sao_Paulo */
      g_autofree char *bdate = g_date_time_format (local, "%Y-%m-%d");
      const char *customer = NULL;
      const char *method = methods[g_rand_int_range (ctx->rand, 0, G_N_ELEMENTS (methods))];
      int n_lines = g_rand_int_range (ctx->rand, 1, 9);
      gint64 total = 0, tax_total = 0, approx_total = 0, tendered, change = 0;
      g_autofree char *last4 = NULL;
      g_autofree char *reference = NULL;

      if (customers->len > 0 && g_rand_int_range (ctx->rand, 0, 10) < 4)
        customer = g_ptr_array_index (customers, g_rand_int_range (ctx->rand, 0, customers->len));

      for (int l = 1; l <= n_lines; l++)
        {
          gint64 pid = (gint64) g_rand_int_range (ctx->rand, 1, (gint32) MIN (cat->n, (guint64) G_MAXINT32 - 1) + 1);
          gboolean weighed = cat->weighed[pid];
          gint64 qty = weighed ? g_rand_int_range (ctx->rand, 150, 2500) : g_rand_int_range (ctx->rand, 1, 4) * 1000;
          gint64 unit_price = cat->price[pid];
          gint64 gross = pos_money_mul_div (unit_price, qty, 1000, POS_ROUND_HALF_EVEN);
          guint rate = cat->tax_bp[pid];
          gint64 tax = pos_money_mul_div (gross, rate, 10000 + rate, POS_ROUND_HALF_EVEN);
          gint64 approx;

          sqlite3_bind_int64 (name_stmt, 1, pid);
          if (sqlite3_step (name_stmt) != SQLITE_ROW)
            {
              sqlite3_reset (name_stmt);
              pos_database_set_error (ctx->db, error, _("Writing the demo sales"));
              goto out;
            }
          approx = pos_money_mul_div (gross, sqlite3_column_int (name_stmt, 3), 10000, POS_ROUND_HALF_EVEN);

          sqlite3_bind_text (st[S_LINE], 1, id, -1, SQLITE_STATIC);
          sqlite3_bind_int (st[S_LINE], 2, l);
          sqlite3_bind_int64 (st[S_LINE], 3, pid);
          sqlite3_bind_text (st[S_LINE], 4, (const char *) sqlite3_column_text (name_stmt, 0), -1, SQLITE_TRANSIENT);
          sqlite3_bind_text (st[S_LINE], 5, (const char *) sqlite3_column_text (name_stmt, 1), -1, SQLITE_TRANSIENT);
          sqlite3_bind_text (st[S_LINE], 6, (const char *) sqlite3_column_text (name_stmt, 4), -1, SQLITE_TRANSIENT);
          sqlite3_bind_int (st[S_LINE], 7, weighed);
          sqlite3_bind_int64 (st[S_LINE], 8, qty);
          sqlite3_bind_int64 (st[S_LINE], 9, unit_price);
          sqlite3_bind_int64 (st[S_LINE], 10, gross);
          sqlite3_bind_int (st[S_LINE], 11, (int) rate);
          sqlite3_bind_int64 (st[S_LINE], 12, tax);
          sqlite3_bind_int64 (st[S_LINE], 13, approx);
          sqlite3_reset (name_stmt);
          if (!step (ctx, st[S_LINE], error))
            goto out;

          total += gross;
          tax_total += tax;
          approx_total += approx;
        }

      tendered = total;
      if (g_str_equal (method, "cash"))
        {
          static const gint64 steps[] = { 500, 1000, 2000, 5000, 10000 };
          gint64 st_size = steps[g_rand_int_range (ctx->rand, 0, G_N_ELEMENTS (steps))];
          tendered = ((total + st_size - 1) / st_size) * st_size;
          change = tendered - total;
        }
      else if (g_str_equal (method, "pix"))
        reference = g_strdup_printf ("E%08u%012" G_GUINT64_FORMAT, g_rand_int (ctx->rand) % 100000000u, i);
      else
        {
          last4 = g_strdup_printf ("%04d", g_rand_int_range (ctx->rand, 0, 10000));
          reference = g_strdup_printf ("NSU%09u", g_rand_int (ctx->rand) % 1000000000u);
        }

      sqlite3_bind_text (st[S_SALE], 1, id, -1, SQLITE_STATIC);
      sqlite3_bind_text (st[S_SALE], 2, number, -1, SQLITE_STATIC);
      sqlite3_bind_text (st[S_SALE], 3, store->store_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (st[S_SALE], 4, store->terminal_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (st[S_SALE], 5, store->cashier_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (st[S_SALE], 6, customer, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (st[S_SALE], 7, total);
      sqlite3_bind_int64 (st[S_SALE], 8, tax_total);
      sqlite3_bind_int64 (st[S_SALE], 9, approx_total);
      sqlite3_bind_int64 (st[S_SALE], 10, tendered);
      sqlite3_bind_int64 (st[S_SALE], 11, change);
      sqlite3_bind_int64 (st[S_SALE], 12, when);
      sqlite3_bind_text (st[S_SALE], 13, bdate, -1, SQLITE_STATIC);
      if (!step (ctx, st[S_SALE], error))
        goto out;

      sqlite3_bind_text (st[S_PAYMENT], 1, id, -1, SQLITE_STATIC);
      sqlite3_bind_text (st[S_PAYMENT], 2, method, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (st[S_PAYMENT], 3, total);
      sqlite3_bind_int64 (st[S_PAYMENT], 4, tendered);
      sqlite3_bind_int64 (st[S_PAYMENT], 5, change);
      sqlite3_bind_text (st[S_PAYMENT], 6, reference, -1, SQLITE_STATIC);
      sqlite3_bind_text (st[S_PAYMENT], 7, last4, -1, SQLITE_STATIC);
      if (last4 != NULL)
        sqlite3_bind_text (st[S_PAYMENT], 8, brands[g_rand_int_range (ctx->rand, 0, G_N_ELEMENTS (brands))], -1, SQLITE_STATIC);
      if (!step (ctx, st[S_PAYMENT], error))
        goto out;

      if (customer != NULL)
        {
          g_autofree char *ev = demo_uuid7 (ctx->rand, when);
          g_autofree char *summary = g_strdup_printf (_("Purchase %s at Mercado Balcão, %d items"), number, n_lines);

          sqlite3_bind_text (st[S_EVENT], 1, ev, -1, SQLITE_STATIC);
          sqlite3_bind_text (st[S_EVENT], 2, customer, -1, SQLITE_STATIC);
          sqlite3_bind_text (st[S_EVENT], 3, "store", -1, SQLITE_STATIC);
          sqlite3_bind_text (st[S_EVENT], 4, "purchase", -1, SQLITE_STATIC);
          sqlite3_bind_int64 (st[S_EVENT], 5, when);
          sqlite3_bind_text (st[S_EVENT], 6, store->store_id, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (st[S_EVENT], 7, total);
          sqlite3_bind_text (st[S_EVENT], 8, summary, -1, SQLITE_STATIC);
          sqlite3_bind_text (st[S_EVENT], 9, id, -1, SQLITE_STATIC);
          if (!step (ctx, st[S_EVENT], error))
            goto out;

          /* Now and then the same customer also reached us elsewhere. */
          if (g_rand_int_range (ctx->rand, 0, 3) == 0)
            {
              static const struct { const char *channel, *kind, *summary; } other[] = {
                { "web", "order", N_("Online order delivered at home") },
                { "app", "order", N_("App order for pickup in store") },
                { "call_centre", "call", N_("Called about a delivery time") },
                { "chat", "chat", N_("Asked in the chat about a product's stock") },
                { "whatsapp", "message", N_("Received the weekly offers on WhatsApp") },
              };
              guint o = (guint) g_rand_int_range (ctx->rand, 0, G_N_ELEMENTS (other));
              gint64 at = when - g_rand_int_range (ctx->rand, 1, 30) * DAY_MS;
              g_autofree char *ev2 = demo_uuid7 (ctx->rand, at);

              sqlite3_bind_text (st[S_EVENT], 1, ev2, -1, SQLITE_STATIC);
              sqlite3_bind_text (st[S_EVENT], 2, customer, -1, SQLITE_STATIC);
              sqlite3_bind_text (st[S_EVENT], 3, other[o].channel, -1, SQLITE_STATIC);
              sqlite3_bind_text (st[S_EVENT], 4, other[o].kind, -1, SQLITE_STATIC);
              sqlite3_bind_int64 (st[S_EVENT], 5, at);
              if (g_str_equal (other[o].kind, "order"))
                sqlite3_bind_int64 (st[S_EVENT], 7, price_cents (ctx->rand, 2000, 40000));
              sqlite3_bind_text (st[S_EVENT], 8, _(other[o].summary), -1, SQLITE_STATIC);
              if (!step (ctx, st[S_EVENT], error))
                goto out;
            }
        }

      if (i % BATCH == 0)
        report (ctx, _("sales"), i, n_sales);
    }
  report (ctx, _("sales"), n_sales, n_sales);
  ok = TRUE;

out:
  finalize_stmts (st, N_SALE_STMTS);
  g_clear_pointer (&name_stmt, sqlite3_finalize);
  return ok;
}

/* ------------------------------------------------------------------ */

gboolean
pos_demo_data_generate (PosDatabase      *db,
                        guint64           n_products,
                        guint64           n_customers,
                        guint64           n_sales,
                        guint32           seed,
                        PosDemoProgress   progress,
                        gpointer          user_data,
                        GError          **error)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GPtrArray) customer_ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *products_ai = NULL;
  g_autofree char *customers_ai = NULL;
  Store store = { NULL, };
  Catalog catalog = { NULL, };
  Ctx ctx = { db, pos_database_get_handle (db), rand, progress, user_data };
  sqlite3_stmt *check;
  g_autofree char *existing = NULL;
  GDateTime *today_dt;
  gint64 now;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);

  if (n_products > 100000000 || n_customers > 100000000 || n_sales > 100000000)
    {
      g_set_error (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_CONSTRAINT,
                   _("The demo data is limited to 100 000 000 rows of each kind."));
      return FALSE;
    }

  check = pos_database_prepare_cached (db, "SELECT name FROM stores LIMIT 1", error);
  if (check == NULL)
    return FALSE;
  rc = sqlite3_step (check);
  if (rc == SQLITE_ROW)
    existing = g_strdup ((const char *) sqlite3_column_text (check, 0));
  sqlite3_reset (check);
  if (existing != NULL)
    {
      g_set_error (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_CONSTRAINT,
                   _("This database already has a store (“%s”); demo data goes only into a new, empty database. "
                     "Nothing was added. Use another file with --database."),
                   existing);
      return FALSE;
    }
  {
    gboolean has_products = FALSE;
    sqlite3_stmt *s = pos_database_prepare_cached (db, "SELECT EXISTS (SELECT 1 FROM products)", error);
    if (s == NULL)
      return FALSE;
    if (sqlite3_step (s) == SQLITE_ROW)
      has_products = sqlite3_column_int (s, 0) != 0;
    sqlite3_reset (s);
    if (has_products)
      {
        g_set_error (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_CONSTRAINT,
                     _("This database already has products; demo data goes only into a new, empty database. "
                       "Nothing was added. Use another file with --database."));
        return FALSE;
      }
  }

  /* Dates relative to today's midnight (UTC), so a seed gives the same
   * data all day long. */
  today_dt = g_date_time_new_now_utc ();
  {
    GDateTime *midnight = g_date_time_new_utc (g_date_time_get_year (today_dt),
                                               g_date_time_get_month (today_dt),
                                               g_date_time_get_day_of_month (today_dt), 0, 0, 0);
    now = g_date_time_to_unix (midnight) * 1000;
    g_date_time_unref (midnight);
  }
  g_date_time_unref (today_dt);

  /* The FTS triggers are dropped during the load and the indexes rebuilt
   * once at the end (much faster than a million incremental inserts);
   * their SQL is read back so the schema stays what the migrations made. */
  products_ai = pos_database_get_trigger_sql (db, "products_ai");
  customers_ai = pos_database_get_trigger_sql (db, "customers_ai");

  if (!pos_database_exec (db, "PRAGMA synchronous = OFF", error))
    return FALSE;
  if (!pos_database_begin (db, error))
    goto restore;
  /* Sale lines are written before their sale (the totals come from them). */
  if (!pos_database_exec (db, "PRAGMA defer_foreign_keys = ON", error))
    goto rollback;

  if (products_ai != NULL && !pos_database_exec (db, "DROP TRIGGER products_ai", error))
    goto rollback;
  if (customers_ai != NULL && !pos_database_exec (db, "DROP TRIGGER customers_ai", error))
    goto rollback;

  if (!make_store (&ctx, &store, n_sales, now, error) ||
      !make_products (&ctx, &store, &catalog, n_products, now, error) ||
      !make_customers (&ctx, customer_ids, n_customers, now, error) ||
      !make_sales (&ctx, &store, &catalog, customer_ids, n_sales, now, error))
    goto rollback;

  report (&ctx, _("search index"), 0, 2);
  if (!pos_database_exec (db, "INSERT INTO product_search (product_search) VALUES ('rebuild')", error))
    goto rollback;
  report (&ctx, _("search index"), 1, 2);
  if (!pos_database_exec (db, "INSERT INTO customer_search (customer_search) VALUES ('rebuild')", error))
    goto rollback;
  report (&ctx, _("search index"), 2, 2);

  if ((products_ai != NULL && !pos_database_exec (db, products_ai, error)) ||
      (customers_ai != NULL && !pos_database_exec (db, customers_ai, error)))
    goto rollback;

  if (!pos_database_audit (db, "demo.generate", "store", store.store_id, NULL, NULL, error) ||
      !pos_database_commit (db, error))
    goto rollback;

  report (&ctx, _("statistics"), 0, 1);
  sqlite3_exec (ctx.handle, "PRAGMA analysis_limit = 1000; ANALYZE; PRAGMA optimize", NULL, NULL, NULL);
  report (&ctx, _("statistics"), 1, 1);
  ok = TRUE;
  goto restore;

rollback:
  pos_database_rollback (db);
restore:
  sqlite3_exec (ctx.handle, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
  store_clear (&store);
  catalog_clear (&catalog);
  return ok;
}
