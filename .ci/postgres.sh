#!/usr/bin/env bash
# Starts a PostgreSQL server for the postgres backend's tests and prints a connection string for them
# (the caller exports it as LOCKSMITH_TEST_PG). Installs and starts Debian's PostgreSQL when none is
# running; creates a password-authenticated role and a database (idempotent). Prints nothing and exits 0
# when that cannot be done (not root, no apt), so the tests skip with the reason instead of failing CI setup.
# Usage: export LOCKSMITH_TEST_PG="$(bash .ci/postgres.sh)"
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
echo "postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DB"
