#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian 12 packages Balcão needs to build, run and test,
# only those missing. Safe to run again.
set -euo pipefail

packages=(
  # build
  meson ninja-build pkg-config gcc gettext
  libglib2.0-dev libgtk-4-dev libadwaita-1-dev libsqlite3-dev libjson-glib-dev
  libqrencode-dev libcurl4-openssl-dev libusb-1.0-0-dev libcups2-dev
  libsoup-3.0-dev libpq-dev libsodium-dev
  # tests
  check sqlite3 postgresql python3 curl xvfb xauth xdotool imagemagick dbus dbus-x11
  umockdev libumockdev-dev
  # printing tests (tests/devices/test-printing.c, docs/printing.md): a
  # private cupsd (cups-daemon), lpadmin/cupsdisable/cupsreject
  # (cups-client), ippeveprinter, the IPP Everywhere printer simulator
  # (cups-ipp-utils), dbus-daemon for it (dbus above)
  cups-daemon cups-client cups-ipp-utils
  # receipts: pdfinfo and pdftotext read the PDFs back in tests/devices
  poppler-utils
  desktop-file-utils appstream
  fonts-cantarell fonts-dejavu-core
  # Debian packages (scripts/build-deb.sh, packaging/debian; the build
  # dependencies are the build group above): dpkg-buildpackage, dh and
  # lintian; debootstrap for the clean Debian 12 chroot the packages are
  # installed in (scripts/test-deb-install.sh)
  dpkg-dev debhelper lintian debootstrap
  # accessibility and translations (tests/ui/test-a11y.py, test-l10n.py):
  # the window read through AT-SPI from Python (python3-gi,
  # gir1.2-atspi-2.0), the accessibility bus (at-spi2-core), the pt_BR and
  # es_ES locales generated below (locales)
  python3-gi gir1.2-atspi-2.0 at-spi2-core locales
  # xprop reads the kiosk window's state (tests/ui/test-kiosk.sh)
  x11-utils
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi

if [ ${#missing[@]} -ne 0 ]; then
  echo "Installing: ${missing[*]}" >&2
  $sudo apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

# The locales the app is tested in (tests/ui/test-l10n.py builds pt_BR
# itself with localedef when they are missing, but dates need the real
# one): pt_BR.UTF-8 and es_ES.UTF-8.
want_locales=()
for l in pt_BR es_ES; do
  if ! locale -a 2>/dev/null | grep -qix "$l.utf8"; then
    want_locales+=("$l")
  fi
done
if [ ${#want_locales[@]} -ne 0 ]; then
  echo "Generating locales: ${want_locales[*]}" >&2
  for l in "${want_locales[@]}"; do
    $sudo sed -i -E "s/^# *($l\.UTF-8 UTF-8)/\1/" /etc/locale.gen
    grep -qx "$l.UTF-8 UTF-8" /etc/locale.gen || echo "$l.UTF-8 UTF-8" | $sudo tee -a /etc/locale.gen >/dev/null
  done
  $sudo locale-gen >&2
fi
