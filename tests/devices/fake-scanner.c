/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test-fake-scanner"

#include "config.h"

#include <errno.h>
#include <linux/usbdevice_fs.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>

#include "fake-scanner.h"
#include "hidpos-descriptors.h"

typedef struct {
  UMockdevIoctlData *urb;      /* the client's struct usbdevfs_urb */
  UMockdevIoctlData *buffer;   /* its buffer */
  gulong             address;  /* where the urb is in the client */
} Urb;

typedef struct {
  GBytes   *report;
  gboolean  stall;
} Pending;

struct _FakeScanner {
  UMockdevTestbed   *testbed;
  UMockdevIoctlBase *handler;
  FakeScannerKind    kind;
  char              *syspath;
  char              *devnode;
  char              *product;
  gboolean           removed;

  GMutex             lock;      /* what follows; the handler runs on umockdev's thread */
  GQueue             waiting;   /* Urb: interrupt IN, waiting for a report */
  GQueue             done;      /* Urb: ready to reap */
  GQueue             reports;   /* Pending */
  gboolean           unplugged;
  guint              claims;
  guint              releases;
  guint              clear_halts;
  guint              set_protocol;
};

static void
urb_free (Urb *urb)
{
  g_clear_pointer (&urb->buffer, umockdev_ioctl_data_unref);
  g_clear_pointer (&urb->urb, umockdev_ioctl_data_unref);
  g_free (urb);
}

static void
pending_free (Pending *pending)
{
  g_clear_pointer (&pending->report, g_bytes_unref);
  g_free (pending);
}

static struct usbdevfs_urb *
urb_struct (Urb *urb)
{
  return (struct usbdevfs_urb *) urb->urb->data;
}

/* Gives queued reports to waiting URBs. Lock held. */
static void
fill_urbs (FakeScanner *self)
{
  while (!g_queue_is_empty (&self->waiting) && !g_queue_is_empty (&self->reports))
    {
      Urb *urb = g_queue_pop_head (&self->waiting);
      Pending *pending = g_queue_pop_head (&self->reports);
      struct usbdevfs_urb *u = urb_struct (urb);

      if (pending->stall)
        {
          u->status = -EPIPE;
          u->actual_length = 0;
        }
      else
        {
          gsize length;
          const guint8 *data = g_bytes_get_data (pending->report, &length);
          gsize n = MIN (length, (gsize) u->buffer_length);

          memcpy (urb->buffer->data, data, n);
          u->status = 0;
          u->actual_length = (int) n;
        }
      g_queue_push_tail (&self->done, urb);
      pending_free (pending);
    }
}

static gsize
put_string (guint8     *out,
            gsize       room,
            const char *text)
{
  gsize n = 2;

  for (const char *p = text; *p != '\0' && n + 2 <= room && n + 2 <= 255; p++)
    {
      out[n++] = (guint8) *p;
      out[n++] = 0;
    }
  out[0] = (guint8) n;
  out[1] = 0x03;
  return n;
}

/* A control URB: setup packet, then the data stage. Lock held. */
static void
answer_control (FakeScanner *self,
                Urb         *urb)
{
  struct usbdevfs_urb *u = urb_struct (urb);
  guint8 *setup = urb->buffer != NULL ? urb->buffer->data : NULL;
  guint8 *data;
  gsize room, n = 0;
  guint16 value, length;
  gboolean ok = TRUE;

  u->status = 0;
  u->actual_length = 0;
  if (setup == NULL || u->buffer_length < 8)
    {
      u->status = -EPIPE;
      return;
    }
  data = setup + 8;
  room = (gsize) u->buffer_length - 8;
  value = (guint16) (setup[2] | (setup[3] << 8));
  length = (guint16) (setup[6] | (setup[7] << 8));
  room = MIN (room, length);

  if ((setup[0] & 0x80) && setup[1] == 0x06)   /* GET_DESCRIPTOR */
    {
      guint8 type = value >> 8;
      guint8 index = value & 0xff;
      guint8 answer[256] = { 0 };

      if (type == 0x03 && index == 0)
        {
          answer[0] = 4;
          answer[1] = 3;
          answer[2] = 0x09;
          answer[3] = 0x04;
          n = 4;
        }
      else if (type == 0x03 && index == 1)
        n = put_string (answer, sizeof answer, "Test Devices");
      else if (type == 0x03 && index == 2)
        n = put_string (answer, sizeof answer, self->product);
      else if (type == 0x22 && self->kind == FAKE_SCANNER_HID_POS)
        {
          n = sizeof hidpos_standard_descriptor;
          memcpy (answer, hidpos_standard_descriptor, n);
        }
      else if (type == 0x22)
        {
          n = sizeof keyboard_descriptor;
          memcpy (answer, keyboard_descriptor, n);
        }
      else
        ok = FALSE;

      n = MIN (n, room);
      memcpy (data, answer, n);
    }
  else if (setup[0] == 0x21 && (setup[1] == 0x0b || setup[1] == 0x0a))   /* SET_PROTOCOL, SET_IDLE */
    {
      if (setup[1] == 0x0b)
        self->set_protocol++;
    }
  else
    ok = FALSE;

  if (!ok)
    u->status = -EPIPE;
  else
    u->actual_length = (int) n;
}

