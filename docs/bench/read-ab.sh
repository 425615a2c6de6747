#!/bin/sh
# Two builds of the server side by side on the same data set: `secondchance bench read` of
# binary A, then of binary B, for a number of rounds, and the median of each read's figures
# over the rounds. Build the older one from its commit first, e.g.
#
#   git worktree add /tmp/old 2cf753f && (cd /tmp/old && go build -o /tmp/secondchance-old ./cmd/secondchance)
#   go build -o bin/secondchance ./cmd/secondchance
#   export DATABASE_URL="$(db/local-postgres.sh)"
#   docs/bench/read-ab.sh /tmp/secondchance-old bin/secondchance 3 --only 'orders,reports'
#
# Prints, per read and subject: 1 client p50 ms and 16 clients req/s of A and of B, and B/A.
set -eu
a=$1 b=$2 rounds=$3
shift 3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
i=1
while [ "$i" -le "$rounds" ]; do
    for side in a b; do
        eval bin=\$$side
        "$bin" bench read "$@" > "$dir/$side.$i" 2> "$dir/$side.$i.log" || { cat "$dir/$side.$i.log" >&2; exit 1; }
    done
    i=$((i + 1))
done
# The first table's rows: | read | as | rows | 1 client p50 ms | p99 | floor | N clients req/s | …
# (stops at the first blank line after the table).
awk -F'|' -v rounds="$rounds" '
    function median(list,    n, v, i, j, t) {
        n = split(list, v, " ")
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
        return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    FNR == 1 { side = substr(FILENAME, length(FILENAME) - 2, 1); intable = 0 }
    /^\| read \| as \| rows \|/ { intable++; next }
    intable == 1 && /^\| --- / { next }
    intable == 1 && /^\|/ {
        key = $2 "|" $3
        if (!(key in seen)) { seen[key] = 1; order[++n] = key }
        p50[side, key] = p50[side, key] " " $5 + 0
        rate[side, key] = rate[side, key] " " $8 + 0
        next
    }
    intable == 1 { intable = 2 }
    END {
        printf "| read | as | 1 client p50 ms: A | B | B/A | 16 clients req/s: A | B | B/A |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        for (i = 1; i <= n; i++) {
            k = order[i]; split(k, kv, "|")
            pa = median(p50["a", k]); pb = median(p50["b", k]); ra = median(rate["a", k]); rb = median(rate["b", k])
            printf "|%s|%s| %.2f | %.2f | %.2f | %.0f | %.0f | %.2f |\n", kv[1], kv[2], pa, pb, pb / pa, ra, rb, rb / ra
        }
        printf "\nmedians of %d rounds, A then B in each\n", rounds
    }' $(i=1; while [ "$i" -le "$rounds" ]; do printf '%s %s ' "$dir/a.$i" "$dir/b.$i"; i=$((i + 1)); done)
