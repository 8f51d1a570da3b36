-- Projections: PKCS#11 modules the station uses, and its identity key. Derived from
-- `hsm.module-registered` and `station.identity-created`; rebuildable from the journal.
CREATE TABLE hsm_module (
  module_id       TEXT    PRIMARY KEY,
  profile         TEXT    NOT NULL,
  path            TEXT    NOT NULL,
  library_sha256  TEXT    NOT NULL,
  environment     TEXT    NOT NULL,
  registered_seq  INTEGER NOT NULL
) STRICT;

CREATE TABLE station_identity (
  singleton       INTEGER PRIMARY KEY CHECK (singleton = 1),
  module_id       TEXT    NOT NULL REFERENCES hsm_module (module_id),
  token_serial    TEXT    NOT NULL,
  token_label     TEXT    NOT NULL,
  key_label       TEXT    NOT NULL,
  key_id          TEXT    NOT NULL,
  algorithm       TEXT    NOT NULL,
  spki            BLOB    NOT NULL,
  fingerprint     TEXT    NOT NULL CHECK (length(fingerprint) = 64),
  certificate_pem TEXT    NOT NULL,
  created_seq     INTEGER NOT NULL
) STRICT;
