-- Operator sessions (docs/operators.md): who signed in, with which roster key, until when. The table is a
-- projection of operator.signed-in / operator.signed-out and is rebuildable; operator_activity is not
-- (it is the idle clock, written on each act under a session; lost on a rebuild, which only locks a
-- session sooner).
CREATE TABLE operator_session (
  session_id     TEXT    PRIMARY KEY,
  custodian_id   TEXT    NOT NULL,
  fingerprint    TEXT    NOT NULL CHECK (length(fingerprint) = 64),
  secret_sha256  TEXT    NOT NULL UNIQUE CHECK (length(secret_sha256) = 64),
  via            TEXT    NOT NULL CHECK (via IN ('console', 'cli')),
  started_at     TEXT    NOT NULL,
  expires_at     TEXT    NOT NULL CHECK (expires_at > started_at),
  idle_minutes   INTEGER NOT NULL CHECK (idle_minutes BETWEEN 1 AND 120),
  started_seq    INTEGER NOT NULL,
  ended_at       TEXT,
  ended_reason   TEXT    CHECK (ended_reason IN ('signed-out', 'replaced')),
  ended_seq      INTEGER
) STRICT;

CREATE TABLE operator_activity (
  session_id      TEXT PRIMARY KEY,
  last_active_at  TEXT NOT NULL
) STRICT;
