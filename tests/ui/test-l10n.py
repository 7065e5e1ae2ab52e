#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The counter in Brazilian Portuguese, read through the accessibility bus.

The real balcao under its own Xvfb and dbus-run-session with LANG=pt_BR.UTF-8 and
LANGUAGE=pt_BR, its translations from the build (BALCAO_LOCALEDIR =
<build>/po, where meson puts pt_BR/LC_MESSAGES/balcao.mo). When the
system has no pt_BR.UTF-8 locale (scripts/install-deps.sh generates it),
the test builds one with localedef in its own folder (LOCPATH); without
the locale sources it falls back to C.UTF-8 with LANGUAGE=pt_BR, which
translates the messages but not the C library's dates.

It checks, with the expected words read from the same balcao.mo:
- the locked screen, the no-shift page, the shift dialog, the sale page,
  its tabs, buttons and entry, the payment dialog, History, Pickups are
  in Portuguese: named controls and labels that are English msgids with a
  different pt_BR translation fail the test;
- money shows as "R$ 1.234,56" (comma decimals, dot thousands);
- with a real pt_BR locale, the X report's opening date is dd/mm/yyyy.
A screenshot of every page and dialog goes to SHOTS_DIR (ui-l10n-*.png).

  test-l10n.py BALCAO BALCAO_CTL SHOTS_DIR PO_BUILD_DIR PICKUP_SEED