static gboolean
on_handle_ioctl (UMockdevIoctlBase   *handler,
                 UMockdevIoctlClient *client,
                 gpointer             user_data)
{
  FakeScanner *self = user_data;
  gulong request = umockdev_ioctl_client_get_request (client);
  UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg (client);
  long result = 0;
  int error_number = 0;

  g_mutex_lock (&self->lock);

  if (request == (gulong) USBDEVFS_REAPURBNDELAY || request == (gulong) USBDEVFS_REAPURB)
    {
      Urb *urb;

      if (!self->unplugged)
        fill_urbs (self);
      urb = g_queue_pop_head (&self->done);
      if (urb == NULL)
        {
          result = -1;
          error_number = self->unplugged ? ENODEV : EAGAIN;
        }
      else
        {
          UMockdevIoctlData *pointer = umockdev_ioctl_data_resolve (arg, 0, sizeof (gpointer), NULL);

          if (pointer != NULL)
            {
              umockdev_ioctl_data_set_ptr (pointer, 0, urb->urb);
              umockdev_ioctl_data_unref (pointer);
            }
          else
            {
              result = -1;
              error_number = EFAULT;
            }
          urb_free (urb);
        }
    }
  else if (self->unplugged)
    {
      result = -1;
      error_number = ENODEV;
    }
  else if (request == (gulong) USBDEVFS_SUBMITURB)
    {
      Urb *urb = g_new0 (Urb, 1);
      struct usbdevfs_urb *u;

      urb->urb = umockdev_ioctl_data_resolve (arg, 0, sizeof (struct usbdevfs_urb), NULL);
      if (urb->urb == NULL)
        {
          urb_free (urb);
          result = -1;
          error_number = EFAULT;
        }
      else
        {
          u = urb_struct (urb);
          urb->address = urb->urb->client_addr;
          if (u->buffer_length > 0)
            urb->buffer = umockdev_ioctl_data_resolve (urb->urb, offsetof (struct usbdevfs_urb, buffer),
                                                       (gsize) u->buffer_length, NULL);
          if (u->type == USBDEVFS_URB_TYPE_CONTROL)
            {
              answer_control (self, urb);
              g_queue_push_tail (&self->done, urb);
            }
          else if (u->type == USBDEVFS_URB_TYPE_INTERRUPT && (u->endpoint & 0x80) && urb->buffer != NULL)
            {
              g_queue_push_tail (&self->waiting, urb);
              fill_urbs (self);
            }
          else
            {
              u->status = -EPIPE;
              u->actual_length = 0;
              g_queue_push_tail (&self->done, urb);
            }
        }
    }
  else if (request == (gulong) USBDEVFS_DISCARDURB)
    {
      gulong address = *(gulong *) arg->data;

      result = -1;
      error_number = EINVAL;
      for (GList *l = self->waiting.head; l != NULL; l = l->next)
        {
          Urb *urb = l->data;

          if (urb->address == address)
            {
              g_queue_delete_link (&self->waiting, l);
              urb_struct (urb)->status = -ENOENT;
              urb_struct (urb)->actual_length = 0;
              g_queue_push_tail (&self->done, urb);
              result = 0;
              error_number = 0;
              break;
            }
        }
    }
  else if (request == (gulong) USBDEVFS_CLAIMINTERFACE)
    self->claims++;
  else if (request == (gulong) USBDEVFS_RELEASEINTERFACE)
    self->releases++;
  else if (request == (gulong) USBDEVFS_CLEAR_HALT)
    self->clear_halts++;
  else if (request == (gulong) USBDEVFS_GETDRIVER)
    {
      result = -1;
      error_number = ENODATA;
    }
  else
    {
      result = -1;
      error_number = ENOTTY;
    }

  g_mutex_unlock (&self->lock);
  umockdev_ioctl_client_complete (client, result, error_number);
  return TRUE;
}

