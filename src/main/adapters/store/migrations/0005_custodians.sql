-- Projections for custodians: roster, quorum sessions, activation splits, custody log, shift coverage.
-- All derived from journal events; rebuildable.
CREATE TABLE roster_policy (
  singleton        INTEGER PRIMARY KEY CHECK (singleton = 1),
  quorum           INTEGER NOT NULL CHECK (quorum >= 2),
  initialised_seq  INTEGER NOT NULL
) STRICT;

CREATE TABLE custodian (
  custodian_id  TEXT    PRIMARY KEY,
  name          TEXT    NOT NULL,
  roles         TEXT    NOT NULL,
  spki          TEXT    NOT NULL,
  fingerprint   TEXT    NOT NULL CHECK (length(fingerprint) = 64),
  algorithm     TEXT    NOT NULL,
  valid_from    TEXT    NOT NULL,
  valid_until   TEXT    NOT NULL,
  revoked_at    TEXT,
  added_seq     INTEGER NOT NULL,
  revoked_seq   INTEGER
) STRICT;
CREATE INDEX custodian_fingerprint ON custodian (fingerprint);

CREATE TABLE quorum_session (
  session_id    TEXT    PRIMARY KEY,
  operation     TEXT    NOT NULL,
  ceremony_id   TEXT    NOT NULL,
  step          TEXT    NOT NULL,
  threshold     INTEGER NOT NULL,
  nonce         TEXT    NOT NULL,
  opened_at     TEXT    NOT NULL,
  expires_at    TEXT    NOT NULL,
  opened_seq    INTEGER NOT NULL,
  closed_reason TEXT,
  used_for      TEXT,
  closed_seq    INTEGER
) STRICT;

CREATE TABLE quorum_checkin (
  seq           INTEGER PRIMARY KEY,
  session_id    TEXT    NOT NULL REFERENCES quorum_session (session_id),
  custodian_id  TEXT    NOT NULL,
  fingerprint   TEXT    NOT NULL,
  signature     TEXT    NOT NULL,
  at            TEXT    NOT NULL
) STRICT;
CREATE INDEX quorum_checkin_session ON quorum_checkin (session_id);

CREATE TABLE quorum_refusal (
  seq           INTEGER PRIMARY KEY,
  session_id    TEXT    NOT NULL,
  code          TEXT    NOT NULL,
  custodian_id  TEXT,
  reason        TEXT    NOT NULL,
  at            TEXT    NOT NULL
) STRICT;
CREATE INDEX quorum_refusal_session ON quorum_refusal (session_id);

CREATE TABLE share_split (
  split_id           TEXT    PRIMARY KEY,
  module_id          TEXT    NOT NULL,
  token_serial       TEXT    NOT NULL,
  threshold          INTEGER NOT NULL,
  total              INTEGER NOT NULL,
  holders            TEXT    NOT NULL,
  share_commitments  TEXT    NOT NULL,
  secret_commitment  TEXT    NOT NULL,
  created_seq        INTEGER NOT NULL
) STRICT;
CREATE INDEX share_split_token ON share_split (token_serial);

CREATE TABLE custody_item (
  item_id         TEXT    PRIMARY KEY,
  item_kind       TEXT    NOT NULL,
  description     TEXT    NOT NULL,
  registered_seq  INTEGER NOT NULL
) STRICT;

CREATE TABLE custody_event (
  seq      INTEGER PRIMARY KEY,
  item_id  TEXT    NOT NULL REFERENCES custody_item (item_id),
  type     TEXT    NOT NULL,
  at       TEXT    NOT NULL,
  actor    TEXT    NOT NULL,
  details  TEXT    NOT NULL
) STRICT;
CREATE INDEX custody_event_item ON custody_event (item_id, seq);

CREATE TABLE availability (
  custodian_id  TEXT    NOT NULL,
  date          TEXT    NOT NULL,
  shift         TEXT    NOT NULL,
  available     INTEGER NOT NULL CHECK (available IN (0, 1)),
  seq           INTEGER NOT NULL,
  PRIMARY KEY (custodian_id, date, shift)
) STRICT;
