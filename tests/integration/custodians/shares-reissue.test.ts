import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { combine } from 'shamir-secret-sharing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeShare, encodeShare, shareFromText, shareToText } from '../../../src/core/custody/shares';
import { CodedError } from '../../../src/core/errors';
import { ceremonyKeygen } from '../../../src/main/services/custodians/ceremony-ops';
import { checkInWithToken, openQuorumSession } from '../../../src/main/services/custodians/quorum';
import {
  checkReissuedShares,
  reissueActivationShares,
  reissueOperation,
  shareTextOf,
  splitActivationSecret,
  verifyShare,
} from '../../../src/main/services/custodians/shares';
import { currentSplit, findSplit } from '../../../src/main/services/custodians/splits';
import type { Station } from '../../../src/main/station/station';
import type { QuorumOperation } from '../../../src/core/custody/operation';
import { custodianVault } from '../../helpers/vault';
import { suiteTempDir } from '../../helpers/temp';
import { keygenOp, opText } from '../../helpers/operations';

/**
 * Share re-issue on real SoftHSM2 tokens and a real SQLite journal: the current shares rebuild the PIN
 * in memory, a new secret becomes the PIN and is split anew, and the old split is VOID everywhere.
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
});

afterAll(() => {
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

/** The PIN a set of share files rebuilds (what the token should accept), combined here as a check. */
async function pinOf(files: readonly string[]): Promise<string> {
  const shares = files.map((f) => decodeShare(shareFromText(shareTextOf(text(f))), sha256).share);
  return Buffer.from(await combine(shares)).toString('hex');
}

/** Whether `pin` logs the user in on the ceremony token now (CKR_PIN_INCORRECT otherwise). */
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

/** A session for `operation` that alice and bob reach with their own tokens. */
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

const reissue = (shares: readonly string[], quorumSessionId: string, outDir = media('new')) =>
  reissueActivationShares(station, {
    serial: token,
    shares: shares.map((t) => ({ text: t })),
    holders: ['bob', 'carol', 'dave'],
    threshold: 2,
    outDir,
    quorumSessionId,
    actor: 'operator:so',
  });

/** A share of the current split whose bytes are changed and whose checksum is made to match again. */
function tamperedShare(path: string): string {
  const env = decodeShare(shareFromText(text(path)), sha256);
  const share = env.share.slice();
  share[0] = (share[0]! + 1) % 256;
  return shareToText(encodeShare({ ...env, share }, sha256));
}

describe('share re-issue: refusals come before anything changes', () => {
  it('the operation names the token and its current split', () => {
    expect(reissueOperation(station, { serial: token })).toBe(`shares-reissue:${token}:${oldSplit}`);
  });

  it('a quorum session for another operation is refused: journal and PIN unchanged', async () => {
    const pin = await pinOf(oldFiles.slice(0, 2));
    const session = reached(keygenOp(token, 'zsk-2027'));
    const before = head();
    const e = await refusal(() => reissue(oldFiles.slice(0, 2).map(text), session, media('wrong-op')));
    expect(e.code).toBe('QUORUM_WRONG_OPERATION');
    expect(head()).toBe(before);
    expect(opens(pin)).toBe(true);
    expect(readdirSync(media('wrong-op'))).toEqual([]);
  });

  it('a share of another split, a tampered share and a repeated position are refused, naming the share', async () => {
    const other = await splitActivationSecret(station, {
      moduleId: MODULE,
      serial: serial['Other HSM']!,
      currentPin: CEREMONY_PIN,
      holders: ['alice', 'bob'],
      threshold: 2,
      outDir: media('other'),
      actor: 'operator:so',
    });
    const pin = await pinOf(oldFiles.slice(0, 2));
    const session = reached(reissueOperation(station, { serial: token }));
    const before = head();
    const cases: [string, string[], string, RegExp][] = [
      [
        'other split',
        [text(oldFiles[0]!), text(other.files[1]!)],
        'SHARE_OTHER_SPLIT',
        /share 2 belongs to another split/,
      ],
      [
        'tampered',
        [tamperedShare(oldFiles[0]!), text(oldFiles[1]!)],
        'SHARE_BAD',
        /share 1 \(position 1, alice\) does not match its commitment/,
      ],
      [
        'checksum',
        [text(oldFiles[0]!).replace(/^(.)/, (c) => (c === 'A' ? 'B' : 'A')), text(oldFiles[1]!)],
        'SHARE_CHECKSUM',
        /share 1: /,
      ],
      [
        'repeated',
        [text(oldFiles[1]!), text(oldFiles[1]!)],
        'SHARE_DUPLICATE',
        /share 2 repeats position 2 \(bob\)/,
      ],
    ];
    for (const [what, shares, code, message] of cases) {
      const e = await refusal(() => reissue(shares, session, media(`refused-${what}`)));
      expect(e.code, what).toBe('SHARES_REFUSED');
      expect(e.data, what).toMatchObject({ code, splitId: oldSplit });
      expect(e.message, what).toMatch(message);
      expect(readdirSync(media(`refused-${what}`)), what).toEqual([]);
    }
    // Nothing journaled, the PIN as it was, the split current, the session still open for the real act.
    expect(head()).toBe(before);
    expect(opens(pin)).toBe(true);
    expect(currentSplit(station, token).splitId).toBe(oldSplit);
  });
});

