-- +goose Up
-- Indexes that make a seller's, a store's and a buyer's reads cost the same whatever the size
-- of their history (issue 13).

-- A seller sees a buyer through its own orders: one index-only probe per buyer asked for
-- (BuyersByID), instead of a hash of every order of the seller. It leads with buyer_id, so it
-- serves everything orders_buyer_idx did, which it replaces.
CREATE INDEX orders_buyer_seller_idx ON orders (buyer_id, seller_id);
DROP INDEX orders_buyer_idx;

-- Staff see the orders returned to their store: probed per order asked for (OrdersByID).
CREATE INDEX return_authorizations_order_idx ON return_authorizations (order_id, store_id);

-- A store's return authorisations, newest first, as a seller's are by return_authorizations_seller_idx.
CREATE INDEX return_authorizations_store_idx ON return_authorizations (store_id, created_at DESC, id DESC);

-- A store's returned items, oldest first, and its work queues by status: the items carry their
-- parcel's store, so a small store's page no longer reads past every other store's items. A
-- parcel's store never changes. Intake writes it; the trigger fills it for an insert that
-- leaves it out (bulk loads), so no writer can store an item no store lists.
ALTER TABLE returned_items ADD COLUMN store_id bigint;
UPDATE returned_items i SET store_id = p.store_id FROM parcels p WHERE p.id = i.parcel_id;
ALTER TABLE returned_items ALTER COLUMN store_id SET NOT NULL;
CREATE INDEX returned_items_store_idx ON returned_items (store_id, id);
CREATE INDEX returned_items_store_status_idx ON returned_items (store_id, status, id);

-- +goose StatementBegin
CREATE FUNCTION returned_items_store() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT p.store_id INTO NEW.store_id FROM parcels p WHERE p.id = NEW.parcel_id;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER returned_items_store BEFORE INSERT ON returned_items
    FOR EACH ROW WHEN (NEW.store_id IS NULL) EXECUTE FUNCTION returned_items_store();

-- +goose Down
SELECT 1;
