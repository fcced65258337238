-- +goose Up
-- Events for the provider's systems (PRD-5): endpoints the operator
-- registered, the events published in the transaction of each change, and
-- every delivery attempt with its response.

-- secret signs the deliveries (HMAC-SHA256); it must be kept in clear to
-- sign, like any shared signing secret.
CREATE TABLE webhook_endpoints (
    id         uuid NOT NULL PRIMARY KEY,
    url        text NOT NULL,
    secret     text NOT NULL,
    events     text NOT NULL DEFAULT '*',   -- comma-separated patterns: "*", "product.*", "invoice.paid"
    created_at timestamptz NOT NULL,
    removed_at timestamptz
);

CREATE TABLE webhook_events (
    id              uuid NOT NULL PRIMARY KEY,
    type            text NOT NULL,
    organization_id uuid,
    payload         text NOT NULL,          -- the JSON body delivered
    created_at      timestamptz NOT NULL
);
CREATE INDEX webhook_events_created ON webhook_events (created_at);

CREATE TABLE webhook_deliveries (
    id              uuid NOT NULL PRIMARY KEY,
    endpoint_id     uuid NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    event_id        uuid NOT NULL REFERENCES webhook_events(id) ON DELETE CASCADE,
    attempt         integer NOT NULL,
    status          text NOT NULL CHECK (status IN ('succeeded','failed')),
    response_status integer NOT NULL DEFAULT 0,
    response_body   text NOT NULL DEFAULT '',
    error           text NOT NULL DEFAULT '',
    duration_ms     integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL
);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhook_events;
DROP TABLE webhook_endpoints;
