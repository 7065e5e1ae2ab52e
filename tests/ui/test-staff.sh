#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# People at the counter, in the real window under Xvfb (issue 8):
#   the locked screen; a wrong PIN typed on the keyboard is refused in
#   words; the cashier's PIN tapped on the on-screen pad signs her in;
#   no shift yet: the float counted by notes (1 x R$ 100 + 1 x R$ 50);
#   a cash sale; a refund of it asked by the cashier, who may not refund
#   alone: the approval prompt, the manager's PIN; closing the shift with
#   a blind count R$ 50,00 short: the difference, the manager's approval,
#   the Z report.
# Each step is checked in the database (and its audit log); screenshots go
# to SHOTS.
#   test-staff.sh BALCAO BALCAO_CTL SHOTS_DIR

BALCAO=$1
BALCAO_CTL=$2
SHOTS=$3
TEST_NAME=ui-staff
. "$(dirname "$0")/ui-lib.sh"

mkdir -p "$SHOTS"
WORK=$(mktemp -d)
trap 'stop_app; rm -rf "$WORK"' EXIT INT TERM

make_demo_db
CASHIER=$(q "SELECT id FROM staff WHERE code = '1001'")
MANAGER=$(q "SELECT id FROM staff WHERE code = '3001'")
CODE=$(pick_codes 1)
[ -n "$CASHIER" ] && [ -n "$MANAGER" ] && [ -n "$CODE" ] || fail "the demo has no cashier, manager or barcode"

signed_in () {
  q "SELECT value FROM settings WHERE key = 'staff_id'"
}

# Clicks a key of the PIN pad by its label. The pad is laid out 3 x 4 in
# the right half of the locked screen; its keys' centres, for a window of
# the Xvfb screen's size (1280 x 800), were read off a screenshot.
pad () {
  case "$1" in
    1) x=740; y=335 ;; 2) x=853; y=335 ;; 3) x=967; y=335 ;;
    4) x=740; y=416 ;; 5) x=853; y=416 ;; 6) x=967; y=416 ;;
    7) x=740; y=497 ;; 8) x=853; y=497 ;; 9) x=967; y=497 ;;
    0) x=853; y=578 ;; ok) x=967; y=578 ;;
    *) fail "no pad key $1" ;;
  esac
  xdotool mousemove --window "$WID" "$x" "$y" click 1
  sleep 0.15
}

# --- 1. locked at start ----------------------------------------------
NO_SIGN_IN=1 start_app
[ -z "$(signed_in)" ] || fail "someone is signed in before anyone typed a PIN"
shot locked

# A wrong PIN from the keyboard: refused, with the tries left.
type_slowly "0000"
key Return
# (Argon2id takes its time, longer under the sanitizers)
wait_for "SELECT failed_attempts FROM staff WHERE id = '$CASHIER'" 1
sleep 0.5
shot wrong-pin
[ -z "$(signed_in)" ] || fail "a wrong PIN signed someone in"
[ "$(q "SELECT count(*) FROM audit_log WHERE action = 'staff.sign_in_failed'")" -ge 1 ] || fail "the failure is not in the audit log"

# The right PIN on the pad (the cashier is preselected: she was the last
# one signed in).
for d in 1 1 1 1; do pad "$d"; done
shot pin-tapped
pad ok
wait_for "SELECT value FROM settings WHERE key = 'staff_id'" "$CASHIER"
[ "$(q "SELECT failed_attempts FROM staff WHERE id = '$CASHIER'")" = 0 ] || fail "a right PIN did not reset the count"
sleep 1
shot no-shift

# --- 2. the float, counted by notes ------------------------------------
focus_window "$WID"
key ctrl+shift+n
sleep 0.5
# The focus is on the R$ 200 notes; Tab goes to R$ 100, then R$ 50.
key Tab
type_slowly "1"
key Tab
type_slowly "1"
key Tab
shot float-counted
xdotool key --clearmodifiers alt+o
wait_for "SELECT opening_float FROM shifts WHERE status = 'open'" 15000
SHIFT=$(q "SELECT id FROM shifts WHERE status = 'open'")
sleep 1
shot shift-open

