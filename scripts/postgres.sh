#!/usr/bin/env bash
# A throw-away PostgreSQL cluster on a loopback port, for the decision log's tests and for a
# developer trying `regula serve --db postgres://…` (Docs/decision-log.md).
#
#   scripts/postgres.sh start     create the cluster if needed, start it, print its address
#   scripts/postgres.sh stop      stop it (fast)
#   scripts/postgres.sh restart   stop it at once (immediate, as a crash would) and start it
#   scripts/postgres.sh url       print its address
#   scripts/postgres.sh destroy   stop it and delete its files
#
# REGULA_PG_DIR (default /tmp/regula-postgres) holds it and REGULA_PG_PORT (default 55432) is its
# port. It listens on 127.0.0.1 only and trusts every local connection: never use it for data
# that matters. Run as root, it runs the server as the `postgres` user Debian's package
# creates, since PostgreSQL refuses to run as root.
set -euo pipefail

dir="${REGULA_PG_DIR:-/tmp/regula-postgres}"
port="${REGULA_PG_PORT:-55432}"
url="postgres://postgres@127.0.0.1:${port}/postgres"

bin=""
for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  if [ -x "$candidate/pg_ctl" ]; then bin="$candidate"; break; fi
done
if [ -z "$bin" ]; then
  if command -v pg_ctl >/dev/null 2>&1; then bin="$(dirname "$(command -v pg_ctl)")"; else
    echo "postgres.sh: PostgreSQL's server is not installed (Debian: apt-get install postgresql)" >&2
    exit 1
  fi
fi

# Runs a server program as an unprivileged user.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_ctl() {
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 "$@" >/dev/null
}

create() {
  [ -f "$dir/data/PG_VERSION" ] && return
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
  as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 >/dev/null
  cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
fsync = on
EOF
}

running() { as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; }

case "${1:-}" in
  start)
    create
    running || pg_ctl start
    echo "$url"
    ;;
  stop)
    if running; then pg_ctl stop -m fast; fi
    ;;
  restart)
    if running; then pg_ctl stop -m immediate; fi
    pg_ctl start
    ;;
  url)
    echo "$url"
    ;;
  destroy)
    if [ -f "$dir/data/PG_VERSION" ] && running; then pg_ctl stop -m immediate; fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: scripts/postgres.sh start|stop|restart|url|destroy" >&2
    exit 64
    ;;
esac
