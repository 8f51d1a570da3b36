import { createHash, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInStatement } from '../../../src/core/custody/signin';
import type { EventBody } from '../../../src/core/journal/events';
import { confirmFor } from '../../../src/main/services/acts';
import { createDispatcher } from '../../../src/main/ipc/dispatcher';
import { createHandlers } from '../../../src/main/ipc/handlers';
import { systemDeps } from '../../../src/main/runtime';
import {
  actingOperator,
  checkInWithToken,
  ConsoleOperator,
  credentialsOperation,
  custodianCredentials,
  initRoster,
  openQuorumSession,
  operatorSessionFor,
  setCustodianCredentials,
  signInWithKeyFile,
  signInWithToken,
  signOut,
} from '../../../src/main/services/custodians';
import { registerModule } from '../../../src/main/services/devices/modules';
import { Station } from '../../../src/main/station/station';
import type { Method, WindowInput } from '../../../src/shared/contract';
import { opText } from '../../helpers/operations';
import { custodianKeyPems, initTokens, SOFTHSM_PATH, softhsmWorld } from '../../helpers/softhsm';
import { suiteTempDir } from '../../helpers/temp';

/**
 * Sign-in with a passphrase-protected key file (OPS-CREDENTIAL, OPS-PROVEN; docs/operators.md) on a real
 * SQLite station: key files are real encrypted PKCS#8 PEM files made with node:crypto in a temp folder;
 * Alice and Bob hold SoftHSM2 tokens and make up the quorum that allows key files on the roster.
 */
const PIN = '246810';
const MODULE = 'hsm';
const PASS: Record<string, string> = {
  dana: 'dana correct horse battery',
  erin: 'erin staple 42',
  frank: 'frank passphrase',
};
let suite: ReturnType<typeof suiteTempDir>;
let station: Station;
const now = Date.parse('2026-06-01T08:00:00.000Z');
const serial: Record<string, string> = {};
const pem: Record<string, string> = {};
/** Each key-file custodian's key pair; the private half is only ever in the encrypted file. */
const pair: Record<string, { publicKey: KeyObject; privateKey: KeyObject }> = {};
/** The key files, as written to disk. */
const keyFile: Record<string, string> = {};

const token = (who: string) => ({ moduleId: MODULE, serial: serial[who]!, pin: PIN });
const withKeyFile = (who: string, file = keyFile[who]!, passphrase = PASS[who]!) => ({
  custodianId: who,
  keyPem: readFileSync(file, 'utf8'),
  passphrase,
});
const last = () => station.journal.get(station.journal.head().seq)!;
const bodyOf = <T>(bytes: Uint8Array) => JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
const entriesFrom = (seq: number) => station.journal.page(seq, 100).map((r) => `${r.kind} ${r.actor}`);
const refusalsFrom = (seq: number) =>
  station.journal
    .page(seq, 100)
    .filter((r) => r.kind === 'operator.sign-in-refused')
    .map((r) => bodyOf<EventBody<'operator.sign-in-refused'>>(r.body))
    .map((b) => [b.code, b.custodianId]);

/** Allows (or withdraws) key files for a custodian, with Alice and Bob's quorum bound to that change. */
function setKeyFile(custodianId: string, keyFile: boolean) {
  const q = openQuorumSession(station, {
    operation: opText(credentialsOperation(custodianId, keyFile)),
    ceremonyId: 'ROSTER-7',
    step: '1',
    actor: 'operator:alice',
  });
  for (const who of ['alice', 'bob']) checkInWithToken(station, { sessionId: q.sessionId, ...token(who) });
  return setCustodianCredentials(station, {
    custodianId,
    keyFile,
    quorumSessionId: q.sessionId,
    actor: 'operator:alice',
  });
}

beforeAll(async () => {
  suite = suiteTempDir();
  const { conf } = softhsmWorld(suite.dir);
  initTokens(['alice', 'bob'], () => PIN);
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
  Object.assign(pem, await custodianKeyPems(module, serial, ['alice', 'bob'], PIN));
  // Dana and Frank: ECDSA P-256 (as the tokens' keys); Erin: Ed25519.
  pair.dana = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  pair.erin = generateKeyPairSync('ed25519');
  pair.frank = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  for (const who of ['dana', 'erin', 'frank']) {
    keyFile[who] = join(suite.dir, `${who}.key.pem`);
    writeFileSync(
      keyFile[who],
      pair[who]!.privateKey.export({
        type: 'pkcs8',
        format: 'pem',
        cipher: 'aes-256-cbc',
        passphrase: PASS[who]!,
      }),
      { mode: 0o600 },
    );
    pem[who] = pair[who]!.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }
  const entry = (who: string) => ({
    custodianId: who,
    name: who[0]!.toUpperCase() + who.slice(1),
    roles: ['custodian'],
    publicKey: pem[who]!,
    validFrom: '2026-01-01T00:00:00.000Z',
    validUntil: '2030-01-01T00:00:00.000Z',
  });
  initRoster(station, {
    quorum: 2,
    custodians: ['alice', 'bob', 'dana', 'erin', 'frank'].map(entry),
    witnesses: ['W. Itness'],
    actor: 'operator:so',
  });
});

