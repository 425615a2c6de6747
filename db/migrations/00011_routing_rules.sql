-- +goose Up
-- A store's own routing defaults per item category and grade, over the built-in rule by grade
-- alone. Categories match case-insensitively, so they are stored folded.
CREATE TABLE store_routing_rules (
    store_id bigint NOT NULL CONSTRAINT store_routing_rules_store_fkey REFERENCES stores (id),
    category text   NOT NULL CONSTRAINT store_routing_rules_category_check CHECK (category = lower(btrim(category)) AND category <> ''),
    grade    text   NOT NULL CONSTRAINT store_routing_rules_grade_check CHECK (grade IN ('NEW', 'LIKE_NEW', 'GOOD', 'FAIR', 'POOR', 'UNSELLABLE')),
    route    text   NOT NULL CONSTRAINT store_routing_rules_route_check CHECK (route IN ('SALE', 'AUCTION', 'RECYCLE')),
    PRIMARY KEY (store_id, category, grade)
);

-- +goose Down
SELECT 1;