static char *
descriptors_hex (FakeScannerKind kind,
                 guint16         vid,
                 guint16         pid)
{
  gboolean pos = kind == FAKE_SCANNER_HID_POS;
  guint16 report_length = pos ? sizeof hidpos_standard_descriptor : sizeof keyboard_descriptor;
  guint8 bytes[] = {
    /* device */
    0x12, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x40,
    vid & 0xff, vid >> 8, pid & 0xff, pid >> 8, 0x00, 0x01, 0x01, 0x02, 0x00, 0x01,
    /* configuration */
    0x09, 0x02, 34, 0x00, 0x01, 0x01, 0x00, 0x80, 0x32,
    /* interface: HID, boot keyboard or not */
    0x09, 0x04, 0x00, 0x00, 0x01, 0x03, pos ? 0x00 : 0x01, pos ? 0x00 : 0x01, 0x00,
    /* HID */
    0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, report_length & 0xff, report_length >> 8,
    /* endpoint 0x81, interrupt */
    0x07, 0x05, 0x81, 0x03, pos ? 64 : 8, 0x00, 0x01,
  };
  GString *hex = g_string_new (NULL);

  for (gsize i = 0; i < sizeof bytes; i++)
    g_string_append_printf (hex, "%02X", bytes[i]);
  return g_string_free (hex, FALSE);
}

FakeScanner *
fake_scanner_new (UMockdevTestbed *testbed,
                  FakeScannerKind  kind,
                  guint16          vendor_id,
                  guint16          product_id,
                  guint            port,
                  const char      *product)
{
  FakeScanner *self = g_new0 (FakeScanner, 1);
  g_autofree char *hex = descriptors_hex (kind, vendor_id, product_id);
  g_autofree char *description = NULL;
  g_autoptr(GError) error = NULL;
  guint devnum = port + 10;

  g_mutex_init (&self->lock);
  self->testbed = g_object_ref (testbed);
  self->kind = kind;
  self->product = g_strdup (product != NULL ? product : "Fake Scanner");
  self->syspath = g_strdup_printf ("/sys/devices/pci0000:00/0000:00:14.0/usb1/1-%u", port);
  self->devnode = g_strdup_printf ("/dev/bus/usb/001/%03u", devnum);

  /* The handler first: the "add" uevent may have libusb open it at once. */
  self->handler = umockdev_ioctl_base_new ();
  g_signal_connect (self->handler, "handle-ioctl", G_CALLBACK (on_handle_ioctl), self);
  if (!umockdev_testbed_attach_ioctl (testbed, self->devnode, self->handler, &error))
    g_error ("cannot attach the fake scanner: %s", error->message);

  description = g_strdup_printf ("P: /devices/pci0000:00/0000:00:14.0/usb1/1-%u\n"
                                 "N: bus/usb/001/%03u=%s\n"
                                 "E: BUSNUM=001\n"
                                 "E: DEVNAME=%s\n"
                                 "E: DEVNUM=%03u\n"
                                 "E: DEVTYPE=usb_device\n"
                                 "E: DRIVER=usb\n"
                                 "E: MAJOR=189\n"
                                 "E: MINOR=%u\n"
                                 "E: PRODUCT=%x/%x/100\n"
                                 "E: SUBSYSTEM=usb\n"
                                 "A: authorized=1\n"
                                 "A: bConfigurationValue=1\n"
                                 "A: bNumConfigurations=1\n"
                                 "A: bNumInterfaces= 1\n"
                                 "A: busnum=1\\n\n"
                                 "A: dev=189:%u\n"
                                 "A: devnum=%u\\n\n"
                                 "A: devpath=%u\n"
                                 "A: idProduct=%04x\n"
                                 "A: idVendor=%04x\n"
                                 "A: speed=12\n"
                                 "H: descriptors=%s\n",
                                 port, devnum, hex, self->devnode, devnum, devnum - 1,
                                 vendor_id, product_id, devnum - 1, devnum, port,
                                 product_id, vendor_id, hex);
  if (!umockdev_testbed_add_from_string (testbed, description, &error))
    g_error ("cannot add the fake scanner: %s", error->message);

  return self;
}

