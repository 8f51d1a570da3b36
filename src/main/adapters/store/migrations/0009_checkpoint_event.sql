-- Checkpoints become chained journal events (`journal.checkpoint`, docs/journal-format.md): the table
-- stays as a projection that names the seq of the event each row was recorded with. Rows from before
-- this migration have no event (event_seq NULL) and are read as legacy checkpoints.
ALTER TABLE journal_checkpoint ADD COLUMN event_seq INTEGER;

-- From now on a checkpoint row arrives in the same transaction as its event, right after the head it
-- signs: the event sits at seq size + 1 and must already be in the journal. Replaces the 0002 trigger of
-- the same name (its checks are kept unchanged).
DROP TRIGGER journal_checkpoint_next_only;
CREATE TRIGGER journal_checkpoint_next_only BEFORE INSERT ON journal_checkpoint
WHEN NEW.n IS NOT coalesce((SELECT max(n) FROM journal_checkpoint), 0) + 1
  OR NEW.size < coalesce((SELECT size FROM journal_checkpoint ORDER BY n DESC LIMIT 1), 0)
  OR NEW.head_hash IS NOT coalesce((SELECT hash FROM journal WHERE seq = NEW.size), CASE WHEN NEW.size = 0 THEN zeroblob(32) END)
  OR NEW.event_seq IS NOT NEW.size + 1
  OR NOT EXISTS (SELECT 1 FROM journal WHERE seq = NEW.event_seq AND kind = 'journal.checkpoint')
BEGIN
  SELECT RAISE(ABORT, 'checkpoint must follow the last one, name an existing head and come with its journal event');
END;
