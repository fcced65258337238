-- +goose Up
-- Links that confirm an address of the recovery flows (SEC-8..10): a new
-- recovery e-mail (purpose 'recovery_email'), used for recovery only once
-- confirmed, and the new login e-mail a user in recovery mode chooses
-- (purpose 'login_email'). Only the sha256 of a link's token is stored.
-- email_confirmations is not reused: its kinds are checked and its links
-- are opened by the sign-up confirmation page.
CREATE TABLE recovery_confirmations (
    token_hash text PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    email      text NOT NULL,
    purpose    text NOT NULL CHECK (purpose IN ('recovery_email','login_email')),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL
);
CREATE INDEX recovery_confirmations_user ON recovery_confirmations (user_id, purpose);

-- +goose Down
DROP TABLE recovery_confirmations;
