-- Projections for bundles, the trust store and approvals. All derived from journal events; rebuildable.
CREATE TABLE trust_entry (
  trust_id           TEXT    PRIMARY KEY,
  name               TEXT    NOT NULL,
  entry_kind         TEXT    NOT NULL CHECK (entry_kind IN ('reviewer', 'station')),
  roles              TEXT    NOT NULL,
  spki               TEXT    NOT NULL,
  fingerprint        TEXT    NOT NULL UNIQUE CHECK (length(fingerprint) = 64),
  algorithm          TEXT    NOT NULL,
  valid_from         TEXT    NOT NULL,
  valid_until        TEXT    NOT NULL,
  revoked_at         TEXT,
  registered_seq     INTEGER NOT NULL,
  revoked_seq        INTEGER
) STRICT;

CREATE TABLE bundle_issued (
  packet_id       TEXT    NOT NULL,
  version         INTEGER NOT NULL CHECK (version >= 1),
  bundle_kind     TEXT    NOT NULL,
  title           TEXT    NOT NULL,
  digest          TEXT    NOT NULL CHECK (length(digest) = 64),
  file_sha256     TEXT    NOT NULL,
  file_name       TEXT    NOT NULL,
  volume          TEXT    NOT NULL,
  size_bytes      INTEGER NOT NULL,
  required_roles  TEXT    NOT NULL,
  at              TEXT    NOT NULL,
  seq             INTEGER NOT NULL,
  PRIMARY KEY (packet_id, version)
) STRICT;

CREATE TABLE bundle_imported (
  seq                 INTEGER PRIMARY KEY,
  bundle_kind         TEXT    NOT NULL,
  packet_id           TEXT    NOT NULL,
  version             INTEGER NOT NULL,
  digest              TEXT    NOT NULL,
  file_sha256         TEXT    NOT NULL,
  file_name           TEXT    NOT NULL,
  signer_fingerprint  TEXT    NOT NULL,
  signer_name         TEXT    NOT NULL,
  files               TEXT    NOT NULL,
  at                  TEXT    NOT NULL
) STRICT;

CREATE TABLE media_refusal (
  seq          INTEGER PRIMARY KEY,
  code         TEXT    NOT NULL,
  check_id     TEXT,
  file_name    TEXT    NOT NULL,
  detail       TEXT    NOT NULL,
  at           TEXT    NOT NULL
) STRICT;

CREATE TABLE approval (
  seq                 INTEGER PRIMARY KEY,
  packet_id           TEXT    NOT NULL,
  packet_version      INTEGER NOT NULL,
  packet_digest       TEXT    NOT NULL,
  role                TEXT    NOT NULL,
  decision            TEXT    NOT NULL CHECK (decision IN ('approve', 'reject', 'request-changes')),
  comment             TEXT    NOT NULL,
  expires_at          TEXT    NOT NULL,
  sequence            INTEGER NOT NULL,
  reviewer            TEXT    NOT NULL,
  trust_id            TEXT    NOT NULL,
  signer_fingerprint  TEXT    NOT NULL,
  envelope_sha256     TEXT    NOT NULL,
  at                  TEXT    NOT NULL,
  FOREIGN KEY (packet_id, packet_version) REFERENCES bundle_issued (packet_id, version)
) STRICT;
CREATE INDEX approval_packet ON approval (packet_id, signer_fingerprint);

CREATE TABLE approval_refusal (
  seq                 INTEGER PRIMARY KEY,
  code                TEXT    NOT NULL,
  check_id            TEXT,
  packet_id           TEXT,
  signer_fingerprint  TEXT,
  detail              TEXT    NOT NULL,
  at                  TEXT    NOT NULL
) STRICT;
