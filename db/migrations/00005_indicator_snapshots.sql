-- +goose Up
-- Weekly snapshots of every seller's indicators and standing: taken when a batch's effects
-- reach the rollups, and on demand by an admin (replacing that week's). The thresholds that
-- decide standing are stored so operators change them without a release.
ALTER TABLE indicator_state ADD COLUMN thresholds jsonb NOT NULL DEFAULT
    '{"minOrders90": 400, "topRatedMaxDefectRate": 0.005, "topRatedMaxLateRate": 0.03, "topRatedMinOrders": 100, "aboveStandardMaxDefectRate": 0.02}';
ALTER TABLE batches ADD COLUMN snapshot_taken_at timestamptz;

CREATE TABLE indicator_snapshots (
    seller_id     bigint NOT NULL,
    week          text   NOT NULL,
    "window"      text   NOT NULL,
    taken_at      timestamptz NOT NULL,
    raw_orders    int NOT NULL, raw_disputes int NOT NULL, raw_negative int NOT NULL, raw_returns int NOT NULL,
    raw_late      int NOT NULL, raw_cancelled int NOT NULL, raw_defects int NOT NULL,
    orders        int NOT NULL, disputes int NOT NULL, negative int NOT NULL, returns int NOT NULL,
    late          int NOT NULL, cancelled int NOT NULL, defects int NOT NULL,
    ex_orders     int NOT NULL, ex_disputes int NOT NULL, ex_negative int NOT NULL, ex_returns int NOT NULL,
    ex_late       int NOT NULL, ex_cancelled int NOT NULL, ex_defects int NOT NULL,
    pu_disputes   int NOT NULL, pu_negative int NOT NULL, pu_returns int NOT NULL, pu_defects int NOT NULL,
    PRIMARY KEY (seller_id, "window", week)
);

CREATE TABLE seller_standings (
    seller_id        bigint NOT NULL,
    week             text   NOT NULL,
    taken_at         timestamptz NOT NULL,
    standing         text   NOT NULL CONSTRAINT seller_standings_check CHECK (standing IN ('TOP_RATED', 'ABOVE_STANDARD', 'BELOW_STANDARD')),
    evaluated_window text   NOT NULL,
    PRIMARY KEY (seller_id, week)
);
CREATE INDEX seller_standings_week_idx ON seller_standings (week, standing);

-- +goose Down
SELECT 1;
