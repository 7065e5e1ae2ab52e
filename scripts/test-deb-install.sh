#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the packages that scripts/build-deb.sh made into a clean, minimal
# Debian 12 (a debootstrap chroot), with apt resolving their dependencies
# from the Debian mirror, and checks that they work there:
#
#   scripts/test-deb-install.sh DEBDIR [SHOTDIR]
#
# - what the packages set up: the programs, the udev rule, the desktop
#   file, the systemd unit (checked with systemd-analyze verify when the
#   host has it), /etc/balcao/central.conf (root:balcao-central 0640), the
#   system user balcao-central and the group scanner;
# - balcao-ctl builds a small demo store, as a cashier in the scanner group;
# - balcao starts on it under Xvfb (with a session bus) and shows its
#   window; the screenshot goes to SHOTDIR when given (an X window dump
#   turned into PNG with ImageMagick's convert);
# - balcao-central, set up as README.Debian says (PostgreSQL from the
#   package's Recommends, the role, the database, migrate, a store), serves,
#   and the terminal enrols with it and syncs once.
#
# Prints TAP. Needs root (debootstrap, chroot, mount), debootstrap and the
# mirror. The minimal chroot made by debootstrap is kept in
# BALCAO_CHROOT_CACHE (default /var/cache/balcao-test/bookworm-minbase) and
# made again when older than 7 days; each run installs into a fresh copy
# of it, removed at the end. BALCAO_DEBIAN_MIRROR changes the mirror.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 DEBDIR [SHOTDIR]" >&2
  exit 2
