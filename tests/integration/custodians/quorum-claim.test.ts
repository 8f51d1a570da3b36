import type { QuorumOperation } from '../../../src/core/custody/operation';
import { spawnSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pkcs11Module } from '../../../src/main/adapters/hsm/module';
import { systemDeps } from '../../../src/main/runtime';
import { ceremonyKeygen } from '../../../src/main/services/custodians/ceremony-ops';
import { registerModule } from '../../../src/main/services/devices/modules';
import {
  cancelQuorumSession,
  checkInWithToken,
  claimQuorum,
  listQuorumSessions,
  openQuorumSession,
  quorumSessionView,
} from '../../../src/main/services/custodians/quorum';
import { addCustodian, initRoster, proposeCustodian } from '../../../src/main/services/custodians/roster';
import { splitActivationSecret } from '../../../src/main/services/custodians/shares';
import { Station } from '../../../src/main/station/station';
import { stationCli } from '../../e2e/harness';
import { FAULT_SHIM, faultShim, softhsmWorld, type FaultShim } from '../../helpers/softhsm';
import { suiteTempDir } from '../../helpers/temp';
import { keygenOp, opText, testOp } from '../../helpers/operations';

/**
 * QUORUM-CLAIM (second hostile review of issue #10, item 2): a quorum-bound ceremony act used to check
 * its quorum once, act on the HSM, and only then record the quorum's use, so two callers with the same
 * session (the CLI beside `station serve`: two connections to one database) both acted on the token.
 * Now the session is claimed in a guarded append before any login; the act's result closes it, a failed
 * act releases it (or spends it when the token may have changed), and a claim left by a station that
 * stopped mid-act keeps the session unusable until it expires. The PKCS#11 fault shim over SoftHSM2
 * stands in for a device fault and counts every C_Login that reached the library.
 */

const PIN = '246810';
const CEREMONY_PIN = '135790';
const MODULE = 'ceremony-hsm';
let suite: ReturnType<typeof suiteTempDir>;
let station: Station;
let shim: FaultShim;
let module: Pkcs11Module;
let splitId: string;
let shareDir: string;
const serial: Record<string, string> = {};

