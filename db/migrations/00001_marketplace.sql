-- +goose Up
-- Marketplace data as the platform sends it, keyed by the platform's own numbers so that
-- re-sending a record updates it. Events that indicators count live in their own tables so
-- that a later purge can move exactly one kind of record out of the live data.

CREATE TABLE sellers (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number      text        NOT NULL CONSTRAINT sellers_number_key UNIQUE,
    name        text        NOT NULL,
    legal_name  text        NOT NULL DEFAULT '',
    email       text        NOT NULL DEFAULT '',
    country     text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sellers_lower_name_idx ON sellers (lower(name) text_pattern_ops);

CREATE TABLE buyers (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number            text        NOT NULL CONSTRAINT buyers_number_key UNIQUE,
    handle            text        NOT NULL,
    country           text        NOT NULL DEFAULT '',
    status            text        NOT NULL DEFAULT 'ACTIVE'
                      CONSTRAINT buyers_status_check CHECK (status IN ('ACTIVE', 'WARNED', 'SUSPENDED', 'CLOSED')),
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX buyers_status_idx ON buyers (status) WHERE status <> 'ACTIVE';
CREATE INDEX buyers_lower_handle_idx ON buyers (lower(handle) text_pattern_ops);

CREATE TABLE orders (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number              text        NOT NULL CONSTRAINT orders_number_key UNIQUE,
    seller_id           bigint      NOT NULL CONSTRAINT orders_seller_fkey REFERENCES sellers (id),
    buyer_id            bigint      NOT NULL CONSTRAINT orders_buyer_fkey REFERENCES buyers (id),
    placed_at           timestamptz NOT NULL,
    ship_by             timestamptz,
    shipped_at          timestamptz,
    delivered_at        timestamptz,
    cancelled_at        timestamptz,
    cancellation_reason text
                        CONSTRAINT orders_cancellation_reason_check CHECK (cancellation_reason IN
                        ('OUT_OF_STOCK', 'SELLER_REQUEST', 'BUYER_REQUEST', 'UNPAID', 'ADDRESS_ISSUE')),
    total_cents         bigint      NOT NULL CONSTRAINT orders_total_check CHECK (total_cents >= 0),
    currency            char(3)     NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
-- Newest-first pages of one seller's orders, and every order of one buyer.
CREATE INDEX orders_seller_placed_idx ON orders (seller_id, placed_at DESC, id DESC);
CREATE INDEX orders_buyer_idx ON orders (buyer_id);
CREATE INDEX orders_placed_idx ON orders (placed_at DESC, id DESC);

CREATE TABLE feedback (
    order_id bigint      PRIMARY KEY CONSTRAINT feedback_order_fkey REFERENCES orders (id),
    rating   smallint    NOT NULL CONSTRAINT feedback_rating_check CHECK (rating BETWEEN 1 AND 5),
    comment  text        NOT NULL DEFAULT '',
    left_at  timestamptz NOT NULL
);

CREATE TABLE disputes (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number    text        NOT NULL CONSTRAINT disputes_number_key UNIQUE,
    order_id  bigint      NOT NULL CONSTRAINT disputes_order_fkey REFERENCES orders (id),
    reason    text        NOT NULL
              CONSTRAINT disputes_reason_check CHECK (reason IN ('ITEM_NOT_RECEIVED', 'NOT_AS_DESCRIBED', 'CHARGEBACK', 'OTHER')),
    opened_at timestamptz NOT NULL,
    closed_at timestamptz
);
CREATE INDEX disputes_order_idx ON disputes (order_id);

CREATE TABLE return_claims (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number       text        NOT NULL CONSTRAINT return_claims_number_key UNIQUE,
    order_id     bigint      NOT NULL CONSTRAINT return_claims_order_fkey REFERENCES orders (id),
    reason       text        NOT NULL,
    requested_at timestamptz NOT NULL
);
CREATE INDEX return_claims_order_idx ON return_claims (order_id);

-- Charity stores that receive returned goods. The Second Chance Store publishes the universal
-- US return address; it is part of the product, so the schema carries it.
CREATE TABLE stores (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code          text        NOT NULL CONSTRAINT stores_code_key UNIQUE,
    name          text        NOT NULL,
    recipient     text        NOT NULL,
    address_line1 text        NOT NULL,
    address_line2 text        NOT NULL DEFAULT '',
    city          text        NOT NULL,
    region        text        NOT NULL,
    postal_code   text        NOT NULL,
    country       text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
INSERT INTO stores (code, name, recipient, address_line1, city, region, postal_code, country)
VALUES ('SCS', 'The Second Chance Store', 'Margo Gibson', '11415 E. 23rd Street', 'Independence', 'MO', '64052', 'US');

-- Bearer tokens: only the SHA-256 of the secret is stored.
CREATE TABLE tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    secret_hash  bytea       NOT NULL CONSTRAINT tokens_secret_hash_key UNIQUE,
    role         text        NOT NULL CONSTRAINT tokens_role_check CHECK (role IN ('SELLER', 'STAFF', 'ADMIN')),
    seller_id    bigint      CONSTRAINT tokens_seller_fkey REFERENCES sellers (id),
    store_id     bigint      CONSTRAINT tokens_store_fkey REFERENCES stores (id),
    label        text        NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz,
    CONSTRAINT tokens_scope_check CHECK (
        (role = 'SELLER' AND seller_id IS NOT NULL AND store_id IS NULL) OR
        (role = 'STAFF' AND store_id IS NOT NULL AND seller_id IS NULL) OR
        (role = 'ADMIN' AND seller_id IS NULL AND store_id IS NULL))
);

-- +goose Down
-- Forward-only: migrations are never rolled back in production.
SELECT 1;
