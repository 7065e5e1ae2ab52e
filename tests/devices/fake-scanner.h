/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <umockdev.h>

G_BEGIN_DECLS

/* A USB scanner emulated in a umockdev testbed by an ioctl handler of our
 * own, where the ioctl scripts cannot go: reports that come when the test
 * says (to test the inter-character timeout, an unplug in the middle of a
 * scan), stalls on demand, control requests answered (string and report
 * descriptors, SET_PROTOCOL), and counts of what the host did (claims,
 * releases, clear-halts).
 *
 * It answers the usbfs ioctls libusb uses: SUBMITURB (interrupt IN URBs
 * wait for a report; control URBs are answered at once), REAPURBNDELAY,
 * DISCARDURB, CLAIMINTERFACE, RELEASEINTERFACE, CLEAR_HALT, GETDRIVER (no
 * driver). Unplugged, pending URBs complete with -ENODEV and every ioctl
 * then fails with ENODEV, as the kernel does. */

typedef enum {
  FAKE_SCANNER_KEYBOARD,   /* boot keyboard interface, 8-byte reports */
  FAKE_SCANNER_HID_POS,    /* HID POS, the standard report descriptor, 64-byte packets */
} FakeScannerKind;

typedef struct _FakeScanner FakeScanner;

/* Plugs it in: /devices/.../usb1/1-<port>, /dev/bus/usb/001/<port + 10>.
 * product: its string descriptor (read through control requests; the
 * sysfs "product" attribute is left out so that path is taken). */
FakeScanner *fake_scanner_new          (UMockdevTestbed *testbed,
                                        FakeScannerKind  kind,
                                        guint16          vendor_id,
                                        guint16          product_id,
                                        guint            port,
                                        const char      *product);
/* Unplugs it if still plugged in, and frees it. */
void         fake_scanner_free         (FakeScanner     *scanner);

/* Queues one input report; the next interrupt IN URB gets it. */
void         fake_scanner_push         (FakeScanner     *scanner,
                                        const guint8    *report,
                                        gsize            length);
/* Queues a press and a release per character of text (US layout: letters,
 * digits, space and -./), then Enter if enter. */
void         fake_scanner_push_text    (FakeScanner     *scanner,
                                        const char      *text,
                                        gboolean         enter);
/* The next interrupt IN URB completes with -EPIPE. */
void         fake_scanner_push_stall   (FakeScanner     *scanner);
/* Waits (up to 10 s) until every queued report was reaped by the host. */
gboolean     fake_scanner_wait_drained (FakeScanner     *scanner);
/* Pulls it out: pending URBs fail with ENODEV, a "remove" uevent, the
 * device leaves the testbed. */
void         fake_scanner_unplug       (FakeScanner     *scanner);

guint        fake_scanner_get_claims       (FakeScanner *scanner);
guint        fake_scanner_get_releases     (FakeScanner *scanner);
guint        fake_scanner_get_clear_halts  (FakeScanner *scanner);
guint        fake_scanner_get_set_protocol (FakeScanner *scanner);
const char  *fake_scanner_get_syspath      (FakeScanner *scanner);

G_END_DECLS
