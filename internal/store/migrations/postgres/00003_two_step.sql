-- +goose Up
-- Two-step sign-in (SEC-1, SEC-2, SEC-5): one-time-code secrets, backup codes,
-- pending sign-ins waiting for their second step, and an organization's
-- requirement of two-step sign-in.

CREATE TABLE totp_secrets (
    user_id        uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret         text NOT NULL,        -- base32; needed in clear to check codes
    confirmed_at   timestamptz,          -- NULL while being set up
    last_used_step bigint NOT NULL DEFAULT 0, -- no replay: a code's time step is used once
    created_at     timestamptz NOT NULL
);

CREATE TABLE backup_codes (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash  text NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL
);
CREATE INDEX backup_codes_user ON backup_codes (user_id);

CREATE TABLE signin_challenges (
    id           uuid PRIMARY KEY,
    token_hash   text NOT NULL UNIQUE,
    user_id      uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    ip           text NOT NULL DEFAULT '',
    user_agent   text NOT NULL DEFAULT '',
    attempts     integer NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    completed_at timestamptz
);
CREATE INDEX signin_challenges_user ON signin_challenges (user_id);

ALTER TABLE organizations ADD COLUMN require_two_step boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE organizations DROP COLUMN require_two_step;
DROP TABLE signin_challenges;
DROP TABLE backup_codes;
DROP TABLE totp_secrets;
