import type Database from 'better-sqlite3';
import type { JournalRow } from '../../../core/journal/entry';
import { isEventKind, type EventBody, type EventKind } from '../../../core/journal/events';
import { parseEventBody } from './repos/events';
import { identityToken } from './repos/identity';
import { bundles } from './projections/bundles';
import { custodians } from './projections/custodians';
import { packets } from './projections/packets';
import type { Apply, Projection } from './projections/types';

/**
 * Projections: tables derived from the journal. Each one names the tables it owns and how each event
 * kind changes them. Live appends apply them inside the append transaction; `rebuildProjections`
 * clears the tables and replays the whole journal, and a test proves both give the same rows.
 */

const station: Projection = {
  name: 'station',
  tables: ['station'],
  on: {
    'station.initialised': (db, row, body) => {
      db.prepare(
        `INSERT INTO station (singleton, station_id, name, mode, demo, created_at, created_seq)
         VALUES (1, ?, ?, ?, ?, ?, ?)`,
      ).run(body.stationId, body.name, body.mode, body.demo ? 1 : 0, row.at, row.seq);
    },
  },
};

const hsm: Projection = {
  name: 'hsm',
  tables: ['station_identity', 'hsm_module'],
  on: {
    'hsm.module-registered': (db, row, body) => {
      db.prepare(
        `INSERT INTO hsm_module (module_id, profile, path, library_sha256, environment, registered_seq)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (module_id) DO UPDATE SET profile = excluded.profile, path = excluded.path,
           library_sha256 = excluded.library_sha256, environment = excluded.environment,
           registered_seq = excluded.registered_seq`,
      ).run(
        body.moduleId,
        body.profile,
        body.path,
        body.librarySha256,
        JSON.stringify(body.environment),
        row.seq,
      );
    },
    'station.identity-created': (db, row, body) => {
      const token = identityToken(db, body);
      db.prepare(
        `INSERT INTO station_identity (singleton, module_id, token_serial, token_label, key_label, key_id, algorithm,
           spki, fingerprint, certificate_pem, created_seq)
         VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        body.moduleId,
        token.tokenSerial,
        token.tokenLabel,
        body.keyLabel,
        body.keyId,
        body.algorithm,
        Buffer.from(body.spki, 'base64'),
        body.fingerprint,
        body.certificatePem,
        row.seq,
      );
    },
  },
};

export const PROJECTIONS: readonly Projection[] = [station, hsm, custodians, bundles, packets];

function handlerFor(p: Projection, kind: string): Apply<EventKind> | undefined {
  return (p.on as Record<string, Apply<EventKind> | undefined>)[kind];
}

const PROJECTED_KINDS = new Set(PROJECTIONS.flatMap((p) => Object.keys(p.on)));

/** True when some projection reacts to this kind (most appends need no projection work). */
export function hasProjection(kind: string): boolean {
  return PROJECTED_KINDS.has(kind);
}

/**
 * Applies every projection interested in this row's kind. The body is parsed by its kind's schema in the
 * event catalogue (parseEventBody), only when someone needs it, and the same way on a live append and on
 * a rebuild: a stored body that is not what its kind says is STORE_ROW_INVALID naming the entry, never a
 * projection writing from a cast.
 */
export function applyProjections(db: Database.Database, row: JournalRow): void {
  if (!isEventKind(row.kind)) return;
  let body: EventBody<EventKind> | undefined;
  for (const p of PROJECTIONS) {
    const apply = handlerFor(p, row.kind);
    if (!apply) continue;
    body ??= parseEventBody(row.kind, row.body, row.seq);
    apply(db, row, body);
  }
}

/**
 * Drops every projection row and replays the journal: the projections are a pure function of it.
 * Rows are read in pages (better-sqlite3 cannot write while an iterator is open on the connection).
 */
export function rebuildProjections(
  db: Database.Database,
  journal: { page(fromSeq: number, limit: number): JournalRow[] },
): void {
  const owned = new Set(PROJECTIONS.flatMap((p) => p.tables));
  db.transaction(() => {
    for (const table of owned) {
      if (!/^[a-z_]+$/.test(table)) throw new Error(`projection table name not allowed: ${table}`);
      db.exec(`DELETE FROM ${table}`);
    }
    for (let from = 1; ;) {
      const rows = journal.page(from, 5000);
      for (const row of rows) applyProjections(db, row);
      const last = rows.at(-1);
      if (!last) break;
      from = last.seq + 1;
    }
  })();
}

/** Every projection row as plain data, ordered, for comparing live and rebuilt state. */
export function snapshotProjections(db: Database.Database): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const table of PROJECTIONS.flatMap((p) => p.tables)) {
    if (!/^[a-z_]+$/.test(table)) throw new Error(`projection table name not allowed: ${table}`);
    out[table] = db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all();
  }
  return out;
}
