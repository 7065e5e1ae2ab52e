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
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
$sudo apt-get update -q >&2
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
