-- The journal: the station's single source of truth. Append-only, hash-chained (docs/journal-format.md).
CREATE TABLE journal (
  seq       INTEGER PRIMARY KEY CHECK (seq >= 1),
  at        TEXT    NOT NULL,
  actor     TEXT    NOT NULL,
  kind      TEXT    NOT NULL,
  body      BLOB    NOT NULL,
  prev_hash BLOB    NOT NULL CHECK (length(prev_hash) = 32),
  hash      BLOB    NOT NULL CHECK (length(hash) = 32)
) STRICT;

CREATE TRIGGER journal_refuse_update BEFORE UPDATE ON journal
BEGIN
  SELECT RAISE(ABORT, 'journal is append-only: UPDATE refused');
END;

CREATE TRIGGER journal_refuse_delete BEFORE DELETE ON journal
BEGIN
  SELECT RAISE(ABORT, 'journal is append-only: DELETE refused');
END;

-- INSERT OR REPLACE over an existing seq deletes a row without firing the DELETE trigger unless
-- recursive_triggers is on: the station's connection turns it on (openDatabase). Inserts that do not
-- extend the head are not refused here (a trigger would halve append throughput); the station's own
-- append computes seq and prev_hash inside one IMMEDIATE transaction, and the verifier catches any
-- other insert (JNL-SEQ / JNL-LINK).
