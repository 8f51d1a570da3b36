import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventBody } from '../../../src/core/journal/events';
import { createDispatcher } from '../../../src/main/ipc/dispatcher';
import { createHandlers } from '../../../src/main/ipc/handlers';
import { systemDeps } from '../../../src/main/runtime';
import { confirmFor } from '../../../src/main/services/acts';
import {
  checkInWithToken,
  ConsoleOperator,
  initRoster,
  openQuorumSession,
} from '../../../src/main/services/custodians';
import { registerModule } from '../../../src/main/services/devices/modules';
import { Station } from '../../../src/main/station/station';
import {
  PREVIEW_REDACTED_FIELDS,
  type ConfirmedMethod,
  type Method,
  type Output,
  type WindowInput,
} from '../../../src/shared/contract';
import type { Result } from '../../../src/shared/errors';
import { custodianKeyPems, initTokens, SOFTHSM_PATH, softhsmWorld } from '../../helpers/softhsm';
import { suiteTempDir } from '../../helpers/temp';

/**
 * The custodian acts the console drives (roster add / revoke / credentials, share split, ceremony sign),
 * through the dispatcher as the window calls them, on a real station with SoftHSM2 tokens: each runs only
 * on the digest of its preview, under the signed-in operator, and — where it changes the roster or uses
 * the ceremony token — only under a quorum session bound to exactly that act.
 */
const PIN = '246810';
const CEREMONY_PIN = '135790';
const MODULE = 'hsm';
let suite: ReturnType<typeof suiteTempDir>;
let station: Station;
let media: string;
let call: <M extends Method>(method: M, input: WindowInput<M>) => Promise<Result<Output<M>>>;
const serial: Record<string, string> = {};
const day = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

const last = () => station.journal.get(station.journal.head().seq)!;
const head = () => station.journal.head().seq;
const bodyOf = <K extends 'hsm.key-generated' | 'hsm.signed'>(row: { body: Uint8Array }) =>
  JSON.parse(Buffer.from(row.body).toString('utf8')) as EventBody<K>;

/** Opens a session for `operation` (as the console does) and checks in the custodians named. */
function quorum(operation: string, who: readonly string[] = ['alice', 'bob']): string {
  const q = openQuorumSession(station, {
    operation,
    ceremonyId: 'ADMIN',
    step: '1',
    actor: 'operator:alice',
  });
  for (const w of who) {
    const v = checkInWithToken(station, {
      sessionId: q.sessionId,
      moduleId: MODULE,
      serial: serial[w]!,
      pin: PIN,
    });
    if (!v.ok) throw new Error(`${w}: ${v.reason}`);
  }
  return q.sessionId;
}

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

type Draft<M extends ConfirmedMethod> = Omit<WindowInput<M>, 'confirm' | 'pin'>;

/** The window's two steps: the preview (no PIN), then the act with its digest (and the typed value). */
async function confirmed<M extends ConfirmedMethod>(
  method: M,
  draft: Draft<M>,
  opts: { typed?: string; pin?: string } = {},
): Promise<{
  preview: { statement: string; typeToConfirm: { value: string } | null };
  result: Result<Output<M>>;
}> {
  // As the window does: the preview never carries a secret (a PIN, a passphrase, shares).
  const shown = Object.fromEntries(
    Object.entries(draft as Record<string, unknown>).filter(([k]) => !PREVIEW_REDACTED_FIELDS.includes(k)),
  );
  const preview = value(await call('actPreview', { method, input: shown }));
  const result = await call(method, {
    ...draft,
    ...(opts.pin ? { pin: opts.pin } : {}),
    confirm: { digest: preview.digest, ...(opts.typed !== undefined ? { typed: opts.typed } : {}) },
  } as unknown as WindowInput<M>);
  return { preview, result };
}

const newKeyPem = () =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
const custodian = (id: string, publicKey: string) => ({
  custodianId: id,
  name: id[0]!.toUpperCase() + id.slice(1),
  roles: ['custodian'],
  validFrom: iso(Date.now() - day),
  validUntil: iso(Date.now() + 365 * day),
  publicKey,
});

