-- +goose Up
-- Marks a database that `seed --demo` filled itself. The demo's published tokens are created
-- only in such a database, never in one that holds real data.
CREATE TABLE demo_data (
    only_row  boolean     PRIMARY KEY DEFAULT true CONSTRAINT demo_data_one_row CHECK (only_row),
    loaded_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
SELECT 1;
