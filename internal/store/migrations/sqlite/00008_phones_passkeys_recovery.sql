-- +goose Up
-- The rest of two-step sign-in and recovery (issue 4): phones linked as
-- authenticators (SEC-3), push approval (SEC-4), passkeys (WebAuthn),
-- recovery mode (SEC-10) and confirmed recovery e-mail addresses.

-- A phone (or a native app) acting as an authenticator. Its secret token is
-- kept by the phone (cookie or app storage); only its hash is stored. One
-- phone holds several accounts (SEC-3).
CREATE TABLE authenticator_devices (
    id           text NOT NULL PRIMARY KEY,
    token_hash   text NOT NULL UNIQUE,
    name         text NOT NULL,
    user_agent   text NOT NULL DEFAULT '',
    created_at   timestamp NOT NULL,
    last_seen_at timestamp NOT NULL
);

-- An account held by a phone. Each link has its own one-time-code secret,
-- shown by the phone when it is offline; removing the link revokes it.
CREATE TABLE authenticator_links (
    device_id      text NOT NULL REFERENCES authenticator_devices(id) ON DELETE CASCADE,
    user_id        text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    totp_secret    text NOT NULL,
    last_used_step integer NOT NULL DEFAULT 0,
    created_at     timestamp NOT NULL,
    PRIMARY KEY (device_id, user_id)
);
CREATE INDEX authenticator_links_user ON authenticator_links (user_id);

-- Linking a phone from a computer (SEC-3): the console shows a QR code with
-- a token; the phone claims it (device_id); the console confirms.
CREATE TABLE authenticator_pairings (
    id          text NOT NULL PRIMARY KEY,
    token_hash  text NOT NULL UNIQUE,
    user_id     text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    device_id   text REFERENCES authenticator_devices(id) ON DELETE CASCADE,
    claimed_at  timestamp,
    confirmed_at timestamp,
    expires_at  timestamp NOT NULL,
    created_at  timestamp NOT NULL
);
CREATE INDEX authenticator_pairings_user ON authenticator_pairings (user_id);

-- Push approval of a pending sign-in (SEC-4): the browser shows number, the
-- phone must pick the same one (number matching).
CREATE TABLE push_challenges (
    id                  text NOT NULL PRIMARY KEY,
    signin_challenge_id text NOT NULL REFERENCES signin_challenges(id) ON DELETE CASCADE,
    user_id             text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    number              integer NOT NULL,
    ip                  text NOT NULL DEFAULT '',
    user_agent          text NOT NULL DEFAULT '',
    status              text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','approved','rejected')),
    device_id           text REFERENCES authenticator_devices(id) ON DELETE SET NULL,
    created_at          timestamp NOT NULL,
    expires_at          timestamp NOT NULL,
    answered_at         timestamp
);
CREATE INDEX push_challenges_user ON push_challenges (user_id, status);
CREATE INDEX push_challenges_signin ON push_challenges (signin_challenge_id);

-- Passkeys (WebAuthn), a second factor and a password-less sign-in.
-- credential is the JSON of go-webauthn's Credential (public key, sign
-- count, flags); credential_id is its id in base64url.
CREATE TABLE passkeys (
    id            text NOT NULL PRIMARY KEY,
    user_id       text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    credential_id text NOT NULL UNIQUE,
    name          text NOT NULL,
    credential    text NOT NULL,
    created_at    timestamp NOT NULL,
    last_used_at  timestamp
);
CREATE INDEX passkeys_user ON passkeys (user_id);

-- A WebAuthn ceremony under way (its challenge), found by a secret token.
CREATE TABLE webauthn_sessions (
    token_hash text NOT NULL PRIMARY KEY,
    user_id    text REFERENCES users(id) ON DELETE CASCADE,
    purpose    text NOT NULL CHECK (purpose IN ('register','second_factor','signin')),
    data       text NOT NULL,
    expires_at timestamp NOT NULL
);

-- Recovery mode (SEC-10): the temporary user name given when the login
-- mailbox disappeared; while it is set, the user must choose a new login
-- e-mail.
ALTER TABLE users ADD COLUMN recovery_name text;
ALTER TABLE users ADD COLUMN recovery_started_at timestamp;
CREATE UNIQUE INDEX users_recovery_name ON users (recovery_name);

-- A recovery e-mail address is used only once its owner confirmed it.
ALTER TABLE users ADD COLUMN recovery_email_confirmed_at timestamp;

-- Staff need a way to reach the person behind a request (SEC-9).
ALTER TABLE identity_requests ADD COLUMN phone text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE identity_requests DROP COLUMN phone;
ALTER TABLE users DROP COLUMN recovery_email_confirmed_at;
DROP INDEX users_recovery_name;
ALTER TABLE users DROP COLUMN recovery_started_at;
ALTER TABLE users DROP COLUMN recovery_name;
DROP TABLE webauthn_sessions;
DROP TABLE passkeys;
DROP TABLE push_challenges;
DROP TABLE authenticator_pairings;
DROP TABLE authenticator_links;
DROP TABLE authenticator_devices;