"""

import gettext
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ui_atspi as U  # noqa: E402
from ui_atspi import Atspi, log, fail  # noqa: E402

BALCAO, BALCAO_CTL, SHOTS, PO_DIR, PICKUP_SEED = sys.argv[1:6]

try:
    T = gettext.translation('balcao', localedir=PO_DIR, languages=['pt_BR'])
except OSError as e:
    fail('no pt_BR translations in %s (is the build done?): %s' % (PO_DIR, e))
_ = T.gettext

# English msgid (as read: no mnemonic underscore) -> pt_BR, for the
# msgids whose translation differs: seeing one of these msgids on screen
# means an untranslated string.
ENGLISH = {}
for msgid, msgstr in T._catalog.items():
    if isinstance(msgid, tuple):        # plural forms: (msgid, n)
        continue
    if not msgid or not msgstr:
        continue
    a, b = U.norm(msgid), U.norm(msgstr)
    if a != b and len(a) > 2:
        ENGLISH[a] = b

MONEY = re.compile(r'^-?R\$[\s\u00a0\u202f]\d{1,3}(\.\d{3})*,\d{2}$')


def pt_locale(work):
    """The environment for a pt_BR.UTF-8 session, and whether the C
    library has the locale (dates follow it only then)."""
    env = {'LANGUAGE': 'pt_BR'}
    have = subprocess.run(['locale', '-a'], stdout=subprocess.PIPE,
                          universal_newlines=True).stdout.split()
    if any(x.lower() in ('pt_br.utf8', 'pt_br.utf-8') for x in have):
        env['LANG'] = 'pt_BR.UTF-8'
        log('locale pt_BR.UTF-8 from the system')
        return env, True
    locpath = os.path.join(work, 'locale')
    os.makedirs(locpath, exist_ok=True)
    r = subprocess.run(['localedef', '-i', 'pt_BR', '-f', 'UTF-8',
                        os.path.join(locpath, 'pt_BR.UTF-8')],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if r.returncode == 0:
        env['LANG'] = 'pt_BR.UTF-8'
        env['LOCPATH'] = locpath
        log('locale pt_BR.UTF-8 built with localedef in %s' % locpath)
        return env, True
    log('no pt_BR.UTF-8 locale (%s): C.UTF-8 with LANGUAGE=pt_BR'
        % r.stderr.decode(errors='replace').strip())
    env['LANG'] = 'C.UTF-8'
    return env, False


S = U.Session(BALCAO, BALCAO_CTL, SHOTS, 'ui-l10n')
leftovers = {}    # English text -> [states]
money_seen = []


def look(state, windows=None, main=True):
    """A screenshot; every name and label of the windows read for
    English leftovers and money."""
    S.shot(state)
    if windows is None:
        windows = S.windows() if main else S.dialogs()
    for w in windows:
        for n in U.walk(w):
            name = U.safe_name(n)
            if U.is_empty_name(name):
                continue
            text = U.norm(name)
            if text in ENGLISH:
                leftovers.setdefault('%s %r (pt_BR: %r)' % (n.get_role_name(), text, ENGLISH[text]),
                                     []).append(state)
            if 'R$' in text and U.role_of(n) == Atspi.Role.LABEL:
                money_seen.append(text)


def expect(root, role, msgid, state):
    """A control or label named with the pt_BR translation of msgid."""
    want = _(msgid)
    node = S.find(root, role, want, timeout=5)
    if node is None:
        fail('%s: nothing named %r (%r in pt_BR)' % (state, msgid, want))
    return node


def main():
    env, real_locale = pt_locale(S.work)
    # LANG alone decides: nothing from the caller's environment overrides it.
    for k in [k for k in S.env if k.startswith('LC_')]:
        del S.env[k]
    S.env.update(env)
    S.env['BALCAO_LOCALEDIR'] = PO_DIR
    S.make_demo_db()
    codes = S.pick_codes(2)
    if len(codes) < 2:
        fail('no barcodes in the demo database')

    S.start()
    main_w = S.main_window()
    # The locked screen
    expect(main_w, Atspi.Role.LABEL,
           'Who is at the counter? Choose your name, then type your PIN, or scan your badge.', 'locked')
    look('locked')

    S.sign_in('CRACHA1001')
    expect(main_w, Atspi.Role.LABEL, 'No Shift Is Open', 'no-shift')
    look('no-shift')

    # The shift dialog, by its Portuguese button
    S.key('ctrl+shift+n')
    dialog = S.wait_dialog('the shift dialog')
    toggle = expect(dialog, U.BUTTON_ROLES, 'Type the _Total', 'open-shift')
    look('open-shift', main=False)
    S.press(toggle)
    S.type('150,00')
    S.key('Return')
    S.wait_for("SELECT count(*) FROM shifts WHERE status = 'open'", 1)
    S.wait_no_dialog()
    S.focus(S.wid)
    time.sleep(0.8)

    # The sale page: tabs, entry, buttons
    for msgid in ('Sale', 'History', 'Pickups'):
        expect(main_w, Atspi.Role.PAGE_TAB, msgid, 'sale')
    expect(main_w, (Atspi.Role.ENTRY, Atspi.Role.TEXT), 'Product code or search', 'sale')
    for msgid in ('Pay · F12', 'Park · F8', 'Resume · F9', 'Quantity · F4', 'Cancel sale'):
        expect(main_w, Atspi.Role.PUSH_BUTTON, msgid, 'sale')
    expect(main_w, Atspi.Role.LABEL, 'Ready for the next customer', 'sale')
    look('sale-empty')

    S.scan(codes[0])
    S.scan(codes[1])
    time.sleep(0.5)
    look('sale-items')
    total = S.q1("SELECT sum ((SELECT amount FROM prices r WHERE r.product_id = b.product_id"
                 " AND r.price_list = 'retail' ORDER BY r.valid_from DESC LIMIT 1))"
                 " FROM product_barcodes b WHERE b.code IN (?, ?)", codes[0], codes[1])
    want_total = 'R$ %s,%02d' % ('{:,}'.format(total // 100).replace(',', '.'), total % 100)
    if not any(U.norm(m) == want_total or m.replace('\u00a0', ' ') == want_total for m in money_seen):
        fail('the total %s is not on the sale page (money seen: %s)' % (want_total, sorted(set(money_seen))))
    bad = sorted({m for m in money_seen if not MONEY.match(m)})
    # "Paid R$ 10,00 · Due R$ 23,68" and the like hold money inside
    # words: check each amount in them.
    for m in list(bad):
        amounts = re.findall(r'R\$[\s\u00a0\u202f][\d.,]+', m)
        if amounts and all(MONEY.match(a.rstrip('.,')) for a in amounts):
            bad.remove(m)
    if bad:
        fail('money not in the pt_BR form R$ 1.234,56: %s' % bad)
    log('money: %s' % ', '.join(sorted(set(money_seen))[:6]))

    # Payment, and the sale complete
    S.key('F12', pause=1.0)
    payment = S.wait_dialog('the payment dialog')
    expect(payment, Atspi.Role.LABEL, 'Amount due', 'payment')
    look('payment', main=False)
    S.key('Return', pause=1.0)      # the due, in cash
    S.key('Return', pause=1.0)      # finish
    S.wait_for("SELECT count(*) FROM sales WHERE shift_id = (SELECT id FROM shifts WHERE status = 'open')", 1)
    time.sleep(1.0)
    expect(S.wait_dialog('the payment dialog'), Atspi.Role.LABEL, 'Sale complete', 'sale-complete')
    look('sale-complete', main=False)
    S.key('Return', pause=1.0)
    S.wait_no_dialog()
    S.focus(S.wid)

    # History with the sale open
    sale_id = S.q1("SELECT id FROM sales WHERE shift_id = (SELECT id FROM shifts WHERE status = 'open')"
                   " ORDER BY created_at DESC LIMIT 1")
    S.key('ctrl+2', pause=1.0)
    look('history')
    S.key('ctrl+f')
    S.scan('BALCAO:SALE:%s' % sale_id)
    time.sleep(1.5)
    expect(main_w, U.BUTTON_ROLES, 'Re_print', 'history-sale')
    look('history-sale')

    # Pickups, with an order open
    seed_pickups()
    S.key('ctrl+3', pause=1.0)
    S.key('F5', pause=1.0)
    look('pickups')
    S.key('ctrl+f')
    S.type('1043')
    S.key('Return', pause=1.5)
    look('pickup-order')

    # Customers (Ctrl+4)
    S.key('ctrl+4', pause=1.0)
    look('customers')
    S.key('ctrl+1', pause=1.0)

    # The X report: its date in the locale's form
    S.key('ctrl+shift+x', pause=1.5)
    report = S.wait_dialog('the X report')
    look('x-report', main=False)
    if real_locale:
        line = S.find(report, Atspi.Role.LABEL, _('X report'), timeout=5)
        dated = [U.safe_name(n) for n in U.walk(report)
                 if U.role_of(n) == Atspi.Role.LABEL and re.search(r'\b\d{2}/\d{2}/\d{4}\b', U.safe_name(n))]
        if line is None or not dated:
            fail('the X report has no date in the pt_BR form dd/mm/aaaa')
        log('X report: %s' % dated[0])
    S.key('Escape')
    S.wait_no_dialog()
    S.focus(S.wid)

    # Preferences, as the manager: every page
    S.key('ctrl+l', pause=1.0)
    S.sign_in('CRACHA3001')
    S.key('ctrl+comma', pause=1.5)
    prefs = S.wait_dialog('Preferences')
    tabs = {}
    for t in U.walk(prefs):
        if U.role_of(t) == Atspi.Role.PAGE_TAB:
            tabs.setdefault(U.safe_name(t), t)
    for name, t in tabs.items():
        S.press(t)
        time.sleep(1.0)
        look('preferences-%s' % U.norm(name).lower().replace(' ', '-'), main=False)
    S.key('Escape')
    S.wait_no_dialog()

    S.stop()
    S.check_app_log()

    if leftovers:
        print('%d English strings on the pt_BR screens:' % len(leftovers))
        for d, st in sorted(leftovers.items()):
            print('  %s  [in: %s]' % (d, ', '.join(sorted(set(st)))))
        fail('%d strings are not in Portuguese' % len(leftovers))
    print('# the counter speaks Portuguese; screenshots in %s' % SHOTS)


def seed_pickups():
    now = int(time.time() * 1000)
    rows = S.q("SELECT p.sku, p.name FROM products p JOIN product_barcodes b ON b.product_id = p.id"
               " WHERE p.weighed = 0 AND p.active = 1 AND length (b.code) = 13 AND b.code LIKE '789%'"
               " GROUP BY p.id ORDER BY p.sku LIMIT 2")
    lines = [{'line_no': i + 1, 'sku': r[0], 'name': r[1], 'quantity': 1000, 'picked_quantity': 0,
              'collected_quantity': 0, 'unit_price': 1295} for i, r in enumerate(rows)]
    order = {'id': 'o-1043', 'number': '1043', 'customer_id': None, 'customer_name': 'João Lima',
             'customer_phone': '(11) 9****-1234', 'channel': 'app', 'state': 'PLACED', 'version': 1,
             'paid': True, 'total': 2590, 'currency': 'BRL', 'pickup_code': '483920',
             'shelf_location': None, 'notes': None, 'placed_at': now - 900000, 'ready_at': None,
             'updated_at': now - 60000, 'lines': lines}
    path = os.path.join(S.work, 'orders.json')
    with open(path, 'w') as f:
        json.dump([order], f)
    if subprocess.run([PICKUP_SEED, S.db, path], stdout=subprocess.DEVNULL, env=S.env).returncode != 0:
        fail('pickup-seed failed')


try:
    main()
finally:
    S.cleanup()
