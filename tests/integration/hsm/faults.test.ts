import type { QuorumOperation } from '../../../src/core/custody/operation';
import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pkcs10CertificateRequest } from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodedError } from '../../../src/core/errors';
import type { Pkcs11Module } from '../../../src/main/adapters/hsm/module';
import { systemDeps } from '../../../src/main/runtime';
import { exportBundle } from '../../../src/main/services/bundles/bundles';
import { ceremonyKeygen, ceremonySign } from '../../../src/main/services/custodians/ceremony-ops';
import {
  createTokenCsr,
  describeModules,
  generateTokenKey,
  listTokenKeys,
  previewKey,
} from '../../../src/main/services/devices/devices';
import { registerModule } from '../../../src/main/services/devices/modules';
import { createStationIdentity, signCheckpoint } from '../../../src/main/services/identity/commands';
import { stationIdentity } from '../../../src/main/services/identity/queries';
import { verifyStationJournal } from '../../../src/main/services/journal/queries';
import {
  checkInWithToken,
  openQuorumSession,
  quorumSessionView,
} from '../../../src/main/services/custodians/quorum';
import { initRoster } from '../../../src/main/services/custodians/roster';
import { splitActivationSecret } from '../../../src/main/services/custodians/shares';
import { Station } from '../../../src/main/station/station';
import { isErrorCode } from '../../../src/shared/errors';
import { FAULT_SHIM, faultShim, softhsmWorld, type FaultShim, type ShimStats } from '../../helpers/softhsm';
import { suiteTempDir } from '../../helpers/temp';
import { stationInfo } from '../../../src/main/services/identity/station-info';
import { keygenOp, opText, signOp, testOp } from '../../helpers/operations';

/**
 * The ceremony fault matrix (issue #10). Between the station and a real SoftHSM2 sits the PKCS#11
 * fault shim (native/fault-shim), which fails a chosen call of a chosen function the way a device does
 * and counts, outside the station, what really reached the library. For every act, a clean probe run
 * lists the PKCS#11 calls it makes; each cell then fails one of them and checks the issue's rules:
 *   - the service throws a catalogued coded error, mapped by the CKR code (never by message text), and
 *     the process lives on (0 crashes);
 *   - no journal row claims the act succeeded (only refusal/failure rows, and for bundle export the
 *     checkpoint it signed first, which is itself true); a ceremony act's quorum claim (QUORUM-CLAIM) is
 *     released, so the retry below uses the same quorum session, or spent when a key may exist;
 *   - every session opened is closed and no token is left logged in (counted by the shim);
 *   - C_Login is called at most once: never retried, not after CKR_PIN_INCORRECT nor CKR_PIN_LOCKED;
 *   - with the fault cleared, the same act succeeds, and its result is verified, not taken on trust.
 * A fault may also land on a call whose failure the act tolerates by design (logout and close after
 * the work, the public identity check before a checkpoint): then the act must succeed for real.
 *
 * CI runs a representative cut: each function an act calls, at its first and its last call, with one
 * device fault taken in turn, plus every PIN fault at C_Login and a token removed or PIN-locked from the
 * start. STATION_FAULT_MATRIX=full runs every device fault at each of those (docs/pkcs11-faults.md).
 */

const FULL = process.env.STATION_FAULT_MATRIX === 'full';
const PIN = '246810';
const CEREMONY_PIN = '135790';
const MODULE = 'station-hsm';

/** Device faults any call can meet, and the coded error each must become (mapped by CKR code). */
const DEVICE_FAULTS: Readonly<Record<string, string>> = {
  remove: 'DEVICE_REMOVED',
  CKR_DEVICE_ERROR: 'DEVICE_ERROR',
  CKR_SESSION_HANDLE_INVALID: 'SESSION_HANDLE_INVALID',
  CKR_DEVICE_MEMORY: 'DEVICE_MEMORY',
  CKR_HOST_MEMORY: 'DEVICE_MEMORY',
};
/** Faults only a login meets. */
const LOGIN_FAULTS: Readonly<Record<string, string>> = {
  'pin-lock': 'PIN_LOCKED',
  CKR_PIN_INCORRECT: 'PIN_INCORRECT',
};
/** What a removed token is called, depending on which call first noticed it. */
const REMOVED_CODES = ['DEVICE_REMOVED', 'TOKEN_NOT_PRESENT', 'TOKEN_NOT_FOUND'];
const REFUSAL_KIND = /(refused|failed)$/;
/** The calls that write the token's journal mark, after the checkpoint is recorded. */
const MARK_WRITES = ['C_CreateObject', 'C_DestroyObject'];

