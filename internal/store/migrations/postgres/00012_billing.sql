-- +goose Up
-- Orders, invoices, payments, saved payment methods, the prepaid account
-- and bank files (PRD-2, PRD-3, BIL-1..6, BIL-9). Money is integer minor
-- units with its currency; calendar dates are text YYYY-MM-DD in the
-- operator's time zone.

-- PRD-2: what a product was ordered as, and how it renews.
ALTER TABLE products ADD COLUMN plan text NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN period text NOT NULL DEFAULT '';       -- "1y"; '' for products made by the operator's CLI
ALTER TABLE products ADD COLUMN currency text NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN auto_renew boolean NOT NULL DEFAULT false;
ALTER TABLE products ADD COLUMN payment_method_id uuid;                -- saved method for auto-renewal (REN-2)
ALTER TABLE products ADD COLUMN activated_at timestamptz;

-- PRD-3: an order lists products to create; pending until paid.
CREATE TABLE orders (
    id              uuid NOT NULL PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    currency        text NOT NULL,
    status          text NOT NULL CHECK (status IN ('pending','paid','cancelled')),
    net_minor       bigint NOT NULL,
    created_by      uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL,
    paid_at         timestamptz,
    cancelled_at    timestamptz,
    invoice_id      uuid                                   -- the invoice that paid it
);
CREATE INDEX orders_org ON orders (organization_id, status, created_at);

CREATE TABLE order_items (
    id         uuid NOT NULL PRIMARY KEY,
    order_id   uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    position   integer NOT NULL,
    type       text NOT NULL,
    plan       text NOT NULL,
    name       text NOT NULL,
    period     text NOT NULL,
    months     integer NOT NULL,
    unit_minor bigint NOT NULL,                            -- net price from the catalog at ordering
    product_id uuid REFERENCES products(id) ON DELETE SET NULL,
    UNIQUE (order_id, position)
);

-- BIL-2, BIL-6: invoices are immutable snapshots; numbers are gapless per
-- kind and year, in issue order (invoice_sequences is locked while one is
-- taken). Pro-formas (bank transfers) are numbered apart and, once paid,
-- give an invoice (invoice_id).
CREATE TABLE invoice_sequences (
    kind text NOT NULL,
    year integer NOT NULL,
    last integer NOT NULL,
    PRIMARY KEY (kind, year)
);

CREATE TABLE invoices (
    id                  uuid NOT NULL PRIMARY KEY,
    organization_id     uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    kind                text NOT NULL CHECK (kind IN ('invoice','proforma','credit_note')),
    number              text NOT NULL,
    status              text NOT NULL CHECK (status IN ('unpaid','paid','void')),
    currency            text NOT NULL,
    net_minor           bigint NOT NULL,
    vat_minor           bigint NOT NULL,
    total_minor         bigint NOT NULL,
    paid_minor          bigint NOT NULL DEFAULT 0,
    seller              text NOT NULL,                     -- JSON snapshot
    buyer               text NOT NULL,                     -- JSON snapshot
    language            text NOT NULL,
    issue_date          text NOT NULL,
    due_date            text NOT NULL,
    reference           text NOT NULL DEFAULT '',          -- QRR or SCOR reference (bank transfers)
    invoice_id          uuid REFERENCES invoices(id),      -- a pro-forma's invoice, once paid
    credited_invoice_id uuid REFERENCES invoices(id),      -- a credit note's invoice
    created_by          uuid REFERENCES users(id) ON DELETE SET NULL,
    issued_at           timestamptz NOT NULL,
    paid_at             timestamptz,
    UNIQUE (kind, number)
);
CREATE INDEX invoices_org ON invoices (organization_id, kind, status, issued_at);
CREATE UNIQUE INDEX invoices_reference ON invoices (reference) WHERE reference <> '';

CREATE TABLE invoice_lines (
    id           uuid NOT NULL PRIMARY KEY,
    invoice_id   uuid NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    position     integer NOT NULL,
    description  text NOT NULL,
    detail       text NOT NULL DEFAULT '',
    type         text NOT NULL DEFAULT '',
    product_id   uuid REFERENCES products(id) ON DELETE SET NULL,
    order_id     uuid REFERENCES orders(id) ON DELETE SET NULL,
    period       text NOT NULL DEFAULT '',
    period_start text NOT NULL DEFAULT '',
    period_end   text NOT NULL DEFAULT '',
    quantity     integer NOT NULL DEFAULT 1,
    unit_minor   bigint NOT NULL,
    net_minor    bigint NOT NULL,
    vat_rate     integer NOT NULL,                         -- hundredths of a percent: 810 = 8.1 %
    vat_minor    bigint NOT NULL,
    total_minor  bigint NOT NULL,
    UNIQUE (invoice_id, position)
);
CREATE INDEX invoice_lines_product ON invoice_lines (product_id);

-- BIL-4: saved payment methods; alpage keeps the gateway's token only.
CREATE TABLE payment_methods (
    id              uuid NOT NULL PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    type            text NOT NULL CHECK (type IN ('card','postfinance','paypal','twint')),
    gateway         text NOT NULL,
    token           text NOT NULL,
    brand           text NOT NULL DEFAULT '',
    last4           text NOT NULL DEFAULT '',
    exp_month       integer NOT NULL DEFAULT 0,
    exp_year        integer NOT NULL DEFAULT 0,
    label           text NOT NULL DEFAULT '',
    is_default      boolean NOT NULL DEFAULT false,
    created_by      uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL,
    removed_at      timestamptz
);
CREATE INDEX payment_methods_org ON payment_methods (organization_id, removed_at);

