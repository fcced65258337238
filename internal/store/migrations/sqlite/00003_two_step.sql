-- +goose Up
-- Two-step sign-in (SEC-1, SEC-2, SEC-5): one-time-code secrets, backup codes,
-- pending sign-ins waiting for their second step, and an organization's
-- requirement of two-step sign-in.

CREATE TABLE totp_secrets (
    user_id        text NOT NULL PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret         text NOT NULL,        -- base32; needed in clear to check codes
    confirmed_at   timestamp,          -- NULL while being set up
    last_used_step integer NOT NULL DEFAULT 0, -- no replay: a code's time step is used once
    created_at     timestamp NOT NULL
);

CREATE TABLE backup_codes (
    id         text NOT NULL PRIMARY KEY,
    user_id    text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash  text NOT NULL,
    used_at    timestamp,
    created_at timestamp NOT NULL
);
CREATE INDEX backup_codes_user ON backup_codes (user_id);

CREATE TABLE signin_challenges (
    id           text NOT NULL PRIMARY KEY,
    token_hash   text NOT NULL UNIQUE,
    user_id      text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    ip           text NOT NULL DEFAULT '',
    user_agent   text NOT NULL DEFAULT '',
    attempts     integer NOT NULL DEFAULT 0,
    created_at   timestamp NOT NULL,
    expires_at   timestamp NOT NULL,
    completed_at timestamp
);
CREATE INDEX signin_challenges_user ON signin_challenges (user_id);

ALTER TABLE organizations ADD COLUMN require_two_step integer NOT NULL DEFAULT 0 CHECK (require_two_step IN (0,1));

-- +goose Down
ALTER TABLE organizations DROP COLUMN require_two_step;
DROP TABLE signin_challenges;
DROP TABLE backup_codes;
DROP TABLE totp_secrets;
