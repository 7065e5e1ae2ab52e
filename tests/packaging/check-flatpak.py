#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks packaging/flatpak/br.balcao.Balcao.json without building it (the
runtime cannot be downloaded here): it is JSON, its id is meson.build's
APPLICATION_ID and the desktop file, metadata, icon and schema carry it, its
runtime has GTK >= 4.8 and libadwaita >= 1.2, it asks for what Balcão needs
(display, USB scanners, CUPS, the network to the central), every local
source exists, every download is pinned by sha256, and the options given to
meson exist.

    check-flatpak.py SOURCE_DIR

Prints TAP."""

import json
import re
import sys
from pathlib import Path

source = Path(sys.argv[1])
manifest_path = source / 'packaging' / 'flatpak' / 'br.balcao.Balcao.json'
results = []


def check(description, condition, detail=''):
    results.append((bool(condition), description, detail))


def finish():
    for number, (passed, description, detail) in enumerate(results, 1):
        print(f"{'ok' if passed else 'not ok'} {number} - {description}")
        if not passed and detail:
            for line in detail.splitlines():
                print(f'# {line}')
    print(f'1..{len(results)}')
    sys.exit(0 if all(passed for passed, _, _ in results) else 1)


try:
    manifest = json.loads(manifest_path.read_text(encoding='utf-8'))
except (OSError, ValueError) as e:
    check('the manifest is JSON', False, str(e))
    finish()
check('the manifest is JSON', isinstance(manifest, dict))

meson_build = (source / 'meson.build').read_text(encoding='utf-8')
m = re.search(r"set_quoted\('APPLICATION_ID',\s*'([^']+)'\)", meson_build)
app_id = m.group(1) if m else None
check("its id is meson.build's APPLICATION_ID",
      app_id is not None and manifest.get('id') == app_id,
      f"manifest: {manifest.get('id')!r}, meson.build: {app_id!r}")
check('the file is named after the id',
      manifest_path.name == f"{manifest.get('id')}.json")

data = source / 'data'
desktop = data / f'{app_id}.desktop.in'
metainfo = data / f'{app_id}.metainfo.xml.in'
icon = data / 'icons' / 'hicolor' / 'scalable' / 'apps' / f'{app_id}.svg'
schema = data / f'{app_id}.gschema.xml'
check('data/ has the desktop file, metadata, icon and schema named after the id',
      desktop.is_file() and metainfo.is_file() and icon.is_file() and schema.is_file(),
      '\n'.join(str(p) for p in (desktop, metainfo, icon, schema) if not p.is_file()))
if desktop.is_file():
    text = desktop.read_text(encoding='utf-8')
    exec_line = re.search(r'^Exec=(\S+)', text, re.M)
    check('the desktop file: Icon is the id, Exec is the manifest\'s command',
          re.search(rf'^Icon={re.escape(app_id)}$', text, re.M) and exec_line
          and exec_line.group(1) == manifest.get('command'),
          f"command {manifest.get('command')!r}")
if metainfo.is_file():
    text = metainfo.read_text(encoding='utf-8')
    launchable = re.search(r'<launchable type="desktop-id">([^<]+)</launchable>', text)
    check('the metadata: <id> is the id, the launchable is the desktop file',
          f'<id>{app_id}</id>' in text
          and (launchable is None or launchable.group(1) == f'{app_id}.desktop'))
if schema.is_file():
    text = schema.read_text(encoding='utf-8')
    check('the GSettings schema id is the id',
          f'<schema id="{app_id}"' in text)

app_meson = (source / 'src' / 'app' / 'meson.build').read_text(encoding='utf-8')
check('the command is the executable src/app builds',
      re.search(rf"executable\('{re.escape(str(manifest.get('command')))}'", app_meson))

# GNOME 43 is the first with GTK 4.8 and libadwaita 1.2 (Debian 12's).
version = str(manifest.get('runtime-version', ''))
check('runtime: org.gnome.Platform >= 43 with org.gnome.Sdk',
      manifest.get('runtime') == 'org.gnome.Platform'
      and manifest.get('sdk') == 'org.gnome.Sdk'
      and version.isdigit() and int(version) >= 43,
      f"{manifest.get('runtime')}//{version}, sdk {manifest.get('sdk')}")

needed = ['--share=ipc', '--socket=wayland', '--socket=fallback-x11',
          '--device=all', '--share=network', '--socket=cups']
finish_args = manifest.get('finish-args', [])
check('finish-args: display, USB scanners, CUPS, the network',
      all(arg in finish_args for arg in needed),
      'missing: ' + ' '.join(a for a in needed if a not in finish_args))

modules = manifest.get('modules', [])
manifest_dir = manifest_path.parent
for module in modules:
    if not isinstance(module, dict):
        check(f'module {module!r} is inline', False)
        continue
    name = module.get('name')
    problems = []
    for src in module.get('sources', []):
        kind = src.get('type')
        if 'path' in src:
            path = (manifest_dir / src['path']).resolve()
            if not path.exists():
                problems.append(f'{kind} source {src["path"]} -> {path} does not exist')
        if 'url' in src:
            if not src['url'].startswith('https://'):
                problems.append(f'{src["url"]} is not https')
            if kind in ('archive', 'file') and not re.fullmatch(r'[0-9a-f]{64}', src.get('sha256', '')):
                problems.append(f'{src["url"]} has no sha256')
        if kind not in ('archive', 'file', 'dir', 'git', 'patch', 'script', 'shell'):
            problems.append(f'unknown source type {kind!r}')
    check(f'module {name}: every local source exists, every download is pinned',
          module.get('sources') and not problems, '\n'.join(problems))

last = modules[-1] if modules and isinstance(modules[-1], dict) else {}
options = (source / 'meson_options.txt').read_text(encoding='utf-8')
declared = set(re.findall(r"option\('([^']+)'", options))
builtin = {'werror', 'buildtype', 'b_sanitize', 'b_lto', 'warning_level', 'default_library'}
given = [re.match(r'-D([^=]+)=', opt).group(1) for opt in last.get('config-opts', [])
         if re.match(r'-D([^=]+)=', opt)]
check('the last module builds this tree with meson, without the test suite',
      last.get('buildsystem') == 'meson'
      and any(s.get('type') == 'dir' and (manifest_dir / s.get('path', '')).resolve() == source.resolve()
              for s in last.get('sources', []))
      and '-Dtests=false' in last.get('config-opts', []))
check("the meson options it gives exist",
      all(o in declared or o in builtin for o in given),
      'unknown: ' + ' '.join(o for o in given if o not in declared and o not in builtin))

finish()
