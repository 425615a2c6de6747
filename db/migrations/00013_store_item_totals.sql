-- +goose Up
-- A store's items and their money per day of receipt, kept by triggers in the transaction of
-- every change, so a store's totals read a few hundred rows however many items it holds. The
-- definitions are the item ledger's: gross is the settled gross, else the live sale's price;
-- costs are settled costs; donated is disbursed allocations; pending the rest.
CREATE TABLE store_item_totals (
    store_id bigint NOT NULL CONSTRAINT store_item_totals_store_fkey REFERENCES stores (id),
    day      date   NOT NULL,
    items    bigint NOT NULL DEFAULT 0,
    recycled bigint NOT NULL DEFAULT 0,
    sold     bigint NOT NULL DEFAULT 0,
    gross    bigint NOT NULL DEFAULT 0,
    costs    bigint NOT NULL DEFAULT 0,
    donated  bigint NOT NULL DEFAULT 0,
    pending  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (store_id, day),
    CONSTRAINT store_item_totals_balance CHECK (gross = costs + donated + pending)
);

-- The triggers run once per statement over its transition tables and upsert each (store, day)
-- it touched once: a million row-level upserts of one day's row in one transaction build
-- version chains that cannot be pruned until it ends, and slow down quadratically.
-- Deltas come in per item; store_item_totals_add groups them by the item's store and day.
CREATE TYPE store_item_delta AS (item bigint, items bigint, recycled bigint, sold bigint, gross bigint, costs bigint, donated bigint, pending bigint);

-- +goose StatementBegin
CREATE FUNCTION store_item_totals_add(deltas store_item_delta[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO store_item_totals AS t (store_id, day, items, recycled, sold, gross, costs, donated, pending)
    SELECT p.store_id, (p.received_at AT TIME ZONE 'UTC')::date,
        sum(d.items), sum(d.recycled), sum(d.sold), sum(d.gross), sum(d.costs), sum(d.donated), sum(d.pending)
    FROM unnest(deltas) d JOIN returned_items i ON i.id = d.item JOIN parcels p ON p.id = i.parcel_id
    GROUP BY 1, 2
    ON CONFLICT (store_id, day) DO UPDATE SET items = t.items + EXCLUDED.items, recycled = t.recycled + EXCLUDED.recycled,
        sold = t.sold + EXCLUDED.sold, gross = t.gross + EXCLUDED.gross, costs = t.costs + EXCLUDED.costs,
        donated = t.donated + EXCLUDED.donated, pending = t.pending + EXCLUDED.pending
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION store_item_totals_items_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM store_item_totals_add(array_agg(ROW(n.id, 1, (n.status = 'RECYCLED')::int, (n.status IN ('SOLD', 'SETTLED'))::int, 0, 0, 0, 0)::store_item_delta))
    FROM new_rows n;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER store_item_totals_items_inserted AFTER INSERT ON returned_items
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION store_item_totals_items_inserted();

-- +goose StatementBegin
CREATE FUNCTION store_item_totals_items_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM store_item_totals_add(array_agg(ROW(n.id, 0,
            (n.status = 'RECYCLED')::int - (o.status = 'RECYCLED')::int,
            (n.status IN ('SOLD', 'SETTLED'))::int - (o.status IN ('SOLD', 'SETTLED'))::int, 0, 0, 0, 0)::store_item_delta))
    FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE n.status IS DISTINCT FROM o.status;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER store_item_totals_items_updated AFTER UPDATE ON returned_items
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION store_item_totals_items_updated();

-- +goose StatementBegin
CREATE FUNCTION store_item_totals_sales_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM store_item_totals_add(array_agg(ROW(n.item_id, 0, 0, 0, n.price_cents, 0, 0, n.price_cents)::store_item_delta))
    FROM new_rows n WHERE n.voided_at IS NULL;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER store_item_totals_sales_inserted AFTER INSERT ON sales
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION store_item_totals_sales_inserted();

-- A sale only ever changes by being voided.
-- +goose StatementBegin
CREATE FUNCTION store_item_totals_sales_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
               WHERE n.price_cents <> o.price_cents OR n.item_id <> o.item_id OR (o.voided_at IS NOT NULL AND n.voided_at IS DISTINCT FROM o.voided_at)) THEN
        RAISE EXCEPTION 'store_item_totals: a sale is only voided, never changed otherwise';
    END IF;
    PERFORM store_item_totals_add(array_agg(ROW(o.item_id, 0, 0, 0, -o.price_cents, 0, 0, -o.price_cents)::store_item_delta))
    FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.voided_at IS NULL AND n.voided_at IS NOT NULL;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER store_item_totals_sales_updated AFTER UPDATE ON sales
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION store_item_totals_sales_updated();

-- Settling replaces the live sale's price by the settled gross and moves the costs out of pending.
-- +goose StatementBegin
CREATE FUNCTION store_item_totals_proceeds_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM store_item_totals_add(array_agg(ROW(n.item_id, 0, 0, 0, n.gross_cents - coalesce(s.price_cents, 0),
            n.gross_cents - n.net_cents, 0, n.net_cents - coalesce(s.price_cents, 0))::store_item_delta))
    FROM new_rows n LEFT JOIN sales s ON s.item_id = n.item_id AND s.voided_at IS NULL;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER store_item_totals_proceeds_inserted AFTER INSERT ON item_proceeds
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION store_item_totals_proceeds_inserted();

-- +goose StatementBegin
CREATE FUNCTION store_item_totals_allocations_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM store_item_totals_add(array_agg(ROW(n.item_id, 0, 0, 0, 0, 0, n.cents, -n.cents)::store_item_delta))
    FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.disbursed_at IS NULL AND n.disbursed_at IS NOT NULL;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER store_item_totals_allocations_updated AFTER UPDATE ON donation_allocations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION store_item_totals_allocations_updated();

-- +goose Down
SELECT 1;
