-- Accounts of the web desk: organisations (each guarantor's liaison, the
-- mission, NGOs), users with one role each, browser sessions, API tokens for
-- scripts, and login attempts (for throttling). Secrets are never stored:
-- passwords as argon2id PHC strings, session ids and tokens as SHA-256 hex.

CREATE TABLE organisations (
    id         TEXT PRIMARY KEY,            -- slug, e.g. turkey-liaison
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('guarantor', 'mission', 'ngo', 'observer', 'other')),
    party      TEXT,                        -- the party this organisation speaks for (liaisons)
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL DEFAULT '',
    org           TEXT NOT NULL REFERENCES organisations(id),
    role          TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'liaison', 'humanitarian_officer', 'viewer')),
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,            -- SHA-256 of the cookie value
    user_id    INTEGER NOT NULL REFERENCES users(id),
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at INTEGER NOT NULL             -- unix seconds
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,        -- SHA-256 of the token
    user_id    INTEGER NOT NULL REFERENCES users(id),
    label      TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    revoked    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE login_attempts (
    key TEXT NOT NULL,                      -- 'user:NAME' or 'ip:ADDR'
    at  INTEGER NOT NULL,                   -- unix seconds
    ok  INTEGER NOT NULL
);
CREATE INDEX login_attempts_key_at ON login_attempts(key, at);
