#!/usr/bin/env bash
# Starts a throwaway PostgreSQL for the test run (Debian packages) and prints its URL.
# Used by .ci/run; safe to run by hand as root: `export TEST_POSTGRES_URL=$(.ci/postgres.sh)`.
set -euo pipefail
PORT="${TEST_POSTGRES_PORT:-54329}"
# A port another server already listens on (a developer's own run) is skipped.
while (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do PORT=$((PORT + 1)); done
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
BIN="$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")"
DATA="$(mktemp -d /tmp/takas-pg-XXXXXX)"
chown postgres:postgres "$DATA"
su postgres -c "$BIN/initdb -D $DATA -A trust -U postgres" >/dev/null
su postgres -c "$BIN/pg_ctl -D $DATA -o '-p $PORT -k /tmp -c listen_addresses=127.0.0.1' -l $DATA/log -w start" >/dev/null
echo "postgresql://postgres@127.0.0.1:$PORT/postgres"
