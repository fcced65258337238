-- +goose Up
-- The operator's catalog (PRD-1): every import is a new version, the whole
-- validated catalog as JSON; the newest one is the catalog. Orders and
-- invoices copy the prices they use, so old versions are kept for history.
CREATE TABLE catalog_versions (
    id          text NOT NULL PRIMARY KEY,
    document    text NOT NULL,
    source      text NOT NULL DEFAULT '',
    imported_at timestamp NOT NULL
);
CREATE INDEX catalog_versions_imported ON catalog_versions (imported_at);

-- +goose Down
DROP TABLE catalog_versions;
