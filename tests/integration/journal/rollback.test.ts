import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointStatement, MARK_APPLICATION, markBytes } from '../../../src/core/journal/checkpoint';
import { systemDeps } from '../../../src/main/runtime';
import {
  CHECKPOINT_ALG,
  journalStationId,
  stationIdentity,
} from '../../../src/main/services/identity/queries';
import { identitySigner, signCheckpoint } from '../../../src/main/services/identity/commands';
import { generateTokenKey, listTokenKeys, previewKey } from '../../../src/main/services/devices/devices';
import { anchorJournal } from '../../../src/main/services/journal/commands';
import { verifyStationJournal } from '../../../src/main/services/journal/queries';
import { Station } from '../../../src/main/station/station';
import { stationCli } from '../../e2e/harness';
import { SOFTHSM_PATH } from '../../helpers/softhsm';
import { rewriteJournal, rollBackToCheckpoint, withTriggersDropped } from '../../helpers/tamper';
import {
  MODULE_ID,
  PIN,
  markObjects,
  notes,
  plantMark,
  privateMarkObjects,
  removeMarks,
  removePrivateMarks,
  stationWithIdentity,
} from './support';
import { stationInfo } from '../../../src/main/services/identity/station-info';

const EXIT_UNANCHORED = 7;
const EXIT_INTEGRITY = 4;

