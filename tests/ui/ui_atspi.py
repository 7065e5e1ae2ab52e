# SPDX-License-Identifier: GPL-3.0-or-later
"""The real balcao under Xvfb, read through the accessibility bus.

What tests/ui/ui-lib.sh does for the shell tests (a demo database, the
app, a badge to sign in, a shift opened), for Python tests that look at
the window through AT-SPI, as a screen reader does. The tests run under
dbus-run-session and start their own Xvfb: GTK finds the accessibility
bus through the session bus (org.a11y.Bus, activated from at-spi2-core),
so GTK_A11Y and NO_AT_BRIDGE must not be set.

Needs python3-gi, gir1.2-atspi-2.0, at-spi2-core, xvfb, xdotool and
ImageMagick's import (scripts/install-deps.sh).
"""

import os
import re
import select
import sqlite3
import subprocess
import sys
import tempfile
import time

try:
    import gi
    gi.require_version('Atspi', '2.0')
    from gi.repository import Atspi
except (ImportError, ValueError) as e:  # pragma: no cover
    print('# SKIP: no AT-SPI for Python (python3-gi, gir1.2-atspi-2.0): %s' % e)
    sys.exit(77)

# GTK 4.8 answers the object's type name ("GtkButton", "AdwActionRow")
# when an accessible has no name of its own: that is an empty name.
TYPE_NAME = re.compile(r'^(Gtk|Adw|Pos|Gdk)[A-Z][A-Za-z0-9]*$')

# Controls a person acts on: each needs a name a screen reader can say.
CONTROL_ROLES = {
    Atspi.Role.PUSH_BUTTON: 'push button',
    Atspi.Role.TOGGLE_BUTTON: 'toggle button',
    Atspi.Role.CHECK_BOX: 'check box',
    Atspi.Role.RADIO_BUTTON: 'radio button',
    Atspi.Role.SPIN_BUTTON: 'spin button',
    Atspi.Role.ENTRY: 'entry',
    Atspi.Role.TEXT: 'text',
    Atspi.Role.PASSWORD_TEXT: 'password text',
    Atspi.Role.COMBO_BOX: 'combo box',
    Atspi.Role.LIST_ITEM: 'list item',
    Atspi.Role.TABLE_ROW: 'table row',
    Atspi.Role.TABLE_CELL: 'table cell',
    Atspi.Role.PAGE_TAB: 'page tab',
    Atspi.Role.MENU_ITEM: 'menu item',
    Atspi.Role.SLIDER: 'slider',
    Atspi.Role.LINK: 'link',
}

BUTTON_ROLES = (Atspi.Role.PUSH_BUTTON, Atspi.Role.TOGGLE_BUTTON)

# The rows and cells of GtkListView/GtkColumnView (and the selected item
# GtkDropDown shows) are GTK's own widgets: GTK 4.8 has no API to name
# them (GtkListItem:accessible-label came in 4.12) and answers '' or
# their type name; the app names the content it puts in them, and a
# screen reader reads that. Such a row passes when its content has a
# name or text; an empty one is still reported. Rows the app makes
# (GtkListBoxRow, GtkFlowBoxChild, AdwActionRow) must have a name.
GTK_ROW_NAMES = ('', 'GtkListItemWidget', 'GtkColumnViewCell')
ROW_ROLES = (Atspi.Role.LIST_ITEM, Atspi.Role.TABLE_ROW, Atspi.Role.TABLE_CELL)


def log(msg):
    print('# ' + msg, flush=True)


def fail(msg):
    print('FAIL: ' + msg, flush=True)
    sys.exit(1)


def norm(text):
    """A label as read: no mnemonic underscores, single spaces."""
    return ' '.join((text or '').replace('_', '').split())


def is_empty_name(name):
    return name is None or name.strip() == '' or TYPE_NAME.match(name) is not None


def states(node):
    try:
        return node.get_state_set()
    except Exception:
        return None


def has_state(node, state):
    ss = states(node)
    return ss is not None and ss.contains(state)


def children(node):
    try:
        n = node.get_child_count()
    except Exception:
        return []
    out = []
    for i in range(n):
        try:
            c = node.get_child_at_index(i)
        except Exception:
            c = None
        if c is not None:
            out.append(c)
    return out


def walk(node, visible_only=True):
    """Every accessible under node (node included), depth first, skipping
    what is not visible and all under it."""
    stack = [node]
    while stack:
        n = stack.pop()
        if visible_only and n is not node and not has_state(n, Atspi.StateType.VISIBLE):
            continue
        yield n
        stack.extend(reversed(children(n)))


def parent(node):
    try:
        return node.get_parent()
    except Exception:
        return None


def safe_name(node):
    try:
        return node.get_name() or ''
    except Exception:
        return ''


def role_of(node):
    try:
        return node.get_role()
    except Exception:
        return Atspi.Role.INVALID


