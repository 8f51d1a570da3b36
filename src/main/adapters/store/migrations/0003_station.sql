-- Projection: who this station is. Derived from `station.initialised`; rebuildable from the journal.
CREATE TABLE station (
  singleton    INTEGER PRIMARY KEY CHECK (singleton = 1),
  station_id   TEXT    NOT NULL,
  name         TEXT    NOT NULL,
  mode         TEXT    NOT NULL CHECK (mode IN ('offline', 'online')),
  demo         INTEGER NOT NULL CHECK (demo IN (0, 1)),
  created_at   TEXT    NOT NULL,
  created_seq  INTEGER NOT NULL
) STRICT;
