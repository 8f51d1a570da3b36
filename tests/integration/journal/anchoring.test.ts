import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { markBytes, parseMark } from '../../../src/core/journal/checkpoint';
import { systemDeps } from '../../../src/main/runtime';
import { exportBundle } from '../../../src/main/services/bundles/bundles';
import {
  createTokenCsr,
  generateTokenKey,
  listTokenKeys,
  previewKey,
  recordInventory,
} from '../../../src/main/services/devices/devices';
import { registerModule } from '../../../src/main/services/devices/modules';
import {
  CHECKPOINT_ALG,
  journalStationId,
  stationIdentity,
} from '../../../src/main/services/identity/queries';
import { identitySigner, signCheckpoint } from '../../../src/main/services/identity/commands';
import { anchorJournal } from '../../../src/main/services/journal/commands';
import { verifyStationJournal } from '../../../src/main/services/journal/queries';
import { Station } from '../../../src/main/station/station';
import { stationCli } from '../../e2e/harness';
import { rollBackToCheckpoint, withTriggersDropped } from '../../helpers/tamper';
import { tempDir } from '../../helpers/temp';
import {
  MODULE_ID,
  PIN,
  markObjects,
  notes,
  plantMark,
  privateMarkObjects,
  stationWithIdentity,
  withMedia,
} from './support';
import { stationInfo } from '../../../src/main/services/identity/station-info';

/**
 * Acts on the station token and the journal's anchoring (second hostile review of issue #10): the
 * marks are checked before an act and the record anchored after it, in one login (items 3 and 6); the
 * station token is reached only through the module registered before its identity (item 8); anchoring
 * reads the verified chained checkpoint events, never the checkpoint table (item 9); an export on an
 * anchored head signs no new checkpoint but still checks the marks (item 12).
 */
const key = (label: string) => ({ label, algorithm: 'ec-p256' });

async function keygen(station: Station, serial: string, label: string, moduleId = MODULE_ID) {
  return generateTokenKey(station, {
    moduleId,
    serial,
    pin: PIN,
    key: key(label),
    confirmedRecipe: previewKey(station, { moduleId: MODULE_ID, key: key(label) }).digest,
    actor: 'operator:alice',
  });
}

const keyGenerated = (station: Station) =>
  station.journal.eventsOfKind('hsm.key-generated').map(({ seq }) => seq);

afterEach(() => vi.restoreAllMocks());

describe('acts on the station token: marks checked before, record anchored after, in one login', () => {
  it('review 2, item 3: a planted public object no longer makes a generated and recorded key look failed — the key comes back with a warning', async () => {
    const { station, serial } = await stationWithIdentity();
    try {
      plantMark(station, Buffer.from('planted'));
      const k = await keygen(station, serial, 'k1');
      expect(k.anchoring).toEqual({
        checkpoint: 2,
        warnings: [{ code: 'JOURNAL_MARK_INVALID', message: expect.stringContaining('left in place') }],
      });
      expect(keyGenerated(station)).toHaveLength(1);
      expect(stationInfo(station, 'browser').journal?.unsigned).toBe(0);
    } finally {
      station.close();
    }
  });

  it('review 2, item 3: anchoring that fails after the act (another writer keeps moving the head) returns the key with JOURNAL_NOT_ANCHORED, never an error inviting a second key', async () => {
    const { dir, station, serial } = await stationWithIdentity();
    // A second connection to the same database stands for the CLI beside `station serve`.
    const other = Station.open(dir, systemDeps);
    try {
      const add = station.journal.addCheckpoint.bind(station.journal);
      vi.spyOn(station.journal, 'addCheckpoint').mockImplementation((cp) => {
        notes(other, 1, 'operator:bob');
        return add(cp);
      });
      const k = await keygen(station, serial, 'k1');
      expect(k).toMatchObject({
        label: 'k1',
        anchoring: { checkpoint: null, warnings: [{ code: 'JOURNAL_NOT_ANCHORED' }] },
      });
      expect(k.anchoring?.warnings[0]?.message).toContain('JOURNAL_CONFLICT');
      expect(keyGenerated(station)).toHaveLength(1);
      // The banner counts what waits: the key's record and the other writer's notes.
      expect(stationInfo(station, 'browser').journal?.unsigned).toBe(4);
      vi.restoreAllMocks();
      expect(await signCheckpoint(station, { pin: PIN })).toMatchObject({ n: 2, warnings: [] });
    } finally {
      other.close();
      station.close();
    }
  });

  it('review 2, item 3: the marks are checked before the act — a PIN-protected non-mark refuses key generation, inventory and CSR before anything is made or recorded', async () => {
    const { station, serial } = await stationWithIdentity();
    try {
      plantMark(station, Buffer.from('not a mark'), 'private');
      const keys = listTokenKeys(station, { moduleId: MODULE_ID, serial, pin: PIN }).length;
      const head = station.journal.head().seq;
      await expect(keygen(station, serial, 'k1')).rejects.toMatchObject({ code: 'JOURNAL_MARK_INVALID' });
      expect(() =>
        recordInventory(station, { moduleId: MODULE_ID, serial, pin: PIN, actor: 'operator:alice' }),
      ).toThrowError(expect.objectContaining({ code: 'JOURNAL_MARK_INVALID' }));
      await expect(
        createTokenCsr(station, {
          moduleId: MODULE_ID,
          serial,
          pin: PIN,
          keyId: stationIdentity(station)!.keyId,
          request: { subject: { commonName: 'x' }, san: { dns: [], email: [], ip: [] } },
          actor: 'operator:alice',
        }),
      ).rejects.toMatchObject({ code: 'JOURNAL_MARK_INVALID' });
      expect(listTokenKeys(station, { moduleId: MODULE_ID, serial, pin: PIN })).toHaveLength(keys);
      expect(station.journal.head().seq).toBe(head);
    } finally {
      station.close();
    }
  });

  it('review 2, item 6: inventory and CSR on the station token are anchored in the same login (nothing unsigned, marks CONFIRMED)', async () => {
    const { station, serial } = await stationWithIdentity();
    try {
      const inv = recordInventory(station, {
        moduleId: MODULE_ID,
        serial,
        pin: PIN,
        actor: 'operator:alice',
      });
      expect(inv.anchoring).toEqual({ checkpoint: 2, warnings: [] });
      expect(station.journal.get(inv.seq + 1)?.kind).toBe('journal.checkpoint');
      const csr = await createTokenCsr(station, {
        moduleId: MODULE_ID,
        serial,
        pin: PIN,
        keyId: stationIdentity(station)!.keyId,
        request: { subject: { commonName: 'Station' }, san: { dns: [], email: [], ip: [] } },
        actor: 'operator:alice',
      });
      expect(csr.anchoring).toEqual({ checkpoint: 3, warnings: [] });
      expect(stationInfo(station, 'browser').journal?.unsigned).toBe(0);
      expect((await verifyStationJournal(station, { pin: PIN })).verdict).toMatchObject({
        status: 'VERIFIED',
        mark: { status: 'CONFIRMED', n: 3 },
      });
    } finally {
      station.close();
    }
  });
});