fi
debdir="$(cd "$1" && pwd)"
shotdir=""
if [ $# -eq 2 ]; then
  mkdir -p "$2"
  shotdir="$(cd "$2" && pwd)"
fi
mirror="${BALCAO_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
cache="${BALCAO_CHROOT_CACHE:-/var/cache/balcao-test/bookworm-minbase}"

if [ "$(id -u)" -ne 0 ]; then
  echo "1..0 # SKIP needs root (debootstrap, chroot)"
  exit 0
fi
if ! command -v debootstrap >/dev/null; then
  echo "1..0 # SKIP debootstrap is missing (scripts/install-deps.sh installs it)"
  exit 0
fi

shopt -s nullglob
debs=("$debdir"/balcao_*.deb "$debdir"/balcao-central_*.deb)
shopt -u nullglob
if [ ${#debs[@]} -ne 2 ]; then
  echo "$0: expected one balcao_*.deb and one balcao-central_*.deb in $debdir" >&2
  exit 1
fi

n=0
failed=0
ok () {
  n=$((n + 1))
  echo "ok $n - $*"
}
not_ok () {
  n=$((n + 1))
  failed=$((failed + 1))
  echo "not ok $n - $*"
}
# check DESCRIPTION COMMAND...: one test line; the command's output is
# shown as diagnostics when it fails.
check () {
  local what=$1 log
  shift
  log="$(mktemp)"
  if "$@" >"$log" 2>&1; then
    ok "$what"
  else
    not_ok "$what"
    sed 's/^/# /' "$log"
  fi
  rm -f "$log"
}
elapsed () {
  echo $(( $(date +%s) - $1 ))
}

start_all=$(date +%s)

# The cached minimal chroot.
t=$(date +%s)
if [ -f "$cache/.balcao-complete" ] &&
   [ -z "$(find "$cache/.balcao-complete" -mtime +7)" ]; then
  ok "minimal Debian 12 chroot from the cache $cache"
else
  rm -rf --one-file-system "$cache.new"
  mkdir -p "$(dirname "$cache")"
  if debootstrap --variant=minbase bookworm "$cache.new" "$mirror" >"$cache.log" 2>&1; then
    touch "$cache.new/.balcao-complete"
    rm -rf --one-file-system "$cache"
    mv "$cache.new" "$cache"
    ok "debootstrap --variant=minbase bookworm ($(elapsed "$t") s)"
  else
    not_ok "debootstrap --variant=minbase bookworm"
    tail -n 20 "$cache.log" | sed 's/^/# /'
    echo "1..$n"
    exit 1
  fi
fi

root="$(mktemp -d "${TMPDIR:-/tmp}/balcao-chroot.XXXXXX")"
cleanup () {
  local p
  # Whatever still runs in the chroot (a server left by a failed step).
  for p in /proc/[0-9]*; do
    if [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ]; then
      kill -KILL "${p#/proc/}" 2>/dev/null || true
    fi
  done
  sleep 0.5
  for m in dev/shm proc; do
    if mountpoint -q "$root/$m"; then
      umount "$root/$m" || umount -l "$root/$m" || true
    fi
  done
  if grep -q " $root/" /proc/mounts; then
    echo "# $root still has mounts: left in place" >&2
  else
    rm -rf --one-file-system "$root"
  fi
}
trap cleanup EXIT

cp -a "$cache/." "$root/"
mount -t proc proc "$root/proc"
mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
# No service starts in the chroot; dpkg need not sync every file of a
# throwaway system.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/balcao-test-unsafe-io"
security="${mirror%/debian}/debian-security"
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
EOF
mkdir -p "$root/tmp/debs"
cp "${debs[@]}" "$root/tmp/debs/"

# in_chroot COMMAND...: as root in the chroot, with a clean environment.
in_chroot () {
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# The packages, as a person installs them: apt with its defaults, so the
# Recommends (PostgreSQL for balcao-central) come along.
t=$(date +%s)
log="$(mktemp)"
if in_chroot sh -c "apt-get update -q && apt-get install -y -q $(printf '/tmp/debs/%s ' "${debs[@]##*/}")" \
     >"$log" 2>&1; then
  ok "apt-get install ./balcao_*.deb ./balcao-central_*.deb ($(elapsed "$t") s, $(grep -c '^Setting up ' "$log") packages)"
else
  not_ok "apt-get install ./balcao_*.deb ./balcao-central_*.deb"
  tail -n 30 "$log" | sed 's/^/# /'
  rm -f "$log"
  echo "1..$n"
  exit 1
fi
rm -f "$log"

check "the programs, the udev rule, the desktop file, the unit, the configuration" \
  in_chroot test -x /usr/bin/balcao -a -x /usr/bin/balcao-ctl -a -x /usr/bin/balcao-central \
    -a -f /usr/lib/udev/rules.d/60-balcao-scanners.rules \
    -a -f /usr/share/applications/br.balcao.Balcao.desktop \
    -a -f /lib/systemd/system/balcao-central.service \
    -a -f /etc/balcao/central.conf
check "/etc/balcao/central.conf is root:balcao-central 0640" \
  in_chroot sh -c 'test "$(stat -c "%U:%G %a" /etc/balcao/central.conf)" = "root:balcao-central 640"'
check "the system user balcao-central and the group scanner" \
  in_chroot sh -c 'getent passwd balcao-central && getent group scanner'
check "the GSettings schema is compiled in" \
  in_chroot sh -c 'grep -q br.balcao.Balcao /usr/share/glib-2.0/schemas/gschemas.compiled'
if command -v systemd-analyze >/dev/null; then
  check "systemd-analyze verify balcao-central.service" \
    systemd-analyze verify --man=no --root="$root" balcao-central.service
fi
check "balcao --help" in_chroot balcao --help
check "balcao-ctl --help" in_chroot balcao-ctl --help
check "balcao-central --help" in_chroot balcao-central --help

# A cashier in the scanner group, and a demo store.
in_chroot useradd --create-home --groups scanner caixa
as_caixa () {
  in_chroot runuser -u caixa -- env -i PATH=/usr/bin:/bin HOME=/home/caixa LANG=C.UTF-8 "$@"
}
check "balcao-ctl demo-data as a cashier" \
  as_caixa balcao-ctl --database /home/caixa/loja.db demo-data --products 200 --customers 20 --sales 5

# The window.
t=$(date +%s)
log="$(mktemp)"
if in_chroot apt-get install -y -q --no-install-recommends xvfb xauth xdotool x11-apps dbus \
     >"$log" 2>&1; then
  ok "xvfb, xdotool, xwd and dbus for the window test ($(elapsed "$t") s)"
else
  not_ok "xvfb, xdotool, xwd and dbus for the window test"
  tail -n 20 "$log" | sed 's/^/# /'
fi
rm -f "$log"
cat >"$root/tmp/window.sh" <<'EOF'
#!/bin/sh
# Starts balcao, waits up to 30 s for its window, dumps the screen.
# No accessibility bus in the chroot: without this GTK warns about it.
GTK_A11Y=none balcao --database /home/caixa/loja.db >/tmp/balcao.log 2>&1 &
pid=$!
i=0
while [ $i -lt 60 ]; do
  w=$(xdotool search --onlyvisible --name '^Balcão' 2>/dev/null | head -n 1)
  [ -n "$w" ] && break
  kill -0 $pid 2>/dev/null || break
  sleep 0.5
  i=$((i + 1))
done
if [ -z "$w" ]; then
  echo "no window; balcao's output:"
  cat /tmp/balcao.log
  kill $pid 2>/dev/null
  exit 1
fi
echo "window $w: $(xdotool getwindowname "$w")"
# Let it draw its page before the picture.
sleep 3
xwd -root -silent >/tmp/balcao.xwd
{ kill $pid; wait $pid; } 2>/dev/null
cat /tmp/balcao.log
if grep -E -- '-(CRITICAL|ERROR) \*\*' /tmp/balcao.log; then
  exit 1
fi
EOF
chmod 755 "$root/tmp/window.sh"
t=$(date +%s)
log="$(mktemp)"
if as_caixa dbus-run-session -- xvfb-run -a -s '-screen 0 1280x800x24' /tmp/window.sh >"$log" 2>&1; then
  ok "balcao shows its window under Xvfb ($(elapsed "$t") s)"
  sed 's/^/# /' "$log"
  if [ -n "$shotdir" ] && command -v convert >/dev/null; then
    convert "xwd:$root/tmp/balcao.xwd" "$shotdir/deb-install-balcao.png" &&
      echo "# screenshot: $shotdir/deb-install-balcao.png"
  fi
else
  not_ok "balcao shows its window under Xvfb"
  sed 's/^/# /' "$log"
fi
rm -f "$log"

# The central, as README.Debian sets it up, and the terminal enrolled.
cat >"$root/tmp/central.sh" <<'EOF'
#!/bin/sh
set -eu
# PostgreSQL on its socket only: the chroot shares the host's network.
pg_conftool 15 main set listen_addresses ''
pg_ctlcluster 15 main start
runuser -u postgres -- createuser balcao-central
runuser -u postgres -- createdb -O balcao-central balcao
central () {
  runuser -u balcao-central -- balcao-central --config /etc/balcao/central.conf "$@"
}
central migrate
central store add --code 001 --name "Loja Centro"
# Any free port: the host may be using 8080. setpriv, not runuser, so that
# $! is the server and "wait" gets its own exit status.
BALCAO_CENTRAL_PORT=0 setpriv --reuid=balcao-central --regid=balcao-central --init-groups \
  balcao-central --config /etc/balcao/central.conf serve >/tmp/serve.log 2>&1 &
server=$!
i=0
while ! grep -q '^listening on ' /tmp/serve.log && [ $i -lt 100 ]; do
  sleep 0.1
  i=$((i + 1))
done
cat /tmp/serve.log
url=$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' /tmp/serve.log)
token=$(central terminal enroll --store 001 --name "Caixa 1")
caixa () {
  runuser -u caixa -- env -i PATH=/usr/bin:/bin HOME=/home/caixa LANG=C.UTF-8 \
    balcao-ctl --database /home/caixa/central.db "$@"
}
status=0
caixa enroll "$url" "$token" && caixa sync run --once && caixa sync status || status=$?
central terminal list
kill -TERM $server
wait $server || status=$?
cat /tmp/serve.log
pg_ctlcluster 15 main stop
exit $status
EOF
chmod 755 "$root/tmp/central.sh"
t=$(date +%s)
check "balcao-central on PostgreSQL as README.Debian says; a terminal enrols and syncs" \
  in_chroot /tmp/central.sh
echo "# central: $(elapsed "$t") s"

echo "# in all $(elapsed "$start_all") s"
echo "1..$n"
[ $failed -eq 0 ]