let suite: ReturnType<typeof suiteTempDir>;
let station: Station;
let shim: FaultShim;
let module: Pkcs11Module;
let media: string;
/** The station's dependencies with the test's media folder as its removable volume. */
const onMedia = () => ({ ...systemDeps, config: { ...systemDeps.config, mediaDirs: [media] } });
/** Ceremony tokens under M-of-N activation: one generates keys, one holds the key that signs. */
const split: Record<'keygen' | 'sign', { id: string; serial: string; dir: string }> = {
  keygen: { id: '', serial: '', dir: '' },
  sign: { id: '', serial: '', dir: '' },
};
let signingKey: { id: string; spki: Buffer };
let csrKeyId: string;
const serial: Record<string, string> = {};
let counter = 0;
const fresh = (prefix: string) => `${prefix}-${++counter}`;
/**
 * Every key read-back lists all keys of its token, so tokens that gain a key per cell take turns
 * (and the CSR and signing keys have tokens of their own): the matrix stays linear in its size.
 */
const OPS_TOKENS = ['Ops HSM 1', 'Ops HSM 2', 'Ops HSM 3'];
const CEREMONY_TOKENS = { keygen: 'Ceremony keygen HSM', sign: 'Ceremony signing HSM' } as const;

beforeAll(async () => {
  suite = suiteTempDir('station-faults-');
  const world = softhsmWorld(suite.dir);
  const ceremony: string[] = Object.values(CEREMONY_TOKENS);
  for (const label of ['Station HSM', ...ceremony, ...OPS_TOKENS, 'CSR HSM', 'alice', 'bob', 'carol']) {
    const r = spawnSync('softhsm2-util', [
      ...['--init-token', '--free', '--label', label, '--so-pin', '11223344'],
      ...['--pin', ceremony.includes(label) ? CEREMONY_PIN : PIN],
    ]);
    expect(r.status).toBe(0);
  }
  shim = faultShim(world);
  media = join(suite.dir, 'media');
  mkdirSync(media);
  station = Station.init(
    join(suite.dir, 'st'),
    { name: 'Fault bench', mode: 'offline', demo: false, actor: 'operator:so' },
    onMedia(),
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
  await createStationIdentity(station, {
    moduleId: MODULE,
    tokenSerial: serial['Station HSM']!,
    pin: PIN,
    actor: 'operator:so',
  });
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
    custodians: ['alice', 'bob', 'carol'].map((who) => ({
      custodianId: who,
      name: who,
      roles: ['custodian'],
      publicKey: pem[who]!,
      validFrom: '2026-01-01T00:00:00.000Z',
      validUntil: '2030-01-01T00:00:00.000Z',
    })),
    witnesses: ['W. Itness'],
    actor: 'operator:so',
  });
  for (const use of ['keygen', 'sign'] as const) {
    const dir = join(suite.dir, `shares-${use}`);
    mkdirSync(dir);
    const token = serial[CEREMONY_TOKENS[use]]!;
    const made = await splitActivationSecret(station, {
      moduleId: MODULE,
      serial: token,
      currentPin: CEREMONY_PIN,
      holders: ['alice', 'bob', 'carol'],
      threshold: 2,
      outDir: dir,
      actor: 'operator:so',
    });
    split[use] = { id: made.splitId, serial: token, dir };
  }
  const label = 'signing-key';
  const key = await ceremonyKeygen(station, {
    splitId: split.sign.id,
    shares: [share('sign', 'alice', 1), share('sign', 'bob', 2)],
    quorumSessionId: reachedQuorum(keygenOp(split.sign.serial, label, 'ec-p256')),
    key: { label, algorithm: 'ec-p256' },
    actor: 'operator:admin',
  });
  signingKey = { id: key.id, spki: publicKeyOnToken(split.sign.serial, key.id) };
  const csrKey = await module.withSessionAsync(
    serial['CSR HSM']!,
    { write: true, login: { user: 'user', pin: PIN } },
    (s) => s.generateKeyPair({ label: 'csr-key', algorithm: 'ec-p256' }),
  );
  csrKeyId = csrKey.id;
}, 120_000);

afterAll(() => {
  station?.close();
  suite?.remove();
});

