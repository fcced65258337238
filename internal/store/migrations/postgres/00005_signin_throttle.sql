-- +goose Up
-- Sign-in throttling (issue 4, "Sessions and abuse"). A bucket is a login
-- e-mail (sha256, "account:<hex>") or a client address ("ip:<address>").
-- signin_throttle holds a bucket's lockout and is the row locked while a
-- failure is counted; signin_failures holds one row per failed attempt.
CREATE TABLE signin_throttle (
    bucket       text NOT NULL PRIMARY KEY,
    locked_until timestamptz
);

CREATE TABLE signin_failures (
    id     text NOT NULL PRIMARY KEY,
    bucket text NOT NULL,
    at     timestamptz NOT NULL
);
CREATE INDEX signin_failures_bucket_at ON signin_failures (bucket, at);

-- +goose Down
DROP TABLE signin_failures;
DROP TABLE signin_throttle;
