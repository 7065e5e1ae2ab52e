#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Receipts on a receipt printer (issue 7), without hardware: a private
# cupsd with the raw queue "caixa1" on a TCP listener (printing-testbed).
# A. A cash sale in the real window: the receipt's ESC/POS bytes reach
#    the printer (ESC @ first, the sale's number in them, the drawer's
#    pulse ESC p after the receipt).
# B. The queue stopped (cupsdisable): the next sale is saved all the same,
#    its job waits with the reason and the window shows the toast; the
#    queue started again, the receipt prints.
# C. Preferences › Printer shows caixa1 as the receipt printer; its test
#    page prints.
# D. History's Reprint (Ctrl+P) prints the copy, "2ª VIA" in code page 860.
# E. The queue refuses jobs (cupsreject): the toast's Retry… opens the
#    dialog; accepted again, Retry prints it.
# F. A printer with a driver: the receipt as a PDF, the pulse on its own.
# G. The preview is the PNG of the receipt (the app's debug log says so,
#    after each sale and in History); "Send by e-mail" refuses a bad
#    address and queues 'receipt.email' for a good one, after a sale and
#    from History.
# H. The X report's Print goes through the same queue: "LEITURA X" on paper.
#   test-printing.sh BALCAO BALCAO_CTL SHOTS_DIR PRINTING_TESTBED

BALCAO=$1
BALCAO_CTL=$2
SHOTS=$3
TESTBED=$4
TEST_NAME=ui-printing
. "$(dirname "$0")/ui-lib.sh"

mkdir -p "$SHOTS"
WORK=$(mktemp -d)
TB_PID=
stop_testbed () {
  if [ -n "$TB_PID" ]; then
    kill -TERM "$TB_PID" 2>/dev/null || true
    wait "$TB_PID" 2>/dev/null || true
  fi
  TB_PID=
}
trap 'stop_app; stop_testbed; rm -rf "$WORK"' EXIT INT TERM

"$TESTBED" "$WORK/ready" "$WORK/jobs" &
TB_PID=$!
i=0
until [ -s "$WORK/ready" ]; do
  i=$((i + 1))
  [ $i -lt 300 ] || fail "the printing testbed did not start"
  kill -0 "$TB_PID" 2>/dev/null || fail "the printing testbed stopped"
  sleep 0.1
done
if grep -q '^SKIP' "$WORK/ready"; then
  echo "# $(cat "$WORK/ready")"
  exit 77
fi
CUPS_SERVER=$(sed -n 's/^CUPS_SERVER=//p' "$WORK/ready")
export CUPS_SERVER
note "cupsd at $CUPS_SERVER"

make_demo_db
# the preview says in the log what it rendered (G)
G_MESSAGES_DEBUG=balcao-app
export G_MESSAGES_DEBUG
"$BALCAO_CTL" --database "$DB" printers use caixa1 --kind escpos-raw --width 48 --code-page 860 >/dev/null \
  || fail "balcao-ctl printers use caixa1 failed"

# Waits for the printer's Nth job and prints its path.
wait_job () {
  i=0
  until [ -f "$WORK/jobs/$1.bin" ]; do
    i=$((i + 1))
    [ $i -lt 300 ] || fail "the printer did not get job $1 within 30 s"
    sleep 0.1
  done
  echo "$WORK/jobs/$1.bin"
}

# A cash sale of one product, keyboard only.
sell () {
  before=$(q "SELECT count(*) FROM sales WHERE kind = 'sale'")
  scan "$1"
  key F12
  key Return          # the due, in cash
  key Return          # finish
  wait_for "SELECT count(*) FROM sales WHERE kind = 'sale'" $((before + 1))
}

hex () {
  od -An -v -tx1 "$1" | tr -d ' \n'
}

CODES=$(pick_codes 2)
CODE1=$(echo "$CODES" | sed -n 1p)
CODE2=$(echo "$CODES" | sed -n 2p)
[ -n "$CODE1" ] && [ -n "$CODE2" ] || fail "no barcodes in the demo database"

start_app
shot start

# Waits until the app's log says it showed the PNG preview of $1.
wait_preview () {
  i=0
  until grep -q "Receipt preview: $1, [0-9]*×[0-9]* px PNG" "$SHOTS/$TEST_NAME-app.log"; do
    i=$((i + 1))
    [ $i -lt 300 ] || fail "no PNG preview of $1 within 30 s"
    sleep 0.1
  done
}

