-- +goose Up
-- Exclusions that ended (appeal, reopening) are listed with a seller's indicator adjustments;
-- live ones are found through order_exclusions_live_key. New exclusions are never in this
-- index, so the batch does not maintain it.
CREATE INDEX order_exclusions_ended_idx ON order_exclusions (order_id) WHERE restored_at IS NOT NULL;

-- +goose Down
SELECT 1;