afterAll(() => {
  station?.close();
  suite?.remove();
});

describe('sign-in with a passphrase-protected key file, where the roster allows it', () => {
  it('an existing roster entry accepts a token only: a key file is refused and journaled before its passphrase is tried', () => {
    expect(custodianCredentials(station, 'dana')).toEqual(['token']);
    const seq = station.journal.head().seq + 1;
    // Even with a wrong passphrase the refusal is that the entry does not allow key files: nothing was tried.
    expect(() =>
      signInWithKeyFile(station, { ...withKeyFile('dana', keyFile.dana, 'wrong'), via: 'cli' }),
    ).toThrowError(expect.objectContaining({ code: 'SIGNIN_KEY_FILE_NOT_ALLOWED' }));
    expect(entriesFrom(seq)).toEqual(['operator.sign-in-refused operator:station']);
    expect(refusalsFrom(seq)).toEqual([['SIGNIN_KEY_FILE_NOT_ALLOWED', 'dana']]);
  });

  it('a roster change allows it, only under a quorum bound to exactly that change', () => {
    // A quorum for Erin's change does not allow Dana's.
    const q = openQuorumSession(station, {
      operation: opText(credentialsOperation('erin', true)),
      ceremonyId: 'ROSTER-7',
      step: '1',
      actor: 'operator:alice',
    });
    for (const who of ['alice', 'bob']) checkInWithToken(station, { sessionId: q.sessionId, ...token(who) });
    expect(() =>
      setCustodianCredentials(station, {
        custodianId: 'dana',
        keyFile: true,
        quorumSessionId: q.sessionId,
        actor: 'operator:alice',
      }),
    ).toThrowError(expect.objectContaining({ code: 'QUORUM_WRONG_OPERATION' }));
    expect(custodianCredentials(station, 'dana')).toEqual(['token']);
    expect(
      setCustodianCredentials(station, {
        custodianId: 'erin',
        keyFile: true,
        quorumSessionId: q.sessionId,
        actor: 'operator:alice',
      }),
    ).toEqual(['token', 'key-file']);
    expect(setKeyFile('dana', true)).toEqual(['token', 'key-file']);
    const row = last();
    expect(row.kind).toBe('quorum.session-closed');
    const set = station.journal.get(row.seq - 1)!;
    expect([set.kind, set.actor]).toEqual(['roster.credentials-set', 'operator:alice']);
    expect(bodyOf<EventBody<'roster.credentials-set'>>(set.body)).toMatchObject({
      custodianId: 'dana',
      credentials: ['token', 'key-file'],
    });
    // Frank's entry was not changed.
    expect(custodianCredentials(station, 'frank')).toEqual(['token']);
  });

  it('signs Dana in with her key file: the signature verifies with her roster key, the session and journal say key-file', () => {
    const { session, secret } = signInWithKeyFile(station, { ...withKeyFile('dana'), via: 'cli' });
    expect(session).toMatchObject({
      custodianId: 'dana',
      actor: 'operator:dana',
      credential: 'key-file',
      state: 'ACTIVE',
    });
    expect(operatorSessionFor(station, secret)?.credential).toBe('key-file');
    const row = last();
    expect([row.kind, row.actor, row.seq]).toEqual(['operator.signed-in', 'operator:dana', session.seq]);
    const body = bodyOf<EventBody<'operator.signed-in'>>(row.body);
    expect(body.credential).toBe('key-file');
    expect(body.fingerprint).toBe(session.fingerprint);
    // Anyone can check it: the journaled challenge, rebuilt, verifies with Dana's roster key (raw r||s).
    const statement = signInStatement({
      challengeId: body.challengeId,
      stationId: station.stationRecord().stationId,
      nonce: body.nonce,
      issuedAt: body.issuedAt,
    });
    const signature = Buffer.from(body.signature, 'base64');
    expect(verify('sha256', statement, { key: pem.dana!, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
    expect(verify('sha256', statement, { key: pem.frank!, dsaEncoding: 'ieee-p1363' }, signature)).toBe(
      false,
    );
    // Nothing of the passphrase, or of the key file, is in the journal.
    for (const r of station.journal.page(1, 10_000)) {
      const text = Buffer.from(r.body).toString('utf8');
      expect(text).not.toContain(PASS.dana);
      expect(text).not.toContain('PRIVATE KEY');
    }
    expect(actingOperator(station, secret)).toBe('operator:dana');
    signOut(station, secret);
  });

  it('signs Erin in with an Ed25519 key file; a token sign-in still says token', () => {
    const { session, secret } = signInWithKeyFile(station, { ...withKeyFile('erin'), via: 'cli' });
    expect(session).toMatchObject({ custodianId: 'erin', credential: 'key-file', state: 'ACTIVE' });
    const body = bodyOf<EventBody<'operator.signed-in'>>(last().body);
    const statement = signInStatement({
      challengeId: body.challengeId,
      stationId: station.stationRecord().stationId,
      nonce: body.nonce,
      issuedAt: body.issuedAt,
    });
    expect(verify(null, statement, pem.erin!, Buffer.from(body.signature, 'base64'))).toBe(true);
    signOut(station, secret);
    const byToken = signInWithToken(station, { ...token('alice'), via: 'cli' });
    expect(byToken.session.credential).toBe('token');
    expect(bodyOf<EventBody<'operator.signed-in'>>(last().body).credential).toBe('token');
    signOut(station, byToken.secret);
  });

  it('refuses, and journals, a wrong passphrase, an unencrypted key file and somebody else’s key', () => {
    const seq = station.journal.head().seq + 1;
    expect(() =>
      signInWithKeyFile(station, { ...withKeyFile('dana', keyFile.dana, 'not her passphrase'), via: 'cli' }),
    ).toThrowError(
      expect.objectContaining({ code: 'SIGNIN_PASSPHRASE_REFUSED', data: { field: 'passphrase' } }),
    );
    // Dana's own key, written without a passphrase: not a credential.
    const plain = join(suite.dir, 'dana-plain.pem');
    writeFileSync(plain, pair.dana!.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    expect(() => signInWithKeyFile(station, { ...withKeyFile('dana', plain), via: 'cli' })).toThrowError(
      expect.objectContaining({ code: 'SIGNIN_KEY_FILE_UNENCRYPTED' }),
    );
    // The same unencrypted key relabelled as encrypted loads without any passphrase: still refused.
    const relabelled = join(suite.dir, 'dana-relabelled.pem');
    writeFileSync(relabelled, readFileSync(plain, 'utf8').replaceAll('PRIVATE KEY', 'ENCRYPTED PRIVATE KEY'));
    expect(() => signInWithKeyFile(station, { ...withKeyFile('dana', relabelled), via: 'cli' })).toThrowError(
      expect.objectContaining({ code: 'SIGNIN_KEY_FILE_UNENCRYPTED' }),
    );
    // Frank's key file (his own passphrase) offered as Dana: it is not her registered key.
    expect(() =>
      signInWithKeyFile(station, { ...withKeyFile('dana', keyFile.frank, PASS.frank), via: 'cli' }),
    ).toThrowError(
      expect.objectContaining({ code: 'SIGNIN_KEY_NOT_REGISTERED', data: { field: 'keyFile' } }),
    );
    // Erin's Ed25519 key file offered as Dana (a P-256 roster key): not hers either.
    expect(() =>
      signInWithKeyFile(station, { ...withKeyFile('dana', keyFile.erin, PASS.erin), via: 'cli' }),
    ).toThrowError(expect.objectContaining({ code: 'SIGNIN_KEY_NOT_REGISTERED' }));
    // Frank's entry does not allow key files at all, his own file or not.
    expect(() => signInWithKeyFile(station, { ...withKeyFile('frank'), via: 'cli' })).toThrowError(
      expect.objectContaining({ code: 'SIGNIN_KEY_FILE_NOT_ALLOWED' }),
    );
    // Somebody not on the roster.
    expect(() =>
      signInWithKeyFile(station, { ...withKeyFile('dana'), custodianId: 'mallory', via: 'cli' }),
    ).toThrowError(expect.objectContaining({ code: 'SIGNIN_OFF_ROSTER' }));
    expect(refusalsFrom(seq)).toEqual([
      ['SIGNIN_PASSPHRASE_REFUSED', 'dana'],
      ['SIGNIN_KEY_FILE_UNENCRYPTED', 'dana'],
      ['SIGNIN_KEY_FILE_UNENCRYPTED', 'dana'],
      ['SIGNIN_KEY_NOT_REGISTERED', 'dana'],
      ['SIGNIN_KEY_NOT_REGISTERED', 'dana'],
      ['SIGNIN_KEY_FILE_NOT_ALLOWED', 'frank'],
      ['SIGNIN_OFF_ROSTER', null],
    ]);
    // Every refusal is the station's record: nobody was proven, nobody signed in.
    expect(new Set(entriesFrom(seq))).toEqual(new Set(['operator.sign-in-refused operator:station']));
    // The refusal names the key that was offered (Frank's), never trusts it.
    const notHers = station.journal
      .page(seq, 100)
      .map((r) => bodyOf<EventBody<'operator.sign-in-refused'>>(r.body))
      .find((b) => b.code === 'SIGNIN_KEY_NOT_REGISTERED');
    const frankSpki = pair.frank!.publicKey.export({ type: 'spki', format: 'der' });
    expect(notHers?.fingerprint).toBe(createHash('sha256').update(frankSpki).digest('hex'));
    for (const r of station.journal.page(seq, 100))
      expect(Buffer.from(r.body).toString('utf8')).not.toMatch(/not her passphrase|frank passphrase/);
  });

  it('a withdrawn permission refuses the next key-file sign-in; a session proven before keeps its record', () => {
    const before = signInWithKeyFile(station, { ...withKeyFile('erin'), via: 'console' });
    expect(setKeyFile('erin', false)).toEqual(['token']);
    expect(() => signInWithKeyFile(station, { ...withKeyFile('erin'), via: 'cli' })).toThrowError(
      expect.objectContaining({ code: 'SIGNIN_KEY_FILE_NOT_ALLOWED' }),
    );
    expect(operatorSessionFor(station, before.secret)?.credential).toBe('key-file');
    // The session proven with the withdrawn permission cannot act any more (a lost key file).
    expect(operatorSessionFor(station, before.secret)?.state).toBe('OFF-ROSTER');
    signOut(station, before.secret);
  });

  it('a key file encrypted with an empty passphrase is no credential, whatever passphrase is given', () => {
    const emptyPem = pair.dana!.privateKey.export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: '',
    }) as string;
    expect(emptyPem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    const seq = station.journal.head().seq;
    for (const passphrase of ['', 'anything'])
      expect(() =>
        signInWithKeyFile(station, { custodianId: 'dana', keyPem: emptyPem, passphrase, via: 'cli' }),
      ).toThrowError(expect.objectContaining({ code: 'SIGNIN_KEY_FILE_UNENCRYPTED' }));
    // Her real key file with an empty passphrase: refused before any key is tried (nothing to journal).
    expect(() =>
      signInWithKeyFile(station, { ...withKeyFile('dana'), passphrase: '', via: 'cli' }),
    ).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT', data: { field: 'passphrase' } }));
    expect(refusalsFrom(seq + 1)).toEqual([
      ['SIGNIN_KEY_FILE_UNENCRYPTED', 'dana'],
      ['SIGNIN_KEY_FILE_UNENCRYPTED', 'dana'],
    ]);
  });

  it('at the console: the window sends the key file’s text and passphrase over operatorSignIn; acts are then recorded under Dana', async () => {
    const logged: string[] = [];
    const log = (msg: string, err: unknown) => logged.push(`${msg} ${String(err)}`);
    const operator = new ConsoleOperator(station);
    const dispatch = createDispatcher(
      createHandlers({ station, host: 'browser', log, operator }),
      ['app://station'],
      log,
      operator,
      confirmFor(station),
    );
    const outputs: string[] = [];
    const call = async <M extends Method>(method: M, input: WindowInput<M>) => {
      const r = await dispatch(method, input, { url: 'app://station/index.html', isMainFrame: true });
      outputs.push(JSON.stringify(r));
      return r;
    };
    const file = withKeyFile('dana');
    // Bounded and validated at the channel: an oversized key file never reaches the service.
    expect(
      await call('operatorSignIn', { credential: 'key-file', ...file, keyPem: 'x'.repeat(20_000) }),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', data: { field: 'input.keyPem' } } });
    expect(
      await call('operatorSignIn', { credential: 'key-file', ...file, passphrase: 'wrong one' }),
    ).toMatchObject({ ok: false, error: { code: 'SIGNIN_PASSPHRASE_REFUSED' } });
    const signedIn = await call('operatorSignIn', { credential: 'key-file', ...file });
    expect(signedIn).toMatchObject({
      ok: true,
      value: { custodianId: 'dana', credential: 'key-file', state: 'ACTIVE' },
    });
    expect(await call('operatorSession', {})).toMatchObject({
      ok: true,
      value: { session: { custodianId: 'dana', credential: 'key-file' } },
    });
    const open = {
      operation: opText(credentialsOperation('frank', true)),
      ceremonyId: 'C-9',
      step: '1',
      ttlMinutes: 30,
    };
    const preview = await call('actPreview', { method: 'quorumOpen', input: open });
    expect(preview).toMatchObject({ ok: true, value: { actor: 'operator:dana' } });
    const digest = (preview as { value: { digest: string } }).value.digest;
    const opened = await call('quorumOpen', { ...open, confirm: { digest } });
    expect(opened).toMatchObject({ ok: true });
    expect([last().kind, last().actor]).toEqual(['quorum.session-opened', 'operator:dana']);
    // The passphrase never came back, and nothing was logged.
    for (const o of outputs) expect(o).not.toContain(PASS.dana);
    expect(logged).toEqual([]);
    operator.signOut();
  });
});
