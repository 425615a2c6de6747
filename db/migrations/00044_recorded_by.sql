-- +goose Up
-- Who recorded a sale, voided it, or logged a bid: a token (created_by, as before) or a staff
-- member of the portal, whose sessions carry no token.
ALTER TABLE sales ADD COLUMN created_by_staff bigint CONSTRAINT sales_staff_fkey REFERENCES staff_accounts (id),
    ADD COLUMN voided_by bigint CONSTRAINT sales_voided_by_fkey REFERENCES tokens (id),
    ADD COLUMN voided_by_staff bigint CONSTRAINT sales_voided_by_staff_fkey REFERENCES staff_accounts (id);
ALTER TABLE bids ADD COLUMN created_by_staff bigint CONSTRAINT bids_staff_fkey REFERENCES staff_accounts (id);

-- +goose Down
SELECT 1;
