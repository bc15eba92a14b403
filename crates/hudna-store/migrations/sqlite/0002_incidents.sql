-- Reports, the events each one tells of, incidents (one real happening,
-- backed by events from one or more reports), their assessments against each
-- agreement, and the parties' stances.

CREATE TABLE reports (
    id           INTEGER PRIMARY KEY,
    content_hash TEXT NOT NULL UNIQUE,
    source       TEXT NOT NULL,
    outlet       TEXT NOT NULL DEFAULT '',
    url          TEXT NOT NULL DEFAULT '',
    published    TEXT,
    language     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    origin       TEXT NOT NULL DEFAULT '',   -- file, line or ACLED event id it came from
    text         TEXT NOT NULL,
    extraction   TEXT NOT NULL,              -- the full extraction, JSON (mentions, diagnostics)
    flags        TEXT NOT NULL DEFAULT '',   -- space-separated: unresolved_place unknown_source ...
    ingested_by  TEXT NOT NULL,
    ingested_at  TEXT NOT NULL
);

CREATE TABLE incidents (
    id             INTEGER PRIMARY KEY,
    type           TEXT NOT NULL,
    event_group    TEXT NOT NULL,
    date           TEXT,
    day            INTEGER,                  -- days since 1970-01-01, for windows
    date_precision INTEGER,
    place_name     TEXT,
    geonameid      INTEGER,
    admin1         TEXT,
    lat            REAL,
    lon            REAL,
    geo_precision  INTEGER,
    perpetrator    TEXT,
    target         TEXT,
    killed_low     INTEGER, killed_best INTEGER, killed_high INTEGER,
    injured_low    INTEGER, injured_best INTEGER, injured_high INTEGER,
    sources        INTEGER NOT NULL DEFAULT 0,
    reports        INTEGER NOT NULL DEFAULT 0,
    status         TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'in_review', 'ready', 'published')),
    assignee       TEXT,
    grade          TEXT NOT NULL DEFAULT 'weak',
    grade_override TEXT,
    grade_reason   TEXT,
    merged_into    INTEGER REFERENCES incidents(id),
    absorbed       TEXT NOT NULL DEFAULT '[]',
    revision       INTEGER NOT NULL DEFAULT 0,
    flags          TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX incidents_candidates ON incidents(event_group, day) WHERE merged_into IS NULL;
CREATE INDEX incidents_day ON incidents(day) WHERE merged_into IS NULL;

CREATE TABLE events (
    id             INTEGER PRIMARY KEY,
    report_id      INTEGER NOT NULL REFERENCES reports(id),
    seq            INTEGER NOT NULL,
    type           TEXT NOT NULL,
    date           TEXT,
    date_precision INTEGER,
    place_name     TEXT,
    geonameid      INTEGER,
    admin1         TEXT,
    lat            REAL,
    lon            REAL,
    geo_precision  INTEGER,
    perpetrator    TEXT,
    target         TEXT,
    killed         INTEGER,
    injured        INTEGER,
    evidence       TEXT NOT NULL DEFAULT '[]',
    incident_id    INTEGER REFERENCES incidents(id),
    UNIQUE (report_id, seq)
);
CREATE INDEX events_incident ON events(incident_id);

CREATE TABLE assessments (
    incident_id      INTEGER NOT NULL REFERENCES incidents(id),
    agreement        TEXT NOT NULL,
    zone             TEXT,
    day              INTEGER,
    reading          TEXT NOT NULL CHECK (reading IN ('violation', 'carve_out_claimed', 'not_covered', 'outside_zones')),
    rule             TEXT,
    in_security_zone INTEGER NOT NULL DEFAULT 0,
    border_km        REAL,
    reasons          TEXT NOT NULL,
    PRIMARY KEY (incident_id, agreement)
);
CREATE INDEX assessments_zone_day ON assessments(agreement, zone, day);
CREATE INDEX assessments_reading_day ON assessments(reading, day);

-- Append-only: a party's latest stance on an incident is the one that counts.
CREATE TABLE stances (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    agreement   TEXT NOT NULL,
    party       TEXT NOT NULL,
    position    TEXT NOT NULL CHECK (position IN ('confirm', 'dispute', 'abstain')),
    comment     TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX stances_incident ON stances(incident_id);
