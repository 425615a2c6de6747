#!/usr/bin/env bash
# Brings up the local PostgreSQL for `make run` and `make test` and prints a DATABASE_URL on
# stdout (messages go to stderr). With DATABASE_URL already set it only echoes it: the operator
# chose the database. Otherwise it installs Debian's postgresql when missing (as root), starts
# the first cluster when it is down, and creates the project's role and database. It works with
# a stock Debian cluster (peer auth on the socket, password over TCP) and with a trust-auth one,
# because it only ever uses the socket as the postgres OS user and TCP with a password.
set -euo pipefail

role=${SECONDCHANCE_DB_ROLE:-secondchance}
password=${SECONDCHANCE_DB_PASSWORD:-secondchance}
dbname=${SECONDCHANCE_DB_NAME:-secondchance}

say() { echo "local-postgres: $*" >&2; }
die() { echo "local-postgres: $*" >&2; exit 1; }

if [ -n "${DATABASE_URL:-}" ]; then
  echo "$DATABASE_URL"
  exit 0
fi

if ! command -v pg_lsclusters >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    die "PostgreSQL is not installed. Install it (sudo apt-get install -y postgresql) or set DATABASE_URL=postgres://user:pass@host:5432/db?sslmode=disable"
  fi
  say "installing Debian's postgresql (apt-get) ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || die "apt-get update failed; install postgresql by hand or set DATABASE_URL"
  apt-get install -y -qq postgresql >&2 || die "apt-get install postgresql failed; install it by hand or set DATABASE_URL"
fi

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; return; fi
  if [ "$(id -u)" -ne 0 ]; then
    die "need root (or the postgres user) to start the cluster and create the role; run as root, or create role '$role' with CREATEDB yourself and set DATABASE_URL"
  fi
  runuser -u postgres -- "$@"
}

# The first cluster pg_lsclusters lists; create one when the package left none.
read -r version cluster port status _ < <(pg_lsclusters --no-header | head -n 1) || true
if [ -z "${version:-}" ]; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  say "no cluster found; creating $version/main"
  pg_createcluster "$version" main >&2 || die "pg_createcluster $version main failed"
  read -r version cluster port status _ < <(pg_lsclusters --no-header | head -n 1)
fi
if [ "$status" != online ]; then
  say "starting cluster $version/$cluster on port $port"
  pg_ctlcluster "$version" "$cluster" start >&2 ||
    die "could not start the cluster: see /var/log/postgresql/postgresql-$version-$cluster.log"
fi

psql_admin() { as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres "$@"; }
for _ in $(seq 1 30); do psql_admin -tAc 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.5; done
psql_admin -tAc 'SELECT 1' >/dev/null || die "cluster $version/$cluster does not accept connections on the socket as postgres"

# The role gets CREATEDB because the tests give every test a database of its own.
psql_admin >&2 <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$role') THEN
    CREATE ROLE "$role" LOGIN CREATEDB PASSWORD '$password';
  ELSE
    ALTER ROLE "$role" LOGIN CREATEDB PASSWORD '$password';
  END IF;
END
\$\$;
SQL
if [ -z "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$dbname'")" ]; then
  psql_admin -c "CREATE DATABASE \"$dbname\" OWNER \"$role\"" >&2
else
  # An existing database may be another project's: say which one is used, and refuse one that
  # holds tables but not our migrations' bookkeeping, rather than serve someone else's data.
  tables=$(psql_admin -d "$dbname" -tAc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
  ours=$(psql_admin -d "$dbname" -tAc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = 'goose_db_version'")
  if [ "$tables" -gt 0 ] && [ "$ours" -eq 0 ]; then
    die "database '$dbname' on port $port holds $tables table(s) that are not Second Chance's. Use another database: SECONDCHANCE_DB_NAME=secondchance_demo make run (or set DATABASE_URL)"
  fi
  say "using the existing database '$dbname' on port $port ($tables tables); SECONDCHANCE_DB_NAME=name or DATABASE_URL picks another"
fi

url="postgres://$role:$password@127.0.0.1:$port/$dbname?sslmode=disable"
if ! PGPASSWORD=$password PGCONNECT_TIMEOUT=5 psql -X -h 127.0.0.1 -p "$port" -U "$role" -d "$dbname" -tAc 'SELECT 1' >/dev/null 2>&1; then
  die "role '$role' cannot log in over TCP on 127.0.0.1:$port. Add this line to /etc/postgresql/$version/$cluster/pg_hba.conf before the others and reload (pg_ctlcluster $version $cluster reload):
    host all $role 127.0.0.1/32 scram-sha-256"
fi
echo "$url"