beforeAll(async () => {
  suite = suiteTempDir();
  const { conf } = softhsmWorld(suite.dir);
  initTokens(['alice', 'bob', 'carol', 'Ceremony HSM'], (l) => (l === 'Ceremony HSM' ? CEREMONY_PIN : PIN));
  media = join(suite.dir, 'usb');
  mkdirSync(media);
  station = Station.init(
    join(suite.dir, 'st'),
    { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' },
    { ...systemDeps, config: { ...systemDeps.config, mediaDirs: [media] } },
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
  const pem = await custodianKeyPems(module, serial, ['alice', 'bob', 'carol'], PIN);
  initRoster(station, {
    quorum: 2,
    custodians: ['alice', 'bob', 'carol'].map((w) => custodian(w, pem[w]!)),
    witnesses: ['W. Itness'],
    actor: 'operator:so',
  });
  const operator = new ConsoleOperator(station);
  const dispatch = createDispatcher(
    createHandlers({ station, host: 'browser', log: () => {}, operator }),
    ['app://station'],
    () => {},
    operator,
    confirmFor(station),
  );
  call = async (method, input) =>
    (await dispatch(method, input, { url: 'app://station/index.html', isMainFrame: true })) as never;
  value(await call('operatorSignIn', { moduleId: MODULE, serial: serial.alice!, pin: PIN }));
});

afterAll(() => {
  station?.close();
  suite?.remove();
});

describe('roster changes at the console, each under a quorum bound to exactly that change', () => {
  const davePem = newKeyPem();
  const dave = custodian('dave', davePem);

  it('add: the operation names the change and the key a witness compares; no quorum, another change’s quorum, no preview — refused and nothing recorded; then added under alice', async () => {
    const shown = value(await call('rosterAddOperation', { custodian: dave }));
    // The fingerprint, computed here from the PEM alone, is what the witness reads back.
    const der = createPublicKey(davePem).export({ type: 'spki', format: 'der' });
    expect(shown.fingerprint).toBe(createHash('sha256').update(der).digest('hex'));
    expect(shown.operation).toMatch(/^roster-change:[0-9a-f]{64}$/);
    // Another custodian, or the same one with another validity, is another operation.
    const erin = value(await call('rosterAddOperation', { custodian: custodian('erin', newKeyPem()) }));
    expect(erin.operation).not.toBe(shown.operation);

    const before = head();
    const unreached = quorum(shown.operation, ['alice']);
    const wrong = quorum(erin.operation);
    const seq = head();
    for (const [sessionId, code] of [
      [unreached, 'QUORUM_NOT_REACHED'],
      [wrong, 'QUORUM_WRONG_OPERATION'],
    ] as const) {
      const { result } = await confirmed('rosterAdd', { custodian: dave, quorumSessionId: sessionId });
      expect(result).toMatchObject({ ok: false, error: { code } });
    }
    expect(
      await call('rosterAdd', { custodian: dave, quorumSessionId: wrong } as WindowInput<'rosterAdd'>),
    ).toMatchObject({ ok: false, error: { code: 'PREVIEW_REQUIRED' } });
    expect(
      await call('actPreview', {
        method: 'rosterAdd',
        input: { custodian: dave, quorumSessionId: wrong, actor: 'operator:bob' },
      }),
    ).toMatchObject({ ok: false, error: { code: 'OPERATOR_ACTOR_MISMATCH' } });
    expect(head()).toBe(seq);
    expect(before).toBeLessThan(seq);

    const right = quorum(shown.operation);
    const { result } = await confirmed('rosterAdd', { custodian: dave, quorumSessionId: right });
    expect(value(result)).toMatchObject({
      custodianId: 'dave',
      status: 'VALID',
      credentials: ['token'],
      fingerprint: shown.fingerprint,
    });
    const tail = station.journal.page(head() - 1, 2).map((r) => [r.kind, r.actor]);
    expect(tail).toEqual([
      ['roster.custodian-added', 'operator:alice'],
      ['quorum.session-closed', 'operator:alice'],
    ]);
    // One quorum, one change: the same session cannot add again.
    const again = await confirmed('rosterAdd', { custodian: dave, quorumSessionId: right });
    expect(again.result).toMatchObject({ ok: false });
    const roster = value(await call('rosterList', {}));
    expect(roster.custodians.find((c) => c.custodianId === 'dave')).toMatchObject({ credentials: ['token'] });
  });

  it('credentials: key-file sign-in is allowed only under a quorum for exactly "allow" for that custodian; the roster shows it', async () => {
    const allow = value(await call('rosterCredentialsOperation', { custodianId: 'dave', keyFile: true }));
    const withdraw = value(await call('rosterCredentialsOperation', { custodianId: 'dave', keyFile: false }));
    const forBob = value(await call('rosterCredentialsOperation', { custodianId: 'bob', keyFile: true }));
    expect(new Set([allow.operation, withdraw.operation, forBob.operation]).size).toBe(3);
    for (const op of [withdraw.operation, forBob.operation]) {
      const { result } = await confirmed('rosterSetCredentials', {
        custodianId: 'dave',
        keyFile: true,
        quorumSessionId: quorum(op),
      });
      expect(result).toMatchObject({ ok: false, error: { code: 'QUORUM_WRONG_OPERATION' } });
    }
    const { preview, result } = await confirmed('rosterSetCredentials', {
      custodianId: 'dave',
      keyFile: true,
      quorumSessionId: quorum(allow.operation),
    });
    expect(preview.typeToConfirm).toBeNull();
    expect(value(result)).toEqual({ custodianId: 'dave', credentials: ['token', 'key-file'] });
    expect(last().kind).toBe('quorum.session-closed');
    const roster = value(await call('rosterList', {}));
    expect(roster.custodians.map((c) => [c.custodianId, c.credentials])).toEqual([
      ['alice', ['token']],
      ['bob', ['token']],
      ['carol', ['token']],
      ['dave', ['token', 'key-file']],
    ]);
  });

  it('revoke: the custodian id must be typed; the quorum is bound to the reason too; then dave is REVOKED', async () => {
    const reason = 'left the organisation';
    const op = value(await call('rosterRevokeOperation', { custodianId: 'dave', reason })).operation;
    const other = value(await call('rosterRevokeOperation', { custodianId: 'dave', reason: 'token lost' }));
    const session = quorum(op);
    const draft = { custodianId: 'dave', reason, quorumSessionId: session };
    const untyped = await confirmed('rosterRevoke', draft, { typed: 'bob' });
    expect(untyped.preview.typeToConfirm).toMatchObject({ value: 'dave' });
    expect(untyped.result).toMatchObject({ ok: false, error: { code: 'CONFIRM_TYPED_MISMATCH' } });
    const wrong = await confirmed(
      'rosterRevoke',
      { ...draft, quorumSessionId: quorum(other.operation) },
      { typed: 'dave' },
    );
    expect(wrong.result).toMatchObject({ ok: false, error: { code: 'QUORUM_WRONG_OPERATION' } });
    const { result } = await confirmed('rosterRevoke', draft, { typed: 'dave' });
    expect(value(result)).toMatchObject({ custodianId: 'dave', revokedAt: expect.any(String) });
    const roster = value(await call('rosterList', {}));
    expect(roster.custodians.find((c) => c.custodianId === 'dave')?.status).toBe('REVOKED');
    expect(station.journal.page(head() - 1, 2).map((r) => [r.kind, r.actor])).toEqual([
      ['roster.custodian-revoked', 'operator:alice'],
      ['quorum.session-closed', 'operator:alice'],
    ]);
  });
});

describe('the ceremony token: split at the console, then a file signed under a quorum bound to exactly that signing', () => {
  let splitId: string;
  const share = (who: string, pos: number) =>
    readFileSync(join(media, `${who}-share-${pos}-of-3.txt`), 'utf8');
  const shares = () => [
    { text: share('alice', 1), enteredBy: 'alice' },
    { text: share('bob', 2), enteredBy: 'bob' },
  ];

  it('split: only to a listed volume, with the serial typed; the PIN is never in the preview; share sheets land on the volume', async () => {
    const draft = {
      moduleId: MODULE,
      serial: serial['Ceremony HSM']!,
      holders: ['alice', 'bob', 'carol'],
      threshold: 2,
      volume: media,
    };
    const elsewhere = join(suite.dir, 'not-a-volume');
    mkdirSync(elsewhere);
    const off = await confirmed(
      'sharesSplit',
      { ...draft, volume: elsewhere },
      { typed: draft.serial, pin: CEREMONY_PIN },
    );
    expect(off.result).toMatchObject({
      ok: false,
      error: { code: 'MEDIA_NOT_READY', data: { field: 'volume' } },
    });
    const untyped = await confirmed('sharesSplit', draft, { typed: '', pin: CEREMONY_PIN });
    expect(untyped.result).toMatchObject({ ok: false, error: { code: 'CONFIRM_TYPED_MISMATCH' } });
    expect(readdirSync(media)).toEqual([]);

    const { preview, result } = await confirmed('sharesSplit', draft, {
      typed: draft.serial,
      pin: CEREMONY_PIN,
    });
    expect(preview.statement).not.toContain(CEREMONY_PIN);
    const split = value(result);
    splitId = split.splitId;
    expect(split.files.map((f) => f.name).sort()).toEqual(readdirSync(media).sort());
    expect(readdirSync(media).sort()).toEqual([
      'alice-share-1-of-3.pdf',
      'alice-share-1-of-3.txt',
      'bob-share-2-of-3.pdf',
      'bob-share-2-of-3.txt',
      'carol-share-3-of-3.pdf',
      'carol-share-3-of-3.txt',
    ]);
    expect(last()).toMatchObject({ kind: 'shares.split-created', actor: 'operator:alice' });
    expect(value(await call('sharesList', {})).map((s) => s.splitId)).toEqual([splitId]);
  });

  it('sign: the operation binds token, key and the file’s digest; refused without quorum, for another file, for a changed file, off the volume; then signed and verifiable with the journaled key', async () => {
    // A key on the ceremony token first, under its own quorum and the shares.
    const key = { label: 'release-2027', algorithm: 'ec-p256' as const };
    const keygenOp = value(await call('ceremonyKeygenOperation', { splitId, key })).operation;
    const made = value(
      await call('ceremonyKeygen', { splitId, key, quorumSessionId: quorum(keygenOp), shares: shares() }),
    );
    expect(value(await call('ceremonyKeys', { splitId }))).toEqual([
      { id: made.id, label: 'release-2027', keyType: made.keyType, size: made.size },
    ]);
    const spki = bodyOf<'hsm.key-generated'>(
      station.journal.page(1, 10_000).find((r) => r.kind === 'hsm.key-generated')!,
    ).spki;

    const data = Buffer.from('{"release":"2027.1","artifacts":["a.tar.gz"]}\n');
    const path = join(media, 'release.json');
    writeFileSync(path, data);
    writeFileSync(join(media, 'other.json'), '{"other":true}\n');
    const shown = value(await call('ceremonySignOperation', { splitId, keyId: made.id, path }));
    const dataSha256 = createHash('sha256').update(data).digest('hex');
    expect(shown).toMatchObject({
      operation: `ceremony-sign:${serial['Ceremony HSM']}:${made.id}:${dataSha256}`,
      dataSha256,
      size: data.length,
      signatureName: `release.json.${made.id}.sig`,
    });
    const other = value(
      await call('ceremonySignOperation', { splitId, keyId: made.id, path: join(media, 'other.json') }),
    );

    const draft = { splitId, keyId: made.id, path, dataSha256, shares: shares() };
    // A file the station did not list on a volume is refused before anything reads it.
    const outside = join(suite.dir, 'secret.json');
    writeFileSync(outside, '{}');
    expect(await call('ceremonySignOperation', { splitId, keyId: made.id, path: outside })).toMatchObject({
      ok: false,
      error: { code: 'BUNDLE_NOT_FOUND' },
    });
    const seq = head();
    for (const [sessionId, code] of [
      [quorum(shown.operation, ['alice']), 'QUORUM_NOT_REACHED'],
      [quorum(other.operation), 'QUORUM_WRONG_OPERATION'],
    ] as const) {
      const { preview, result } = await confirmed('ceremonySign', { ...draft, quorumSessionId: sessionId });
      // The shares custodians type are never part of a preview.
      expect(preview.statement).not.toContain(share('alice', 1).trim().slice(0, 20));
      expect(result).toMatchObject({ ok: false, error: { code } });
    }
    expect(station.journal.page(seq + 1, 100).map((r) => r.kind)).not.toContain('hsm.signed');

    const session = quorum(shown.operation);
    // The file changes after its operation was shown: nothing is signed.
    writeFileSync(path, Buffer.concat([data, Buffer.from(' ')]));
    const changed = await confirmed('ceremonySign', { ...draft, quorumSessionId: session });
    expect(changed.result).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', data: { field: 'dataSha256' } },
    });
    writeFileSync(path, data);

    const { result } = await confirmed('ceremonySign', { ...draft, quorumSessionId: session });
    const signed = value(result);
    const sig = readFileSync(join(media, `release.json.${made.id}.sig`));
    expect(signed).toMatchObject({
      path: join(media, `release.json.${made.id}.sig`),
      dataSha256,
      signatureSha256: createHash('sha256').update(sig).digest('hex'),
      signatureHex: sig.toString('hex'),
    });
    // Anyone can check it with the public key the journal recorded at generation.
    const pub = createPublicKey({ key: Buffer.from(spki, 'base64'), format: 'der', type: 'spki' });
    expect(verify('sha256', data, { key: pub, dsaEncoding: 'ieee-p1363' }, sig)).toBe(true);
    expect(verify('sha256', Buffer.from('other'), { key: pub, dsaEncoding: 'ieee-p1363' }, sig)).toBe(false);
    const kinds = station.journal.page(head() - 2, 3).map((r) => [r.kind, r.actor]);
    expect(kinds).toEqual([
      ['hsm.signed', 'operator:alice'],
      ['shares.activation-used', 'operator:alice'],
      ['quorum.session-closed', 'operator:alice'],
    ]);
    expect(bodyOf<'hsm.signed'>(station.journal.get(head() - 2)!).signature).toBe(sig.toString('base64'));
    // The signature's name is taken now: a second signing is refused before the token is touched.
    const again = await confirmed('ceremonySign', { ...draft, quorumSessionId: quorum(shown.operation) });
    expect(again.result).toMatchObject({ ok: false, error: { code: 'OUTPUT_EXISTS' } });
  });
});