# --- A. a sale, its receipt at the printer ---
sell "$CODE1"
NUMBER=$(q "SELECT number FROM sales WHERE kind = 'sale' ORDER BY created_at DESC, rowid DESC LIMIT 1")
note "sale $NUMBER"
wait_preview "Sale $NUMBER"
sleep 0.3
shot sale-complete-preview
JOB=$(wait_job 1)
HEX=$(hex "$JOB")
case $HEX in
  1b40*) ;;
  *) fail "the receipt does not start with ESC @: $(echo "$HEX" | cut -c1-16)" ;;
esac
# the number as the printer's code page has it (plain ASCII digits and dashes)
NUMBER_HEX=$(printf '%s' "$NUMBER" | iconv -f UTF-8 -t CP860 | od -An -v -tx1 | tr -d ' \n')
echo "$HEX" | grep -q "$NUMBER_HEX" || fail "the receipt does not hold the sale's number $NUMBER"
echo "$HEX" | grep -q "1b7403" || fail "the receipt does not select a code page (ESC t)"
# paid in cash: the drawer's pulse after the receipt
echo "$HEX" | grep -q "1b7000" || fail "no drawer pulse (ESC p 0) in the job of a cash sale"
[ "$(q "SELECT state FROM print_jobs WHERE title LIKE '%$NUMBER%'")" != "failed" ] || fail "the print job failed"

# --- G. the receipt by e-mail, from the after-sale view ---
key alt+e           # Send by E-mail…
EMAIL=$(wait_window 'Send the Receipt by E-mail') || fail "Send by E-mail did not open its dialog"
sleep 0.5
type_slowly 'joao.souza@exemplo'
sleep 0.5
shot email-dialog-bad-address
key Return          # Send is off: nothing happens
sleep 0.5
[ "$(q "SELECT count(*) FROM outbox WHERE type = 'receipt.email'")" = 0 ] || fail "a bad address was queued"
type_slowly '.com.br'
sleep 0.3
shot email-dialog
key Return          # Send
wait_for "SELECT count(*) FROM outbox WHERE type = 'receipt.email'" 1
q "SELECT payload FROM outbox WHERE type = 'receipt.email'" | grep -q '"to":"joao.souza@exemplo.com.br"' \
  || fail "the request does not carry the address"
sleep 0.5
shot email-requested
key Return          # new sale

# --- B. the queue stopped ---
cupsdisable caixa1 || fail "cupsdisable failed"
sell "$CODE2"
NUMBER2=$(q "SELECT number FROM sales WHERE kind = 'sale' ORDER BY created_at DESC, rowid DESC LIMIT 1")
note "sale $NUMBER2 with the printer stopped"
# the job waits with the printer's reason (WAITING is 'sent' with a message)
wait_for "SELECT count(*) FROM print_jobs WHERE title LIKE '%$NUMBER2%' AND state = 'sent' AND message IS NOT NULL" 1
note "job: $(q "SELECT message FROM print_jobs WHERE title LIKE '%$NUMBER2%'")"
sleep 0.8
shot printer-stopped-toast
[ ! -f "$WORK/jobs/2.bin" ] || fail "a stopped queue printed"
cupsenable caixa1 || fail "cupsenable failed"
JOB2=$(wait_job 2)
hex "$JOB2" | grep -q "$(printf '%s' "$NUMBER2" | od -An -v -tx1 | tr -d ' \n')" \
  || fail "the second receipt does not hold $NUMBER2"
wait_for "SELECT state FROM print_jobs WHERE title LIKE '%$NUMBER2%'" completed
key Return          # new sale

# --- C. Preferences › Printer ---
key ctrl+l
sign_in CRACHA3001
key ctrl+comma
PREFS=$(wait_window '^Preferences$') || fail "Ctrl+, did not open the preferences"
focus_window "$PREFS"
sleep 0.5
key alt+i           # the Printer page
sleep 1.5
shot printer-page
key alt+t           # Print a Test Page
JOB3=$(wait_job 3)
head -c 2 "$JOB3" | od -An -tx1 | grep -q "1b 40" || fail "the test page does not start with ESC @"
sleep 1
shot test-page-printed
key ctrl+w
focus_window "$WID"
sleep 0.5

# --- D. History: the copy (2ª VIA) of the first sale, on the printer ---
SALE1=$(q "SELECT id FROM sales WHERE number = '$NUMBER'")
scan "BALCAO:SALE:$SALE1"     # a receipt's code opens the sale in History
sleep 1
key ctrl+p
JOB4=$(wait_job 4)
COPY_HEX=$(printf '2\302\252 VIA' | iconv -f UTF-8 -t CP860 | od -An -v -tx1 | tr -d ' \n')
hex "$JOB4" | grep -q "$COPY_HEX" || fail "the reprint does not say 2ª VIA in code page 860"
hex "$JOB4" | grep -q "$NUMBER_HEX" || fail "the reprint does not hold $NUMBER"
hex "$JOB4" | grep -q "1b7000" && fail "a reprint opened the drawer"
sleep 0.5
shot history-reprint
[ "$(grep -c "Receipt preview: Sale $NUMBER, " "$SHOTS/$TEST_NAME-app.log")" -ge 3 ] \
  || fail "History did not show the PNG preview of $NUMBER (and of its copy)"
