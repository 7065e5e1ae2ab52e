#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Kiosk mode on a counter PC (balcao --kiosk, or the GSettings key
# 'kiosk'): the window asks to be full screen and fills it, has no window
# controls, and a cashier cannot close it: not the window manager's close
# (Alt+F4, the title bar's button: WM_DELETE_WINDOW, sent here as a window
# manager sends it), not Ctrl+Q (the manager's approval is asked and can
# be cancelled), not the main menu's Quit (Manager)…. The manager's PIN
# closes it; so does Ctrl+Q from a manager signed in. Last, outside kiosk
# mode, the window's size is kept in GSettings from one run to the next.
#   test-kiosk.sh BALCAO BALCAO_CTL SHOTS_DIR

BALCAO=$1
BALCAO_CTL=$2
SHOTS=$3
TEST_NAME=ui-kiosk
. "$(dirname "$0")/ui-lib.sh"

mkdir -p "$SHOTS"
WORK=$(mktemp -d)
trap 'stop_app; rm -rf "$WORK"' EXIT INT TERM

# ui-lib's start_app, with options.
start_with () {
  "$BALCAO" --database "$DB" "$@" >"$SHOTS/$TEST_NAME-app.log" 2>&1 &
  APP_PID=$!
  WID=$(timeout 60 xdotool search --sync --onlyvisible --name 'Balcão' | head -n 1) || fail "the window did not appear"
  note "window $WID (pid $APP_PID)"
  focus_window "$WID"
  sleep 1
}

alive () {
  kill -0 "$APP_PID" 2>/dev/null
}

# Waits up to 10 s for the app to end by itself; fails if it does not.
wait_exit () {
  i=0
  while alive && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  alive && fail "$1"
  wait "$APP_PID" 2>/dev/null || true
  APP_PID=
  check_app_log
}

# What a window manager sends for Alt+F4 or the title bar's close button:
# a WM_DELETE_WINDOW client message (there is no window manager here).
wm_close () {
  python3 - "$1" <<'EOF'
import ctypes
import sys

from ctypes import POINTER, Structure, Union, byref, c_char_p, c_int, c_long, c_ulong, c_void_p

x = ctypes.CDLL("libX11.so.6")
x.XOpenDisplay.restype = c_void_p
x.XOpenDisplay.argtypes = [c_char_p]
x.XInternAtom.restype = c_ulong
x.XInternAtom.argtypes = [c_void_p, c_char_p, c_int]


class XClientMessageEvent(Structure):
    _fields_ = [("type", c_int), ("serial", c_ulong), ("send_event", c_int),
                ("display", c_void_p), ("window", c_ulong), ("message_type", c_ulong),
                ("format", c_int), ("data", c_long * 5)]


class XEvent(Union):
    _fields_ = [("xclient", XClientMessageEvent), ("pad", c_long * 24)]


x.XSendEvent.argtypes = [c_void_p, c_ulong, c_int, c_long, POINTER(XEvent)]
x.XFlush.argtypes = [c_void_p]
x.XCloseDisplay.argtypes = [c_void_p]

display = x.XOpenDisplay(None)
if not display:
    sys.exit("cannot open the display")
window = int(sys.argv[1])
event = XEvent()
event.xclient.type = 33  # ClientMessage
event.xclient.window = window
event.xclient.message_type = x.XInternAtom(display, b"WM_PROTOCOLS", 0)
event.xclient.format = 32
event.xclient.data[0] = x.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
event.xclient.data[1] = 0  # CurrentTime
if not x.XSendEvent(display, window, 0, 0, byref(event)):
    sys.exit("XSendEvent failed")
x.XFlush(display)
x.XCloseDisplay(display)
EOF
}

# The window asked to be full screen (_NET_WM_STATE) and covers the screen.
check_fullscreen () {
  state=$(xprop -id "$WID" _NET_WM_STATE) || fail "xprop could not read the window's state"
  note "$state"
  case $state in
    *_NET_WM_STATE_FULLSCREEN*) ;;
    *) fail "the window did not ask to be full screen: $state" ;;
  esac
  screen=$(xdotool getdisplaygeometry | tr ' ' x)
  size=$(xdotool getwindowgeometry "$WID" | sed -n 's/^ *Geometry: *//p')
  note "screen $screen, window $size"
  [ "$size" = "$screen" ] || fail "the window is $size, the screen $screen"
}

# The window tells the window manager it has no close (GTK's
# _MOTIF_WM_HINTS: MWM_HINTS_FUNCTIONS with MWM_FUNC_ALL less MWM_FUNC_CLOSE).
check_not_deletable () {
  hints=$(xprop -id "$WID" _MOTIF_WM_HINTS | sed -n 's/.* = //p')
  note "_MOTIF_WM_HINTS $hints"
  flags=$(echo "$hints" | cut -d, -f1)
  funcs=$(echo "$hints" | cut -d, -f2)
  [ -n "$flags" ] && [ -n "$funcs" ] && [ $((flags & 1)) = 1 ] && [ $((funcs & 0x21)) = $((0x21)) ] \
    || fail "the window offers the window manager a close: _MOTIF_WM_HINTS $hints"
}

