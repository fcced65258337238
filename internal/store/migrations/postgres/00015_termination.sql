-- +goose Up
-- Termination by the customer (PRD-4): a request to terminate a product now
-- or at its due date, confirmed through a link e-mailed to the requester
-- (stored hashed, valid 7 days) for the types that ask for it; and the
-- products whose data and backups are to be deleted (PRD-4, PRD-5: the
-- provider's systems delete them when told product.terminated).

CREATE TABLE termination_requests (
    id              uuid NOT NULL PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    product_id      uuid NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    requested_by    uuid REFERENCES users(id) ON DELETE SET NULL,
    mode            text NOT NULL CHECK (mode IN ('now','due_date')),
    -- pending: waits for its link; scheduled: confirmed, applied on
    -- effective_date; done: the product is terminated; replaced: a newer
    -- request of the same product took its place.
    status          text NOT NULL CHECK (status IN ('pending','scheduled','done','replaced')),
    token_hash      text UNIQUE,                 -- SHA-256 of the link's secret; NULL without confirmation
    effective_date  text NOT NULL DEFAULT '',    -- YYYY-MM-DD for mode due_date
    expires_at      timestamptz NOT NULL,          -- the link's end
    created_at      timestamptz NOT NULL,
    confirmed_at    timestamptz,
    done_at         timestamptz
);
CREATE INDEX termination_requests_product ON termination_requests (product_id, status);
CREATE INDEX termination_requests_due ON termination_requests (status, effective_date);

CREATE TABLE product_data_deletions (
    product_id      uuid NOT NULL PRIMARY KEY REFERENCES products(id) ON DELETE CASCADE,
    organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    reason          text NOT NULL CHECK (reason IN ('customer','unpaid')),
    marked_at       timestamptz NOT NULL
);

-- +goose Down
DROP TABLE product_data_deletions;
DROP TABLE termination_requests;
