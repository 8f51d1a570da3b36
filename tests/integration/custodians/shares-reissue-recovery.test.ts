import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { combine } from 'shamir-secret-sharing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeShare, encodeShare, shareFromText, shareToText } from '../../../src/core/custody/shares';
import { CodedError } from '../../../src/core/errors';
import type { EventKind, NewEvent } from '../../../src/core/journal/events';
import { ceremonyKeygen } from '../../../src/main/services/custodians/ceremony-ops';
import { checkInWithToken, openQuorumSession } from '../../../src/main/services/custodians/quorum';
import {
  recoverReissue,
  reissueActivationShares,
  reissueOperation,
  shareTextOf,
  splitActivationSecret,
} from '../../../src/main/services/custodians/shares';
import { currentSplit, pendingReissueOf } from '../../../src/main/services/custodians/splits';
import type { Station } from '../../../src/main/station/station';
import type { QuorumOperation } from '../../../src/core/custody/operation';
import { custodianVault } from '../../helpers/vault';
import { suiteTempDir } from '../../helpers/temp';
import { keygenOp, opText } from '../../helpers/operations';

/**
 * A share re-issue that fails or stops after its pending split is journaled, on real SoftHSM2 tokens and
 * a real SQLite journal. The only fault is the journal's: a station.record that fails for exactly the
 * append named (what a full disk or a crash does there), since a real store cannot be made to fail on cue.
 */
const PIN = '246810';
const CEREMONY_PIN = '135790';
const MODULE = 'station-hsm';
const sha256 = (d: Uint8Array) => new Uint8Array(createHash('sha256').update(d).digest());
let suite: ReturnType<typeof suiteTempDir>;
let station: Station;
let serial: Record<string, string> = {};
let token: string;
let oldSplit: string;
let oldFiles: string[];
let otherFiles: string[];

beforeAll(async () => {
  suite = suiteTempDir();
  ({ station, serial } = await custodianVault(suite.dir, {
    hsms: ['Ceremony HSM', 'Other HSM'],
    custodians: ['alice', 'bob', 'carol', 'dave'],
    pin: PIN,
    hsmPin: CEREMONY_PIN,
    moduleId: MODULE,
  }));
  token = serial['Ceremony HSM']!;
  const split = await splitActivationSecret(station, {
    moduleId: MODULE,
    serial: token,
    currentPin: CEREMONY_PIN,
    holders: ['alice', 'bob', 'carol'],
    threshold: 2,
    outDir: media('old'),
    actor: 'operator:so',
  });
  oldSplit = split.splitId;
  oldFiles = split.files.filter((f) => f.endsWith('.txt'));
  const other = await splitActivationSecret(station, {
    moduleId: MODULE,
    serial: serial['Other HSM']!,
    currentPin: CEREMONY_PIN,
    holders: ['alice', 'bob'],
    threshold: 2,
    outDir: media('other'),
    actor: 'operator:so',
  });
  otherFiles = other.files.filter((f) => f.endsWith('.txt'));
});

afterAll(() => {
  vi.restoreAllMocks();
  station?.close();
  suite?.remove();
});

