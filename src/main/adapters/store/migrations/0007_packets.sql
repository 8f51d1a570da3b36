-- Projections for governance packets. All derived from journal events; rebuildable.
CREATE TABLE packet (
  packet_id    TEXT    PRIMARY KEY,
  kind         TEXT    NOT NULL,
  title        TEXT    NOT NULL,
  -- The current draft: canonical JSON of the packet content, after every packet.edited in order.
  draft        TEXT    NOT NULL,
  created_seq  INTEGER NOT NULL,
  updated_seq  INTEGER NOT NULL,
  stopped_seq  INTEGER
) STRICT;

-- Versions are append-only: a new version never rewrites an old one.
CREATE TABLE packet_version (
  packet_id      TEXT    NOT NULL REFERENCES packet (packet_id),
  version        INTEGER NOT NULL CHECK (version >= 1),
  digest         TEXT    NOT NULL CHECK (length(digest) = 64),
  parent_digest  TEXT,
  content        TEXT    NOT NULL,
  gate           TEXT    NOT NULL,
  failed_checks  TEXT    NOT NULL,
  at             TEXT    NOT NULL,
  seq            INTEGER NOT NULL,
  PRIMARY KEY (packet_id, version)
) STRICT;

CREATE TABLE packet_stop (
  seq        INTEGER PRIMARY KEY,
  packet_id  TEXT    NOT NULL REFERENCES packet (packet_id),
  findings   TEXT    NOT NULL,
  notice     TEXT    NOT NULL,
  at         TEXT    NOT NULL
) STRICT;

CREATE TABLE packet_handoff (
  seq        INTEGER PRIMARY KEY,
  packet_id  TEXT    NOT NULL,
  version    INTEGER NOT NULL,
  digest     TEXT    NOT NULL,
  gate       TEXT    NOT NULL,
  record     TEXT    NOT NULL,
  at         TEXT    NOT NULL,
  FOREIGN KEY (packet_id, version) REFERENCES packet_version (packet_id, version)
) STRICT;

CREATE TRIGGER packet_version_append_only BEFORE UPDATE ON packet_version
BEGIN
  SELECT RAISE(ABORT, 'packet versions are append-only');
END;
