-- Agreements are stored as the validated, self-contained definition document
-- (JSON with geometry inlined); the app rebuilds the domain value from it.
CREATE TABLE agreements (
    id          TEXT PRIMARY KEY,
    name_ar     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    signed      TEXT NOT NULL,
    definition  TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    source_dir  TEXT,
    loaded_at   TEXT NOT NULL
);

-- Consents recorded after loading (the CLI, the desk). Append-only: a
-- party's latest decision on an extension is the one that counts.
CREATE TABLE consents (
    id          INTEGER PRIMARY KEY,
    agreement   TEXT NOT NULL REFERENCES agreements(id),
    extension   INTEGER NOT NULL CHECK (extension >= 1),
    party       TEXT NOT NULL,
    decision    TEXT NOT NULL CHECK (decision IN ('grant', 'object')),
    date        TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX consents_agreement ON consents(agreement, extension);

-- Gazetteer places loaded from a GeoNames dump (empty: the built-in extract is used).
CREATE TABLE places (
    geonameid   INTEGER PRIMARY KEY,
    name_en     TEXT NOT NULL,
    names_ar    TEXT NOT NULL,
    names_latin TEXT NOT NULL,
    lat         REAL NOT NULL,
    lon         REAL NOT NULL,
    admin1      TEXT,
    population  INTEGER NOT NULL DEFAULT 0,
    kind        TEXT NOT NULL DEFAULT ''
);

-- The hash-chained audit log: each entry commits to the previous one.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_entity ON audit_log(entity);
