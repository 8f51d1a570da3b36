-- Where the station's identity key lives (issue #16): the identity token's serial and label, kept in the
-- station's own file and never in the journal, so no bundle that carries the journal (every content
-- bundle) carries a token identifier. Written once, in the transaction that appends
-- `station.identity-created`, whose body records neither but commits to both: SHA-256 over a random
-- salt kept here, the serial and the label (docs/journal-format.md). A record changed afterwards no
-- longer matches the hash-chained commitment and is refused (IDENTITY_MISMATCH); the salt keeps a
-- reader of the journal from testing guessed serials against it. Stations created before this table record both in that event instead. Not a
-- projection: rebuilding projections leaves it alone.
CREATE TABLE station_identity_token (
  singleton    INTEGER PRIMARY KEY CHECK (singleton = 1),
  token_serial TEXT    NOT NULL CHECK (length(token_serial) BETWEEN 1 AND 32),
  token_label  TEXT    NOT NULL CHECK (length(token_label) <= 32),
  salt         TEXT    NOT NULL CHECK (length(salt) = 64),
  fingerprint  TEXT    NOT NULL CHECK (length(fingerprint) = 64)
) STRICT;

CREATE TRIGGER station_identity_token_no_update BEFORE UPDATE ON station_identity_token
BEGIN SELECT RAISE(ABORT, 'station_identity_token is written once'); END;
CREATE TRIGGER station_identity_token_no_delete BEFORE DELETE ON station_identity_token
BEGIN SELECT RAISE(ABORT, 'station_identity_token is written once'); END;
