-- +goose Up
-- Organizations' legal details, members' rights, invitations, work teams and
-- products (ACC-4, ACC-5, ORG-1..10, TEAM-1..3, PRD-2).

ALTER TABLE organizations ADD COLUMN street text NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN postcode text NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN city text NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN country text NOT NULL DEFAULT 'CH';
ALTER TABLE organizations ADD COLUMN vat_number text NOT NULL DEFAULT '';

-- billing: the billing right of a collaborator (ORG-8); contact_preferences:
-- space-separated categories among billing technical legal security marketing (ORG-3).
ALTER TABLE memberships ADD COLUMN billing boolean NOT NULL DEFAULT false;
ALTER TABLE memberships ADD COLUMN contact_preferences text NOT NULL DEFAULT '';

-- kind: 'signup' confirms a new account's address; 'change' confirms a new login e-mail (ACC-5).
ALTER TABLE email_confirmations ADD COLUMN kind text NOT NULL DEFAULT 'signup' CHECK (kind IN ('signup','change'));

CREATE TABLE products (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    type            text NOT NULL,
    name            text NOT NULL,
    status          text NOT NULL CHECK (status IN ('pending','active','blocked','terminated')),
    due_date        text,            -- calendar date YYYY-MM-DD in the operator's time zone
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX products_org ON products (organization_id, type, name);

-- Direct product access of a collaborator or external user (ORG-3, ORG-8).
CREATE TABLE product_grants (
    organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    product_id      uuid NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (user_id, product_id)
);
CREATE INDEX product_grants_org ON product_grants (organization_id, user_id);

CREATE TABLE teams (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name            text NOT NULL,
    leader_id       uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    UNIQUE (organization_id, name)
);

CREATE TABLE team_members (
    team_id    uuid NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);

CREATE TABLE team_products (
    team_id    uuid NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    product_id uuid NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, product_id)
);
CREATE INDEX team_products_product ON team_products (product_id);

CREATE TABLE invitations (
    id                  uuid PRIMARY KEY,
    organization_id     uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    email               text NOT NULL,
    role                text NOT NULL CHECK (role IN ('legal_representative','administrator','collaborator','external')),
    billing             boolean NOT NULL DEFAULT false,
    contact_preferences text NOT NULL DEFAULT '',
    product_ids         text NOT NULL DEFAULT '',  -- space-separated product ids
    team_ids            text NOT NULL DEFAULT '',  -- space-separated team ids
    token_hash          text NOT NULL UNIQUE,
    invited_by          uuid REFERENCES users(id) ON DELETE SET NULL,
    status              text NOT NULL CHECK (status IN ('pending','accepted','declined','cancelled')),
    expires_at          timestamptz NOT NULL,
    created_at          timestamptz NOT NULL,
    sent_at             timestamptz NOT NULL,
    responded_at        timestamptz
);
CREATE UNIQUE INDEX invitations_one_pending ON invitations (organization_id, email) WHERE status = 'pending';
CREATE INDEX invitations_email ON invitations (email, status);

-- +goose Down
DROP TABLE invitations;
DROP TABLE team_products;
DROP TABLE team_members;
DROP TABLE teams;
DROP TABLE product_grants;
DROP TABLE products;
ALTER TABLE email_confirmations DROP COLUMN kind;
ALTER TABLE memberships DROP COLUMN contact_preferences;
ALTER TABLE memberships DROP COLUMN billing;
ALTER TABLE organizations DROP COLUMN vat_number;
ALTER TABLE organizations DROP COLUMN country;
ALTER TABLE organizations DROP COLUMN city;
ALTER TABLE organizations DROP COLUMN postcode;
ALTER TABLE organizations DROP COLUMN street;
