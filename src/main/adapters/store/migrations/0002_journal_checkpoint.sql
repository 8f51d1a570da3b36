-- Signed checkpoints of the journal head (size + head hash + signature), append-only.
CREATE TABLE journal_checkpoint (
  n         INTEGER PRIMARY KEY CHECK (n >= 1),
  size      INTEGER NOT NULL CHECK (size >= 0),
  head_hash BLOB    NOT NULL CHECK (length(head_hash) = 32),
  at        TEXT    NOT NULL,
  key_id    TEXT    NOT NULL,
  alg       TEXT    NOT NULL,
  signature BLOB    NOT NULL
) STRICT;

CREATE TRIGGER journal_checkpoint_refuse_update BEFORE UPDATE ON journal_checkpoint
BEGIN
  SELECT RAISE(ABORT, 'checkpoints are append-only: UPDATE refused');
END;

CREATE TRIGGER journal_checkpoint_refuse_delete BEFORE DELETE ON journal_checkpoint
BEGIN
  SELECT RAISE(ABORT, 'checkpoints are append-only: DELETE refused');
END;

-- A checkpoint must be the next in sequence, never shrink, and name a head that exists.
CREATE TRIGGER journal_checkpoint_next_only BEFORE INSERT ON journal_checkpoint
WHEN NEW.n IS NOT coalesce((SELECT max(n) FROM journal_checkpoint), 0) + 1
  OR NEW.size < coalesce((SELECT size FROM journal_checkpoint ORDER BY n DESC LIMIT 1), 0)
  OR NEW.head_hash IS NOT coalesce((SELECT hash FROM journal WHERE seq = NEW.size), CASE WHEN NEW.size = 0 THEN zeroblob(32) END)
BEGIN
  SELECT RAISE(ABORT, 'checkpoint must follow the last one and name an existing head');
END;
