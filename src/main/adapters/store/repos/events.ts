import type Database from 'better-sqlite3';
import { z } from 'zod';
import { EVENT_BODIES, type EventBody, type EventKind } from '../../../../core/journal/events';
import { parseRow, seqColumn, statement } from './rows';

/**
 * Journal entries of given kinds with their bodies parsed by the event catalogue's own schemas
 * (src/core/journal/events.ts): the read models that look at a few anchor events (the identity, module
 * registrations, roster changes, attestation evaluations) get the typed body, or STORE_ROW_INVALID
 * naming the entry, never a cast. The journal's verifier reads rows as stored (JournalReader) and judges
 * them itself; this is for reading facts, not for judging the chain.
 */
export interface StoredEvent<K extends EventKind> {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly kind: K;
  readonly body: EventBody<K>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as the catalogue reads it: `body.<field>` names what is wrong in a refused entry. */
function bodySchema<K extends EventKind>(kind: K) {
  return z
    .instanceof(Uint8Array)
    .transform((bytes, ctx): unknown => {
      try {
        return JSON.parse(utf8.decode(bytes)) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not UTF-8 JSON' });
        return z.NEVER;
      }
    })
    .pipe(EVENT_BODIES[kind]);
}

function makeEntrySchema<K extends EventKind>(kind: K) {
  return z.object({
    seq: seqColumn,
    at: z.string(),
    actor: z.string(),
    kind: z.literal(kind),
    body: bodySchema(kind),
  });
}

// Built once per kind: a read of many entries parses each with the same schema object.
const entrySchemas = new Map<EventKind, ReturnType<typeof makeEntrySchema>>();
function entrySchema<K extends EventKind>(kind: K): ReturnType<typeof makeEntrySchema<K>> {
  let s = entrySchemas.get(kind);
  if (!s) {
    s = makeEntrySchema(kind);
    entrySchemas.set(kind, s);
  }
  return s as ReturnType<typeof makeEntrySchema<K>>;
}

const entryKey = (row: unknown) => {
  const r = z.object({ seq: z.number(), kind: z.string() }).safeParse(row);
  return r.success ? `seq ${r.data.seq} (${r.data.kind})` : '(unreadable seq)';
};

/** Parses one stored body of a known kind, e.g. the entry at seq 1 read through the journal store. */
export function parseEventBody<K extends EventKind>(kind: K, body: Uint8Array, seq: number): EventBody<K> {
  return parseRow('journal', z.object({ body: bodySchema(kind) }), { seq, kind, body }, entryKey).body;
}

// One statement per number of kinds: the placeholders are generated, the kinds are bound as values.
const byCount = new Map<number, ReturnType<typeof statement>>();
function eventsStatement(count: number) {
  let s = byCount.get(count);
  if (!s) {
    const marks = Array.from({ length: count }, () => '?').join(', ');
    s = statement(`SELECT seq, at, actor, kind, body FROM journal WHERE kind IN (${marks}) ORDER BY seq`);
    byCount.set(count, s);
  }
  return s;
}

/** Every entry of these kinds, in seq order, each body parsed by its kind's schema. */
export function journalEvents<K extends EventKind>(
  db: Database.Database,
  kinds: readonly K[],
): StoredEvent<K>[] {
  if (kinds.length === 0) return [];
  return eventsStatement(kinds.length)(db)
    .all(...kinds)
    .map((row) => parseRow('journal', entrySchema(kindOf(row, kinds)), row, entryKey));
}

/** The row's kind among those asked for (the query selects only those). */
function kindOf<K extends EventKind>(row: unknown, kinds: readonly K[]): K {
  const r = z.object({ kind: z.string() }).safeParse(row);
  const found = r.success ? kinds.find((k) => k === r.data.kind) : undefined;
  return found ?? (kinds[0] as K);
}