def texts_under(node, limit=3):
    """The first names inside node: its labels' texts, and the names the
    app gave to content (what a screen reader reads in a row)."""
    out = []
    for n in walk(node):
        if n is node:
            continue
        name = safe_name(n)
        if not is_empty_name(name):
            out.append(name)
            if len(out) >= limit:
                break
    return out


def labelled_by_names(node):
    names = []
    try:
        for rel in node.get_relation_set():
            if rel.get_relation_type() == Atspi.RelationType.LABELLED_BY:
                for i in range(rel.get_n_targets()):
                    names.append(safe_name(rel.get_target(i)))
    except Exception:
        pass
    return names


def describe(node, root):
    """window › named ancestors › role 'Type' [texts inside], to find it."""
    chain = []
    n = node
    while n is not None:
        try:
            p = n.get_parent()
        except Exception:
            p = None
        if n is not node and p is not None:
            nm = safe_name(n)
            if not is_empty_name(nm) and role_of(n) not in (Atspi.Role.LABEL,):
                chain.append('%s %r' % (n.get_role_name(), nm))
            elif TYPE_NAME.match(nm or '') and nm.startswith(('Pos', 'Adw')):
                chain.append(nm)
        if n is root or p is None:
            break
        n = p
    chain.reverse()
    inner = texts_under(node)
    return '%s › %s %r%s' % (
        ' › '.join(chain[-4:]) if chain else '(window)',
        node.get_role_name(), safe_name(node),
        (' showing %s' % inner) if inner else '')


def toolkit_own(node):
    """Why an unnamed control is GTK's or libadwaita's own, out of the
    app's reach in GTK 4.8 / libadwaita 1.2; None when it is the app's."""
    name = safe_name(node)
    role = role_of(node)
    up = parent(node)
    up_role = role_of(up) if up is not None else None
    # GtkDropDown's button: the combo box around it carries the name.
    if role in BUTTON_ROLES and name == 'GtkToggleButton' and up_role == Atspi.Role.COMBO_BOX \
       and not is_empty_name(safe_name(up)):
        return 'the button inside a named GtkDropDown'
    # The icons GTK and libadwaita put in entries (AdwPasswordEntryRow's
    # peek icon), a few levels inside a named entry.
    if role in BUTTON_ROLES and name == 'GtkImage':
        a = up
        for _ in range(3):
            if a is None:
                break
            if role_of(a) in (Atspi.Role.TEXT, Atspi.Role.ENTRY, Atspi.Role.PASSWORD_TEXT) \
               and not is_empty_name(safe_name(a)):
                return 'an icon inside a named entry'
            a = parent(a)
    # AdwPreferencesWindow's search entry, in the header's stack beside
    # its AdwViewSwitcherTitle.
    if name == 'GtkSearchEntry':
        page = parent(up) if up is not None else None
        stack = parent(page) if page is not None else None
        if page is not None and safe_name(page) == 'GtkStackPage' and stack is not None \
           and any(safe_name(x) == 'AdwViewSwitcherTitle' for c in children(stack) for x in children(c)):
            return 'AdwPreferencesWindow’s search entry'
    return None


def unnamed_controls(window):
    """Visible controls of window without an accessible name, as
    (node, why it is the toolkit's or None), and how many controls the
    window has."""
    found = []
    n_controls = 0
    if safe_name(window) == 'GtkShortcutsWindow':
        own = 'GtkShortcutsWindow'
    else:
        own = None
    for n in walk(window):
        role = role_of(n)
        if role not in CONTROL_ROLES:
            continue
        n_controls += 1
        name = safe_name(n)
        if not is_empty_name(name):
            continue
        if any(not is_empty_name(x) for x in labelled_by_names(n)):
            continue
        if role in ROW_ROLES and name in GTK_ROW_NAMES and texts_under(n, 1):
            continue
        found.append((n, own or toolkit_own(n)))
    return found, n_controls


