#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Helpers for the UI tests: the real balcao binary under Xvfb, driven with
# xdotool like a cashier with a keyboard and a keyboard-wedge scanner.
# Needs: BALCAO (the app), BALCAO_CTL, SHOTS (screenshot folder), an X
# display (run under xvfb-run), xdotool, sqlite3, ImageMagick's import.

set -eu

export GSK_RENDERER=cairo GTK_A11Y=none GSETTINGS_BACKEND=memory NO_AT_BRIDGE=1
# GTK and fontconfig keep memory at exit: no leak checking for the app.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:halt_on_error=1

STEP=0
APP_PID=
WID=

fail () {
  echo "FAIL: $*" >&2
  shot "failure" || true
  exit 1
}

note () {
  echo "# $*"
}

shot () {
  STEP=$((STEP + 1))
  f=$(printf '%s/%s-%02d-%s.png' "$SHOTS" "$TEST_NAME" "$STEP" "$1")
  import -window root "$f" 2>/dev/null && note "screenshot $f"
}

q () {
  sqlite3 -batch -noheader "$DB" "$1"
}

# No window manager: give the keyboard to a window ourselves. A window that
# is still being mapped refuses the focus (BadMatch): try again for 5 s.
focus_window () {
  i=0
  until xdotool windowfocus --sync "$1" 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 50 ] || fail "could not give the keyboard to window $1"
    sleep 0.1
  done
}

start_app () {
  "$BALCAO" --database "$DB" >"$SHOTS/$TEST_NAME-app.log" 2>&1 &
  APP_PID=$!
  WID=$(timeout 60 xdotool search --sync --onlyvisible --name 'Balcão' | head -n 1) || fail "the window did not appear"
  note "window $WID (pid $APP_PID)"
  focus_window "$WID"
  sleep 1
  if [ -z "${NO_SIGN_IN:-}" ]; then
    sign_in "${BADGE:-CRACHA1001}"
    ensure_shift
  fi
}

# The visible window whose title matches the regex, within 15 s.
wait_window () {
  i=0
  while [ $i -lt 150 ]; do
    w=$(xdotool search --onlyvisible --name "$1" 2>/dev/null | tail -n 1)
    if [ -n "$w" ]; then
      echo "$w"
      return 0
    fi
    sleep 0.1
    i=$((i + 1))
  done
  return 1
}

# The screen starts locked: a badge read by the keyboard-wedge scanner
# signs its person in (the demo's cashier by default).
sign_in () {
  scan "$1"
  wait_for "SELECT (SELECT value FROM settings WHERE key = 'staff_id') =
                   (SELECT id FROM staff WHERE badge_code = '$1')" 1
  sleep 0.5
}

# Without an open shift the counter offers only to open one: count the
# float as a typed total (Ctrl+Shift+N, Alt+T, amount, Enter).
ensure_shift () {
  [ "$(q "SELECT count(*) FROM shifts WHERE status = 'open'")" = 1 ] && return 0
  key ctrl+shift+n
  sleep 0.5
  xdotool key --clearmodifiers alt+t
  sleep 0.3
  type_slowly "${FLOAT:-150,00}"
  key Return
  wait_for "SELECT count(*) FROM shifts WHERE status = 'open'" 1
  sleep 0.8
}

stop_app () {
  if [ -n "$APP_PID" ] && kill -0 "$APP_PID" 2>/dev/null; then
    xdotool key --clearmodifiers ctrl+q 2>/dev/null || true
    i=0
    while kill -0 "$APP_PID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    kill "$APP_PID" 2>/dev/null || true
    wait "$APP_PID" 2>/dev/null || true
  fi
  APP_PID=
  check_app_log
}

# Our own warnings and criticals are bugs (a receipt that could not be
# read back, a failed query): fail on any. GTK's own chatter is not ours.
check_app_log () {
  log="$SHOTS/$TEST_NAME-app.log"
  if grep -E '\(balcao:[0-9]+\): balcao[-a-z]*-(WARNING|CRITICAL) \*\*' "$log" >&2; then
    fail "balcao logged warnings (above); see $log"
  fi
}

# A keyboard-wedge scanner: the code as a fast burst, then Return.
scan () {
  xdotool type --delay 5 "$1"
  xdotool key --delay 5 Return
  sleep 0.6
}

# A person at the keyboard.
type_slowly () {
  xdotool type --delay 90 "$1"
}

key () {
  xdotool key --delay 150 "$@"
  sleep 0.5
}

# Waits until the SQL answers the expected value (the commit runs on a
# worker thread).
wait_for () {
  sql=$1
  want=$2
  i=0
  while [ $i -lt 100 ]; do
    got=$(q "$sql")
    [ "$got" = "$want" ] && return 0
    sleep 0.1
    i=$((i + 1))
  done
  fail "waited for [$sql] = $want, got $got"
}

make_demo_db () {
  DB="$WORK/balcao.db"
  "$BALCAO_CTL" --database "$DB" demo-data --products 200 --customers 50 --sales 10 >/dev/null 2>&1 \
    || fail "balcao-ctl demo-data failed"
}

# Two barcodes of products sold by the unit with a plain EAN-13.
pick_codes () {
  q "SELECT b.code FROM product_barcodes b JOIN products p ON p.id = b.product_id
     WHERE p.weighed = 0 AND p.active = 1 AND length (b.code) = 13 AND b.code LIKE '789%'
     ORDER BY b.code LIMIT $1"
}
