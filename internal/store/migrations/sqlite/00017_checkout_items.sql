-- +goose Up
-- What each payment attempt pays (products, orders, invoices), one row
-- each: "is a payment of this product under way?" (billing.openAttemptFor,
-- asked for every item of every payment and renewal) becomes an index
-- probe instead of a search through the JSON selections of the
-- organization's open attempts, which grew with the renewals of an
-- organization's products under way together (bench/README.md).
CREATE TABLE checkout_items (
    object_id   text NOT NULL,
    checkout_id text NOT NULL REFERENCES checkouts(id) ON DELETE CASCADE,
    PRIMARY KEY (object_id, checkout_id)
);
CREATE INDEX checkout_items_checkout ON checkout_items (checkout_id);

-- The attempts open now.
INSERT OR IGNORE INTO checkout_items (object_id, checkout_id)
SELECT j.value, c.id FROM checkouts c, json_tree(c.selection) j
WHERE c.status = 'open' AND c.selection <> '' AND j.type = 'text' AND j.value <> ''
  AND (j.key IN ('product_id', 'order_id', 'invoice_id') OR j.path IN ('$.orders', '$.proformas'));

-- +goose Down
DROP TABLE checkout_items;
