#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: loopback only, a temporary data directory,
# trust authentication for the superuser `archlint`, stopped and deleted by `stop`.
#
#   eval "$(bash scripts/postgres.sh start)"   # exports ARCHLINT_TEST_DATABASE_URL, ARCHLINT_PG_DIR
#   bash scripts/postgres.sh stop "$ARCHLINT_PG_DIR"
#
# Installs Debian's postgresql when its binaries are missing.
set -euo pipefail

bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return; }
  done
  return 1
}

as_owner() {
  # PostgreSQL refuses to run as root: run its tools as the cluster's owner.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    if ! BIN="$(bindir)"; then
      echo "== installing postgresql (apt-get)" >&2
      SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
      export DEBIAN_FRONTEND=noninteractive
      $SUDO apt-get install -y --no-install-recommends postgresql >/dev/null 2>&1 \
        || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y --no-install-recommends postgresql >/dev/null; }
      # Debian starts a system cluster on install; the tests use their own.
      $SUDO service postgresql stop >/dev/null 2>&1 || true
      BIN="$(bindir)"
    fi
    DIR="$(mktemp -d /tmp/archlint-pg.XXXXXX)"
    chmod 700 "$DIR"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$DIR"
    PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    as_owner "$BIN/initdb" -D "$DIR/data" -U archlint --auth=trust --encoding=UTF8 --no-sync >"$DIR/initdb.log" 2>&1 \
      || { cat "$DIR/initdb.log" >&2; exit 1; }
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null || { cat "$DIR/server.log" >&2; exit 1; }
    echo "export ARCHLINT_PG_DIR=$DIR"
    echo "export ARCHLINT_TEST_DATABASE_URL=postgres://archlint@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    DIR="${2:?usage: postgres.sh stop DIR}"
    BIN="$(bindir)"
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$DIR"
    ;;
  *)
    echo "usage: postgres.sh start | stop DIR" >&2
    exit 2
    ;;
esac
