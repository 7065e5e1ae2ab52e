/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>

/* A fresh folder for one test's databases, and its removal with what the
 * test left in it (the database, its -wal and -shm). */

static inline char *
test_tmpdir_new (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("balcao-test-XXXXXX", &error);

  if (dir == NULL)
    g_error ("cannot make a temporary folder: %s", error->message);
  return dir;
}

static inline void
test_tmpdir_remove (const char *dir)
{
  g_autoptr(GDir) d = NULL;
  const char *name;

  if (dir == NULL || (d = g_dir_open (dir, 0, NULL)) == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}