const share = (use: keyof typeof split, who: string, position: number) => ({
  text: readFileSync(join(split[use].dir, `${who}-share-${position}-of-3.txt`), 'utf8'),
  enteredBy: who,
});

/** A key's public half read back from the token (a public session, no login). */
function publicKeyOnToken(token: string, keyId: string): Buffer {
  const spki = module.withSession(token, { write: false }, (s) => s.key(keyId).spki);
  expect(spki).not.toBeNull();
  return spki as Buffer;
}

/** A quorum session for `operation`, reached by alice and bob on their own tokens (no faults planned). */
function reachedQuorum(operation: QuorumOperation | string): string {
  const s = openQuorumSession(station, {
    operation: opText(operation),
    ceremonyId: 'FAULTS-2026',
    step: '1',
    actor: 'operator:admin',
  });
  for (const who of ['alice', 'bob']) {
    const v = checkInWithToken(station, {
      sessionId: s.sessionId,
      moduleId: MODULE,
      serial: serial[who]!,
      pin: PIN,
      actor: `operator:${who}`,
    });
    expect(v.ok).toBe(true);
  }
  return s.sessionId;
}

interface Act {
  readonly name: string;
  /**
   * True rows the act may leave when a fault stops it after them: the checkpoint a bundle export signs
   * first; the checkpoint recorded before the token's journal mark is written (the mark stays behind,
   * which is what verify reports). Every row is checked true by the journal verification at the end.
   */
  sideEffects(cell: Cell): readonly string[];
  /** Everything the act needs but the act itself (a fresh label, quorum check-ins), with no faults. */
  prepare(): Promise<unknown>;
  run(ctx: unknown): Promise<unknown>;
  /** Proves a success is real: read back from the token or verified, not just reported. */
  confirm(ctx: unknown, result: unknown): Promise<void>;
  /** Checks what a refused act left behind, given its error and the kinds of the rows it recorded. */
  refused(ctx: unknown, error: CodedError, rows: readonly string[]): void;
}

function act<C, R>(a: {
  name: string;
  sideEffects?: (cell: Cell) => string[];
  prepare(): Promise<C> | C;
  run(ctx: C): Promise<R>;
  confirm(ctx: C, result: R): Promise<void> | void;
  refused?(ctx: C, error: CodedError, rows: readonly string[]): void;
}): Act {
  return {
    name: a.name,
    sideEffects: a.sideEffects ?? (() => []),
    prepare: async () => a.prepare(),
    run: (ctx) => a.run(ctx as C),
    confirm: async (ctx, result) => a.confirm(ctx as C, result as R),
    refused: (ctx, error, rows) => a.refused?.(ctx as C, error, rows),
  };
}

/** The rows a refused ceremony act leaves: its quorum claim, and the claim's release or spend. */
const QUORUM_CLAIM_ROWS = ['quorum.session-claimed', 'quorum.session-released', 'quorum.session-spent'];

/**
 * QUORUM-CLAIM after a fault: the claim is released (the token is as it was, so the retry reuses the
 * same quorum session) unless a key may exist unrecorded (KEY_UNRECORDED): then the session is spent.
 */
function expectClaimResolved(sessionId: string, e: CodedError, rows: readonly string[]): void {
  const spent = e.code === 'KEY_UNRECORDED';
  expect(rows).toEqual([
    'quorum.session-claimed',
    spent ? 'quorum.session-spent' : 'quorum.session-released',
  ]);
  expect(e.data.quorumSession).toBe(spent ? 'spent' : 'released');
  expect(quorumSessionView(station, { sessionId }).status).toBe(spent ? 'CLOSED' : 'OPEN');
}

/** After a ceremony act succeeded: its quorum session is closed as used, never still claimed. */
function expectQuorumUsed(sessionId: string): void {
  expect(quorumSessionView(station, { sessionId })).toMatchObject({ closedReason: 'used', claim: null });
}

