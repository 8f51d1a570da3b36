import { canonicalBytes } from '../canonical';
import type { Sha256 } from '../bytes';
import {
  CHECKPOINT_ACTOR,
  CHECKPOINT_EVENT_KIND,
  checkpointEventBody,
  checkpointStatement,
  type Checkpoint,
  type StoredCheckpoint,
} from './checkpoint';
import { EntryHasher, GENESIS_PREV_HASH, type JournalRow, type UnhashedRow } from './entry';
import type { MarkReading } from './verify';

/** Builds a valid in-memory journal of `n` rows (for tests of the verifier and its callers). */
export function buildJournal(sha256: Sha256, n: number, start = Date.UTC(2026, 0, 1)): JournalRow[] {
  const hasher = new EntryHasher(sha256);
  const rows: JournalRow[] = [];
  let prev: Uint8Array = GENESIS_PREV_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const row = {
      seq,
      at: new Date(start + seq * 1000).toISOString(),
      actor: seq % 2 ? 'operator:alice' : 'operator:bob',
      kind: 'operator.note',
      body: canonicalBytes({ text: `entry ${seq}` }),
      prevHash: prev,
    };
    const hash = hasher.hash(row);
    rows.push({ ...row, hash });
    prev = hash;
  }
  return rows;
}

/** Re-hashes rows from index `from` on, as an attacker without the checkpoint key could. */
export function rechain(sha256: Sha256, rows: JournalRow[], from = 0): JournalRow[] {
  const hasher = new EntryHasher(sha256);
  const out = rows.slice(0, from);
  let prev = from === 0 ? GENESIS_PREV_HASH : (out[from - 1] as JournalRow).hash;
  for (const r of rows.slice(from)) {
    const row = { ...r, prevHash: prev };
    const hash = hasher.hash(row);
    out.push({ ...row, hash });
    prev = hash;
  }
  return out;
}

export function makeCheckpoint(
  stationId: string,
  rows: readonly JournalRow[],
  n: number,
  size: number,
  sign: (statement: Uint8Array) => Uint8Array,
): Checkpoint {
  const unsigned = {
    n,
    size,
    headHash: size === 0 ? GENESIS_PREV_HASH : (rows[size - 1] as JournalRow).hash,
    at: '2026-02-01T00:00:00.000Z',
    keyId: 'test-key',
    alg: 'ed25519',
  };
  return { ...unsigned, signature: sign(checkpointStatement(stationId, unsigned)) };
}

/**
 * Builds a journal as the station writes it since checkpoints are chained: `entries` notes, and after
 * the note counts listed in `checkpointAfter` a signed checkpoint over the head appended as its
 * `journal.checkpoint` event. Returns the rows and the checkpoint table (each row naming its event).
 */
export function buildChainedJournal(
  sha256: Sha256,
  stationId: string,
  entries: number,
  checkpointAfter: readonly number[],
  sign: (statement: Uint8Array) => Uint8Array,
  start = Date.UTC(2026, 0, 1),
): { rows: JournalRow[]; checkpoints: StoredCheckpoint[] } {
  const hasher = new EntryHasher(sha256);
  const rows: JournalRow[] = [];
  const checkpoints: StoredCheckpoint[] = [];
  const push = (row: Omit<UnhashedRow, 'seq' | 'prevHash'>) => {
    const seq = rows.length + 1;
    const unhashed = { ...row, seq, prevHash: rows.at(-1)?.hash ?? GENESIS_PREV_HASH };
    rows.push({ ...unhashed, hash: hasher.hash(unhashed) });
  };
  const checkpointNow = () => {
    const unsigned = {
      n: checkpoints.length + 1,
      size: rows.length,
      headHash: rows.at(-1)?.hash ?? GENESIS_PREV_HASH,
      at: new Date(start + (rows.length + 1) * 1000).toISOString(),
      keyId: 'test-key',
      alg: 'ed25519',
    };
    const cp = { ...unsigned, signature: sign(checkpointStatement(stationId, unsigned)) };
    push({
      at: cp.at,
      actor: CHECKPOINT_ACTOR,
      kind: CHECKPOINT_EVENT_KIND,
      body: canonicalBytes(checkpointEventBody(cp)),
    });
    checkpoints.push({ ...cp, eventSeq: rows.length });
  };
  if (checkpointAfter.includes(0)) checkpointNow();
  for (let i = 1; i <= entries; i++) {
    push({
      at: new Date(start + (rows.length + 1) * 1000).toISOString(),
      actor: i % 2 ? 'operator:alice' : 'operator:bob',
      kind: 'operator.note',
      body: canonicalBytes({ text: `entry ${i}` }),
    });
    if (checkpointAfter.includes(i)) checkpointNow();
  }
  return { rows, checkpoints };
}

/** The token's mark reading for these checkpoints (the latest, or the one numbered `n`). */
export function markOf(
  stationId: string,
  checkpoints: readonly Checkpoint[],
  n = checkpoints.length,
): MarkReading {
  const cp = checkpoints[n - 1];
  if (!cp) return { status: 'ABSENT', reason: 'no mark on the token' };
  const { n: num, size, headHash, at, keyId, alg, signature } = cp;
  return {
    status: 'FOUND',
    marks: [{ stationId, checkpoint: { n: num, size, headHash, at, keyId, alg, signature } }],
  };
}
