-- +goose Up
-- What each payment attempt pays (products, orders, invoices), one row
-- each: "is a payment of this product under way?" (billing.openAttemptFor,
-- asked for every item of every payment and renewal) becomes an index
-- probe instead of a search through the JSON selections of the
-- organization's open attempts, which grew with the renewals of an
-- organization's products under way together (bench/README.md).
CREATE TABLE checkout_items (
    object_id   uuid NOT NULL,
    checkout_id uuid NOT NULL REFERENCES checkouts(id) ON DELETE CASCADE,
    PRIMARY KEY (object_id, checkout_id)
);
CREATE INDEX checkout_items_checkout ON checkout_items (checkout_id);

-- The attempts open now.
INSERT INTO checkout_items (object_id, checkout_id)
SELECT DISTINCT o.v::uuid, c.id FROM checkouts c, LATERAL (
    SELECT l->>'product_id' FROM jsonb_array_elements(COALESCE(c.selection::jsonb->'lines', '[]'::jsonb)) l
    UNION SELECT l->>'order_id' FROM jsonb_array_elements(COALESCE(c.selection::jsonb->'lines', '[]'::jsonb)) l
    UNION SELECT jsonb_array_elements_text(COALESCE(c.selection::jsonb->'orders', '[]'::jsonb))
    UNION SELECT jsonb_array_elements_text(COALESCE(c.selection::jsonb->'proformas', '[]'::jsonb))
    UNION SELECT c.selection::jsonb->>'invoice_id'
) AS o(v)
WHERE c.status = 'open' AND c.selection <> '' AND o.v IS NOT NULL AND o.v <> '';

-- +goose Down
DROP TABLE checkout_items;
