#!/bin/sh
# The floor of a bid on this machine's PostgreSQL: the smallest transaction a bid can be (lock
# the lot, insert the bid, update the lot, insert its event, commit durably), through pgbench
# with 32 clients on one hot lot and over 1,000 lots. No HTTP, no GraphQL, no authentication:
# what the server can never beat with one committed transaction per bid.
#
#   export DATABASE_URL="$(db/local-postgres.sh)"; docs/bench/bid-floor.sh [seconds]
set -eu
secs=${1:-10}
: "${DATABASE_URL:?set DATABASE_URL, e.g. export DATABASE_URL=\"\$(db/local-postgres.sh)\"}"
export PGOPTIONS="-c client_min_messages=warning"
pgbench=$(command -v pgbench || ls -d /usr/lib/postgresql/*/bin/pgbench | sort -V | tail -1)
scratch=secondchance_bid_floor
# The scratch database lives on DATABASE_URL's server, beside its database.
url=$(printf '%s' "$DATABASE_URL" | sed -E "s#/[^/?]+(\?|$)#/$scratch\1#")
psql -q "$DATABASE_URL" -c "DROP DATABASE IF EXISTS $scratch" -c "CREATE DATABASE $scratch"
psql -q "$url" <<'SQL'
CREATE TABLE lots (id bigint PRIMARY KEY, seq bigint NOT NULL DEFAULT 0, price bigint NOT NULL DEFAULT 0, pad text DEFAULT repeat('x', 200));
INSERT INTO lots (id) SELECT g FROM generate_series(1, 1000) g;
CREATE TABLE bids (id bigserial PRIMARY KEY, lot_id bigint NOT NULL REFERENCES lots (id), seq bigint, cents bigint, key text,
    at timestamptz NOT NULL DEFAULT now());
CREATE UNIQUE INDEX ON bids (lot_id, key);
CREATE TABLE lot_events (lot_id bigint NOT NULL REFERENCES lots (id), seq bigint, kind text, at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (lot_id, seq));
SQL
dir=$(mktemp -d)
trap 'rm -rf "$dir"; psql -q "$DATABASE_URL" -c "DROP DATABASE IF EXISTS $scratch"' EXIT
for lots in 1 1000; do
    cat > "$dir/bid.sql" <<SQL
\set lot random(1, $lots)
BEGIN;
SELECT seq FROM lots WHERE id = :lot FOR UPDATE;
WITH b AS (INSERT INTO bids (lot_id, seq, cents, key) VALUES (:lot, 1, 100, md5(random()::text)) RETURNING id),
    u AS (UPDATE lots SET seq = seq + 1, price = price + 1 WHERE id = :lot RETURNING seq)
INSERT INTO lot_events (lot_id, seq, kind) SELECT :lot, u.seq, 'BID' FROM u;
COMMIT;
SQL
    printf 'lots=%s: ' "$lots"
    "$pgbench" "$url" -n -M prepared -c 32 -j 2 -T "$secs" -f "$dir/bid.sql" 2>&1 |
        awk '/latency average/ {lat=$4} /^tps/ {tps=$3} END {printf "%.0f bids/s, latency average %s ms\n", tps, lat}'
done
