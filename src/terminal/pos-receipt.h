/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pos-database.h"
#include "pos-sales.h"

G_BEGIN_DECLS

/* A receipt as a document: the text lines for a given column width (32, 42
 * or 48), built from a sale or return record and the store. Printing and
 * ESC/POS/PDF rendering are devices' job; the app shows this as a preview.
 * The document ends with the code the return flow scans (cut to the width):
 * "BALCAO:SALE:<id>". reprint adds "2ª VIA" / "COPY". Translated. */
char *pos_receipt_render_text (const PosSaleRecord *sale,
                               const PosStoreInfo  *store,
                               guint                columns,
                               gboolean             reprint);
/* The code printed on the receipt for the return flow. */
char *pos_receipt_code_for_sale (const char *sale_id);

G_END_DECLS
