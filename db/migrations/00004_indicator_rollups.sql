-- +goose Up
-- Sellers' indicators per order day, precomputed: a read sums at most 366 rows of one seller
-- instead of probing every order's records. Each row holds the four views of each figure
-- (raw, assessed, excluded, purged), so raw = assessed + excluded + purged holds per row and
-- therefore per window. Writers mark the (seller, day) pairs they change as dirty; the refresh
-- job recomputes those.
CREATE TABLE seller_day_stats (
    seller_id     bigint NOT NULL,
    day           date   NOT NULL,
    raw_orders    int NOT NULL, raw_disputes int NOT NULL, raw_negative int NOT NULL, raw_returns int NOT NULL,
    raw_late      int NOT NULL, raw_cancelled int NOT NULL, raw_defects int NOT NULL,
    orders        int NOT NULL, disputes int NOT NULL, negative int NOT NULL, returns int NOT NULL,
    late          int NOT NULL, cancelled int NOT NULL, defects int NOT NULL,
    ex_orders     int NOT NULL, ex_disputes int NOT NULL, ex_negative int NOT NULL, ex_returns int NOT NULL,
    ex_late       int NOT NULL, ex_cancelled int NOT NULL, ex_defects int NOT NULL,
    pu_disputes   int NOT NULL, pu_negative int NOT NULL, pu_returns int NOT NULL, pu_defects int NOT NULL,
    PRIMARY KEY (seller_id, day)
);

CREATE TABLE seller_day_dirty (
    seller_id bigint NOT NULL,
    day       date   NOT NULL,
    PRIMARY KEY (seller_id, day)
);

-- What the refresh has folded in: the batches whose purges and exclusions it has marked (a
-- batch does not mark them itself: a million pairs would cost it seconds it does not have), how
-- far it has looked for unshipped orders that became late since, and whether everything must
-- be rebuilt (after a migration or a seed).
ALTER TABLE batches ADD COLUMN indicators_marked_at timestamptz;
CREATE TABLE indicator_state (
    id              int PRIMARY KEY CONSTRAINT indicator_state_one CHECK (id = 1),
    late_checked_to timestamptz NOT NULL,
    rebuild         boolean     NOT NULL,
    refreshed_at    timestamptz
);
INSERT INTO indicator_state (id, late_checked_to, rebuild) VALUES (1, now(), true);

-- Unshipped orders, by the moment they become late.
CREATE INDEX orders_unshipped_idx ON orders (ship_by) WHERE shipped_at IS NULL AND cancelled_at IS NULL;

-- +goose Down
SELECT 1;
