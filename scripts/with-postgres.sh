#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL server: a new cluster in a temp
# directory, listening on 127.0.0.1 on a free port, stopped and removed when the
# command ends (however it ends). The command gets:
#   PAYCTL_TEST_PG_URL   postgres://postgres@127.0.0.1:<port>/payctl_test
#   PAYCTL_TEST_PG_DATA  the cluster's data directory
#   PAYCTL_TEST_PG_BIN   the directory of pg_ctl (tests stop and start the server)
#   PAYCTL_TEST_PG_USER  the OS user the server runs as (PostgreSQL refuses root)
#
#   scripts/with-postgres.sh npx vitest run test/store       (npm run test:pg runs the store tests)
#
# Debian's server is installed (apt-get) when no initdb is found and
# PAYCTL_PG_INSTALL=1 or CI is set; on a developer machine without it this
# says how to install it and exits 1.
set -euo pipefail

find_pg_bin() {
  local d
  if command -v initdb >/dev/null 2>&1; then dirname "$(readlink -f "$(command -v initdb)")"; return 0; fi
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  done
  return 1
}

if ! PG_BIN=$(find_pg_bin); then
  if [ -n "${CI:-}" ] || [ "${PAYCTL_PG_INSTALL:-}" = 1 ]; then
    echo "with-postgres: no initdb; installing Debian's postgresql" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
    PG_BIN=$(find_pg_bin)
  else
    echo "with-postgres: no PostgreSQL server here (initdb not found); install it (Debian: apt-get install postgresql) or run with PAYCTL_PG_INSTALL=1" >&2
    exit 1
  fi
fi

# PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user
RUN_AS=$(id -un)
as_pg() { "$@"; }
if [ "$(id -u)" = 0 ]; then
  RUN_AS=postgres
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  as_pg() { runuser -u postgres -- "$@"; }
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/payctl-pg.XXXXXX")
chmod 755 "$TMP"
[ "$RUN_AS" = postgres ] && [ "$(id -u)" = 0 ] && chown postgres "$TMP"
DATA="$TMP/data"
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')

stop() {
  as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap stop EXIT
trap 'exit 130' INT TERM

as_pg "$PG_BIN/initdb" -D "$DATA" -U postgres -A trust --no-sync >"$TMP/initdb.log" 2>&1 || { cat "$TMP/initdb.log" >&2; exit 1; }
# in the cluster's own config, so that a test stopping and starting it (pg_ctl) gets the same server
printf "listen_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = '%s'\nmax_connections = 200\n" "$PORT" "$TMP" | as_pg tee -a "$DATA/postgresql.conf" >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$TMP/server.log" -w start >/dev/null \
  || { cat "$TMP/server.log" >&2; exit 1; }
as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres payctl_test

export PAYCTL_TEST_PG_URL="postgres://postgres@127.0.0.1:$PORT/payctl_test"
export PAYCTL_TEST_PG_DATA="$DATA"
export PAYCTL_TEST_PG_BIN="$PG_BIN"
export PAYCTL_TEST_PG_USER="$RUN_AS"
echo "with-postgres: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT (data in $DATA)" >&2
set +e
"$@"
rc=$?
exit $rc
