import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointStatement, markBytes } from '../../../src/core/journal/checkpoint';
import { systemDeps } from '../../../src/main/runtime';
import {
  CHECKPOINT_ALG,
  identitySigner,
  journalStationId,
  signCheckpoint,
  stationIdentity,
} from '../../../src/main/services/identity';
import { generateTokenKey, previewKey } from '../../../src/main/services/devices';
import { anchorJournal, verifyStationJournal } from '../../../src/main/services/journal';
import { Station } from '../../../src/main/services/station';
import { stationCli } from '../../e2e/harness';
import { rewriteJournal, rollBackToCheckpoint, withTriggersDropped } from '../../helpers/tamper';
import { MODULE_ID, PIN, markObjects, notes, plantMark, removeMarks, stationWithIdentity } from './support';

const EXIT_UNANCHORED = 7;
const EXIT_INTEGRITY = 4;

/** Station with three checkpoints: events at seq 4 (identity), 8 and 11; the head is seq 11. */
async function threeCheckpoints() {
  const made = await stationWithIdentity();
  notes(made.station, 3);
  await signCheckpoint(made.station, PIN);
  notes(made.station, 2);
  await signCheckpoint(made.station, PIN);
  expect(made.station.journal.checkpoints().map((c) => [c.n, c.size, c.eventSeq])).toEqual([
    [1, 3, 4],
    [2, 7, 8],
    [3, 10, 11],
  ]);
  const dbPath = join(made.dir, 'station.sqlite');
  made.station.close();
  return { ...made, dbPath, reopen: () => Station.open(made.dir, systemDeps) };
}