void
fake_scanner_push (FakeScanner  *self,
                   const guint8 *report,
                   gsize         length)
{
  Pending *pending = g_new0 (Pending, 1);

  pending->report = g_bytes_new (report, length);
  g_mutex_lock (&self->lock);
  g_queue_push_tail (&self->reports, pending);
  g_mutex_unlock (&self->lock);
}

void
fake_scanner_push_stall (FakeScanner *self)
{
  Pending *pending = g_new0 (Pending, 1);

  pending->stall = TRUE;
  g_mutex_lock (&self->lock);
  g_queue_push_tail (&self->reports, pending);
  g_mutex_unlock (&self->lock);
}

static void
push_key (FakeScanner *self,
          guint8       modifiers,
          guint8       usage)
{
  guint8 press[8] = { modifiers, 0, usage, 0, 0, 0, 0, 0 };
  guint8 release[8] = { 0 };

  fake_scanner_push (self, press, sizeof press);
  fake_scanner_push (self, release, sizeof release);
}

void
fake_scanner_push_text (FakeScanner *self,
                        const char  *text,
                        gboolean     enter)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p >= 'a' && *p <= 'z')
        push_key (self, 0, (guint8) (0x04 + *p - 'a'));
      else if (*p >= 'A' && *p <= 'Z')
        push_key (self, 0x02, (guint8) (0x04 + *p - 'A'));
      else if (*p >= '1' && *p <= '9')
        push_key (self, 0, (guint8) (0x1e + *p - '1'));
      else if (*p == '0')
        push_key (self, 0, 0x27);
      else if (*p == ' ')
        push_key (self, 0, 0x2c);
      else if (*p == '-')
        push_key (self, 0, 0x2d);
      else if (*p == '.')
        push_key (self, 0, 0x37);
      else if (*p == '/')
        push_key (self, 0, 0x38);
      else
        g_error ("fake_scanner_push_text: no key for %c", *p);
    }
  if (enter)
    push_key (self, 0, 0x28);
}

gboolean
fake_scanner_wait_drained (FakeScanner *self)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      gboolean drained;

      g_mutex_lock (&self->lock);
      drained = g_queue_is_empty (&self->reports) && g_queue_is_empty (&self->done);
      g_mutex_unlock (&self->lock);
      if (drained)
        return TRUE;
      g_usleep (2000);
    }
  return FALSE;
}

void
fake_scanner_unplug (FakeScanner *self)
{
  Urb *urb;

  if (self->removed)
    return;

  g_mutex_lock (&self->lock);
  self->unplugged = TRUE;
  while ((urb = g_queue_pop_head (&self->waiting)) != NULL)
    {
      urb_struct (urb)->status = -ENODEV;
      urb_struct (urb)->actual_length = 0;
      g_queue_push_tail (&self->done, urb);
    }
  g_mutex_unlock (&self->lock);

  umockdev_testbed_uevent (self->testbed, self->syspath, "remove");
  umockdev_testbed_remove_device (self->testbed, self->syspath);
  self->removed = TRUE;
}

void
fake_scanner_free (FakeScanner *self)
{
  if (self == NULL)
    return;

  fake_scanner_unplug (self);
  umockdev_testbed_detach_ioctl (self->testbed, self->devnode, NULL);
  g_signal_handlers_disconnect_by_data (self->handler, self);

  g_queue_clear_full (&self->waiting, (GDestroyNotify) urb_free);
  g_queue_clear_full (&self->done, (GDestroyNotify) urb_free);
  g_queue_clear_full (&self->reports, (GDestroyNotify) pending_free);
  g_object_unref (self->handler);
  g_object_unref (self->testbed);
  g_free (self->syspath);
  g_free (self->devnode);
  g_free (self->product);
  g_mutex_clear (&self->lock);
  g_free (self);
}

#define GETTER(name, field)                  \
  guint                                      \
  fake_scanner_get_##name (FakeScanner *self) \
  {                                          \
    guint value;                             \
                                             \
    g_mutex_lock (&self->lock);              \
    value = self->field;                     \
    g_mutex_unlock (&self->lock);            \
    return value;                            \
  }

GETTER (claims, claims)
GETTER (releases, releases)
GETTER (clear_halts, clear_halts)
GETTER (set_protocol, set_protocol)

const char *
fake_scanner_get_syspath (FakeScanner *self)
{
  return self->syspath;
}