describe('the station token module is pinned (review 2, item 8)', () => {
  it('a re-registration of the identity module is refused; one written into the unsigned tail is ignored by logins, anchoring and verify, and reported', async () => {
    const { dir, station, serial } = await stationWithIdentity();
    const env = { SOFTHSM2_CONF: process.env.SOFTHSM2_CONF! };
    try {
      expect(() =>
        registerModule(station, {
          moduleId: MODULE_ID,
          profile: 'softhsm2',
          environment: env,
          actor: 'operator:alice',
        }),
      ).toThrowError(expect.objectContaining({ code: 'MODULE_PINNED' }));
      // What someone with write access appends: the same module id, another library (a shim would
      // forward signing and report any mark; this path does not even exist).
      const rogue = station.record([
        {
          kind: 'hsm.module-registered',
          actor: 'operator:mallory',
          body: {
            moduleId: MODULE_ID,
            profile: 'softhsm2',
            path: '/tmp/not-the-station-library.so',
            librarySha256: 'ab'.repeat(32),
            environment: env,
          },
        },
      ]).lastSeq;
      station.close();
      const s = Station.open(dir, systemDeps);
      try {
        expect(await signCheckpoint(s, { pin: PIN })).toMatchObject({ n: 2 });
        const report = await verifyStationJournal(s);
        expect(report.verdict).toMatchObject({ status: 'VERIFIED', mark: { status: 'CONFIRMED', n: 2 } });
        expect(report.identity?.module).toEqual({ moduleId: MODULE_ID, registeredAt: 2, ignored: [rogue] });
        const cli = stationCli(['journal', 'verify', '--data-dir', dir]);
        expect(cli.stdout).toContain(`module ${MODULE_ID} registered again at seq ${rogue}: ignored`);
        expect(cli.status).toBe(0);
        // Another module id naming the station token's serial never sees its PIN.
        registerModule(s, {
          moduleId: 'other-hsm',
          profile: 'softhsm2',
          environment: env,
          actor: 'operator:alice',
        });
        const logins = s.hsm.module('other-hsm').logins;
        await expect(keygen(s, serial, 'k1', 'other-hsm')).rejects.toMatchObject({ code: 'MODULE_PINNED' });
        expect(() => listTokenKeys(s, { moduleId: 'other-hsm', serial, pin: PIN })).toThrowError(
          expect.objectContaining({ code: 'MODULE_PINNED' }),
        );
        expect(s.hsm.module('other-hsm').logins).toBe(logins);
      } finally {
        s.close();
      }
    } finally {
      station.close();
    }
  });
});

