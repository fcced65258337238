-- +goose Up
-- The renewal sweep (REN-3, REN-5, BIL-7, BIL-8): one row per step done for
-- a product's due date. The row is inserted in the transaction of the
-- step's effect (a reminder's e-mails, a failed attempt's notice, a block,
-- a termination), so that a step is done once per (product, due date,
-- kind, days) whatever the sweeps, the crashes and the instances.
CREATE TABLE renewal_steps (
    product_id      uuid NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    due_date        text NOT NULL,                 -- the due date the step belongs to
    kind            text NOT NULL CHECK (kind IN ('reminder','attempt','block_notice','block','terminate_notice','terminate')),
    days            integer NOT NULL,              -- relative to the due date (negative before)
    organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    outcome         text NOT NULL DEFAULT '',      -- attempts: succeeded or the decline code; skipped
    checkout_id     uuid,                          -- attempts: the payment attempt (checkouts)
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (product_id, due_date, kind, days)
);

-- The sweep walks the products due up to a horizon in (due_date, id) order.
CREATE INDEX products_renewal ON products (due_date, id) WHERE status IN ('active','blocked');

-- A payment attempt finds its payments by checkout (every renewal does,
-- several times): without this index each lookup read the whole table.
CREATE INDEX payments_checkout ON payments (checkout_id);

-- +goose Down
DROP INDEX payments_checkout;
DROP INDEX products_renewal;
DROP TABLE renewal_steps;