/** Station with three checkpoints: events at seq 4 (identity), 8 and 11; the head is seq 11. */
async function threeCheckpoints() {
  const made = await stationWithIdentity();
  notes(made.station, 3);
  await signCheckpoint(made.station, { pin: PIN });
  notes(made.station, 2);
  await signCheckpoint(made.station, { pin: PIN });
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
      await expect(signCheckpoint(s, { pin: PIN })).rejects.toMatchObject({ code: 'JOURNAL_ROLLED_BACK' });
      expect(s.journal.head().seq).toBe(8);
    } finally {
      s.close();
    }
  });

  it('JNL-MARK (review 2, item 1): the public mark removed without a PIN after a rollback is TAMPERED, and the next checkpoint is still refused — the PIN-protected mark remembers', async () => {
    const { dir, dbPath, reopen } = await threeCheckpoints();
    // What someone with the token saw before the rollback: checkpoint 2's public mark, as once written.
    const before = reopen();
    const stationId = journalStationId(before);
    const oldMark = markBytes(stationId, before.journal.checkpoints()[1]!);
    before.close();
    rollBackToCheckpoint(dbPath, 2);
    const s = reopen();
    try {
      // The reviewer's step: the public copy deleted with pkcs11-tool, no login.
      const id = stationIdentity(s)!;
      const del = spawnSync(
        'pkcs11-tool',
        [
          '--module',
          SOFTHSM_PATH,
          '--token-label',
          'Station HSM',
          '--delete-object',
          '--type',
          'data',
          '--label',
          stationId,
          '--application-label',
          MARK_APPLICATION,
        ],
        { encoding: 'utf8', env: { ...process.env } },
      );
      expect(del.status, del.stderr).toBe(0);
      expect(markObjects(s)).toHaveLength(0);
      // The PIN-protected mark is invisible without the login, so nobody without the PIN removes it.
      expect(privateMarkObjects(s)).toHaveLength(1);
      const v = (await verifyStationJournal(s)).verdict;
      expect(v).toMatchObject({ status: 'TAMPERED', check: 'JNL-MARK', firstBadSeq: null });
      expect(v.status === 'TAMPERED' && v.reason).toMatch(/the mark was removed/);
      expect(stationCli(['journal', 'verify', '--data-dir', dir]).status).toBe(EXIT_INTEGRITY);
      // What docs told the operator to run, and what laundered the rollback before: refused now.
      await expect(signCheckpoint(s, { pin: PIN })).rejects.toMatchObject({ code: 'JOURNAL_ROLLED_BACK' });
      expect(s.journal.head().seq).toBe(8);
      // A key generation on the station token is refused before any key is made.
      const keysBefore = listTokenKeys(s, { moduleId: MODULE_ID, serial: id.tokenSerial, pin: PIN }).length;
      const key = { label: 'after-rollback', algorithm: 'ec-p256' };
      await expect(
        generateTokenKey(s, {
          moduleId: MODULE_ID,
          serial: id.tokenSerial,
          pin: PIN,
          key,
          confirmedRecipe: previewKey(s, { moduleId: MODULE_ID, key }).digest,
          actor: 'operator:alice',
        }),
      ).rejects.toMatchObject({ code: 'JOURNAL_ROLLED_BACK' });
      expect(listTokenKeys(s, { moduleId: MODULE_ID, serial: id.tokenSerial, pin: PIN })).toHaveLength(
        keysBefore,
      );
      expect(s.journal.head().seq).toBe(8);
      // The old public mark put back: without a PIN the rollback then looks clean (the residual risk
      // docs/journal-format.md names); with the PIN, the PIN-protected mark says what happened.
      plantMark(s, oldMark);
      expect((await verifyStationJournal(s)).verdict).toMatchObject({
        status: 'VERIFIED',
        mark: { status: 'CONFIRMED', n: 2 },
      });
      const withPin = await verifyStationJournal(s, { pin: PIN });
      expect(withPin.markChecked).toBe('private');
      expect(withPin.verdict).toMatchObject({
        status: 'TAMPERED',
        check: 'JNL-ROLLBACK',
        firstBadSeq: 9,
        lastPossibleSeq: 11,
        checkpointN: 3,
      });
      const cli = stationCli(['journal', 'verify', '--pin-stdin', '--data-dir', dir], `${PIN}\n`);
      expect(cli.stdout).toMatch(/^TAMPERED AT seq 9 \[JNL-ROLLBACK\]/);
      expect(cli.status).toBe(EXIT_INTEGRITY);
      await expect(signCheckpoint(s, { pin: PIN })).rejects.toMatchObject({ code: 'JOURNAL_ROLLED_BACK' });
      // And the repair act does not repair a rollback.
      const repair = stationCli(
        [
          'journal',
          'repair-mark',
          '--reset',
          '--actor',
          'operator:alice',
          '--reason',
          'x',
          '--pin-stdin',
          '--data-dir',
          dir,
        ],
        `${PIN}\n`,
      );
      expect(repair.stderr).toContain('JOURNAL_ROLLED_BACK');
      expect(repair.status).toBe(EXIT_INTEGRITY);
      expect(s.journal.head().seq).toBe(8);
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
      expect(stationInfo(station, 'browser').journal).toEqual({ entries: head, checkpoint: 2, unsigned: 0 });
      expect(stationCli(['journal', 'verify', '--data-dir', dir]).status).toBe(EXIT_UNANCHORED);
      const cp = await signCheckpoint(station, { pin: PIN });
      expect(cp).toMatchObject({ n: 2, eventSeq: head });
      expect(station.journal.head().seq).toBe(head);
      expect((await verifyStationJournal(station)).verdict).toMatchObject({
        mark: { status: 'CONFIRMED', n: 2 },
      });
      expect(markObjects(station)).toHaveLength(1);
      expect(privateMarkObjects(station)).toHaveLength(1);
      const cli = stationCli(['journal', 'verify', '--data-dir', dir]);
      expect(cli.stdout).toContain('journal mark on the station token: CONFIRMED');
      expect(cli.status).toBe(0);
      const withPin = stationCli(['journal', 'verify', '--pin-stdin', '--data-dir', dir], `${PIN}\n`);
      expect(withPin.stdout).toContain('journal mark on the station token (PIN-protected): CONFIRMED');
      expect(withPin.status).toBe(0);
    } finally {
      station.close();
    }
  });

  it('the public copy is read without a PIN; removed, it is TAMPERED [JNL-MARK] (exit 4), not NOT CHECKED; the PIN-protected mark stays and the next checkpoint writes the copy again', async () => {
    const { dir, station } = await stationWithIdentity();
    try {
      const [value] = markObjects(station);
      const latest = station.journal.latestCheckpoint()!;
      const expected = Buffer.from(markBytes(journalStationId(station), latest));
      expect(Buffer.from(value!).equals(expected)).toBe(true);
      expect(privateMarkObjects(station).map((v) => v.equals(expected))).toEqual([true]);
      removeMarks(station);
      const v = (await verifyStationJournal(station)).verdict;
      expect(v).toMatchObject({ status: 'TAMPERED', check: 'JNL-MARK', firstBadSeq: null });
      expect(v.status === 'TAMPERED' && v.reason).toMatch(/holds no journal mark.*1 chained checkpoint/);
      expect(stationCli(['journal', 'verify', '--data-dir', dir]).status).toBe(EXIT_INTEGRITY);
      // With the PIN: the PIN-protected mark decides, and the missing copy is only noted.
      const withPin = await verifyStationJournal(station, { pin: PIN });
      expect(withPin.verdict).toMatchObject({ status: 'VERIFIED', mark: { status: 'CONFIRMED', n: 1 } });
      expect(withPin.verdict.status === 'VERIFIED' && withPin.verdict.mark.reason).toMatch(/public copy/);
      await signCheckpoint(station, { pin: PIN });
      expect(markObjects(station)).toHaveLength(1);
      expect(stationCli(['journal', 'verify', '--data-dir', dir]).status).toBe(0);
    } finally {
      station.close();
    }
  });

  it('JNL-MARK (review 2, item 10): a planted public non-mark or rogue-signed mark is TAMPERED but blocks nothing (a warning); `journal repair-mark` records and removes it; a PIN-protected one refuses', async () => {
    const { dir, station, serial } = await stationWithIdentity();
    try {
      const junk = Buffer.from('{"not":"a mark"}');
      plantMark(station, junk);
      expect((await verifyStationJournal(station)).verdict).toMatchObject({
        status: 'TAMPERED',
        check: 'JNL-MARK',
      });
      // The authority is the PIN-protected mark: a public object anyone can plant blocks no checkpoint.
      notes(station, 1);
      const cp = await signCheckpoint(station, { pin: PIN });
      expect(cp).toMatchObject({ n: 2, warnings: [{ code: 'JOURNAL_MARK_INVALID' }] });
      expect((await verifyStationJournal(station)).verdict).toMatchObject({ check: 'JNL-MARK' });
      const module = station.hsm.module(MODULE_ID);
      const rogue = await module.withSessionAsync(
        serial,
        { write: true, login: { user: 'user', pin: PIN } },
        (s) => s.generateKeyPair({ label: 'rogue', algorithm: 'ec-p256' }),
      );
      const head = station.journal.head();
      const unsigned = {
        n: 3,
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
      const forged = Buffer.from(markBytes(stationId, { ...unsigned, signature }));
      plantMark(station, forged);
      expect((await verifyStationJournal(station, { pin: PIN })).verdict).toMatchObject({
        status: 'TAMPERED',
        check: 'JNL-MARK',
      });
      // The repair: both objects recorded (digest, size, bytes) before they are removed.
      const repair = stationCli(
        [
          'journal',
          'repair-mark',
          '--actor',
          'operator:alice',
          '--reason',
          'planted objects examined',
          '--pin-stdin',
          '--data-dir',
          dir,
        ],
        `${PIN}\n`,
      );
      expect(repair.stderr).toBe('');
      expect(repair.stdout).toMatch(
        /^recorded at seq \d+: 2 object\(s\) removed from the token; the marks name checkpoint 3/,
      );
      expect(repair.status).toBe(0);
      const seq = station.journal.latestSeqOfKind('journal.mark-repaired')!;
      const body = JSON.parse(Buffer.from(station.journal.get(seq)!.body).toString('utf8')) as {
        removed: { visibility: string; sha256: string; value: string }[];
        reset: boolean;
      };
      expect(body.reset).toBe(false);
      expect(body.removed.map((r) => Buffer.from(r.value, 'base64')).sort(Buffer.compare)).toEqual(
        [junk, forged].sort(Buffer.compare),
      );
      expect(markObjects(station)).toHaveLength(1);
      const verified = stationCli(['journal', 'verify', '--data-dir', dir]);
      expect(verified.stdout).toMatch(/^VERIFIED/);
      expect(verified.status).toBe(0);
      // A PIN-protected object that is not a valid mark: only a PIN holder can make one; it refuses.
      plantMark(station, forged, 'private');
      const before = station.journal.head().seq;
      await expect(signCheckpoint(station, { pin: PIN })).rejects.toMatchObject({
        code: 'JOURNAL_MARK_INVALID',
      });
      expect(station.journal.head().seq).toBe(before);
    } finally {
      station.close();
    }
  });

  it('JNL-MARK with no mark at all (the first anchoring interrupted, or a PIN holder removed it): refused everywhere until `journal repair-mark --reset`, which says what it does and is recorded', async () => {
    const { dir, station } = await stationWithIdentity();
    try {
      notes(station, 2);
      removePrivateMarks(station);
      removeMarks(station);
      expect((await verifyStationJournal(station)).verdict).toMatchObject({
        status: 'TAMPERED',
        check: 'JNL-MARK',
      });
      await expect(signCheckpoint(station, { pin: PIN })).rejects.toMatchObject({
        code: 'JOURNAL_MARK_MISSING',
      });
      const noReset = stationCli(
        [
          'journal',
          'repair-mark',
          '--actor',
          'operator:alice',
          '--reason',
          'x',
          '--pin-stdin',
          '--data-dir',
          dir,
        ],
        `${PIN}\n`,
      );
      expect(noReset.stderr).toContain('JOURNAL_MARK_MISSING');
      expect(noReset.status).toBe(EXIT_INTEGRITY);
      const head = station.journal.head().seq;
      const reset = stationCli(
        [
          'journal',
          'repair-mark',
          '--reset',
          '--actor',
          'operator:alice',
          '--reason',
          'token restored after a crash during init',
          '--pin-stdin',
          '--data-dir',
          dir,
        ],
        `${PIN}\n`,
      );
      expect(reset.stderr).toContain('a rollback done before this act can never be detected');
      expect(reset.stdout).toContain('journal mark RE-ESTABLISHED');
      expect(reset.status).toBe(0);
      expect(station.journal.get(head + 1)?.kind).toBe('journal.mark-repaired');
      const report = await verifyStationJournal(station, { pin: PIN });
      expect(report.verdict).toMatchObject({ status: 'VERIFIED', mark: { status: 'CONFIRMED' } });
      expect(report.markResets).toEqual([head + 1]);
      const cli = stationCli(['journal', 'verify', '--data-dir', dir]);
      expect(cli.stdout).toContain(`journal mark re-established at seq ${head + 1}`);
      expect(cli.status).toBe(0);
    } finally {
      station.close();
    }
  });

  it('a station from before PIN-protected marks (chained checkpoints, public mark only) gets its PIN-protected mark at its next logged-in act', async () => {
    const { station } = await stationWithIdentity();
    try {
      removePrivateMarks(station);
      expect(privateMarkObjects(station)).toHaveLength(0);
      expect((await verifyStationJournal(station)).verdict).toMatchObject({
        status: 'VERIFIED',
        mark: { status: 'CONFIRMED', n: 1 },
      });
      // With the PIN too: the public mark is what such a station has until its next anchoring.
      const before = await verifyStationJournal(station, { pin: PIN });
      expect(before).toMatchObject({
        markChecked: 'public',
        verdict: { mark: { status: 'CONFIRMED', n: 1 } },
      });
      notes(station, 1);
      await signCheckpoint(station, { pin: PIN });
      expect(privateMarkObjects(station)).toHaveLength(1);
      const after = await verifyStationJournal(station, { pin: PIN });
      expect(after).toMatchObject({
        markChecked: 'private',
        verdict: { status: 'VERIFIED', mark: { status: 'CONFIRMED', n: 2 } },
      });
    } finally {
      station.close();
    }
  });

  it('acts with the token logged in leave nothing unsigned: identity creation, checkpoints, key generation (banner count)', async () => {
    const { station, serial } = await stationWithIdentity();
    try {
      expect(stationInfo(station, 'browser').journal).toEqual({ entries: 4, checkpoint: 1, unsigned: 0 });
      expect((await verifyStationJournal(station)).verdict).toMatchObject({
        status: 'VERIFIED',
        entries: 4,
        checkpoint: { n: 1, size: 3, eventSeq: 4 },
        mark: { status: 'CONFIRMED', n: 1 },
      });
      notes(station, 2);
      expect(stationInfo(station, 'browser').journal?.unsigned).toBe(2);
      expect((await verifyStationJournal(station)).verdict).toMatchObject({
        status: 'UNANCHORED',
        unanchoredFromSeq: 5,
        reason: expect.stringContaining('2 entries after checkpoint 1 (seq 4)'),
      });
      await signCheckpoint(station, { pin: PIN });
      expect(stationInfo(station, 'browser').journal).toEqual({ entries: 7, checkpoint: 2, unsigned: 0 });
      // A key generated on the station token: recorded and anchored in the same login.
      const key = { label: 'ceremony-key', algorithm: 'ec-p256' };
      await generateTokenKey(station, {
        moduleId: MODULE_ID,
        serial,
        pin: PIN,
        key,
        confirmedRecipe: previewKey(station, { moduleId: MODULE_ID, key }).digest,
        actor: 'operator:alice',
      });
      expect(station.journal.get(8)?.kind).toBe('hsm.key-generated');
      expect(stationInfo(station, 'browser').journal).toEqual({ entries: 9, checkpoint: 3, unsigned: 0 });
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
    removePrivateMarks(station);
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
      const cp = await signCheckpoint(s, { pin: PIN });
      expect(cp).toMatchObject({ n: 2, size: 4, eventSeq: 5 });
      expect((await verifyStationJournal(s, { pin: PIN })).verdict).toMatchObject({
        status: 'VERIFIED',
        checkpoint: { n: 2, eventSeq: 5 },
        mark: { status: 'CONFIRMED', n: 2 },
      });
    } finally {
      s.close();
    }
  });
});