describe('anchoring reads the verified chained events, not the checkpoint table (review 2, item 9)', () => {
  it('an edited table row is never put on the token: with the mark behind, a checkpoint whose row was re-signed badly is refused (JOURNAL_TAMPERED) and the marks stay', async () => {
    const { dir, station, serial } = await stationWithIdentity();
    notes(station, 2);
    const id = stationIdentity(station)!;
    // A crash after checkpoint 2's event, before the token write: the marks stay at checkpoint 1.
    await station.hsm
      .module(MODULE_ID)
      .withSessionAsync(serial, { write: false, login: { user: 'user', pin: PIN } }, async (session) => {
        const sign = identitySigner(id, session);
        await anchorJournal(
          station,
          { keyId: id.fingerprint, alg: CHECKPOINT_ALG, sign: async (m) => sign(m) },
          journalStationId(station),
          () => {},
        );
      });
    const before = { pub: markObjects(station), priv: privateMarkObjects(station) };
    station.close();
    withTriggersDropped(join(dir, 'station.sqlite'), (db) =>
      db.prepare('UPDATE journal_checkpoint SET signature = ? WHERE n = 2').run(Buffer.alloc(64, 1)),
    );
    const s = Station.open(dir, systemDeps);
    try {
      await expect(signCheckpoint(s, { pin: PIN })).rejects.toMatchObject({ code: 'JOURNAL_TAMPERED' });
      expect(markObjects(s)).toEqual(before.pub);
      expect(privateMarkObjects(s)).toEqual(before.priv);
      expect(parseMark(before.pub[0]!)?.checkpoint.n).toBe(1);
    } finally {
      s.close();
    }
  });

  it('a rolled-back journal is not saved by copying the mark into the checkpoint table: the mark must be the chained event itself', async () => {
    const { dir, station } = await stationWithIdentity();
    notes(station, 3);
    await signCheckpoint(station, { pin: PIN });
    const stationId = journalStationId(station);
    const cp2 = station.journal.checkpoints()[1]!;
    station.close();
    const dbPath = join(dir, 'station.sqlite');
    rollBackToCheckpoint(dbPath, 1);
    // Notes up to the mark's event seq, and a table row copied from the (public) mark naming it.
    let s = Station.open(dir, systemDeps);
    notes(s, cp2.eventSeq! - s.journal.head().seq);
    s.close();
    expect(parseMark(markBytes(stationId, cp2))?.checkpoint.n).toBe(2);
    withTriggersDropped(dbPath, (db) =>
      db
        .prepare(
          'INSERT INTO journal_checkpoint (n, size, head_hash, at, key_id, alg, signature, event_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(2, cp2.size, cp2.headHash, cp2.at, cp2.keyId, cp2.alg, cp2.signature, cp2.eventSeq),
    );
    s = Station.open(dir, systemDeps);
    try {
      const head = s.journal.head().seq;
      await expect(signCheckpoint(s, { pin: PIN })).rejects.toMatchObject({ code: 'JOURNAL_ROLLED_BACK' });
      expect(s.journal.head().seq).toBe(head);
    } finally {
      s.close();
    }
  });
});

describe('bundle export and the marks (review 2, items 1 and 12)', () => {
  const quiet = { phase: () => {}, add: () => {} };
  const journalSegment = { kind: 'journal-segment' as const, pin: PIN, actor: 'operator:alice' };
  const useMedia = () => {
    const media = join(tempDir(), 'usb');
    mkdirSync(media);
    return withMedia(media);
  };

  it('an export on a head that already is a checkpoint event signs no new checkpoint', async () => {
    const { station } = await stationWithIdentity(useMedia());
    try {
      notes(station, 2);
      await signCheckpoint(station, { pin: PIN });
      const n = station.journal.lastCheckpointNumber();
      const done = await exportBundle(station, journalSegment, quiet);
      expect(station.journal.lastCheckpointNumber()).toBe(n);
      expect(station.journal.get(done.seq - 1)?.kind).toBe('journal.checkpoint');
    } finally {
      station.close();
    }
  });

  it('an export on a journal rolled back to a checkpoint event is refused before anything is signed: the marks are checked before every export', async () => {
    const deps = useMedia();
    const { dir, station } = await stationWithIdentity(deps);
    notes(station, 2);
    await signCheckpoint(station, { pin: PIN });
    station.close();
    rollBackToCheckpoint(join(dir, 'station.sqlite'), 1);
    const s = Station.open(dir, deps);
    try {
      // The head is checkpoint 1's own event: anchored as far as the database can tell.
      expect(s.journal.get(s.journal.head().seq)?.kind).toBe('journal.checkpoint');
      const head = s.journal.head().seq;
      await expect(exportBundle(s, journalSegment, quiet)).rejects.toMatchObject({
        code: 'JOURNAL_ROLLED_BACK',
      });
      expect(s.journal.head().seq).toBe(head);
    } finally {
      s.close();
    }
  });
});
