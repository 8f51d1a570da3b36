import { createHash, verify } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInStatement } from '../../../src/core/custody/signin';
import type { EventBody } from '../../../src/core/journal/events';
import { createDispatcher } from '../../../src/main/ipc/dispatcher';
import { confirmFor } from '../../../src/main/services/acts';
import { createHandlers } from '../../../src/main/ipc/handlers';
import { systemDeps } from '../../../src/main/runtime';
import {
  actingOperator,
  operatorActed,
  checkInWithToken,
  ConsoleOperator,
  initRoster,
  openQuorumSession,
  revokeCustodian,
  revokeOperation,
  operatorSessionFor,
  signInWithToken,
  signOut,
} from '../../../src/main/services/custodians';
import { registerModule } from '../../../src/main/services/devices/modules';
import { Station } from '../../../src/main/station/station';
import type { Method, WindowInput } from '../../../src/shared/contract';
import { opText, testOp } from '../../helpers/operations';
import { custodianKeyPems, initTokens, SOFTHSM_PATH, softhsmWorld } from '../../helpers/softhsm';
import { suiteTempDir } from '../../helpers/temp';

/**
 * Operator sessions on real SoftHSM2 tokens (OPS-PROVEN, OPS-ACTIVE; docs/operators.md): a person signs
 * in with their own roster key, every act is recorded under them, sessions lock when idle and end, and a
 * typed name can never change who the journal says acted.
 */
const PIN = '246810';
const MODULE = 'hsm';
let suite: ReturnType<typeof suiteTempDir>;
let station: Station;
/** The station's clock, moved by the tests (sessions are judged by it). */
let now = Date.parse('2026-06-01T08:00:00.000Z');
const serial: Record<string, string> = {};
const pem: Record<string, string> = {};

const at = (minutes: number) => (now += minutes * 60_000);
const token = (who: string) => ({ moduleId: MODULE, serial: serial[who]!, pin: PIN });
const last = () => station.journal.get(station.journal.head().seq)!;
const signedInBody = (bytes: Uint8Array) =>
  JSON.parse(Buffer.from(bytes).toString('utf8')) as EventBody<'operator.signed-in'>;
const entriesFrom = (seq: number) => station.journal.page(seq, 100).map((r) => `${r.kind} ${r.actor}`);

