#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the umockdev ioctl scripts (and the HID POS device) of
tests/fixtures/usb/ that the scanner tests replay. The files are kept in the
repository; run this again after changing it:

    python3 tests/devices/make-usb-fixtures.py tests/fixtures/usb

boot-keyboard-scanner.{umockdev,ioctl} come from the shared fixtures (a
Symbol 05e0:1200 boot keyboard, 8-byte reports on endpoint 0x81); the
scripts here replay other reports on that same device. Line format
(umockdev 0.17): USBDEVFS_REAPURBNDELAY ret type endpoint status flags
buffer_length actual_length error_count HEXDATA; type 1 is interrupt,
endpoint 129 is 0x81, status -32 is EPIPE (a stall). buffer_length must be
what libusb asks: the endpoint's wMaxPacketSize.
"""

import os
import sys

# US layout: character -> (shift, usage)
US = {}
for i, c in enumerate("abcdefghijklmnopqrstuvwxyz"):
    US[c] = (False, 0x04 + i)
    US[c.upper()] = (True, 0x04 + i)
for usage, lower, upper in [
    (0x1E, "1", "!"), (0x1F, "2", "@"), (0x20, "3", "#"), (0x21, "4", "$"),
    (0x22, "5", "%"), (0x23, "6", "^"), (0x24, "7", "&"), (0x25, "8", "*"),
    (0x26, "9", "("), (0x27, "0", ")"), (0x2C, " ", None), (0x2D, "-", "_"),
    (0x2E, "=", "+"), (0x2F, "[", "{"), (0x30, "]", "}"), (0x31, "\\", "|"),
    (0x33, ";", ":"), (0x34, "'", '"'), (0x35, "`", "~"), (0x36, ",", "<"),
    (0x37, ".", ">"), (0x38, "/", "?"),
]:
    US[lower] = (False, usage)
    if upper:
        US[upper] = (True, usage)

# ABNT2: what differs from US (dead keys are typed with a space after).
ABNT2 = dict((k, v) for k, v in US.items() if k.isalnum() or k in " -=_+!@#$%&*()")
ABNT2.update({
    "ç": [(False, 0x33)], "Ç": [(True, 0x33)],
    "/": [(False, 0x87)], "?": [(True, 0x87)],
    ";": [(False, 0x38)], ":": [(True, 0x38)],
    "'": [(False, 0x35)], '"': [(True, 0x35)],
    "[": [(False, 0x30)], "{": [(True, 0x30)],
    "]": [(False, 0x32)], "}": [(True, 0x32)],
    "\\": [(False, 0x64)], "|": [(True, 0x64)],
    ",": [(False, 0x36)], "<": [(True, 0x36)],
    ".": [(False, 0x37)], ">": [(True, 0x37)],
    "~": [(False, 0x34), (False, 0x2C)], "^": [(True, 0x34), (False, 0x2C)],
    "`": [(True, 0x2F), (False, 0x2C)],
})

ENTER = 0x28
TAB = 0x2B
SHIFT = 0x02
CTRL = 0x01


def urb(data, status=0, length=8, actual=None):
    if actual is None:
        actual = len(data)
    data = bytes(data) + bytes(max(0, actual - len(data)))
    return "USBDEVFS_REAPURBNDELAY 0 1 129 %d 0 %d %d 0 %s" % (
        status, length, actual, data[:actual].hex().upper() or "00")


def key(mods, usage):
    return [urb([mods, 0, usage, 0, 0, 0, 0, 0]), urb([0] * 8)]


def type_text(text, layout=US):
    lines = []
    for c in text:
        if c == "\x1d":
            lines += key(CTRL, 0x30)  # Ctrl+]
            continue
        strokes = layout[c]
        if isinstance(strokes, tuple):
            strokes = [strokes]
        for shift, usage in strokes:
            lines += key(SHIFT if shift else 0, usage)
    return lines


def scan(text, end=ENTER, layout=US):
    return type_text(text, layout) + key(0, end)


def script(lines, header):
    return "@DEV /dev/bus/usb/001/002\n# %s\nUSBDEVFS_GET_CAPABILITIES 0 00000000\n%s\n" % (
        header, "\n".join(lines))


def hidpos_report(aim, data, continued=False, count=None):
    report = bytearray(62)
    report[0] = 2
    report[1] = len(data) if count is None else count
    report[2:5] = aim.encode()
    report[5:5 + len(data)] = data.encode()
    report[61] = 1 if continued else 0
    return "USBDEVFS_REAPURBNDELAY 0 1 129 0 0 64 62 0 " + bytes(report).hex().upper()


# The HID POS report descriptor: tests/devices/hidpos-descriptors.h
# (hidpos_standard_descriptor), the same bytes.
HIDPOS_DESCRIPTOR = bytes([
    0x05, 0x8c, 0x09, 0x02, 0xa1, 0x01, 0x85, 0x01, 0x09, 0x10, 0x15, 0x00,
    0x26, 0xff, 0x00, 0x75, 0x08, 0x95, 0x04, 0x81, 0x02, 0x85, 0x02, 0x09,
    0x12, 0xa1, 0x02, 0x95, 0x01, 0x05, 0x01, 0x09, 0x3b, 0x81, 0x02, 0x95,
    0x03, 0x05, 0x8c, 0x09, 0xfb, 0x09, 0xfc, 0x09, 0xfd, 0x81, 0x02, 0x95,
    0x38, 0x09, 0xfe, 0x82, 0x02, 0x01, 0x25, 0x01, 0x75, 0x01, 0x95, 0x01,
    0x09, 0xff, 0x81, 0x02, 0x75, 0x07, 0x81, 0x03, 0xc0, 0x85, 0x04, 0x09,
    0x14, 0x75, 0x08, 0x95, 0x01, 0x91, 0x02, 0xc0,
])


def hidpos_umockdev():
    # pid.codes' test VID:PID 1209:0001: not in any scanner list, claimed
    # because its report descriptor says Barcode Scanner (0x8C).
    device = bytes.fromhex("120100020000004009120100000101020001")
    n = len(HIDPOS_DESCRIPTOR)
    config = bytes.fromhex("090222000101008032")
    interface = bytes.fromhex("090400000103000000")
    hid = bytes([0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, n & 0xFF, n >> 8])
    endpoint = bytes.fromhex("07058103400001")
    descriptors = (device + config + interface + hid + endpoint).hex().upper()
    base = "/devices/pci0000:00/0000:00:14.0/usb1/1-3"
    return "\n".join([
        "P: " + base,
        "N: bus/usb/001/004=" + descriptors,
        "E: BUSNUM=001",
        "E: DEVNAME=/dev/bus/usb/001/004",
        "E: DEVNUM=004",
        "E: DEVTYPE=usb_device",
        "E: DRIVER=usb",
        "E: ID_BUS=usb",
        "E: ID_MODEL_ID=0001",
        "E: ID_VENDOR_ID=1209",
        "E: ID_USB_INTERFACES=:030000:",
        "E: MAJOR=189",
        "E: MINOR=3",
        "E: PRODUCT=1209/1/100",
        "E: SUBSYSTEM=usb",
        "A: authorized=1",
        "A: bConfigurationValue=1",
        "A: bDeviceClass=00",
        "A: bNumConfigurations=1",
        "A: bNumInterfaces= 1",
        "A: busnum=1\\n",
        "H: descriptors=" + descriptors,
        "A: dev=189:3",
        "A: devnum=4\\n",
        "A: devpath=3",
        "A: idProduct=0001",
        "A: idVendor=1209",
        "A: manufacturer=Balcão Test",
        "A: product=HID POS Scanner",
        "A: speed=12",
        "",
        "P: " + base + "/1-3:1.0",
        "E: DEVTYPE=usb_interface",
        "E: DRIVER=usbhid",
        "E: SUBSYSTEM=usb",
        "A: bInterfaceClass=03",
        "A: bInterfaceNumber=00",
        "A: bInterfaceProtocol=00",
        "A: bInterfaceSubClass=00",
        "",
        "P: " + base + "/1-3:1.0/0003:1209:0001.0001",
        "E: DRIVER=hid-generic",
        "E: HID_ID=0003:00001209:00000001",
        "E: SUBSYSTEM=hid",
        "H: report_descriptor=" + HIDPOS_DESCRIPTOR.hex().upper(),
        "",
    ])


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    files = {}

    files["shift-letters.ioctl"] = script(
        scan("BalcaoPDV-Caixa1"), "\"BalcaoPDV-Caixa1\" + Enter, shifted letters")

    files["code128.ioctl"] = script(
        scan("]C10107891234567895\x1d10LOT-7/B") + scan("Caixa-01/A+B%$*"),
        "GS1-128 with its AIM prefix and a GS (Ctrl+]), then a Code 128 with symbols")

    files["abnt2.ioctl"] = script(
        scan("PED/2024;Ç~1?", layout=ABNT2),
        "\"PED/2024;Ç~1?\" + Enter from a scanner set to the ABNT2 layout")

    files["tab.ioctl"] = script(scan("42", end=TAB), "\"42\" + Tab")

    files["garbage.ioctl"] = script(
        [urb([0, 0, 0x1E], actual=3),                 # short report
         urb([0, 0, 0xF0, 0, 0, 0, 0, 0])]            # usage beyond the keyboard page
        + scan("111")
        + type_text("22") + [urb([0, 0, 0x02, 0, 0, 0, 0, 0])] + scan("2")  # POST fail inside a scan
        + scan("333"),
        "garbage and short reports between scans and inside one: scans 111 and 333")

    files["stall.ioctl"] = script(
        scan("44")
        + [urb([], status=-32, actual=0)]
        + type_text("55") + [urb([], status=-32, actual=0)] + scan("5")
        + scan("66"),
        "stalls between scans and inside one: scans 44 and 66")

    files["hidpos-scanner.umockdev"] = hidpos_umockdev()
    files["hidpos-scanner.ioctl"] = (
        "@DEV /dev/bus/usb/001/004\n"
        "# HID POS: EAN-13, a QR code in two reports, a bad byte count, GS1-128\n"
        "USBDEVFS_GET_CAPABILITIES 0 00000000\n"
        + "\n".join([
            hidpos_report("]E0", "7891234567895"),
            hidpos_report("]Q1", "https://balcao.example/produto/", continued=True),
            hidpos_report("]Q1", "7891234567895?lote=42"),
            hidpos_report("]E0", "123", count=200),
            hidpos_report("]C1", "0107891234567895\x1d10LOT42"),
        ]) + "\n")

    for name, text in files.items():
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