const ACTS: readonly Act[] = [
  act({
    name: 'checkpoint signing',
    sideEffects: (cell) => (MARK_WRITES.includes(cell.fn) ? ['journal.checkpoint'] : []),
    prepare: () => {
      // Something new to anchor: a head that is already its own checkpoint needs no signature.
      station.record([{ kind: 'operator.note', actor: 'operator:ops', body: { text: fresh('note') } }]);
      return station.journal.checkpoints().length;
    },
    run: () => signCheckpoint(station, { pin: PIN }),
    confirm: (before, cp) => {
      const all = station.journal.checkpoints();
      expect(all).toHaveLength(before + 1);
      expect(all.at(-1)?.n).toBe(cp.n);
    },
  }),
  act({
    name: 'bundle export',
    sideEffects: () => ['journal.checkpoint'],
    prepare: () => null,
    run: () =>
      exportBundle(
        station,
        { kind: 'journal-segment', volume: media, pin: PIN, actor: 'operator:ops' },
        { phase: () => {}, add: () => {} },
      ),
    confirm: (_ctx, r) => {
      expect(existsSync(r.path)).toBe(true);
      expect(createHash('sha256').update(readFileSync(r.path)).digest('hex')).toBe(r.fileSha256);
    },
  }),
  act({
    name: 'key generation',
    prepare: () => {
      const key = { label: fresh('ops-key'), algorithm: 'ec-p256' };
      const token = serial[OPS_TOKENS[counter % OPS_TOKENS.length]!]!;
      return { token, key, confirmedRecipe: previewKey(station, { moduleId: MODULE, key }).digest };
    },
    run: ({ token, ...ctx }) =>
      generateTokenKey(station, {
        moduleId: MODULE,
        serial: token,
        pin: PIN,
        ...ctx,
        actor: 'operator:ops',
      }),
    confirm: (ctx, key) => {
      const onToken = listTokenKeys(station, { moduleId: MODULE, serial: ctx.token, pin: PIN }).find(
        (k) => k.label === ctx.key.label,
      );
      expect(onToken?.spkiSha256).toBe(key.spkiSha256);
      expect(onToken?.residency?.verdict).toBe('RESIDENT');
    },
  }),
  act({
    name: 'CSR',
    prepare: () => fresh('ops.example'),
    run: (cn) =>
      createTokenCsr(station, {
        moduleId: MODULE,
        serial: serial['CSR HSM']!,
        pin: PIN,
        keyId: csrKeyId,
        request: { subject: { commonName: cn }, san: { dns: [`${cn}.test`] } },
        actor: 'operator:ops',
      }),
    confirm: async (cn, csr) => {
      const req = new Pkcs10CertificateRequest(csr.pem);
      expect(req.subject).toBe(`CN=${cn}`);
      expect(await req.verify()).toBe(true);
    },
  }),
  act({
    name: 'quorum check-in',
    prepare: () =>
      openQuorumSession(station, {
        operation: opText(testOp(fresh('checkin'))),
        ceremonyId: 'FAULTS-2026',
        step: '1',
        actor: 'operator:admin',
      }).sessionId,
    run: async (sessionId) =>
      checkInWithToken(station, {
        sessionId,
        moduleId: MODULE,
        serial: serial.alice!,
        pin: PIN,
        actor: 'operator:alice',
      }),
    confirm: (sessionId, verdict) => {
      expect(verdict).toEqual({ ok: true, custodianId: 'alice' });
      const view = quorumSessionView(station, { sessionId });
      expect(view.state.checkedIn.map((c) => c.custodianId)).toEqual(['alice']);
    },
  }),
  act({
    name: 'ceremony keygen',
    sideEffects: () => QUORUM_CLAIM_ROWS,
    prepare: () => {
      const label = fresh('ceremony-key');
      return {
        label,
        quorumSessionId: reachedQuorum(keygenOp(split.keygen.serial, label, 'ec-p256')),
      };
    },
    run: (ctx) =>
      ceremonyKeygen(station, {
        splitId: split.keygen.id,
        shares: [share('keygen', 'alice', 1), share('keygen', 'bob', 2)],
        quorumSessionId: ctx.quorumSessionId,
        key: { label: ctx.label, algorithm: 'ec-p256' },
        actor: 'operator:admin',
      }),
    confirm: (ctx, key) => {
      expectQuorumUsed(ctx.quorumSessionId);
      expect(key.label).toBe(ctx.label);
      expect(key.residency?.verdict).toBe('RESIDENT');
      const spki = publicKeyOnToken(split.keygen.serial, key.id);
      expect(createHash('sha256').update(spki).digest('hex')).toBe(key.spkiSha256);
    },
    refused: (ctx, e, rows) => expectClaimResolved(ctx.quorumSessionId, e, rows),
  }),
  act({
    name: 'ceremony sign',
    sideEffects: () => QUORUM_CLAIM_ROWS,
    prepare: () => {
      const data = randomBytes(48);
      const digest = createHash('sha256').update(data).digest('hex');
      return {
        data,
        quorumSessionId: reachedQuorum(signOp(split.sign.serial, signingKey.id, digest)),
      };
    },
    run: (ctx) =>
      ceremonySign(station, {
        splitId: split.sign.id,
        shares: [share('sign', 'bob', 2), share('sign', 'carol', 3)],
        quorumSessionId: ctx.quorumSessionId,
        keyId: signingKey.id,
        data: ctx.data,
        actor: 'operator:admin',
      }),
    confirm: (ctx, r) => {
      expectQuorumUsed(ctx.quorumSessionId);
      const key = createPublicKey({ key: signingKey.spki, format: 'der', type: 'spki' });
      expect(verify('sha256', ctx.data, { key, dsaEncoding: 'ieee-p1363' }, r.signature)).toBe(true);
    },
    refused: (ctx, e, rows) => expectClaimResolved(ctx.quorumSessionId, e, rows),
  }),
];