describe('journal rollback and the token high-water mark (issue #10 finding 3)', () => {
  it('JNL-ROLLBACK: deleting the newest checkpoint and the entries after the previous one (triggers dropped and re-created) is TAMPERED, exit 4', async () => {
    const { dir, dbPath, reopen } = await threeCheckpoints();
    rollBackToCheckpoint(dbPath, 2);
    const s = reopen();
    try {
      expect(s.journal.head().seq).toBe(8);
      expect((await verifyStationJournal(s)).verdict).toEqual({
        status: 'TAMPERED',
        check: 'JNL-ROLLBACK',
        entries: 8,
        firstBadSeq: 9,
        lastPossibleSeq: 11,
        checkpointN: 3,
        reason: expect.stringContaining('rolled back from checkpoint 3'),
      });
      const cli = stationCli(['journal', 'verify', '--data-dir', dir]);
      expect(cli.stdout).toMatch(/^TAMPERED AT seq 9 \[JNL-ROLLBACK\]/);
      expect(cli.status).toBe(EXIT_INTEGRITY);
      // Signing on top of it would bless the rollback: refused before anything is signed.
      await expect(signCheckpoint(s, PIN)).rejects.toMatchObject({ code: 'JOURNAL_ROLLED_BACK' });
      expect(s.journal.head().seq).toBe(8);
      // Without the mark the rolled-back journal looks anchored on its own — but never plain VERIFIED.
      removeMarks(s);
      expect((await verifyStationJournal(s)).verdict).toMatchObject({
        status: 'VERIFIED',
        checkpoint: { n: 2, eventSeq: 8 },
        mark: { status: 'NOT CHECKED' },
      });
      expect(stationCli(['journal', 'verify', '--data-dir', dir]).status).toBe(EXIT_UNANCHORED);
    } finally {
      s.close();
    }
  });

  it('deleting a checkpoint and rewriting the entries it covered is TAMPERED, not UNANCHORED', async () => {
    const { dbPath, reopen } = await threeCheckpoints();
    // Checkpoint 3's row and event go, the entries before it are edited and re-chained.
    withTriggersDropped(dbPath, (db) => db.prepare('DELETE FROM journal_checkpoint WHERE n = 3').run());
    rewriteJournal(dbPath, 9, (rows) =>
      rows.filter((r) => r.kind !== 'journal.checkpoint').map((r) => ({ ...r, actor: 'operator:mallory' })),
    );
    const s = reopen();
    try {
      expect((await verifyStationJournal(s)).verdict).toMatchObject({
        status: 'TAMPERED',
        check: 'JNL-ROLLBACK',
        firstBadSeq: 9,
        checkpointN: 3,
      });
    } finally {
      s.close();
    }
  });

  it('JNL-CKPT-EVENT: a checkpoint row deleted while its event stays, or an event rewritten away under its row', async () => {
    const { dbPath, reopen } = await threeCheckpoints();
    withTriggersDropped(dbPath, (db) => db.prepare('DELETE FROM journal_checkpoint WHERE n = 3').run());
    let s = reopen();
    try {
      expect((await verifyStationJournal(s)).verdict).toMatchObject({
        status: 'TAMPERED',
        check: 'JNL-CKPT-EVENT',
        firstBadSeq: 11,
        checkpointN: 3,
      });
    } finally {
      s.close();
    }
    // Checkpoint 2's event replaced by a note and everything after re-chained: its row is left alone.
    rewriteJournal(dbPath, 8, (rows) =>
      rows.map((r) =>
        r.seq === 8
          ? { ...r, kind: 'operator.note', actor: 'operator:mallory', body: Buffer.from('{"text":"x"}') }
          : r,
      ),
    );
    s = reopen();
    try {
      // The damage lies after checkpoint 1's event (seq 4) up to where checkpoint 2's event belonged.
      expect((await verifyStationJournal(s)).verdict).toMatchObject({
        status: 'TAMPERED',
        check: 'JNL-CKPT-EVENT',
        firstBadSeq: 5,
        lastPossibleSeq: 8,
        checkpointN: 2,
      });
    } finally {
      s.close();
    }
  });

  it('a crash between the checkpoint event and the token write leaves the mark BEHIND (exit 7); the next checkpoint catches up without signing again', async () => {
    const { dir, station, serial } = await stationWithIdentity();
    try {
      notes(station, 2);
      const id = stationIdentity(station)!;
      await station.hsm
        .module(MODULE_ID)
        .withSessionAsync(serial, { write: false, login: { user: 'user', pin: PIN } }, async (session) => {
          const sign = identitySigner(id, session);
          // The checkpoint step alone, as if the process died before the token write.
          await anchorJournal(
            station,
            { keyId: id.fingerprint, alg: CHECKPOINT_ALG, sign: async (m) => sign(m) },
            journalStationId(station),
            () => {},
          );
        });
      const head = station.journal.head().seq;
      expect((await verifyStationJournal(station)).verdict).toMatchObject({
        status: 'VERIFIED',
        checkpoint: { n: 2, eventSeq: head },
        mark: { status: 'BEHIND', n: 1 },
      });
      expect(station.info('browser').journal).toEqual({ entries: head, checkpoint: 2, unsigned: 0 });
      expect(stationCli(['journal', 'verify', '--data-dir', dir]).status).toBe(EXIT_UNANCHORED);
      const cp = await signCheckpoint(station, PIN);
      expect(cp).toMatchObject({ n: 2, eventSeq: head });
      expect(station.journal.head().seq).toBe(head);
      expect((await verifyStationJournal(station)).verdict).toMatchObject({
        mark: { status: 'CONFIRMED', n: 2 },
      });
      expect(markObjects(station)).toHaveLength(1);
      const cli = stationCli(['journal', 'verify', '--data-dir', dir]);
      expect(cli.stdout).toContain('journal mark on the station token: CONFIRMED');
      expect(cli.status).toBe(0);
    } finally {
      station.close();
    }
  });

  it('the mark is public: read without a PIN; removed, it is NOT CHECKED (exit 7) until the next checkpoint writes it again', async () => {
    const { dir, station } = await stationWithIdentity();
    try {
      const [value] = markObjects(station);
      const latest = station.journal.latestCheckpoint()!;
      expect(Buffer.from(value!).equals(Buffer.from(markBytes(journalStationId(station), latest)))).toBe(
        true,
      );
      removeMarks(station);
      const v = (await verifyStationJournal(station)).verdict;
      expect(v).toMatchObject({ status: 'VERIFIED', mark: { status: 'NOT CHECKED', n: null } });
      expect(v.status === 'VERIFIED' && v.mark.reason).toMatch(/holds no journal mark/);
      expect(stationCli(['journal', 'verify', '--data-dir', dir]).status).toBe(EXIT_UNANCHORED);
      await signCheckpoint(station, PIN);
      expect(markObjects(station)).toHaveLength(1);
      expect(stationCli(['journal', 'verify', '--data-dir', dir]).status).toBe(0);
    } finally {
      station.close();
    }
  });

  it('JNL-MARK: a non-mark, or a mark signed by another key on the same token, is TAMPERED and checkpoints are refused', async () => {
    const { station, serial } = await stationWithIdentity();
    try {
      plantMark(station, Buffer.from('{"not":"a mark"}'));
      expect((await verifyStationJournal(station)).verdict).toMatchObject({
        status: 'TAMPERED',
        check: 'JNL-MARK',
      });
      removeMarks(station);
      const module = station.hsm.module(MODULE_ID);
      const rogue = await module.withSessionAsync(
        serial,
        { write: true, login: { user: 'user', pin: PIN } },
        (s) => s.generateKeyPair({ label: 'rogue', algorithm: 'ec-p256' }),
      );
      const head = station.journal.head();
      const unsigned = {
        n: 2,
        size: head.seq,
        headHash: head.hash,
        at: new Date().toISOString(),
        keyId: stationIdentity(station)!.fingerprint,
        alg: CHECKPOINT_ALG,
      };
      const stationId = journalStationId(station);
      const signature = module.withSession(serial, { write: false, login: { user: 'user', pin: PIN } }, (s) =>
        s.sign(rogue.id, 'ecdsa-sha256', Buffer.from(checkpointStatement(stationId, unsigned)), (a, d) =>
          createHash(a).update(d).digest(),
        ),
      );
      plantMark(station, markBytes(stationId, { ...unsigned, signature }));
      expect((await verifyStationJournal(station)).verdict).toMatchObject({
        status: 'TAMPERED',
        check: 'JNL-MARK',
        checkpointN: 2,
      });
      const before = station.journal.head().seq;
      await expect(signCheckpoint(station, PIN)).rejects.toMatchObject({ code: 'JOURNAL_MARK_INVALID' });
      expect(station.journal.head().seq).toBe(before);
    } finally {
      station.close();
    }
  });

  it('acts with the token logged in leave nothing unsigned: identity creation, checkpoints, key generation (banner count)', async () => {
    const { station, serial } = await stationWithIdentity();
    try {
      expect(station.info('browser').journal).toEqual({ entries: 4, checkpoint: 1, unsigned: 0 });
      expect((await verifyStationJournal(station)).verdict).toMatchObject({
        status: 'VERIFIED',
        entries: 4,
        checkpoint: { n: 1, size: 3, eventSeq: 4 },
        mark: { status: 'CONFIRMED', n: 1 },
      });
      notes(station, 2);
      expect(station.info('browser').journal?.unsigned).toBe(2);
      expect((await verifyStationJournal(station)).verdict).toMatchObject({
        status: 'UNANCHORED',
        unanchoredFromSeq: 5,
        reason: expect.stringContaining('2 entries after checkpoint 1 (seq 4)'),
      });
      await signCheckpoint(station, PIN);
      expect(station.info('browser').journal).toEqual({ entries: 7, checkpoint: 2, unsigned: 0 });
      // A key generated on the station token: recorded and anchored in the same login.
      const key = { label: 'ceremony-key', algorithm: 'ec-p256' };
      await generateTokenKey(station, {
        moduleId: MODULE_ID,
        serial,
        pin: PIN,
        key,
        confirmedRecipe: previewKey(station, MODULE_ID, key).digest,
        actor: 'operator:alice',
      });
      expect(station.journal.get(8)?.kind).toBe('hsm.key-generated');
      expect(station.info('browser').journal).toEqual({ entries: 9, checkpoint: 3, unsigned: 0 });
      expect((await verifyStationJournal(station)).verdict).toMatchObject({
        status: 'VERIFIED',
        mark: { status: 'CONFIRMED', n: 3 },
      });
    } finally {
      station.close();
    }
  });

  it('a station from before chained checkpoints (legacy rows, no mark) stays readable; its next checkpoint is chained', async () => {
    const { dir, station, serial } = await stationWithIdentity();
    const dbPath = join(dir, 'station.sqlite');
    const id = stationIdentity(station)!;
    const stationId = journalStationId(station);
    removeMarks(station);
    station.close();
    // Back to the old shape: no checkpoint event, one table-only checkpoint over seq 3.
    rewriteJournal(dbPath, 4, () => []);
    let s = Station.open(dir, systemDeps);
    const head = s.journal.head();
    const unsigned = {
      n: 1,
      size: head.seq,
      headHash: head.hash,
      at: new Date().toISOString(),
      keyId: id.fingerprint,
      alg: CHECKPOINT_ALG,
    };
    const signature = s.hsm
      .module(MODULE_ID)
      .withSession(serial, { write: false, login: { user: 'user', pin: PIN } }, (session) =>
        identitySigner(id, session)(checkpointStatement(stationId, unsigned)),
      );
    s.close();
    withTriggersDropped(dbPath, (db) => {
      db.prepare('DELETE FROM journal_checkpoint').run();
      db.prepare(
        'INSERT INTO journal_checkpoint (n, size, head_hash, at, key_id, alg, signature, event_seq) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)',
      ).run(1, unsigned.size, unsigned.headHash, unsigned.at, unsigned.keyId, unsigned.alg, signature);
    });
    s = Station.open(dir, systemDeps);
    try {
      expect((await verifyStationJournal(s)).verdict).toMatchObject({
        status: 'VERIFIED',
        checkpoint: { n: 1, size: 3, eventSeq: null },
        mark: { status: 'NOT CHECKED' },
      });
      notes(s, 1);
      const cp = await signCheckpoint(s, PIN);
      expect(cp).toMatchObject({ n: 2, size: 4, eventSeq: 5 });
      expect((await verifyStationJournal(s)).verdict).toMatchObject({
        status: 'VERIFIED',
        checkpoint: { n: 2, eventSeq: 5 },
        mark: { status: 'CONFIRMED', n: 2 },
      });
    } finally {
      s.close();
    }
  });
});