beforeAll(async () => {
  suite = suiteTempDir();
  const { conf } = softhsmWorld(suite.dir);
  initTokens(['alice', 'bob', 'carol', 'mallory'], () => PIN);
  station = Station.init(
    join(suite.dir, 'st'),
    { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' },
    { ...systemDeps, clock: () => new Date(now) },
  );
  registerModule(station, {
    moduleId: MODULE,
    profile: 'softhsm2',
    path: SOFTHSM_PATH,
    environment: { SOFTHSM2_CONF: conf },
    actor: 'operator:so',
  });
  const module = station.hsm.module(MODULE);
  for (const t of module.tokens()) serial[t.label] = t.serial;
  Object.assign(pem, await custodianKeyPems(module, serial, ['alice', 'bob', 'carol', 'mallory'], PIN));
  const entry = (who: string, validFrom = '2026-01-01T00:00:00.000Z') => ({
    custodianId: who,
    name: who[0]!.toUpperCase() + who.slice(1),
    roles: ['custodian'],
    publicKey: pem[who]!,
    validFrom,
    validUntil: '2030-01-01T00:00:00.000Z',
  });
  initRoster(station, {
    quorum: 2,
    // Carol's entry only becomes valid next year: she may not sign in yet.
    custodians: [entry('alice'), entry('bob'), entry('carol', '2027-01-01T00:00:00.000Z')],
    witnesses: ['W. Itness'],
    actor: 'operator:so',
  });
});

afterAll(() => {
  station?.close();
  suite?.remove();
});

describe('operator sessions with each person’s own SoftHSM2 token', () => {
  it('signs Alice in with a signature anyone can check against her roster key, journaled under her', () => {
    const { session, secret } = signInWithToken(station, { ...token('alice'), via: 'cli' });
    expect(session).toMatchObject({
      custodianId: 'alice',
      name: 'Alice',
      actor: 'operator:alice',
      state: 'ACTIVE',
    });
    const row = last();
    expect([row.kind, row.actor, row.seq]).toEqual(['operator.signed-in', 'operator:alice', session.seq]);
    const body = signedInBody(row.body);
    // Independent check: the journaled challenge, rebuilt, verifies with Alice's public key from the roster.
    const statement = signInStatement({
      challengeId: body.challengeId,
      stationId: station.stationRecord().stationId,
      nonce: body.nonce,
      issuedAt: body.issuedAt,
    });
    expect(
      verify(
        'sha256',
        statement,
        { key: pem.alice!, dsaEncoding: 'ieee-p1363' },
        Buffer.from(body.signature, 'base64'),
      ),
    ).toBe(true);
    expect(
      verify(
        'sha256',
        statement,
        { key: pem.bob!, dsaEncoding: 'ieee-p1363' },
        Buffer.from(body.signature, 'base64'),
      ),
    ).toBe(false);
    // The secret is the caller's alone: the journal keeps its digest, never the secret.
    expect(JSON.stringify(row.body)).not.toContain(secret);
    expect(actingOperator(station, secret)).toBe('operator:alice');
    signOut(station, secret);
  });

  it('refuses and journals an off-roster token and a roster entry not valid now; a wrong PIN fails before anything is signed', () => {
    const seq = station.journal.head().seq + 1;
    expect(() => signInWithToken(station, { ...token('mallory'), via: 'console' })).toThrowError(
      expect.objectContaining({ code: 'SIGNIN_OFF_ROSTER' }),
    );
    expect(() => signInWithToken(station, { ...token('carol'), via: 'console' })).toThrowError(
      expect.objectContaining({ code: 'SIGNIN_ENTRY_NOT_VALID' }),
    );
    expect(() => signInWithToken(station, { ...token('bob'), pin: '000000', via: 'console' })).toThrowError(
      expect.objectContaining({ code: 'PIN_INCORRECT' }),
    );
    // The wrong PIN is an attempt on Bob's credential: journaled too, naming whose key the token holds.
    expect(entriesFrom(seq)).toEqual([
      'operator.sign-in-refused operator:station',
      'operator.sign-in-refused operator:station',
      'operator.sign-in-refused operator:station',
    ]);
    const codes = station.journal
      .page(seq, 10)
      .map(
        (r) =>
          JSON.parse(Buffer.from(r.body).toString('utf8')) as { code: string; custodianId: string | null },
      );
    expect(codes.map((c) => [c.code, c.custodianId])).toEqual([
      ['SIGNIN_OFF_ROSTER', null],
      ['SIGNIN_ENTRY_NOT_VALID', 'carol'],
      ['SIGNIN_PIN_REFUSED', 'bob'],
    ]);
  });

  it('locks after 15 minutes without an act, moves with each act, expires at its end, and stays ended once signed out', () => {
    const { secret } = signInWithToken(station, { ...token('bob'), minutes: 60, via: 'cli' });
    /** An act under a session: checked, recorded (here, nothing to record), and the idle clock moved. */
    const act = (s: string) => {
      const actor = actingOperator(station, s);
      operatorActed(station, s);
      return actor;
    };
    at(14);
    expect(act(secret)).toBe('operator:bob');
    at(14); // 28 minutes in, 14 after the last act: still active
    expect(act(secret)).toBe('operator:bob');
    // Asking who would act is not an act: it does not hold the lock off.
    at(10);
    expect(actingOperator(station, secret)).toBe('operator:bob');
    at(5);
    expect(() => actingOperator(station, secret)).toThrowError(
      expect.objectContaining({ code: 'OPERATOR_SESSION_LOCKED' }),
    );
    expect(operatorSessionFor(station, secret)?.state).toBe('LOCKED');
    const again = signInWithToken(station, { ...token('bob'), minutes: 30, via: 'cli' });
    // A sign-in at the same place ends the session it replaces.
    expect(operatorSessionFor(station, secret)?.state).toBe('ENDED');
    at(10);
    act(again.secret);
    // A clock set back before the last act locks the session; it never stretches it.
    at(-5);
    expect(operatorSessionFor(station, again.secret)?.state).toBe('LOCKED');
    at(5);
    at(10);
    act(again.secret);
    at(10);
    expect(() => actingOperator(station, again.secret)).toThrowError(
      expect.objectContaining({ code: 'OPERATOR_SESSION_EXPIRED' }),
    );
    const third = signInWithToken(station, { ...token('bob'), via: 'cli' });
    const seq = station.journal.head().seq + 1;
    signOut(station, third.secret);
    expect(entriesFrom(seq)).toEqual(['operator.signed-out operator:bob']);
    expect(() => actingOperator(station, third.secret)).toThrowError(
      expect.objectContaining({ code: 'OPERATOR_SESSION_ENDED' }),
    );
    expect(() => actingOperator(station, 'f'.repeat(64))).toThrowError(
      expect.objectContaining({ code: 'OPERATOR_SIGN_IN_REQUIRED' }),
    );
  });

  it('records a check-in under the key that signed: a typed name that disagrees is refused', () => {
    const s = openQuorumSession(station, {
      operation: opText(testOp('who')),
      ceremonyId: 'C-1',
      step: '1',
      actor: 'operator:alice',
    });
    const seq = station.journal.head().seq + 1;
    expect(
      checkInWithToken(station, { sessionId: s.sessionId, ...token('bob'), actor: 'operator:carol' }),
    ).toMatchObject({
      ok: false,
      code: 'QUORUM_ACTOR_MISMATCH',
      custodianId: 'bob',
    });
    expect(checkInWithToken(station, { sessionId: s.sessionId, ...token('bob') })).toEqual({
      ok: true,
      custodianId: 'bob',
    });
    expect(
      checkInWithToken(station, { sessionId: s.sessionId, ...token('alice'), actor: 'operator:alice' }),
    ).toEqual({
      ok: true,
      custodianId: 'alice',
    });
    expect(entriesFrom(seq)).toEqual([
      'quorum.check-in-refused operator:station',
      'quorum.checked-in operator:bob',
      'quorum.checked-in operator:alice',
    ]);
  });

  it('at the console: acts are refused until somebody signs in, then recorded under them; the secret never reaches the window', async () => {
    const operator = new ConsoleOperator(station);
    const dispatch = createDispatcher(
      createHandlers({ station, host: 'browser', log: () => {}, operator }),
      ['app://station'],
      () => {},
      operator,
      confirmFor(station),
    );
    const outputs: string[] = [];
    const call = async <M extends Method>(method: M, input: WindowInput<M>) => {
      const r = await dispatch(method, input, { url: 'app://station/index.html', isMainFrame: true });
      outputs.push(JSON.stringify(r));
      return r;
    };
    const open = { operation: opText(testOp('console')), ceremonyId: 'C-2', step: '1', ttlMinutes: 30 };
    expect(await call('operatorSession', {})).toMatchObject({
      ok: true,
      value: { required: true, session: null },
    });
    // An irreversible act runs on the digest of its preview (contract/acts.ts), composed under whoever
    // is signed in at the console, against the journal head.
    const preview = async (input: typeof open) => {
      const r = await call('actPreview', { method: 'quorumOpen', input });
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      return r.value as { digest: string; actor: string; basedOn: { seq: number } };
    };
    const someDigest = { digest: '00'.repeat(32) };
    expect(await call('quorumOpen', { ...open, confirm: someDigest })).toMatchObject({
      ok: false,
      error: { code: 'OPERATOR_SIGN_IN_REQUIRED' },
    });
    expect(await call('actPreview', { method: 'quorumOpen', input: open })).toMatchObject({
      ok: false,
      error: { code: 'OPERATOR_SIGN_IN_REQUIRED' },
    });
    expect(await call('operatorSignIn', token('alice'))).toMatchObject({
      ok: true,
      value: { actor: 'operator:alice', via: 'console' },
    });
    const p1 = await preview(open);
    expect(p1).toMatchObject({ actor: 'operator:alice', basedOn: { seq: station.journal.head().seq } });
    // Without the preview's digest, or with another act's, nothing is recorded.
    const before = station.journal.head().seq;
    expect(await call('quorumOpen', open as WindowInput<'quorumOpen'>)).toMatchObject({
      ok: false,
      error: { code: 'PREVIEW_REQUIRED', data: { field: 'confirm' } },
    });
    expect(await call('quorumOpen', { ...open, step: '2', confirm: { digest: p1.digest } })).toMatchObject({
      ok: false,
      error: { code: 'PREVIEW_STALE' },
    });
    expect(station.journal.head().seq).toBe(before);
    expect(await call('quorumOpen', { ...open, confirm: { digest: p1.digest } })).toMatchObject({ ok: true });
    expect([last().kind, last().actor]).toEqual(['quorum.session-opened', 'operator:alice']);
    expect(last().seq).toBe(p1.basedOn.seq + 1);
    // Bob signs in at the same console: Alice's session there ends, and acts are Bob's.
    const p3 = await preview({ ...open, ceremonyId: 'C-3' });
    expect(await call('operatorSignIn', token('bob'))).toMatchObject({
      ok: true,
      value: { actor: 'operator:bob' },
    });
    // Alice's preview does not confirm an act of Bob's (and the journal moved).
    expect(
      await call('quorumOpen', { ...open, ceremonyId: 'C-3', confirm: { digest: p3.digest } }),
    ).toMatchObject({ ok: false, error: { code: 'PREVIEW_STALE' } });
    const p4 = await preview({ ...open, ceremonyId: 'C-3' });
    expect(p4.actor).toBe('operator:bob');
    await call('quorumOpen', { ...open, ceremonyId: 'C-3', confirm: { digest: p4.digest } });
    expect(last().actor).toBe('operator:bob');
    const signedIn = station.journal
      .page(1, 1000)
      .filter((r) => r.kind === 'operator.signed-in')
      .map((r) => signedInBody(r.body).secretSha256);
    expect(signedIn.length).toBeGreaterThan(0);
    expect(await call('operatorSignOut', {})).toMatchObject({
      ok: true,
      value: { session: { state: 'ENDED' } },
    });
    expect(await call('quorumOpen', { ...open, confirm: someDigest })).toMatchObject({
      ok: false,
      error: { code: 'OPERATOR_SIGN_IN_REQUIRED' },
    });
    // Nothing the window received is a session secret (a secret is known by its digest in the journal).
    const hex = outputs.join('\n').match(/[0-9a-f]{64}/g) ?? [];
    expect(hex.length).toBeGreaterThan(0);
    for (const h of hex) expect(signedIn).not.toContain(createHash('sha256').update(h, 'utf8').digest('hex'));
  });

  // Last: Bob is revoked here.
  it('a session never outlives the roster entry that proved it: Bob revoked mid-session is OFF-ROSTER, his acts refused', () => {
    const bob = signInWithToken(station, { ...token('bob'), via: 'console' });
    expect(actingOperator(station, bob.secret)).toBe('operator:bob');
    const q = openQuorumSession(station, {
      operation: opText(revokeOperation('bob', 'token reported lost')),
      ceremonyId: 'R-1',
      step: '1',
      actor: 'operator:alice',
    });
    for (const who of ['alice', 'bob']) checkInWithToken(station, { sessionId: q.sessionId, ...token(who) });
    revokeCustodian(station, {
      custodianId: 'bob',
      reason: 'token reported lost',
      quorumSessionId: q.sessionId,
      actor: 'operator:alice',
    });
    expect(operatorSessionFor(station, bob.secret)?.state).toBe('OFF-ROSTER');
    expect(() => actingOperator(station, bob.secret)).toThrowError(
      expect.objectContaining({ code: 'OPERATOR_OFF_ROSTER' }),
    );
    expect(() => signInWithToken(station, { ...token('bob'), via: 'console' })).toThrowError(
      expect.objectContaining({ code: 'SIGNIN_ENTRY_NOT_VALID' }),
    );
  });
});