beforeAll(async () => {
  suite = suiteTempDir('station-claim-');
  const world = softhsmWorld(suite.dir);
  for (const label of ['Ceremony HSM', 'alice', 'bob', 'carol']) {
    const r = spawnSync('softhsm2-util', [
      ...['--init-token', '--free', '--label', label, '--so-pin', '11223344'],
      ...['--pin', label === 'Ceremony HSM' ? CEREMONY_PIN : PIN],
    ]);
    expect(r.status).toBe(0);
  }
  shim = faultShim(world);
  station = Station.init(
    join(suite.dir, 'st'),
    { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' },
    systemDeps,
  );
  registerModule(station, {
    moduleId: MODULE,
    profile: FAULT_SHIM.id,
    path: shim.path,
    environment: { ...shim.environment },
    actor: 'operator:so',
  });
  module = station.hsm.module(MODULE);
  for (const t of module.tokens()) serial[t.label] = t.serial;
  const pem: Record<string, string> = {};
  for (const who of ['alice', 'bob', 'carol']) {
    const key = await module.withSessionAsync(
      serial[who]!,
      { write: true, login: { user: 'user', pin: PIN } },
      (s) => s.generateKeyPair({ label: `${who}-custodian`, algorithm: 'ec-p256' }),
    );
    pem[who] = createPublicKey({ key: key.spki!, format: 'der', type: 'spki' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
  }
  initRoster(station, {
    quorum: 2,
    custodians: ['alice', 'bob', 'carol'].map((who) => custodian(who, pem[who]!)),
    witnesses: ['W. Itness'],
    actor: 'operator:so',
  });
  shareDir = join(suite.dir, 'media');
  mkdirSync(shareDir);
  splitId = (
    await splitActivationSecret(station, {
      moduleId: MODULE,
      serial: serial['Ceremony HSM']!,
      currentPin: CEREMONY_PIN,
      holders: ['alice', 'bob', 'carol'],
      threshold: 2,
      outDir: shareDir,
      actor: 'operator:so',
    })
  ).splitId;
}, 60_000);

afterAll(() => {
  station?.close();
  suite?.remove();
});

function custodian(who: string, publicKey: string) {
  return {
    custodianId: who,
    name: who[0]!.toUpperCase() + who.slice(1),
    roles: ['custodian'],
    publicKey,
    validFrom: '2026-01-01T00:00:00.000Z',
    validUntil: '2030-01-01T00:00:00.000Z',
  };
}

const share = (who: string, position: number) => ({
  text: readFileSync(join(shareDir, `${who}-share-${position}-of-3.txt`), 'utf8'),
  enteredBy: who,
});

/** A session bound to `operation`, reached by alice and bob on their own tokens. */
function reachedQuorum(operation: QuorumOperation | string): string {
  const s = openQuorumSession(station, {
    operation: opText(operation),
    ceremonyId: 'KSK-2026',
    step: '4',
    actor: 'operator:admin',
  });
  for (const who of ['alice', 'bob'])
    expect(
      checkInWithToken(station, {
        sessionId: s.sessionId,
        moduleId: MODULE,
        serial: serial[who]!,
        pin: PIN,
        actor: `operator:${who}`,
      }).ok,
    ).toBe(true);
  return s.sessionId;
}

const keygenIn = (on: Station, quorumSessionId: string, label: string) =>
  ceremonyKeygen(on, {
    splitId,
    shares: [share('alice', 1), share('bob', 2)],
    quorumSessionId,
    key: { label, algorithm: 'ec-p256' },
    actor: 'operator:admin',
  });

const operationFor = (label: string) => keygenOp(serial['Ceremony HSM']!, label, 'ec-p256');
const rowsAfter = (seq: number) => station.journal.page(seq + 1, 100);
const kindsAfter = (seq: number) => rowsAfter(seq).map((r) => r.kind);
const bodyOf = (seq: number) =>
  JSON.parse(Buffer.from(station.journal.get(seq)!.body).toString()) as Record<string, unknown>;
/** Public objects with this label on the ceremony token (a public session: no login). */
const keysLabelled = (label: string) =>
  module
    .withSession(serial['Ceremony HSM']!, { write: false }, (s) => s.listKeys())
    .filter((k) => k.label === label).length;

const SETTLED_WITHIN_MS = 3_000;

describe('QUORUM-CLAIM: one quorum session, one act on the ceremony token', () => {
  it('QUORUM-CLAIM: two connections race one session into a ceremony keygen: one act runs and is recorded, the other is refused before any login; a cancel during the act is refused', async () => {
    const other = Station.open(station.dataDir, systemDeps);
    const label = 'race-key';
    const sessionId = reachedQuorum(operationFor(label));
    const head = station.journal.head().seq;
    const before = shim.stats();
    // The token is held (a public session, no login) so the winner waits its turn on the token: the
    // race is decided by the claim, and what the loser met can be seen while the winner waits.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const holder = module.withSessionAsync(
      serial['Ceremony HSM']!,
      { write: false, purpose: 'held by the test' },
      () => gate,
    );
    const attempts = [keygenIn(station, sessionId, label), keygenIn(other, sessionId, label)].map((p) =>
      p.then(
        (key) => ({ ok: true as const, key }),
        (error: unknown) => ({ ok: false as const, error }),
      ),
    );
    try {
      const first = await Promise.race([
        ...attempts,
        new Promise<'nothing settled'>((r) => setTimeout(() => r('nothing settled'), SETTLED_WITHIN_MS)),
      ]);
      expect(first).toMatchObject({ ok: false, error: { code: 'QUORUM_SESSION_CLAIMED' } });
      expect(shim.stats().logins, 'no login before the winner had the token').toBe(before.logins);
      // While the act waits: the session shows as claimed from either connection, and cannot be cancelled.
      expect(quorumSessionView(other, { sessionId })).toMatchObject({
        status: 'CLAIMED',
        claim: { seq: head + 1 },
      });
      expect(() => cancelQuorumSession(other, sessionId, 'operator:cli')).toThrowError(
        expect.objectContaining({ code: 'QUORUM_SESSION_CLAIMED' }),
      );
    } finally {
      release();
      await holder;
    }
    const outcomes = await Promise.all(attempts);
    other.close();
    expect(outcomes.filter((x) => x.ok)).toMatchObject([{ key: { label } }]);
    expect(shim.stats().logins - before.logins, 'exactly one C_Login').toBe(1);
    expect(keysLabelled(label)).toBe(1);
    expect(kindsAfter(head)).toEqual([
      'quorum.session-claimed',
      'hsm.key-generated',
      'shares.activation-used',
      'quorum.session-closed',
    ]);
    expect(quorumSessionView(station, { sessionId })).toMatchObject({
      status: 'CLOSED',
      closedReason: 'used',
      claim: null,
    });
  });

  it('QUORUM-CLAIM: a failed act releases the claim (nothing changed on the token); the same session retries and succeeds', async () => {
    const label = 'retry-key';
    const sessionId = reachedQuorum(operationFor(label));
    const head = station.journal.head().seq;
    shim.plan([{ fn: 'C_GenerateKeyPair', call: 1, action: 'CKR_DEVICE_ERROR' }]);
    let failed: unknown;
    try {
      await keygenIn(station, sessionId, label);
    } catch (e) {
      failed = e;
    } finally {
      shim.clear();
    }
    expect(failed).toMatchObject({
      code: 'DEVICE_ERROR',
      message: expect.stringContaining('was released'),
      data: { ckr: 'CKR_DEVICE_ERROR', quorumSession: 'released' },
    });
    expect(kindsAfter(head)).toEqual(['quorum.session-claimed', 'quorum.session-released']);
    expect(bodyOf(head + 2)).toEqual({ sessionId, claimSeq: head + 1, code: 'DEVICE_ERROR' });
    expect(quorumSessionView(station, { sessionId })).toMatchObject({ status: 'OPEN', claim: null });
    expect(keysLabelled(label)).toBe(0);

    const key = await keygenIn(station, sessionId, label);
    expect(key.label).toBe(label);
    expect(keysLabelled(label)).toBe(1);
    expect(kindsAfter(head + 2)).toEqual([
      'quorum.session-claimed',
      'hsm.key-generated',
      'shares.activation-used',
      'quorum.session-closed',
    ]);
  });

  it('QUORUM-CLAIM: an act that may have changed the token (a key neither read back nor destroyed) spends the session: it says so and cannot retry', async () => {
    const label = 'unknown-key';
    const sessionId = reachedQuorum(operationFor(label));
    const head = station.journal.head().seq;
    // The pair is made, its read-back fails, and so does destroying it: the key stays, unrecorded.
    shim.plan([
      { fn: 'C_GetAttributeValue', call: 1, from: true, action: 'CKR_DEVICE_ERROR' },
      { fn: 'C_DestroyObject', call: 1, from: true, action: 'CKR_DEVICE_ERROR' },
    ]);
    let failed: unknown;
    try {
      await keygenIn(station, sessionId, label);
    } catch (e) {
      failed = e;
    } finally {
      shim.clear();
    }
    expect(failed).toMatchObject({
      code: 'KEY_UNRECORDED',
      message: expect.stringContaining('cannot authorise another try'),
      data: { label, quorumSession: 'spent' },
    });
    expect(kindsAfter(head)).toEqual(['quorum.session-claimed', 'quorum.session-spent']);
    expect(bodyOf(head + 2)).toEqual({ sessionId, claimSeq: head + 1, code: 'KEY_UNRECORDED' });
    expect(quorumSessionView(station, { sessionId })).toMatchObject({
      status: 'CLOSED',
      closedReason: 'outcome-unknown',
    });
    expect(keysLabelled(label)).toBe(1);
    const logins = shim.stats().logins;
    await expect(keygenIn(station, sessionId, label)).rejects.toMatchObject({
      code: 'QUORUM_SESSION_CLOSED',
    });
    expect(shim.stats().logins).toBe(logins);
  });

  it('QUORUM-CLAIM: a claim left by a station that stopped mid-act shows as CLAIMED (service, CLI) and blocks every use — a ceremony act, a roster change, a cancel — until the session expires', async () => {
    const label = 'crash-key';
    const sessionId = reachedQuorum(operationFor(label));
    const dave = custodian(
      'dave',
      generateKeyPairSync('ec', { namedCurve: 'P-256' })
        .publicKey.export({ type: 'spki', format: 'pem' })
        .toString(),
    );
    const rosterSession = reachedQuorum(proposeCustodian(dave).operation);
    // The act's claim lands, then the station stops before the act's result or release.
    const { claimSeq } = claimQuorum(station, {
      sessionId,
      operation: operationFor(label),
      actor: 'operator:admin',
    });
    claimQuorum(station, {
      sessionId: rosterSession,
      operation: proposeCustodian(dave).operation,
      actor: 'operator:so',
    });
    const dir = station.dataDir;
    station.close();
    station = Station.open(dir, systemDeps);
    module = station.hsm.module(MODULE);

    expect(quorumSessionView(station, { sessionId })).toMatchObject({
      status: 'CLAIMED',
      claim: { seq: claimSeq, actor: 'operator:admin' },
    });
    expect(listQuorumSessions(station).find((s) => s.sessionId === sessionId)?.closedReason).toBe('claimed');
    const head = station.journal.head().seq;
    const logins = shim.stats().logins;
    await expect(keygenIn(station, sessionId, label)).rejects.toMatchObject({
      code: 'QUORUM_SESSION_CLAIMED',
      message: expect.stringContaining(`seq ${claimSeq}`),
    });
    expect(() =>
      addCustodian(station, { custodian: dave, quorumSessionId: rosterSession, actor: 'operator:so' }),
    ).toThrowError(expect.objectContaining({ code: 'QUORUM_SESSION_CLAIMED' }));
    expect(() => cancelQuorumSession(station, sessionId, 'operator:cli')).toThrowError(
      expect.objectContaining({ code: 'QUORUM_SESSION_CLAIMED' }),
    );
    expect(shim.stats().logins).toBe(logins);
    expect(station.journal.head().seq, 'nothing recorded').toBe(head);

    // The built CLI (another process) says so, and exits 6: the session cannot authorise anything.
    const cli = stationCli(['quorum', 'status', '--session', sessionId, '--data-dir', dir]);
    expect(cli.status).toBe(6);
    expect(cli.stdout).toMatch(/^ {2}CLAIMED \[QUORUM-CLAIM\]: by operator:admin/m);
    const json = stationCli(['quorum', 'status', '--session', sessionId, '--json', '--data-dir', dir]);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'CLAIMED', claim: { seq: claimSeq } });

    // It expires like any session, and stays unusable.
    const later = Station.open(dir, { ...systemDeps, clock: () => new Date(Date.now() + 2 * 3_600_000) });
    try {
      expect(quorumSessionView(later, { sessionId })).toMatchObject({
        status: 'EXPIRED',
        claim: { seq: claimSeq },
      });
      await expect(keygenIn(later, sessionId, label)).rejects.toMatchObject({
        code: 'QUORUM_SESSION_CLOSED',
      });
    } finally {
      later.close();
    }
    expect(shim.stats().logins).toBe(logins);
  });

  it('QUORUM-CLAIM at commit time: the projection itself refuses a second claim, a cancel or another use of a claimed session, and a release that names another claim', () => {
    const operation = opText(testOp('commit-time'));
    const { sessionId } = openQuorumSession(station, {
      operation,
      ceremonyId: 'KSK-2026',
      step: '5',
      actor: 'operator:admin',
    });
    const claimed = {
      kind: 'quorum.session-claimed' as const,
      actor: 'operator:a',
      body: { sessionId, operation },
    };
    // No service recheck here: only what the append's projection enforces.
    const claimSeq = station.record([claimed]).lastSeq;
    const head = station.journal.head().seq;
    const refused: [string, () => unknown][] = [
      ['a second claim', () => station.record([claimed])],
      [
        'a cancel',
        () =>
          station.record([
            {
              kind: 'quorum.session-closed',
              actor: 'operator:b',
              body: { sessionId, reason: 'cancelled', usedFor: null },
            },
          ]),
      ],
      [
        'a use for another operation',
        () =>
          station.record([
            {
              kind: 'quorum.session-closed',
              actor: 'operator:b',
              body: { sessionId, reason: 'used', usedFor: opText(testOp('other')) },
            },
          ]),
      ],
    ];
    for (const [what, attempt] of refused)
      expect(attempt, what).toThrowError(expect.objectContaining({ code: 'QUORUM_SESSION_CLAIMED' }));
    expect(() =>
      station.record([
        {
          kind: 'quorum.session-released',
          actor: 'operator:b',
          body: { sessionId, claimSeq: claimSeq - 1, code: 'DEVICE_ERROR' },
        },
      ]),
    ).toThrowError(expect.objectContaining({ code: 'QUORUM_SESSION_CLOSED' }));
    expect(station.journal.head().seq, 'nothing of the refused appends landed').toBe(head);
    station.record([
      {
        kind: 'quorum.session-released',
        actor: 'operator:a',
        body: { sessionId, claimSeq, code: 'DEVICE_ERROR' },
      },
    ]);
    expect(quorumSessionView(station, { sessionId })).toMatchObject({ status: 'OPEN', claim: null });
  });
});