command -v xprop >/dev/null 2>&1 || { echo "SKIP: xprop (x11-utils) is not installed"; exit 77; }

make_demo_db
MANAGER=$(q "SELECT id FROM staff WHERE code = '3001'")

# --- 1. balcao --kiosk: full screen, no window controls -----------------
start_with --kiosk
check_fullscreen
check_not_deletable
shot kiosk-locked

# Nobody signed in: Ctrl+Q is refused (no one to approve it for).
key ctrl+q
sleep 0.5
alive || fail "Ctrl+Q closed the kiosk with nobody signed in"
shot ctrl-q-locked

# The cashier signs in with her badge and opens her shift.
sign_in CRACHA1001
ensure_shift
shot kiosk-cashier

# The window manager's close (Alt+F4, the close button): refused, with a toast.
wm_close "$WID" || fail "could not send WM_DELETE_WINDOW"
sleep 1
alive || fail "the window manager's close closed the kiosk"
xdotool search --onlyvisible --name 'Balcão' >/dev/null || fail "the window is gone"
shot wm-close-refused

# Alt+F4 as keys (without a window manager they reach the app).
key alt+F4
alive || fail "Alt+F4 closed the kiosk"

# The main menu's Quit is the manager's: her approval is asked; cancelled,
# the counter stays. The menu button is where it is on a 1280 x 800 screen
# with the cashier signed in (read off a screenshot); Up goes to the
# menu's last item, Quit.
focus_window "$WID"
xdotool mousemove --window "$WID" 1082 27 click 1
sleep 1
key Up
shot main-menu
key Return
APPROVAL=$(wait_window 'Approval Needed') || fail "the menu's Quit asked for no approval"
focus_window "$APPROVAL"
shot quit-approval-asked
key Escape
sleep 0.5
alive || fail "cancelling the approval closed the kiosk"
check_fullscreen
shot quit-cancelled

# Ctrl+Q asks the same; the manager's PIN closes Balcão.
focus_window "$WID"
key ctrl+q
APPROVAL=$(wait_window 'Approval Needed') || fail "Ctrl+Q asked for no approval"
focus_window "$APPROVAL"
type_slowly "9999"
key Return
wait_exit "the manager's approval did not close the kiosk"
[ "$(q "SELECT count(*) FROM approvals WHERE permission = 'change_settings' AND approver_id = '$MANAGER'")" = 1 ] \
  || fail "no approval of the manager's was recorded"
[ "$(q "SELECT count(*) FROM audit_log WHERE action = 'approval.grant' AND approver_id = '$MANAGER'")" -ge 1 ] \
  || fail "the audit log does not hold the manager's approval"

# --- 2. the 'kiosk' key (keyfile backend: a real store of settings) ------
export GSETTINGS_BACKEND=keyfile XDG_CONFIG_HOME="$WORK/config"
mkdir -p "$XDG_CONFIG_HOME/glib-2.0/settings"
printf '[br/balcao/Balcao]\nkiosk=true\n' >"$XDG_CONFIG_HOME/glib-2.0/settings/keyfile"
start_with
check_fullscreen
# A manager signed in closes it with Ctrl+Q, nobody else to ask.
sign_in CRACHA3001
focus_window "$WID"
shot kiosk-key-manager
key ctrl+q
wait_exit "Ctrl+Q from the manager did not close the kiosk"

# --- 3. outside kiosk mode the window's size is kept ----------------------
printf '[br/balcao/Balcao]\nwindow-width=1100\nwindow-height=700\n' >"$XDG_CONFIG_HOME/glib-2.0/settings/keyfile"
start_with
size=$(xdotool getwindowgeometry "$WID" | sed -n 's/^ *Geometry: *//p')
[ "$size" = 1100x700 ] || fail "the window is $size, the kept size 1100x700"
xprop -id "$WID" _NET_WM_STATE | grep -q FULLSCREEN && fail "the window is full screen outside kiosk mode"
shot kept-size
xdotool windowsize "$WID" 1200 720
sleep 1
key ctrl+q
wait_exit "Ctrl+Q did not close Balcão outside kiosk mode"
grep -qx 'window-width=1200' "$XDG_CONFIG_HOME/glib-2.0/settings/keyfile" &&
  grep -qx 'window-height=720' "$XDG_CONFIG_HOME/glib-2.0/settings/keyfile" ||
  fail "the window's new size was not kept: $(cat "$XDG_CONFIG_HOME/glib-2.0/settings/keyfile")"

note "ok"