interface Cell {
  readonly fn: string;
  readonly call: number;
  readonly action: string;
  readonly state?: 'removed' | 'pin-locked';
}

/** Runs one act under one fault and checks every rule; returns how it ended. */
async function runCell(a: Act, cell: Cell): Promise<'refused' | 'succeeded'> {
  const name = `${a.name} × ${cell.state ? `state ${cell.state}` : `${cell.fn}#${cell.call} ${cell.action}`}`;
  const ctx = await a.prepare();
  const head = station.journal.head().seq;
  const checkpoints = station.journal.checkpoints().length;
  const before = shim.stats();
  shim.plan(cell.state ? [] : [cell], cell.state ? [cell.state] : []);
  let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await a.run(ctx) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  const after = shim.stats();
  shim.clear();
  expect(after.planError, name).toBeNull();
  expect(after.generation, `${name}: the plan was in force`).toBe(before.generation + 1);
  expect(injections(after) - injections(before), `${name}: the fault was met`).toBeGreaterThan(0);
  // A token that says its PIN is locked gets no login at all; a failed login is never retried.
  checkSessions(name, before, after, cell.state === 'pin-locked' ? 0 : cell.fn === 'C_Login' ? 1 : null);
  const rows = station.journal.page(head + 1, 1000).map((r) => r.kind);
  let retryCtx = ctx;
  if (outcome.ok) {
    await a.confirm(ctx, outcome.value);
    retryCtx = await a.prepare();
  } else {
    const e = outcome.error;
    expect(e, `${name}: ${(e as Error).stack ?? String(e)}`).toBeInstanceOf(CodedError);
    const coded = e as CodedError;
    expect(isErrorCode(coded.code), name).toBe(true);
    expectMappedByCkr(name, cell, coded);
    const sideEffects = a.sideEffects(cell);
    for (const kind of rows) {
      expect(REFUSAL_KIND.test(kind) || sideEffects.includes(kind), `${name}: a ${kind} row`).toBe(true);
    }
    if (!sideEffects.includes('journal.checkpoint'))
      expect(station.journal.checkpoints(), name).toHaveLength(checkpoints);
    a.refused(ctx, coded, rows);
    // A key that exists unrecorded keeps its label: the operator records it or destroys it first.
    if (coded.code === 'KEY_UNRECORDED') retryCtx = await a.prepare();
  }
  // Cleared: the same act succeeds, for real.
  const again = shim.stats();
  const value = await a.run(retryCtx);
  checkSessions(`${name} (after clearing)`, again, shim.stats(), 1);
  await a.confirm(retryCtx, value);
  return outcome.ok ? 'succeeded' : 'refused';
}

const injections = (s: ShimStats) => Object.values(s.injected).reduce((n, k) => n + k, 0);

/**
 * 0 leaked sessions, no token left logged in, never a login on a logged-in token, and `logins` C_Login
 * calls exactly (null: at most one).
 */
function checkSessions(name: string, before: ShimStats, after: ShimStats, logins: number | null): void {
  expect(after.sessions.open, `${name}: sessions left open`).toBe(0);
  expect(after.loggedIn, `${name}: a token left logged in`).toBe(0);
  if (logins === null) expect(after.logins - before.logins, `${name}: C_Login calls`).toBeLessThanOrEqual(1);
  else expect(after.logins - before.logins, `${name}: C_Login calls`).toBe(logins);
  expect(after.loginsWhileLoggedIn, `${name}: login on a logged-in token`).toBe(before.loginsWhileLoggedIn);
  expect(after.sessions.untracked, name).toBe(0);
  expect(module.openSessions, `${name}: the adapter's count`).toBe(0);
}

