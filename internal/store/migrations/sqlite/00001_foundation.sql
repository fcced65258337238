-- +goose Up
-- Foundation: accounts, organizations, sessions, API tokens, rate limit,
-- idempotency, outbox, audit, settings, sweeps. Times come from the clock.

CREATE TABLE users (
    id                 text NOT NULL PRIMARY KEY,
    email              text NOT NULL UNIQUE,
    password_hash      text NOT NULL,
    first_name         text NOT NULL,
    last_name          text NOT NULL,
    phone              text NOT NULL DEFAULT '',
    recovery_email     text NOT NULL DEFAULT '',
    language           text NOT NULL DEFAULT 'en' CHECK (language IN ('fr','en','de','it','es')),
    country            text NOT NULL DEFAULT 'CH',
    time_zone          text NOT NULL DEFAULT 'Europe/Zurich',
    email_confirmed_at timestamp,
    created_at         timestamp NOT NULL,
    updated_at         timestamp NOT NULL
);

CREATE TABLE organizations (
    id         text NOT NULL PRIMARY KEY,
    name       text NOT NULL,
    legal_form text NOT NULL DEFAULT 'individual' CHECK (legal_form IN ('individual','company','public_body')),
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL
);

CREATE TABLE memberships (
    organization_id text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id         text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role            text NOT NULL CHECK (role IN ('legal_representative','administrator','collaborator','external')),
    created_at      timestamp NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE email_confirmations (
    token_hash text NOT NULL PRIMARY KEY,
    user_id    text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    email      text NOT NULL,
    expires_at timestamp NOT NULL,
    used_at    timestamp,
    created_at timestamp NOT NULL
);
CREATE INDEX email_confirmations_user ON email_confirmations (user_id);

CREATE TABLE sessions (
    id_hash      text NOT NULL PRIMARY KEY,
    id           text NOT NULL UNIQUE,
    user_id      text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    organization_id text,
    ip           text NOT NULL DEFAULT '',
    user_agent   text NOT NULL DEFAULT '',
    created_at   timestamp NOT NULL,
    last_seen_at timestamp NOT NULL,
    expires_at   timestamp NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           text NOT NULL PRIMARY KEY,
    user_id      text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         text NOT NULL,
    token_hash   text NOT NULL UNIQUE,
    prefix       text NOT NULL,
    scopes       text NOT NULL,
    expires_at   timestamp,
    last_used_at timestamp,
    created_at   timestamp NOT NULL
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE rate_limit_hits (
    id     text NOT NULL PRIMARY KEY,
    bucket text NOT NULL,
    at     timestamp NOT NULL
);
CREATE INDEX rate_limit_hits_bucket_at ON rate_limit_hits (bucket, at);

CREATE TABLE idempotency_keys (
    owner         text NOT NULL,
    key           text NOT NULL,
    method        text NOT NULL,
    path          text NOT NULL,
    request_hash  text NOT NULL,
    status_code   integer NOT NULL DEFAULT 0,
    response_body blob,
    response_type text NOT NULL DEFAULT '',
    created_at    timestamp NOT NULL,
    completed_at  timestamp,
    PRIMARY KEY (owner, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

CREATE TABLE outbox (
    id              text NOT NULL PRIMARY KEY,
    channel         text NOT NULL CHECK (channel IN ('email','sms')),
    recipient       text NOT NULL,
    language        text NOT NULL,
    template        text NOT NULL,
    subject         text NOT NULL DEFAULT '',
    body_text       text NOT NULL,
    body_html       text NOT NULL DEFAULT '',
    links           text NOT NULL DEFAULT '[]',
    status          text NOT NULL CHECK (status IN ('queued','sent','held','failed')),
    error           text NOT NULL DEFAULT '',
    attempts        integer NOT NULL DEFAULT 0,
    user_id         text,
    organization_id text,
    created_at      timestamp NOT NULL,
    sent_at         timestamp
);
CREATE INDEX outbox_created ON outbox (created_at);
CREATE INDEX outbox_recipient ON outbox (recipient);

CREATE TABLE audit_events (
    id              text NOT NULL PRIMARY KEY,
    actor_user_id   text,
    subject_user_id text,
    organization_id text,
    action          text NOT NULL,
    ip              text NOT NULL DEFAULT '',
    user_agent      text NOT NULL DEFAULT '',
    data            text NOT NULL DEFAULT '{}',
    created_at      timestamp NOT NULL
);
CREATE INDEX audit_events_subject ON audit_events (subject_user_id, created_at);
CREATE INDEX audit_events_org ON audit_events (organization_id, created_at);

CREATE TABLE settings (
    key        text NOT NULL PRIMARY KEY,
    value      text NOT NULL,
    updated_at timestamp NOT NULL
);

CREATE TABLE sweep_runs (
    name        text NOT NULL PRIMARY KEY,
    last_run_at timestamp NOT NULL
);

-- +goose Down
DROP TABLE sweep_runs;
DROP TABLE settings;
DROP TABLE audit_events;
DROP TABLE outbox;
DROP TABLE idempotency_keys;
DROP TABLE rate_limit_hits;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE email_confirmations;
DROP TABLE memberships;
DROP TABLE organizations;
DROP TABLE users;