# --- 3. a cash sale -----------------------------------------------------
focus_window "$WID"
SALES_BEFORE=$(q "SELECT count(*) FROM sales WHERE kind = 'sale'")
scan "$CODE"
key F12
key Return          # the due, in cash
key Return          # finish
wait_for "SELECT count(*) FROM sales WHERE kind = 'sale'" $((SALES_BEFORE + 1))
key Return          # new sale
SALE=$(q "SELECT id FROM sales WHERE kind = 'sale' ORDER BY created_at DESC, rowid DESC LIMIT 1")
[ "$(q "SELECT shift_id || '/' || staff_id FROM sales WHERE id = '$SALE'")" = "$SHIFT/$CASHIER" ] \
  || fail "the sale is not the cashier's in this shift"

# --- 4. the cashier asks for a refund: a manager approves ---------------
key ctrl+2
scan "BALCAO:SALE:$SALE"
sleep 0.5
key ctrl+r
DIALOG=$(wait_window 'Return Items') || fail "the return dialog did not open"
focus_window "$DIALOG"
key Up
xdotool key --clearmodifiers ctrl+Return
APPROVAL=$(wait_window 'Approval Needed') || fail "no approval was asked for the cashier's refund"
focus_window "$APPROVAL"
shot approval-asked
[ "$(q "SELECT count(*) FROM sales WHERE kind = 'return'")" = "$(q "SELECT count(*) FROM sales WHERE kind = 'return' AND original_sale_id <> '$SALE'")" ] \
  || fail "the refund was saved before anyone approved it"
# The manager is the first approver offered: her PIN.
type_slowly "9999"
key Return
wait_for "SELECT count(*) FROM sales WHERE kind = 'return' AND original_sale_id = '$SALE'" 1
sleep 1
shot refund-approved
RETURN=$(q "SELECT id FROM sales WHERE kind = 'return' AND original_sale_id = '$SALE'")
[ "$(q "SELECT approver_id FROM approvals WHERE permission = 'refund' AND used_at IS NOT NULL")" = "$MANAGER" ] \
  || fail "the approval is not the manager's, or was not used"
[ "$(q "SELECT count(*) FROM audit_log WHERE action = 'return.create' AND entity_id = '$RETURN' AND staff_id = '$CASHIER' AND approver_id = '$MANAGER'")" = 1 ] \
  || fail "the audit log does not say the manager approved the cashier's refund"
key Return          # close the return dialog
sleep 0.5
focus_window "$WID"
key ctrl+1

# --- 5. closing the shift: blind count, short, approved -----------------
key ctrl+shift+c
sleep 0.5
shot close-count
xdotool key --clearmodifiers alt+t
sleep 0.3
type_slowly "100,00"
key Return
sleep 1
shot close-difference
[ "$(q "SELECT status FROM shifts WHERE id = '$SHIFT'")" = open ] || fail "the shift closed before the cashier confirmed"
xdotool key --clearmodifiers alt+c
APPROVAL=$(wait_window 'Approval Needed') || fail "a difference above the limit closed without approval"
focus_window "$APPROVAL"
shot close-approval
type_slowly "9999"
key Return
wait_for "SELECT status FROM shifts WHERE id = '$SHIFT'" closed
sleep 1
shot z-report
[ "$(q "SELECT counted_cash FROM shifts WHERE id = '$SHIFT'")" = 10000 ] || fail "the count is not the one typed"
[ "$(q "SELECT a.approver_id FROM shifts s JOIN approvals a ON a.id = s.approval_id WHERE s.id = '$SHIFT'")" = "$MANAGER" ] \
  || fail "the difference's approval is not the manager's"
[ -n "$(q "SELECT z_report FROM shifts WHERE id = '$SHIFT'")" ] || fail "no Z report was kept"
[ "$(q "SELECT count(*) FROM outbox WHERE type = 'shift.close' AND entity_id = '$SHIFT'")" = 1 ] \
  || fail "the Z report does not go up to the central"
note "ok"