/** The error names the CKR the device returned and is the code that CKR maps to. */
function expectMappedByCkr(name: string, cell: Cell, e: CodedError): void {
  if (cell.state === 'pin-locked') {
    expect(e.code, name).toBe('PIN_LOCKED');
    return;
  }
  if (cell.state === 'removed' || cell.action === 'remove') {
    expect(REMOVED_CODES.concat('KEY_UNRECORDED'), `${name}: ${e.code}`).toContain(e.code);
    return;
  }
  const expected = DEVICE_FAULTS[cell.action] ?? LOGIN_FAULTS[cell.action];
  if (e.code === 'KEY_UNRECORDED' || e.code === 'HSM_MODULE_LOAD_FAILED') {
    expect(e.data.ckr, name).toBe(cell.action);
    return;
  }
  expect(e.code, `${name}: ${e.message}`).toBe(expected);
  if (cell.action.startsWith('CKR_')) expect(e.data.ckr, name).toBe(cell.action);
}

/** The PKCS#11 calls an act makes, counted by the shim over one clean run. */
async function probe(a: Act): Promise<Record<string, number>> {
  const ctx = await a.prepare();
  const before = shim.stats();
  const result = await a.run(ctx);
  const after = shim.stats();
  await a.confirm(ctx, result);
  return Object.fromEntries(
    Object.entries(after.calls)
      .map(([fn, n]) => [fn, n - (before.calls[fn] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
}

function cellsFor(actIndex: number, calls: Record<string, number>): Cell[] {
  const faults = Object.keys(DEVICE_FAULTS);
  const cells: Cell[] = [
    { fn: '', call: 0, action: '', state: 'removed' },
    { fn: '', call: 0, action: '', state: 'pin-locked' },
  ];
  Object.entries(calls)
    .sort(([a], [b]) => a.localeCompare(b))
    .forEach(([fn, count], i) => {
      const occurrences = count > 1 ? [1, count] : [1];
      occurrences.forEach((call, j) => {
        // CI: one device fault per occurrence, taken in turn; full: all of them.
        const actions = [
          ...(FULL ? faults : [faults[(actIndex + i + j) % faults.length]!]),
          ...(fn === 'C_Login' ? Object.keys(LOGIN_FAULTS) : []),
        ];
        for (const action of actions) cells.push({ fn, call, action });
      });
    });
  return cells;
}

describe('PKCS#11 fault matrix through the fault shim (issue #10)', () => {
  it('the shim is a test-only module that names itself: it can never pass for an HSM', () => {
    expect(FAULT_SHIM).toMatchObject({ testOnly: true, production: false, modulePaths: [] });
    expect(module.info().manufacturer).toBe('Ceremony Station FAULT SHIM');
    expect(module.tokens().every((t) => t.model === 'FAULT SHIM')).toBe(true);
    const [view] = describeModules(station);
    expect(view?.profile).toBe('pkcs11-fault-shim');
    expect(view?.library).toContain('TEST ONLY - NOT AN HSM');
    // Without its plan the shim refuses to load at all.
    const r = spawnSync('pkcs11-tool', ['--module', shim.path, '--list-slots'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('test shim, not an HSM');
  });

  it.each(ACTS.map((a, i) => [a.name, i] as const))(
    '%s: every PKCS#11 call it makes × device faults → coded error, no success row, 0 leaked sessions, ≤ 1 login; then succeeds',
    async (_name, i) => {
      const a = ACTS[i]!;
      const calls = await probe(a);
      expect(calls.C_OpenSession ?? 0).toBeGreaterThan(0);
      const cells = cellsFor(i, calls);
      const tally = { refused: 0, succeeded: 0 };
      const passedThrough: string[] = [];
      for (const cell of cells) {
        const outcome = await runCell(a, cell);
        tally[outcome]++;
        if (outcome === 'succeeded') passedThrough.push(`${cell.fn}#${cell.call} ${cell.action}`);
      }
      // Every fault on the work itself refuses the act; only tolerated calls let it through.
      expect(tally.refused).toBeGreaterThan(tally.succeeded);
      if (FULL)
        process.stdout.write(
          `${a.name}: ${cells.length} cells, ${JSON.stringify(tally)}; tolerated: ${[...new Set(passedThrough)].join(', ')}\n`,
        );
    },
    FULL ? 600_000 : 60_000,
  );

  it('a token that cannot say its PIN state gets no login: the C_GetTokenInfo failure just before C_Login is the error', () => {
    const token = serial['Ops HSM 1']!;
    const before = shim.stats();
    listTokenKeys(station, { moduleId: MODULE, serial: token, pin: PIN });
    // The last C_GetTokenInfo of a listing is the PIN-state read right before its C_Login.
    const reads = (shim.stats().calls.C_GetTokenInfo ?? 0) - (before.calls.C_GetTokenInfo ?? 0);
    for (const action of ['CKR_DEVICE_ERROR', 'CKR_HOST_MEMORY']) {
      shim.plan([{ fn: 'C_GetTokenInfo', call: reads, action }]);
      const start = shim.stats();
      expect(() => listTokenKeys(station, { moduleId: MODULE, serial: token, pin: PIN })).toThrowError(
        expect.objectContaining({
          code: DEVICE_FAULTS[action],
          data: expect.objectContaining({ ckr: action, operation: 'C_GetTokenInfo' }),
        }),
      );
      const end = shim.stats();
      expect(end.injected.C_GetTokenInfo).toBe((start.injected.C_GetTokenInfo ?? 0) + 1);
      expect(end.logins).toBe(start.logins);
      expect(end.sessions.open).toBe(0);
    }
    shim.clear();
  });

  it('token-side verification failing (C_VerifyInit, C_Verify) is a coded error, never a verdict', () => {
    const id = stationIdentity(station)!;
    const data = Buffer.from('checkpoint statement');
    const sha = (alg: 'sha256' | 'sha384', d: Buffer) => createHash(alg).update(d).digest();
    const signature = module.withSession(
      id.tokenSerial,
      { write: false, login: { user: 'user', pin: PIN } },
      (s) => s.sign(id.keyId, 'ecdsa-sha256', data, sha),
    );
    const onToken = () =>
      module.withSession(id.tokenSerial, { write: false }, (s) =>
        s.verify(id.keyId, 'ecdsa-sha256', data, signature, sha),
      );
    expect(onToken()).toBe(true);
    for (const fn of ['C_VerifyInit', 'C_Verify']) {
      for (const [action, code] of Object.entries(DEVICE_FAULTS)) {
        const met = shim.stats().injected[fn] ?? 0;
        shim.plan([{ fn, call: 1, action }]);
        expect(onToken, `${fn} ${action}`).toThrowError(expect.objectContaining({ code }));
        expect(shim.stats().injected[fn], `${fn} ${action}`).toBe(met + 1);
        shim.clear();
        expect(shim.stats().sessions.open).toBe(0);
      }
    }
    expect(onToken()).toBe(true);
  });

  it('C_Initialize failing: the module does not load (HSM_MODULE_LOAD_FAILED with the CKR), is released, and loads once the fault is cleared', async () => {
    const dir = station.dataDir;
    station.close();
    shim.plan([{ fn: 'C_Initialize', call: 1, action: 'CKR_DEVICE_ERROR' }]);
    station = Station.open(dir, onMedia());
    expect(() => station.hsm.module(MODULE)).toThrowError(
      expect.objectContaining({
        code: 'HSM_MODULE_LOAD_FAILED',
        data: expect.objectContaining({ ckr: 'CKR_DEVICE_ERROR' }),
      }),
    );
    expect(stationInfo(station, 'browser').hsm?.status).toBe('ERROR');
    shim.clear();
    module = station.hsm.module(MODULE);
    const before = shim.stats();
    await ACTS[0]!.run(await ACTS[0]!.prepare());
    expect(shim.stats().logins - before.logins).toBe(1);
    expect(shim.stats().sessions.open).toBe(0);
  });

  it('the journal is intact after the whole matrix', async () => {
    const report = await verifyStationJournal(station);
    expect(report.verdict.status).not.toBe('TAMPERED');
    expect(shim.stats().sessions.open).toBe(0);
  });
});

/** Lets pending promise continuations and I/O callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('one operation per token at a time: TOKEN_BUSY, never USER_ALREADY_LOGGED_IN (issue #10)', () => {
  it('two key generations started together on one token both succeed, one after the other, one login each', async () => {
    const before = shim.stats();
    const specs = [fresh('twin'), fresh('twin')].map((label) => {
      const key = { label, algorithm: 'ec-p256' };
      return { key, confirmedRecipe: previewKey(station, { moduleId: MODULE, key }).digest };
    });
    // Each generation awaits the token's key-pair call off the main thread: without serialisation
    // the second C_Login lands while the first session is logged in (CKR_USER_ALREADY_LOGGED_IN).
    const keys = await Promise.all(
      specs.map((spec) =>
        generateTokenKey(station, {
          moduleId: MODULE,
          serial: serial['Ops HSM 1']!,
          pin: PIN,
          ...spec,
          actor: 'operator:ops',
        }),
      ),
    );
    const after = shim.stats();
    expect(keys.map((k) => k.label)).toEqual(specs.map((s) => s.key.label));
    expect(after.logins - before.logins).toBe(2);
    expect(after.loginsWhileLoggedIn).toBe(before.loginsWhileLoggedIn);
    expect(after.sessions.open).toBe(0);
    const onToken = listTokenKeys(station, { moduleId: MODULE, serial: serial['Ops HSM 1']!, pin: PIN }).map(
      (k) => k.label,
    );
    expect(onToken).toEqual(expect.arrayContaining(specs.map((s) => s.key.label)));
  });

  it('while an operation holds the station token logged in: the banner and Devices view say BUSY, a synchronous act is TOKEN_BUSY naming it, an awaiting act waits its turn', async () => {
    const token = serial['Station HSM']!;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const before = shim.stats();
    const holder = module.withSessionAsync(
      token,
      { write: false, login: { user: 'user', pin: PIN }, purpose: 'checkpoint signing (held by the test)' },
      () => gate,
    );
    await settle();
    expect(shim.stats().loggedIn).toBe(1);

    const info = stationInfo(station, 'browser').hsm;
    expect(info?.status).toBe('BUSY');
    expect(info?.detail).toContain('checkpoint signing (held by the test)');
    const view = describeModules(station)[0]?.tokens.find((t) => t.serial === token);
    expect(view?.busy).toMatchObject({
      purpose: 'checkpoint signing (held by the test)',
      loggedIn: true,
      waiting: 0,
    });
    // Synchronous: refused at once, before any session or login, naming what holds the token.
    let busy: unknown;
    try {
      listTokenKeys(station, { moduleId: MODULE, serial: token, pin: PIN });
    } catch (e) {
      busy = e;
    }
    expect(busy).toMatchObject({
      code: 'TOKEN_BUSY',
      data: { serial: token, holder: 'checkpoint signing (held by the test)', loggedIn: true },
    });
    // Awaiting: queued behind the holder, then done with its own single login.
    const checkpoint = signCheckpoint(station, { pin: PIN });
    await settle();
    expect(module.busy(token)?.waiting).toBe(1);
    expect(shim.stats().logins - before.logins).toBe(1);

    release();
    await holder;
    const cp = await checkpoint;
    expect(station.journal.checkpoints().at(-1)?.n).toBe(cp.n);
    const after = shim.stats();
    expect(after.logins - before.logins).toBe(2);
    expect(after.loginsWhileLoggedIn).toBe(before.loginsWhileLoggedIn);
    expect(after.sessions.open).toBe(0);
    expect(module.busy(token)).toBeNull();
    expect(stationInfo(station, 'browser').hsm?.status).toBe('PRESENT');
  });

  it('the holding operation may open a public session of its own on the token; a second login inside it is TOKEN_BUSY', async () => {
    const token = serial['Station HSM']!;
    const before = shim.stats();
    const inside = await module.withSessionAsync(
      token,
      { write: false, login: { user: 'user', pin: PIN }, purpose: 'outer' },
      async () => {
        await settle();
        const keys = module.withSession(token, { write: false }, (s) => s.listKeys().length);
        let nested: unknown;
        try {
          module.withSession(token, { write: false, login: { user: 'user', pin: PIN } }, () => 0);
        } catch (e) {
          nested = e;
        }
        return { keys, nested };
      },
    );
    expect(inside.keys).toBeGreaterThan(0);
    expect(inside.nested).toMatchObject({ code: 'TOKEN_BUSY', data: { holder: 'outer' } });
    const after = shim.stats();
    expect(after.logins - before.logins).toBe(1);
    expect(after.loginsWhileLoggedIn).toBe(before.loginsWhileLoggedIn);
    expect(after.sessions.open).toBe(0);
  });
});
