-- +goose Up
-- A store's items by status, oldest first: the staff's work queues (to route, to sell, to settle).
CREATE INDEX returned_items_status_idx ON returned_items (status, id);

-- +goose Down
SELECT 1;