key ctrl+e          # the receipt by e-mail from History
EMAIL=$(wait_window 'Send the Receipt by E-mail') || fail "Ctrl+E did not open the e-mail dialog in History"
sleep 0.3
type_slowly 'maria@exemplo.com.br'
sleep 0.3
shot history-email-dialog
key Return
wait_for "SELECT count(*) FROM outbox WHERE type = 'receipt.email'" 2

# --- E. the printer refuses jobs: the sale is saved, the toast offers Retry ---
cupsreject caixa1 || fail "cupsreject failed"
key ctrl+1
sleep 0.5
sell "$CODE1"
NUMBER3=$(q "SELECT number FROM sales WHERE kind = 'sale' ORDER BY created_at DESC, rowid DESC LIMIT 1")
wait_for "SELECT state FROM print_jobs WHERE title LIKE '%$NUMBER3%'" failed
note "job: $(q "SELECT message FROM print_jobs WHERE title LIKE '%$NUMBER3%'")"
key Return          # new sale: the toast stays until answered
sleep 0.8
shot printer-refused-toast
# The toast's button opens the dialog with Retry and Print Elsewhere. The
# toast is centred at the bottom, as wide as its text: its right edge is
# the last dark pixel of its middle row, the button 90 px left of it.
eval "$(xdotool getwindowgeometry --shell "$WID")"
ROW=$((HEIGHT - 53))
RIGHT=$(import -window "$WID" png:- 2>/dev/null | convert - -crop "${WIDTH}x1+0+$ROW" txt:- \
        | awk -F'[(,)]' '/^[0-9]+,0:/ && $3 < 90 && $4 < 90 && $5 < 90 { x = $1 } END { print x }')
[ -n "$RIGHT" ] || fail "no toast at the bottom of the window"
xdotool mousemove $((X + RIGHT - 90)) $((Y + ROW)) click 1
sleep 1.5
shot retry-dialog
cupsaccept caixa1 || fail "cupsaccept failed"
key alt+r           # Retry
JOB5=$(wait_job 5)
hex "$JOB5" | grep -q "$(printf '%s' "$NUMBER3" | od -An -v -tx1 | tr -d ' \n')" \
  || fail "the retried receipt does not hold $NUMBER3"
wait_for "SELECT state FROM print_jobs WHERE title LIKE '%$NUMBER3%'" completed
shot retried

# --- F. a printer with a driver: the receipt as a PDF, the drawer's pulse apart ---
"$BALCAO_CTL" --database "$DB" printers use caixa1 --kind pdf-driver >/dev/null \
  || fail "balcao-ctl printers use caixa1 --kind pdf-driver failed"
focus_window "$WID"
sell "$CODE2"
wait_job 6 >/dev/null
wait_job 7 >/dev/null
KINDS=$(for f in "$WORK/jobs/6.bin" "$WORK/jobs/7.bin"; do head -c 4 "$f" | od -An -tx1 | tr -d ' \n'; echo; done | sort | tr '\n' ' ')
[ "$KINDS" = "1b700019 25504446 " ] || fail "expected a PDF and the drawer's pulse, got [$KINDS]"
key Return          # new sale

# --- H. the X report printed from its window ---
"$BALCAO_CTL" --database "$DB" printers use caixa1 --kind escpos-raw --width 48 --code-page 860 >/dev/null \
  || fail "balcao-ctl printers use caixa1 --kind escpos-raw failed"
focus_window "$WID"
key ctrl+shift+x
XREP=$(wait_window '^X Report$') || fail "Ctrl+Shift+X did not open the X report"
focus_window "$XREP"
sleep 1.5
shot x-report
key alt+p           # Print X Report
JOB8=$(wait_job 8)
XHEX=$(printf 'LEITURA X - turno' | od -An -v -tx1 | tr -d ' \n')
hex "$JOB8" | grep -q "$XHEX" || fail "the printed X report does not say LEITURA X - turno"
hex "$JOB8" | grep -q "1b7000" && fail "printing the X report opened the drawer"
sleep 0.5
shot x-report-printed
key Escape

stop_app
note "ok"
