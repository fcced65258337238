-- +goose Up
-- One row per rate-limit bucket (API-3): on PostgreSQL a request locks its
-- bucket's row, so that concurrent requests on one token, on any instance,
-- count one after the other.
CREATE TABLE rate_limit_buckets (
    bucket text NOT NULL PRIMARY KEY
);

-- +goose Down
DROP TABLE rate_limit_buckets;
