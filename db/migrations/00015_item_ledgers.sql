-- +goose Up
-- One definition of an item's ledger, read by the item's `ledger` and by a seller's totals:
-- a settled item's gross and costs from its proceeds, what was paid to charities (donated) and
-- what is still owed (pending); a sold, unsettled item's whole price is pending. The store's
-- per-day totals (00013) keep the same figures incrementally; a randomised test and the 1M-item
-- benchmark check that they agree.
CREATE VIEW item_ledgers AS
    SELECT ip.item_id, ip.gross_cents AS gross, ip.intake_cents AS intake, ip.storage_cents AS storage,
        ip.shipping_cents AS shipping, ip.commission_cents AS commission,
        coalesce((SELECT sum(cents) FROM donation_allocations a WHERE a.item_id = ip.item_id AND a.disbursed_at IS NOT NULL), 0) AS donated,
        coalesce((SELECT sum(cents) FROM donation_allocations a WHERE a.item_id = ip.item_id AND a.disbursed_at IS NULL), 0) AS pending,
        ip.currency
    FROM item_proceeds ip
    UNION ALL
    SELECT s.item_id, s.price_cents, 0, 0, 0, 0, 0, s.price_cents, s.currency
    FROM sales s
    WHERE s.voided_at IS NULL AND NOT EXISTS (SELECT 1 FROM item_proceeds ip WHERE ip.item_id = s.item_id);

-- +goose Down
DROP VIEW item_ledgers;
