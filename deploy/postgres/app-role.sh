#!/bin/sh
# Creates the least-privilege role the Tradeloop services connect as, if it does not exist yet.
# It gets its privileges, and only those, from `tradeloop migrate --grant-app-role` (README:
# "Running with a least-privilege database role"); this script only creates the login.
# Idempotent: an existing role (and its password) is left as it is.
#
# TRADELOOP_APP_ROLE and TRADELOOP_APP_PASSWORD name the role and its password; psql connects
# with the usual PG* variables, or, in the postgres image's /docker-entrypoint-initdb.d (first
# start of an empty volume), as POSTGRES_USER to POSTGRES_DB. The password goes to the server
# as a psql variable (quoted there with %L), never on a command line or into a log.
set -eu
: "${TRADELOOP_APP_ROLE:?set TRADELOOP_APP_ROLE to the role the services connect as}"
: "${TRADELOOP_APP_PASSWORD:?set TRADELOOP_APP_PASSWORD to its password}"
PGUSER="${PGUSER:-${POSTGRES_USER:-postgres}}"
PGDATABASE="${PGDATABASE:-${POSTGRES_DB:-$PGUSER}}"
export PGUSER PGDATABASE
psql -v ON_ERROR_STOP=1 -q -v role="$TRADELOOP_APP_ROLE" -v password="$TRADELOOP_APP_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'role', :'password')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role')
\gexec
SQL
echo "role ${TRADELOOP_APP_ROLE} is there"
