-- The humanitarian file: lists handed over by each side, their person
-- records, persons (decided clusters of records), candidate and decided
-- links, status changes, exchanges; and the follow-up of rounds' commitments.

CREATE TABLE lists (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    source_party TEXT NOT NULL,
    received     TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    records      INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL
);

CREATE TABLE persons (
    id         INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL
);

CREATE TABLE person_records (
    id            INTEGER PRIMARY KEY,
    list_id       INTEGER NOT NULL REFERENCES lists(id),
    record_id     TEXT NOT NULL,
    full_name     TEXT NOT NULL DEFAULT '',
    first         TEXT NOT NULL DEFAULT '',
    father        TEXT NOT NULL DEFAULT '',
    grandfather   TEXT NOT NULL DEFAULT '',
    family        TEXT NOT NULL DEFAULT '',
    mother        TEXT NOT NULL DEFAULT '',
    sex           TEXT NOT NULL DEFAULT '',
    birth_year    TEXT NOT NULL DEFAULT '',
    place         TEXT NOT NULL DEFAULT '',
    event_date    TEXT NOT NULL DEFAULT '',
    event_place   TEXT NOT NULL DEFAULT '',
    holding_party TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('detained', 'abducted', 'missing', 'released', 'deceased', 'body_handed_over', 'identified')),
    script        TEXT NOT NULL DEFAULT '',
    person_id     INTEGER NOT NULL REFERENCES persons(id),
    UNIQUE (list_id, record_id)
);
CREATE INDEX person_records_person ON person_records(person_id);

CREATE TABLE links (
    id          INTEGER PRIMARY KEY,
    record_a    INTEGER NOT NULL REFERENCES person_records(id),
    record_b    INTEGER NOT NULL REFERENCES person_records(id),
    probability REAL NOT NULL,
    explanation TEXT NOT NULL DEFAULT '',
    decision    TEXT NOT NULL DEFAULT 'candidate' CHECK (decision IN ('candidate', 'accepted', 'rejected')),
    decided_by  TEXT,
    decided_at  TEXT,
    UNIQUE (record_a, record_b),
    CHECK (record_a < record_b)
);

CREATE TABLE status_changes (
    id         INTEGER PRIMARY KEY,
    record     INTEGER NOT NULL REFERENCES person_records(id),
    from_status TEXT NOT NULL,
    to_status  TEXT NOT NULL,
    date       TEXT NOT NULL,
    exchange   INTEGER REFERENCES exchanges(id),
    note       TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

CREATE TABLE exchanges (
    id          INTEGER PRIMARY KEY,
    date        TEXT NOT NULL,
    mediator    TEXT NOT NULL,
    place       TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

CREATE TABLE exchange_items (
    exchange    INTEGER NOT NULL REFERENCES exchanges(id),
    record      INTEGER NOT NULL REFERENCES person_records(id),
    released_by TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('released', 'body_handed_over')),
    PRIMARY KEY (exchange, record)
);

CREATE TABLE commitment_followups (
    id          INTEGER PRIMARY KEY,
    agreement   TEXT NOT NULL,
    commitment  TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open', 'met', 'missed', 'postponed')),
    settled_by  TEXT NOT NULL DEFAULT '',
    evidence    TEXT NOT NULL DEFAULT '',
    date        TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX followups_commitment ON commitment_followups(agreement, commitment);
