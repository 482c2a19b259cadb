#!/usr/bin/env bash
# Starts a PostgreSQL server for the postgres backend's tests and prints shell exports of its connection
# strings: LOCKSMITH_TEST_PG (direct) and LOCKSMITH_TEST_PGBOUNCER (through a transaction-mode PgBouncer).
# Installs and starts Debian's PostgreSQL when none is running; creates a password-authenticated role and
# a database (idempotent). Prints nothing and exits 0 when that cannot be done (not root), so the tests
# skip with the reason.
# Usage: eval "$(bash .ci/postgres.sh)"
set -euo pipefail

ROLE=locksmith
PASSWORD=locksmith-test
DB=locksmith_test
PORT=${LOCKSMITH_PG_PORT:-5432}

say() { echo "ci/postgres: $*" >&2; }

if [ "$(id -u)" != 0 ]; then
  say "not root: cannot install or start PostgreSQL; its tests will skip"
  exit 0
fi
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
# Debian keeps one cluster per major version; create one if the package left none, then start it.
if [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  pg_createcluster "$version" main >/dev/null
fi
read -r version cluster port status _ < <(pg_lsclusters -h | head -1)
if [ "$status" != online ]; then
  pg_ctlcluster "$version" "$cluster" start >&2
fi
PORT=$port
psql_as_postgres() { su postgres -c "psql -p $PORT -v ON_ERROR_STOP=1 -qtAX $*"; }
for _ in $(seq 1 50); do
  psql_as_postgres "-c 'select 1'" >/dev/null 2>&1 && break
  sleep 0.2
done
if [ "$(psql_as_postgres "-c \"select 1 from pg_roles where rolname = '$ROLE'\"")" != 1 ]; then
  psql_as_postgres "-c \"create role $ROLE login password '$PASSWORD'\"" >/dev/null
fi
if [ "$(psql_as_postgres "-c \"select 1 from pg_database where datname = '$DB'\"")" != 1 ]; then
  psql_as_postgres "-c \"create database $DB owner $ROLE\"" >/dev/null
fi
URL="postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DB"
echo "export LOCKSMITH_TEST_PG='$URL'"

# A PgBouncer in transaction mode in front of it, for the test that such a pooler is refused clearly.
BOUNCER_PORT=6433
if ! command -v pgbouncer >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null || {
    say "cannot install pgbouncer; the pooler test will skip"
    exit 0
  }
fi
conf=/etc/pgbouncer/locksmith-test.ini
if ! pg_isready -q -h 127.0.0.1 -p "$BOUNCER_PORT" -U "$ROLE" -d "$DB" 2>/dev/null; then
  echo "\"$ROLE\" \"$PASSWORD\"" >/etc/pgbouncer/locksmith-test-users.txt
  cat >"$conf" <<INI
[databases]
$DB = host=127.0.0.1 port=$PORT dbname=$DB
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER_PORT
unix_socket_dir =
auth_type = scram-sha-256
auth_file = /etc/pgbouncer/locksmith-test-users.txt
pool_mode = transaction
default_pool_size = 4
pidfile = /tmp/locksmith-test-pgbouncer.pid
logfile = /tmp/locksmith-test-pgbouncer.log
INI
  chown postgres /etc/pgbouncer/locksmith-test-users.txt "$conf"
  chmod 600 /etc/pgbouncer/locksmith-test-users.txt
  su postgres -s /bin/sh -c "pgbouncer -d $conf" >&2
  for _ in $(seq 1 50); do
    pg_isready -q -h 127.0.0.1 -p "$BOUNCER_PORT" -U "$ROLE" -d "$DB" && break
    sleep 0.1
  done
fi
echo "export LOCKSMITH_TEST_PGBOUNCER='postgres://$ROLE:$PASSWORD@127.0.0.1:$BOUNCER_PORT/$DB'"
