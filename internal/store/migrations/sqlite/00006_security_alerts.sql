-- +goose Up
-- Which security events e-mail a user (SEC-7). A missing row means the
-- default: the e-mail is sent.

CREATE TABLE security_alert_preferences (
    user_id    text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    event      text NOT NULL,
    email      integer NOT NULL CHECK (email IN (0,1)),
    updated_at timestamp NOT NULL,
    PRIMARY KEY (user_id, event)
);

-- +goose Down
DROP TABLE security_alert_preferences;
