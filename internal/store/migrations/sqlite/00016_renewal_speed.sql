-- +goose Up
-- The renewal sweep's speed (REN-3, bench/README.md). Reading an invoice
-- with its payments (billing.loadInvoice) also reads the payments received
-- on its pro-formas, found by invoices.invoice_id: without this index each
-- read went through the whole invoices table, so that every renewal grew
-- slower with the number of invoices issued before it. Only pro-formas
-- have the column set.
CREATE INDEX invoices_invoice ON invoices (invoice_id) WHERE invoice_id IS NOT NULL;

-- +goose Down
DROP INDEX invoices_invoice;