function media(name: string): string {
  const dir = join(suite.dir, 'media', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const text = (path: string) => readFileSync(path, 'utf8');
const head = () => station.journal.head().seq;
const logins = () => station.hsm.module(MODULE).logins;
const tokenFlags = () =>
  station.hsm
    .module(MODULE)
    .tokens()
    .find((t) => t.serial === token)!.flags;

async function pinOf(files: readonly string[]): Promise<string> {
  const shares = files.map((f) => decodeShare(shareFromText(shareTextOf(text(f))), sha256).share);
  return Buffer.from(await combine(shares)).toString('hex');
}

function opens(pin: string): boolean {
  try {
    station.hsm
      .module(MODULE)
      .withSession(token, { write: false, login: { user: 'user', pin } }, () => undefined);
    return true;
  } catch (e) {
    if (e instanceof CodedError && e.code === 'PIN_INCORRECT') return false;
    throw e;
  }
}

function reached(operation: QuorumOperation | string): string {
  const s = openQuorumSession(station, {
    operation: opText(operation),
    ceremonyId: 'SHARES-2027',
    step: 'reissue',
    actor: 'operator:so',
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

async function refusal(fn: () => Promise<unknown>): Promise<CodedError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof CodedError) return e;
    throw e;
  }
  throw new Error('not refused');
}

const reissue = (shares: readonly string[], quorumSessionId: string, outDir: string) =>
  reissueActivationShares(station, {
    serial: token,
    shares: shares.map((t) => ({ text: t })),
    holders: ['bob', 'carol', 'dave'],
    threshold: 2,
    outDir,
    quorumSessionId,
    actor: 'operator:so',
  });

const recover = (files: readonly string[] | readonly { text: string }[]) =>
  recoverReissue(station, {
    serial: token,
    shares: files.map((f) => (typeof f === 'string' ? { text: text(f) } : f)),
    actor: 'operator:so',
  });

const keygen = (
  splitId: string,
  files: readonly string[],
  label: string,
  quorumSessionId = reached(keygenOp(token, label)),
) =>
  ceremonyKeygen(station, {
    splitId,
    shares: files.map((f) => ({ text: text(f) })),
    quorumSessionId,
    key: { label, algorithm: 'ec-p256' },
    actor: 'operator:so',
  });

function tamperedShare(path: string): string {
  const env = decodeShare(shareFromText(shareTextOf(text(path))), sha256);
  const share = env.share.slice();
  share[0] = (share[0]! + 1) % 256;
  return shareToText(encodeShare({ ...env, share }, sha256));
}

/**
 * station.record failing as a dead store would, from the append whose events `from` matches on (the
 * appends before it land for real).
 */
function storeDiesAt(from: (events: readonly NewEvent<EventKind>[]) => boolean) {
  const real = station.record.bind(station);
  let dead = false;
  return vi.spyOn(station, 'record').mockImplementation((events, recheck) => {
    if (dead || from(events)) {
      dead = true;
      throw new CodedError('STORE_FAILED', 'disk full (test fault)', {});
    }
    return real(events, recheck);
  });
}
const has = (kind: EventKind) => (events: readonly NewEvent<EventKind>[]) =>
  events.some((e) => e.kind === kind);

/** Logs in with `fn` and says whether it tried a login and whether the token's PIN flags changed. */
async function loginsDuring(fn: () => Promise<unknown>): Promise<{ e: CodedError; logins: number }> {
  const before = logins();
  const flags = tokenFlags();
  const e = await refusal(fn);
  expect(tokenFlags(), 'the token’s PIN flags (C_GetTokenInfo) are unchanged').toEqual(flags);
  return { e, logins: logins() - before };
}

describe('a re-issue stopped after its pending split, before C_SetPIN: the old shares recover it', () => {
  let pendingSplit: string;

  it('a crash after the pending record leaves the files gone, the token unchanged, and its shares refused before any login', async () => {
    const session = reached(reissueOperation(station, { serial: token }));
    // The pending append lands; then the store dies (no release, no abandonment can be recorded).
    const real = station.record.bind(station);
    let landed = false;
    const spy = vi.spyOn(station, 'record').mockImplementation((events, recheck) => {
      if (landed) throw new CodedError('STORE_FAILED', 'disk full (test fault)', {});
      const r = real(events, recheck);
      if (has('shares.reissue-pending')(events)) {
        landed = true;
        throw new CodedError('STORE_FAILED', 'the station stopped here (test fault)', {});
      }
      return r;
    });
    const e = await refusal(() => reissue(oldFiles.slice(0, 2).map(text), session, media('crash-a')));
    spy.mockRestore();
    expect(e.code).toBe('STORE_FAILED');
    expect(readdirSync(media('crash-a')), 'nothing of an unset PIN stays on the media').toEqual([]);
    const pending = pendingReissueOf(station, token)!;
    expect(pending).toMatchObject({ tokenSerial: token, supersedes: oldSplit, quorumSessionId: session });
    pendingSplit = pending.splitId;
    expect(opens(await pinOf(oldFiles.slice(1)))).toBe(true);

    const before = head();
    const kgSession = reached(keygenOp(token, 'zsk-pending'));
    const kg = await loginsDuring(() => keygen(oldSplit, oldFiles.slice(0, 2), 'zsk-pending', kgSession));
    expect(kg.e.code).toBe('SHARES_REISSUE_PENDING');
    expect(kg.logins).toBe(0);
    expect(kg.e.message).toContain(`split ${pendingSplit}`);
    expect(kg.e.message).toContain(`station shares recover --token ${token}`);
    const againSession = reached(reissueOperation(station, { serial: token }));
    const again = await loginsDuring(() => reissue(oldFiles.slice(0, 2).map(text), againSession, media('b')));
    expect(again.e.code).toBe('SHARES_REISSUE_PENDING');
    expect(again.logins).toBe(0);
    expect(head() - before, 'two sessions opened and checked in; nothing else journaled').toBe(6);
  });

  it('tampered and foreign shares are refused before any login, nothing recorded', async () => {
    const before = head();
    const cases: [string, { text: string }[], string][] = [
      ['tampered', [{ text: tamperedShare(oldFiles[0]!) }, { text: text(oldFiles[1]!) }], 'SHARE_BAD'],
      ['foreign', otherFiles.map((f) => ({ text: text(f) })), 'SHARE_OTHER_SPLIT'],
    ];
    for (const [what, shares, code] of cases) {
      const r = await loginsDuring(() => recover(shares));
      expect(r.e.code, what).toBe('SHARES_REFUSED');
      expect(r.e.data, what).toMatchObject({ code });
      expect(r.logins, what).toBe(0);
    }
    expect(head()).toBe(before);
    expect(pendingReissueOf(station, token)?.splitId).toBe(pendingSplit);
  });

  it('the old shares open the token: the pending split is abandoned with the claim released in one append, and the old shares work again', async () => {
    const before = head();
    const logins0 = logins();
    const r = await recover(oldFiles.slice(1));
    expect(logins() - logins0, 'one login').toBe(1);
    expect(r).toEqual({
      outcome: 'abandoned',
      splitId: pendingSplit,
      supersedes: oldSplit,
      currentSplit: oldSplit,
    });
    const tail = station.journal.page(before + 1, 10);
    expect(tail.map((x) => x.kind)).toEqual(['shares.reissue-abandoned', 'quorum.session-released']);
    expect(pendingReissueOf(station, token)).toBeNull();
    expect(currentSplit(station, token).splitId).toBe(oldSplit);
    await keygen(oldSplit, [oldFiles[0]!, oldFiles[2]!], 'zsk-after-abandon');
    // Nothing to recover any more.
    expect((await refusal(() => recover(oldFiles.slice(1)))).code).toBe('INVALID_INPUT');
  });
});

describe('a re-issue whose journal append fails after C_SetPIN: the new shares are kept and recover it', () => {
  let e: CodedError;
  let pendingSplit: string;
  const out = () => media('after-setpin');

  beforeAll(async () => {
    const session = reached(reissueOperation(station, { serial: token }));
    const spy = storeDiesAt(has('shares.split-created'));
    e = await refusal(() => reissue([text(oldFiles[0]!), text(oldFiles[1]!)], session, out()));
    spy.mockRestore();
    pendingSplit = pendingReissueOf(station, token)!.splitId;
  });

  it('keeps and names every new file; the pending record holds commitments only', async () => {
    expect(e.code).toBe('SHARES_REISSUE_UNRECORDED');
    const files = readdirSync(out()).sort();
    expect(files).toEqual(
      ['bob-share-1-of-3', 'carol-share-2-of-3', 'dave-share-3-of-3'].flatMap((n) => [
        `${n}.pdf`,
        `${n}.txt`,
      ]),
    );
    for (const f of files) expect(e.message).toContain(join(out(), f));
    expect(e.message).toContain(`station shares recover --token ${token}`);
    const [ev] = station.journal
      .eventsOfKind('shares.reissue-pending')
      .filter((x) => x.body.splitId === pendingSplit);
    expect(Object.keys(ev!.body).sort()).toEqual(
      [
        'claimSeq',
        'contributors',
        'holders',
        'moduleId',
        'quorumSessionId',
        'secretCommitment',
        'shareCommitments',
        'splitId',
        'supersedes',
        'threshold',
        'tokenSerial',
        'total',
      ].sort(),
    );
    const shareText = shareTextOf(text(join(out(), 'bob-share-1-of-3.txt'))).trim();
    expect(JSON.stringify(ev!.body)).not.toContain(shareText);
    // The old shares no longer open it: the PIN did change.
    expect(opens(await pinOf(oldFiles.slice(0, 2)))).toBe(false);
  });

  it('the token’s shares are refused before any login while it is pending', async () => {
    const kgSession = reached(keygenOp(token, 'zsk-pending-2'));
    const kg = await loginsDuring(() => keygen(oldSplit, oldFiles.slice(0, 2), 'zsk-pending-2', kgSession));
    expect(kg.e.code).toBe('SHARES_REISSUE_PENDING');
    expect(kg.logins).toBe(0);
  });

  it('the old shares, after the PIN changed: one login, recorded, and never tried again', async () => {
    const before = logins();
    const first = await refusal(() => recover(oldFiles.slice(0, 2)));
    expect(first.code).toBe('SHARES_NOT_RECOVERED');
    expect(logins() - before).toBe(1);
    const failed = station.journal.eventsOfKind('shares.recovery-failed').at(-1)!;
    expect(failed.body).toEqual({ splitId: pendingSplit, tokenSerial: token, tried: oldSplit });
    // Again, with other shares of the same split: refused from the journal, no PIN try spent.
    const again = await loginsDuring(() => recover([oldFiles[0]!, oldFiles[2]!]));
    expect(again.e.code).toBe('SHARES_NOT_RECOVERED');
    expect(again.e.message).toContain('no login was tried');
    expect(again.logins).toBe(0);
  });

  it('the new shares record the split as a normal re-issue would, and then activate the token', async () => {
    const before = head();
    const newFiles = [join(out(), 'carol-share-2-of-3.txt'), join(out(), 'dave-share-3-of-3.txt')];
    expect(newFiles.every((f) => existsSync(f))).toBe(true);
    const r = await recover(newFiles);
    expect(r).toEqual({
      outcome: 'recorded',
      splitId: pendingSplit,
      supersedes: oldSplit,
      currentSplit: pendingSplit,
    });
    const tail = station.journal.page(before + 1, 10);
    expect(tail.map((x) => x.kind)).toEqual([
      'shares.activation-used',
      'shares.split-created',
      'quorum.session-closed',
    ]);
    expect(station.journal.eventsOfKind('shares.split-created').at(-1)!.body).toMatchObject({
      splitId: pendingSplit,
      supersedes: oldSplit,
    });
    expect(station.journal.eventsOfKind('shares.activation-used').at(-1)!.body.contributors).toEqual([
      { position: 1, custodianId: 'alice' },
      { position: 2, custodianId: 'bob' },
    ]);
    expect(pendingReissueOf(station, token)).toBeNull();
    expect(currentSplit(station, token).splitId).toBe(pendingSplit);
    await keygen(pendingSplit, [join(out(), 'bob-share-1-of-3.txt'), newFiles[1]!], 'zsk-after-recover');
  });
});
