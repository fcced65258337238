-- +goose Up
-- The sandbox payment gateway (internal/payment/sandbox): the state a real
-- gateway keeps on its side, here in alpage's database because real gateways
-- are out of reach. alpage's billing tables never reference these rows: they
-- keep the gateway's ids as text, as they would a real gateway's. No card
-- number is stored, only the brand, the last four digits and the expiry.

-- Saved methods; the id is the token given to alpage. behavior is the outcome
-- of the test card at every charge (succeed, a decline, or a timeout).
CREATE TABLE sandbox_methods (
    id         text NOT NULL PRIMARY KEY,
    method     text NOT NULL CHECK (method IN ('card','postfinance','paypal','twint')),
    brand      text NOT NULL DEFAULT '',
    last4      text NOT NULL DEFAULT '',
    exp_month  integer NOT NULL DEFAULT 0,
    exp_year   integer NOT NULL DEFAULT 0,
    label      text NOT NULL DEFAULT '',
    behavior   text NOT NULL DEFAULT 'succeed'
               CHECK (behavior IN ('succeed','card_declined','insufficient_funds','expired_card','timeout')),
    created_at timestamp NOT NULL,
    deleted_at timestamp
);

-- Hosted pages. The status stays open until the customer acts; an open
-- checkout past expires_at reads as expired.
CREATE TABLE sandbox_checkouts (
    id           text NOT NULL PRIMARY KEY,
    reference    text NOT NULL DEFAULT '',
    method       text NOT NULL CHECK (method IN ('card','postfinance','paypal','twint')),
    amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
    currency     text NOT NULL,
    save_method  integer NOT NULL DEFAULT 0 CHECK (save_method IN (0,1)),
    return_url   text NOT NULL,
    cancel_url   text NOT NULL,
    language     text NOT NULL DEFAULT 'en',
    status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open','succeeded','failed','canceled')),
    failure_code text NOT NULL DEFAULT '',
    method_id    text REFERENCES sandbox_methods(id),
    created_at   timestamp NOT NULL,
    expires_at   timestamp NOT NULL,
    completed_at timestamp
);

-- Payments. A requires_action or authorized payment past expires_at reads as
-- canceled. Refunds never exceed what was captured (checked here too).
CREATE TABLE sandbox_payments (
    id             text NOT NULL PRIMARY KEY,
    checkout_id    text UNIQUE REFERENCES sandbox_checkouts(id),
    method_id      text REFERENCES sandbox_methods(id),
    method         text NOT NULL CHECK (method IN ('card','postfinance','paypal','twint')),
    label          text NOT NULL DEFAULT '',
    reference      text NOT NULL DEFAULT '',
    description    text NOT NULL DEFAULT '',
    amount_minor   bigint NOT NULL CHECK (amount_minor > 0),
    currency       text NOT NULL,
    captured_minor bigint NOT NULL DEFAULT 0 CHECK (captured_minor >= 0 AND captured_minor <= amount_minor),
    refunded_minor bigint NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0 AND refunded_minor <= captured_minor),
    status         text NOT NULL CHECK (status IN ('requires_action','authorized','succeeded','failed','canceled','refunded','partially_refunded')),
    failure_code   text NOT NULL DEFAULT '',
    created_at     timestamp NOT NULL,
    updated_at     timestamp NOT NULL,
    expires_at     timestamp
);
CREATE INDEX sandbox_payments_method ON sandbox_payments (method_id);

CREATE TABLE sandbox_refunds (
    id           text NOT NULL PRIMARY KEY,
    payment_id   text NOT NULL REFERENCES sandbox_payments(id),
    amount_minor bigint NOT NULL CHECK (amount_minor > 0),
    currency     text NOT NULL,
    status       text NOT NULL CHECK (status IN ('succeeded','failed')),
    created_at   timestamp NOT NULL
);
CREATE INDEX sandbox_refunds_payment ON sandbox_refunds (payment_id);

-- One row per idempotency key: which call it carried (operation and a hash
-- of its parameters) and what it made, so that a replay returns the same
-- result and PaymentByKey finds the payment.
CREATE TABLE sandbox_requests (
    idempotency_key text NOT NULL PRIMARY KEY,
    operation       text NOT NULL,
    fingerprint     text NOT NULL,
    object_id       text NOT NULL,
    payment_id      text REFERENCES sandbox_payments(id),
    created_at      timestamp NOT NULL
);
CREATE INDEX sandbox_requests_payment ON sandbox_requests (payment_id);

-- +goose Down
DROP TABLE sandbox_requests;
DROP TABLE sandbox_refunds;
DROP TABLE sandbox_payments;
DROP TABLE sandbox_checkouts;
DROP TABLE sandbox_methods;
