#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A throwaway PostgreSQL cluster for balcao-central's tests and demos.
#
#   central-sandbox.sh start DIR   initdb + start (Unix socket only, in DIR/sock)
#                                  + createdb balcao; prints the conninfo
#   central-sandbox.sh stop DIR    stop the cluster (DIR stays; remove it yourself)
#
# DIR must be reachable by the postgres user when run as root (the recipe in
# shared/recipes.md: initdb refuses to run as root).
set -euo pipefail

cmd=${1:-}
dir=${2:-}
if [[ -z $cmd || -z $dir ]]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi

pgbin=${PG_BIN:-}
if [[ -z $pgbin ]]; then
  if command -v pg_config > /dev/null 2>&1 && [[ -x "$(pg_config --bindir)/initdb" ]]; then
    pgbin=$(pg_config --bindir)
  else
    pgbin=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -n 1)
  fi
fi
if [[ ! -x $pgbin/initdb ]]; then
  echo "central-sandbox: PostgreSQL server binaries not found (install postgresql)" >&2
  exit 1
fi

port=${PG_PORT:-54329}

as_pg () {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case $cmd in
  start)
    mkdir -p "$dir/pg/sock"
    chmod 0755 "$dir"
    if [[ $(id -u) -eq 0 ]]; then
      chown -R postgres: "$dir/pg"
    fi
    as_pg "$pgbin/initdb" -D "$dir/pg/data" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 \
      > "$dir/pg/initdb.log" 2>&1 || { cat "$dir/pg/initdb.log" >&2; exit 1; }
    as_pg "$pgbin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/log" -w -t 60 \
      -o "-k $dir/pg/sock -p $port -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start > /dev/null || { cat "$dir/pg/log" >&2; exit 1; }
    as_pg "$pgbin/createdb" -h "$dir/pg/sock" -p "$port" -U postgres balcao
    echo "host=$dir/pg/sock port=$port dbname=balcao user=postgres"
    ;;
  stop)
    if [[ -f $dir/pg/data/postmaster.pid ]]; then
      as_pg "$pgbin/pg_ctl" -D "$dir/pg/data" -m fast -w -t 60 stop > /dev/null
    fi
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