class Session:
    """One balcao on one database, with its AT-SPI application."""

    def __init__(self, balcao, balcao_ctl, shots, test_name, screen='1280x800x24'):
        self.balcao = balcao
        self.balcao_ctl = balcao_ctl
        self.shots = shots
        self.test_name = test_name
        self.xvfb = None
        self.start_xvfb(screen)
        self.env = dict(os.environ)
        for k in ('GTK_A11Y', 'NO_AT_BRIDGE', 'WAYLAND_DISPLAY'):
            self.env.pop(k, None)
        self.env.update({
            'GDK_BACKEND': 'x11',
            'GSK_RENDERER': 'cairo',
            'GSETTINGS_BACKEND': 'memory',
            # GTK and fontconfig keep memory at exit: no leak checking.
            'ASAN_OPTIONS': 'detect_leaks=0:abort_on_error=1:halt_on_error=1',
        })
        self.work = tempfile.mkdtemp(prefix='balcao-%s-' % test_name)
        self.db = os.path.join(self.work, 'balcao.db')
        self.proc = None
        self.app = None
        self.wid = None
        self.step = 0
        os.makedirs(shots, exist_ok=True)
        for f in os.listdir(shots):
            if f.startswith(test_name + '-') and f.endswith('.png'):
                os.unlink(os.path.join(shots, f))
        self.app_log = os.path.join(shots, '%s-app.log' % test_name)

    def start_xvfb(self, screen):
        """A private X server on a display it picks itself (-displayfd):
        no race for a display number with a server still going away, and
        never the desktop of the person running the tests."""
        r, w = os.pipe()
        self.xvfb = subprocess.Popen(['Xvfb', '-displayfd', str(w), '-screen', '0', screen,
                                      '-nolisten', 'tcp'],
                                     pass_fds=(w,), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        os.close(w)
        number = b''
        end = time.time() + 30
        while not number.endswith(b'\n') and time.time() < end:
            ready, _, _ = select.select([r], [], [], 1.0)
            if ready:
                chunk = os.read(r, 16)
                if not chunk:
                    break
                number += chunk
        os.close(r)
        if not number.strip().isdigit():
            fail('Xvfb did not start')
        os.environ['DISPLAY'] = ':' + number.decode().strip()
        log('Xvfb on %s' % os.environ['DISPLAY'])

    # --- the database ---
    def q(self, sql, *args):
        con = sqlite3.connect(self.db, timeout=10)
        try:
            rows = con.execute(sql, args).fetchall()
        finally:
            con.close()
        return rows

    def q1(self, sql, *args):
        rows = self.q(sql, *args)
        return rows[0][0] if rows else None

    def wait_for(self, sql, want, timeout=10.0):
        end = time.time() + timeout
        got = None
        while time.time() < end:
            got = self.q1(sql)
            if got == want:
                return
            time.sleep(0.1)
        fail('waited for [%s] = %r, got %r' % (sql, want, got))

    def make_demo_db(self):
        r = subprocess.run([self.balcao_ctl, '--database', self.db, 'demo-data',
                            '--products', '200', '--customers', '50', '--sales', '10'],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=self.env)
        if r.returncode != 0:
            fail('balcao-ctl demo-data failed: %s' % r.stderr.decode(errors='replace'))

    def pick_codes(self, n):
        return [r[0] for r in self.q(
            "SELECT b.code FROM product_barcodes b JOIN products p ON p.id = b.product_id"
            " WHERE p.weighed = 0 AND p.active = 1 AND length (b.code) = 13 AND b.code LIKE '789%'"
            " ORDER BY b.code LIMIT ?", n)]

    # --- the app ---
    def start(self):
        logf = open(self.app_log, 'w')
        self.proc = subprocess.Popen([self.balcao, '--database', self.db],
                                     stdout=logf, stderr=subprocess.STDOUT, env=self.env)
        logf.close()
        desktop = Atspi.get_desktop(0)
        end = time.time() + 60
        while time.time() < end and self.app is None:
            if self.proc.poll() is not None:
                fail('balcao exited with %d; see %s' % (self.proc.returncode, self.app_log))
            for a in children(desktop):
                try:
                    if a.get_process_id() == self.proc.pid:
                        self.app = a
                except Exception:
                    pass
            time.sleep(0.3)
        if self.app is None:
            fail('balcao did not show on the accessibility bus (is GTK_A11Y=none set?)')
        self.main_window(timeout=60)
        out = subprocess.run(['xdotool', 'search', '--sync', '--onlyvisible', '--pid',
                              str(self.proc.pid), '--name', '.'],
                             stdout=subprocess.PIPE, timeout=60).stdout.split()
        if not out:
            fail('no X window for balcao')
        self.wid = out[0].decode()
        log('window %s (pid %d)' % (self.wid, self.proc.pid))
        self.focus(self.wid)
        time.sleep(1)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            subprocess.run(['xdotool', 'key', '--clearmodifiers', 'ctrl+q'],
                           stderr=subprocess.DEVNULL)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        self.proc = None
        self.app = None

    def check_app_log(self):
        """Our own warnings and criticals are bugs; GTK's chatter is not ours."""
        pat = re.compile(r'\(balcao:[0-9]+\): balcao[-a-z]*-(WARNING|CRITICAL) \*\*')
        with open(self.app_log, errors='replace') as f:
            bad = [l for l in f if pat.search(l)]
        if bad:
            sys.stderr.write(''.join(bad))
            fail('balcao logged warnings (above); see %s' % self.app_log)

    def cleanup(self):
        self.stop()
        subprocess.run(['rm', '-rf', self.work])
        if self.xvfb is not None:
            self.xvfb.terminate()
            self.xvfb.wait()
            self.xvfb = None

    def refresh(self):
        """No event loop runs here to keep libatspi's cache up to date:
        forget it, and read the app again."""
        self.app.clear_cache()

    def windows(self):
        """The app's top-level windows that are shown."""
        self.refresh()
        return [w for w in children(self.app) if has_state(w, Atspi.StateType.VISIBLE)]

    def main_window(self, timeout=10):
        end = time.time() + timeout
        while time.time() < end:
            self.refresh()
            for w in children(self.app):
                if role_of(w) == Atspi.Role.FRAME and safe_name(w).startswith('Balcão'):
                    return w
            time.sleep(0.2)
        fail('the counter window is not on the accessibility bus')

    def dialogs(self):
        main = self.main_window()
        return [w for w in self.windows() if w != main]

    def wait_dialog(self, what='a dialog', timeout=10):
        """The window on top of the counter's (the newest)."""
        end = time.time() + timeout
        while time.time() < end:
            d = self.dialogs()
            if d:
                return d[-1]
            time.sleep(0.2)
        fail('%s did not appear' % what)

    def wait_no_dialog(self, timeout=10):
        end = time.time() + timeout
        while time.time() < end:
            if not self.dialogs():
                return True
            time.sleep(0.2)
        return False

    def focus(self, wid):
        for _ in range(50):
            if subprocess.run(['xdotool', 'windowfocus', '--sync', wid],
                              stderr=subprocess.DEVNULL, timeout=10).returncode == 0:
                return
            time.sleep(0.1)
        fail('could not give the keyboard to window %s' % wid)

    def key(self, *keys, pause=0.5):
        subprocess.run(['xdotool', 'key', '--clearmodifiers', '--delay', '150'] + list(keys), check=True)
        time.sleep(pause)

    def type(self, text, delay=90):
        subprocess.run(['xdotool', 'type', '--delay', str(delay), text], check=True)

    def scan(self, code):
        """A keyboard-wedge scanner: a fast burst, then Return."""
        subprocess.run(['xdotool', 'type', '--delay', '5', code], check=True)
        subprocess.run(['xdotool', 'key', '--delay', '5', 'Return'], check=True)
        time.sleep(0.6)

    def shot(self, what):
        self.step += 1
        path = os.path.join(self.shots, '%s-%02d-%s.png' % (self.test_name, self.step, what))
        if subprocess.run(['import', '-window', 'root', path],
                          stderr=subprocess.DEVNULL).returncode == 0:
            log('screenshot ' + path)
        return path

    # --- through the accessibility bus ---
    def find(self, root, role=None, name=None, timeout=10, exact=False):
        """The first visible accessible under root with that role whose name,
        read without mnemonic underscores, contains (or is) name."""
        want = norm(name) if name is not None else None
        roles = role if isinstance(role, (tuple, list, set)) else (role,)
        end = time.time() + timeout
        while True:
            self.refresh()
            for n in walk(root):
                if role is not None and role_of(n) not in roles:
                    continue
                if want is not None:
                    got = norm(safe_name(n))
                    if (got != want) if exact else (want not in got):
                        continue
                return n
            if time.time() >= end:
                return None
            time.sleep(0.2)

    def press(self, node):
        """Its first action (click, activate); a GtkMenuButton's lives on
        the button inside it."""
        for n in walk(node):
            try:
                if Atspi.Action.get_n_actions(n) > 0:
                    break
            except Exception:
                pass
        else:
            fail('%s has nothing to press' % safe_name(node))
        try:
            ok = Atspi.Action.do_action(n, 0)
        except Exception as e:
            fail('could not press %s: %s' % (safe_name(node), e))
        if not ok:
            fail('could not press %s' % safe_name(node))
        time.sleep(0.5)

    # --- people and the shift, as ui-lib.sh ---
    def sign_in(self, badge='CRACHA1001'):
        self.focus(self.wid)
        self.scan(badge)
        self.wait_for("SELECT (SELECT value FROM settings WHERE key = 'staff_id') ="
                      " (SELECT id FROM staff WHERE badge_code = '%s')" % badge, 1)
        time.sleep(0.5)

    def ensure_shift(self, type_the_total='Type the Total', amount='150,00'):
        """Opens a shift with a typed float; the toggle's label is given
        (translated) because its mnemonic changes with the language."""
        if self.q1("SELECT count(*) FROM shifts WHERE status = 'open'") == 1:
            return
        self.key('ctrl+shift+n')
        dialog = self.wait_dialog('the shift dialog')
        toggle = self.find(dialog, BUTTON_ROLES, type_the_total)
        if toggle is None:
            fail('no %r button in the shift dialog' % type_the_total)
        self.press(toggle)
        self.type(amount)
        self.key('Return')
        self.wait_for("SELECT count(*) FROM shifts WHERE status = 'open'", 1)
        time.sleep(0.8)