-- A payment attempt or settlement. One per (invoice, method part); a
-- prepaid part is a payment with method 'prepaid'. idempotency_key goes to
-- the gateway: a retry after an unknown outcome asks the gateway first.
CREATE TABLE payments (
    id                 uuid NOT NULL PRIMARY KEY,
    organization_id    uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    invoice_id         uuid REFERENCES invoices(id),
    purpose            text NOT NULL CHECK (purpose IN ('invoice','deposit')),
    method             text NOT NULL CHECK (method IN ('card','postfinance','paypal','twint','iban','prepaid')),
    payment_method_id  uuid REFERENCES payment_methods(id),
    amount_minor       bigint NOT NULL,
    currency           text NOT NULL,
    refunded_minor     bigint NOT NULL DEFAULT 0,
    status             text NOT NULL CHECK (status IN ('pending','requires_action','succeeded','failed','canceled')),
    failure_code       text NOT NULL DEFAULT '',
    gateway            text NOT NULL DEFAULT '',
    gateway_payment_id text NOT NULL DEFAULT '',
    checkout_id        uuid,
    idempotency_key    text NOT NULL UNIQUE,
    created_by         uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at         timestamptz NOT NULL,
    settled_at         timestamptz
);
CREATE INDEX payments_invoice ON payments (invoice_id);
CREATE INDEX payments_org ON payments (organization_id, created_at);

-- A payment the customer must complete on the gateway's page (card,
-- PayPal, Twint) or by bank transfer: what it pays, kept until it returns.
CREATE TABLE checkouts (
    id                  uuid NOT NULL PRIMARY KEY,
    organization_id     uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    purpose             text NOT NULL CHECK (purpose IN ('pay','deposit','save_method')),
    selection           text NOT NULL DEFAULT '',          -- JSON of the items and periods chosen
    method              text NOT NULL,
    amount_minor        bigint NOT NULL,
    currency            text NOT NULL,
    prepaid_minor       bigint NOT NULL DEFAULT 0,
    invoice_id          uuid REFERENCES invoices(id),
    gateway_checkout_id text NOT NULL DEFAULT '',
    idempotency_key     text UNIQUE,                       -- derived from the request's key: a repeated request finds its attempt
    status              text NOT NULL CHECK (status IN ('open','completed','failed','canceled','expired')),
    created_by          uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at          timestamptz NOT NULL,
    expires_at          timestamptz NOT NULL,
    completed_at        timestamptz
);
CREATE INDEX checkouts_org ON checkouts (organization_id, status);

-- BIL-4, BIL-5: the prepaid account, one per organization and currency;
-- the balance row is locked while it changes; entries are append-only.
CREATE TABLE prepaid_accounts (
    organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    currency        text NOT NULL,
    balance_minor   bigint NOT NULL DEFAULT 0 CHECK (balance_minor >= 0),
    PRIMARY KEY (organization_id, currency)
);

CREATE TABLE prepaid_entries (
    id              uuid NOT NULL PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    currency        text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('deposit','payment','refund','overpayment')),
    amount_minor    bigint NOT NULL,                       -- credit > 0, debit < 0
    balance_minor   bigint NOT NULL,                       -- after this entry
    payment_id      uuid REFERENCES payments(id),
    invoice_id      uuid REFERENCES invoices(id),
    created_at      timestamptz NOT NULL
);
CREATE INDEX prepaid_entries_org ON prepaid_entries (organization_id, currency, created_at);

-- BIL-9: refunds go back to the method that paid.
CREATE TABLE refunds (
    id                uuid NOT NULL PRIMARY KEY,
    payment_id        uuid NOT NULL REFERENCES payments(id),
    amount_minor      bigint NOT NULL,
    status            text NOT NULL CHECK (status IN ('pending','succeeded','failed')),
    gateway_refund_id text NOT NULL DEFAULT '',
    credit_note_id    uuid REFERENCES invoices(id),
    idempotency_key   text NOT NULL UNIQUE,
    created_by        uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL
);

-- BIL-4: entries of imported camt.054 bank files. account_servicer_ref is
-- the bank's id of the entry: importing a file twice books nothing twice.
CREATE TABLE bank_entries (
    id                   uuid NOT NULL PRIMARY KEY,
    account_servicer_ref text NOT NULL UNIQUE,
    booking_date         text NOT NULL,
    amount_minor         bigint NOT NULL,
    currency             text NOT NULL,
    reference            text NOT NULL DEFAULT '',
    debtor_name          text NOT NULL DEFAULT '',
    details              text NOT NULL DEFAULT '',
    status               text NOT NULL CHECK (status IN ('matched','unmatched','ignored')),
    invoice_id           uuid REFERENCES invoices(id),
    payment_id           uuid REFERENCES payments(id),
    source               text NOT NULL DEFAULT '',
    imported_at          timestamptz NOT NULL
);
CREATE INDEX bank_entries_status ON bank_entries (status, imported_at);

-- +goose Down
DROP TABLE bank_entries;
DROP TABLE refunds;
DROP TABLE prepaid_entries;
DROP TABLE prepaid_accounts;
DROP TABLE checkouts;
DROP TABLE payments;
DROP TABLE payment_methods;
DROP TABLE invoice_lines;
DROP TABLE invoices;
DROP TABLE invoice_sequences;
DROP TABLE order_items;
DROP TABLE orders;
ALTER TABLE products DROP COLUMN activated_at;
ALTER TABLE products DROP COLUMN payment_method_id;
ALTER TABLE products DROP COLUMN auto_renew;
ALTER TABLE products DROP COLUMN currency;
ALTER TABLE products DROP COLUMN period;
ALTER TABLE products DROP COLUMN plan;
