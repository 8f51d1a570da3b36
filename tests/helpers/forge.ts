import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import Database from 'better-sqlite3';
import { canonicalJson } from '../../src/core/canonical';
import { checkpointStatement } from '../../src/core/journal/checkpoint';
import { EntryHasher, GENESIS_PREV_HASH } from '../../src/core/journal/entry';

const sha256 = (d: Uint8Array) => new Uint8Array(createHash('sha256').update(d).digest());

/**
 * What an attacker with write access to the database file (but not the station token) can do: edit an
 * entry, swap the recorded identity key for their own, rebuild the whole hash chain, and replace the
 * checkpoints with ones signed by their key. The chain and checkpoints then agree with each other;
 * only the station token can tell. `edit.seq` counts in the forged journal (checkpoint events removed).
 */
export function forgeJournal(dbPath: string, edit: { seq: number; actor: string }): void {
  const db = new Database(dbPath);
  try {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    const fingerprint = createHash('sha256').update(spki).digest('hex');
    db.exec(`DROP TRIGGER IF EXISTS journal_refuse_update; DROP TRIGGER IF EXISTS journal_refuse_delete;
             DROP TRIGGER IF EXISTS journal_checkpoint_refuse_delete; DROP TRIGGER IF EXISTS journal_checkpoint_next_only;`);
    // The station's own checkpoint events name heads the forger cannot re-sign under the real key: they
    // go, and the rest is renumbered.
    const rows = (
      db.prepare('SELECT seq, at, actor, kind, body FROM journal ORDER BY seq').all() as {
        seq: number;
        at: string;
        actor: string;
        kind: string;
        body: Buffer;
      }[]
    )
      .filter((r) => r.kind !== 'journal.checkpoint')
      .map((r, i) => ({ ...r, seq: i + 1 }));
    const hasher = new EntryHasher(sha256);
    let prev: Uint8Array = GENESIS_PREV_HASH;
    let stationId = '';
    db.prepare('DELETE FROM journal').run();
    const insert = db.prepare(
      'INSERT INTO journal (seq, at, actor, kind, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    for (const r of rows) {
      let body = r.body;
      if (r.kind === 'station.initialised')
        stationId = (JSON.parse(body.toString()) as { stationId: string }).stationId;
      if (r.kind === 'station.identity-created') {
        const b = JSON.parse(body.toString()) as Record<string, unknown>;
        body = Buffer.from(canonicalJson({ ...b, spki: spki.toString('base64'), fingerprint }));
      }
      const row = {
        seq: r.seq,
        at: r.at,
        actor: r.seq === edit.seq ? edit.actor : r.actor,
        kind: r.kind,
        body,
        prevHash: prev,
      };
      const hash = hasher.hash(row);
      insert.run(row.seq, row.at, row.actor, row.kind, row.body, Buffer.from(prev), Buffer.from(hash));
      prev = hash;
    }
    db.prepare('DELETE FROM journal_checkpoint').run();
    const unsigned = {
      n: 1,
      size: rows.length,
      headHash: prev,
      at: new Date().toISOString(),
      keyId: fingerprint,
      alg: 'ecdsa-p256-sha256',
    };
    const signature = sign('sha256', checkpointStatement(stationId, unsigned), {
      key: privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    db.prepare(
      'INSERT INTO journal_checkpoint (n, size, head_hash, at, key_id, alg, signature) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(1, unsigned.size, Buffer.from(prev), unsigned.at, fingerprint, unsigned.alg, signature);
    db.prepare('UPDATE station_identity SET spki = ?, fingerprint = ?').run(spki, fingerprint);
  } finally {
    db.close();
  }
}