describe('share re-issue on a split token', () => {
  let result: Awaited<ReturnType<typeof reissue>>;
  let oldPin: string;

  beforeAll(async () => {
    oldPin = await pinOf([oldFiles[0]!, oldFiles[2]!]);
    const session = reached(reissueOperation(station, { serial: token }));
    result = await reissue([text(oldFiles[0]!), text(oldFiles[2]!)], session, media('reissued'));
  });

  it('writes the new shares (0600) and sheets, and journals the new split with the old one, its use and the quorum together', () => {
    expect(result.supersedes).toBe(oldSplit);
    expect(readdirSync(media('reissued')).sort()).toEqual(
      ['bob-share-1-of-3', 'carol-share-2-of-3', 'dave-share-3-of-3'].flatMap((n) => [
        `${n}.pdf`,
        `${n}.txt`,
      ]),
    );
    for (const f of result.shareFiles) expect(statSync(f).mode & 0o777).toBe(0o600);
    const tail = station.journal.page(head() - 4, 10).map((r) => r.kind);
    expect(tail).toEqual([
      'quorum.session-claimed',
      'shares.reissue-pending',
      'shares.activation-used',
      'shares.split-created',
      'quorum.session-closed',
    ]);
    const created = station.journal.eventsOfKind('shares.split-created').at(-1)!;
    expect(created.body).toMatchObject({
      splitId: result.splitId,
      tokenSerial: token,
      supersedes: oldSplit,
      threshold: 2,
      total: 3,
      holders: [
        { position: 1, custodianId: 'bob' },
        { position: 2, custodianId: 'carol' },
        { position: 3, custodianId: 'dave' },
      ],
    });
    expect(created.body.quorumSessionId).toMatch(/^[0-9a-f-]{36}$/);
    const used = station.journal.eventsOfKind('shares.activation-used').at(-1)!;
    expect(used.body.contributors).toEqual([
      { position: 1, custodianId: 'alice' },
      { position: 3, custodianId: 'carol' },
    ]);
    expect(used.body.operation).toBe(`shares-reissue:${token}:${oldSplit}`);
  });

  it('the new shares open the token; the old secret no longer does', async () => {
    expect(opens(await pinOf(result.shareFiles.slice(1)))).toBe(true);
    expect(opens(await pinOf([result.shareFiles[0]!, result.shareFiles[2]!]))).toBe(true);
    expect(opens(oldPin)).toBe(false);
    const checked = await checkReissuedShares(station, {
      splitId: result.splitId,
      shareTexts: result.shareFiles.map(text),
    });
    expect(checked.ok).toBe(true);
    expect(checked.observed).toContain(`split ${oldSplit} is VOID`);
    // One tampered share fails the read-back, though the other two still open the token.
    const bad = await checkReissuedShares(station, {
      splitId: result.splitId,
      shareTexts: [tamperedShare(result.shareFiles[0]!), ...result.shareFiles.slice(1).map(text)],
    });
    expect(bad.ok).toBe(false);
    expect(bad.observed).toContain('2 of 3 new share(s) match');
  });

  it('the old split is VOID everywhere: its shares are refused as superseded, naming the new split and the date', async () => {
    const at = station.journal.eventsOfKind('shares.split-created').at(-1)!.at;
    expect(findSplit(station, oldSplit).supersededBy).toMatchObject({ splitId: result.splitId, at });
    expect(currentSplit(station, token).splitId).toBe(result.splitId);
    const health = await refusal(async () =>
      verifyShare(station, {
        splitId: oldSplit,
        shareText: text(oldFiles[1]!),
        custodianId: 'bob',
        actor: 'operator:bob',
      }),
    );
    expect(health.code).toBe('SPLIT_SUPERSEDED');
    expect(health.message).toContain(`superseded by split ${result.splitId} on ${at}`);
    const keygen = await refusal(() =>
      ceremonyKeygen(station, {
        splitId: oldSplit,
        shares: oldFiles.slice(0, 2).map((f) => ({ text: text(f) })),
        quorumSessionId: reached(keygenOp(token, 'zsk-void')),
        key: { label: 'zsk-void', algorithm: 'ec-p256' },
        actor: 'operator:so',
      }),
    );
    expect(keygen.code).toBe('SPLIT_SUPERSEDED');
    // A second re-issue with the old shares: each refused as a share of the void split, nothing changed.
    const before = head();
    const again = await refusal(() =>
      reissue(
        oldFiles.slice(0, 2).map(text),
        reached(reissueOperation(station, { serial: token })),
        media('again'),
      ),
    );
    expect(again.code).toBe('SPLIT_SUPERSEDED');
    expect(again.message).toContain(
      `share 1 belongs to split ${oldSplit}, VOID since it was superseded by split ${result.splitId} on ${at}`,
    );
    expect(head()).toBe(before + 3); // the session opened and its two check-ins, nothing else
  });

  it('the session the re-issue used is spent: it authorises no second re-issue', async () => {
    const used = station.journal.eventsOfKind('shares.split-created').at(-1)!.body.quorumSessionId!;
    const e = await refusal(() => reissue(result.shareFiles.slice(0, 2).map(text), used, media('twice')));
    expect(e.code).toBe('QUORUM_SESSION_CLOSED');
  });
});
