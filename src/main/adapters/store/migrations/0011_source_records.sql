-- Source records and policy records (docs/records.md). These are imported facts, not projections: each
-- import is one journal entry (records.imported / policy.imported, its seq kept here) and a copy of the
-- file in the object store; the rows are the file's validated records with their provenance.
CREATE TABLE source_record (
  family          TEXT    NOT NULL,
  family_version  INTEGER NOT NULL CHECK (family_version >= 1),
  system          TEXT    NOT NULL,
  record_id       TEXT    NOT NULL,
  exported_at     TEXT    NOT NULL,
  file_sha256     TEXT    NOT NULL CHECK (length(file_sha256) = 64),
  first_hand      INTEGER NOT NULL CHECK (first_hand IN (0, 1)),
  content         TEXT    NOT NULL,
  digest          TEXT    NOT NULL CHECK (length(digest) = 64),
  import_seq      INTEGER NOT NULL,
  -- The same record id with other content (or from a later export) is another version: both are kept.
  PRIMARY KEY (family, system, record_id, digest)
) STRICT;
-- An evaluation reads its workflow's families; staleness asks what was imported after a seq.
CREATE INDEX source_record_import ON source_record (family, import_seq);

CREATE TABLE records_import (
  seq              INTEGER PRIMARY KEY,
  family           TEXT    NOT NULL,
  family_version   INTEGER NOT NULL,
  system           TEXT    NOT NULL,
  exported_at      TEXT    NOT NULL,
  file_sha256      TEXT    NOT NULL CHECK (length(file_sha256) = 64),
  file_name        TEXT    NOT NULL,
  record_count     INTEGER NOT NULL,
  new_records      INTEGER NOT NULL,
  records_digest   TEXT    NOT NULL CHECK (length(records_digest) = 64)
) STRICT;

CREATE TABLE policy_record (
  seq          INTEGER PRIMARY KEY,
  policy       TEXT    NOT NULL,
  version      INTEGER NOT NULL CHECK (version >= 1),
  system       TEXT    NOT NULL,
  exported_at  TEXT    NOT NULL,
  file_sha256  TEXT    NOT NULL CHECK (length(file_sha256) = 64),
  file_name    TEXT    NOT NULL,
  content      TEXT    NOT NULL,
  digest       TEXT    NOT NULL CHECK (length(digest) = 64)
) STRICT;
CREATE INDEX policy_record_in_force ON policy_record (policy, exported_at, seq);

CREATE TRIGGER source_record_append_only BEFORE UPDATE ON source_record
BEGIN
  SELECT RAISE(ABORT, 'source records are append-only');
END;
