import { canonicalBytes } from '../canonical';
import type { Sha256 } from '../bytes';
import { checkpointStatement, type Checkpoint } from './checkpoint';
import { EntryHasher, GENESIS_PREV_HASH, type JournalRow } from './entry';

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
