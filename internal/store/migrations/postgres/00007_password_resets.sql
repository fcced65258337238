-- +goose Up
-- Forgotten passwords (SEC-8). A reset is a code sent by SMS or a link sent
-- to the recovery e-mail; only hashes are stored. A request for an unknown
-- account is recorded too (user_id NULL): it is counted like the others and
-- can never be used.

CREATE TABLE password_resets (
    token_hash   text PRIMARY KEY,
    user_id      uuid REFERENCES users(id) ON DELETE CASCADE,
    email        text NOT NULL,
    method       text NOT NULL CHECK (method IN ('sms','link')),
    code_hash    text NOT NULL DEFAULT '',
    attempts     integer NOT NULL DEFAULT 0,
    verified_at  timestamptz,
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz,
    ip           text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL
);
CREATE INDEX password_resets_email ON password_resets (email, created_at);
CREATE INDEX password_resets_ip ON password_resets (ip, created_at);

-- Identity verifications waiting for staff (IDV-1); the verification itself
-- comes later.
CREATE TABLE identity_requests (
    id          uuid PRIMARY KEY,
    user_id     uuid REFERENCES users(id) ON DELETE SET NULL,
    email       text NOT NULL,
    reason      text NOT NULL,
    status      text NOT NULL DEFAULT 'waiting',
    created_at  timestamptz NOT NULL
);
CREATE INDEX identity_requests_status ON identity_requests (status, created_at);

-- +goose Down
DROP TABLE identity_requests;
DROP TABLE password_resets;
