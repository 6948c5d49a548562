#!/usr/bin/env bash
# Sets up a local PostgreSQL for the database/ tests on a Debian 12 machine.
#
# Run as root. Installs PostgreSQL with apt-get when it is missing, starts a
# cluster listening on 127.0.0.1:5432, creates the role wxbridge (password
# wxbridge, allowed to create databases: every test gets its own database) and
# the database wxbridge_test. Safe to run again. The last line of stdout is an
# export for the caller to eval; everything else goes to stderr:
#
#	eval "$(.ci/postgres.sh)"
#	go test -tags goolm -race ./database/
set -euo pipefail

PGPORT=5432
PGHOST=127.0.0.1
ROLE=wxbridge
PASSWORD=wxbridge
DBNAME=wxbridge_test

log() { echo "postgres.sh: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
	log "must run as root (it installs packages and starts the cluster as the postgres user)"
	exit 1
fi

# 1. Install the server unless some version is already there.
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
	log "installing postgresql"
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
PGVER=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
log "using PostgreSQL $PGVER"

# 2. Make sure a cluster exists (the Debian package usually creates "main";
# some container images install with cluster creation disabled).
if ! pg_lsclusters -h | awk -v v="$PGVER" '$1 == v && $2 == "main" { found = 1 } END { exit !found }'; then
	log "creating cluster $PGVER/main"
	pg_createcluster "$PGVER" main --port "$PGPORT" >&2
fi
# Our settings go into a drop-in file (Debian's postgresql.conf includes
# conf.d), so the stock file stays untouched and reruns are idempotent. Tests
# create many short-lived databases: durability is not needed here.
cat >"/etc/postgresql/$PGVER/main/conf.d/90-wxbridge-test.conf" <<CONF
listen_addresses = '$PGHOST'
port = $PGPORT
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
CONF

# 3. Start it (pg_ctlcluster switches to the cluster owner when run as root).
# A restart applies the settings above if it was already running.
status=$(pg_lsclusters -h | awk -v v="$PGVER" '$1 == v && $2 == "main" { print $4 }')
if [ "$status" = "online" ]; then
	pg_ctlcluster "$PGVER" main restart >&2
else
	pg_ctlcluster "$PGVER" main start >&2
fi
for _ in $(seq 1 30); do
	pg_isready -q -h "$PGHOST" -p "$PGPORT" && break
	sleep 1
done
pg_isready -h "$PGHOST" -p "$PGPORT" >&2

# 4. Role and database, idempotently.
psql_admin() {
	runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PGPORT" "$@"
}
psql_admin -d postgres >&2 <<SQL
DO \$\$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
		CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD' CREATEDB;
	ELSE
		ALTER ROLE $ROLE LOGIN PASSWORD '$PASSWORD' CREATEDB;
	END IF;
END
\$\$;
SQL
if [ "$(psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DBNAME'")" != "1" ]; then
	log "creating database $DBNAME"
	runuser -u postgres -- createdb -p "$PGPORT" -O "$ROLE" "$DBNAME"
fi

DSN="postgres://$ROLE:$PASSWORD@$PGHOST:$PGPORT/$DBNAME?sslmode=disable"
PGPASSWORD=$PASSWORD psql -X -q -h "$PGHOST" -p "$PGPORT" -U "$ROLE" -d "$DBNAME" -c 'SELECT 1' >/dev/null
log "ready: $DSN"
echo "export WXBRIDGE_TEST_POSTGRES='$DSN'"
