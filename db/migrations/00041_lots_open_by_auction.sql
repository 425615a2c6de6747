-- +goose Up
-- Closing a lot asks whether its auction has another lot still PENDING or OPEN
-- (closeAuctionWhenDone). Through lots_auction_idx that walked past every lot already closed,
-- so closing the n-th of 10,000 lots ending together read n rows: quadratic, 70 closes/s.
-- This partial index holds only the lots still running, so the probe finds one at once.
CREATE INDEX lots_running_auction_idx ON lots (auction_id) WHERE status IN ('PENDING', 'OPEN');

-- +goose Down
DROP INDEX lots_running_auction_idx;
