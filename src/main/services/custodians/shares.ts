import { createHash, randomBytes } from 'node:crypto';
import { existsSync, realpathSync, rmSync } from 'node:fs';
import { join, sep } from 'node:path';
import { combine, split } from 'shamir-secret-sharing';
import { toHex } from '../../../core/bytes';
import {
  checkShare,
  checkShares,
  decodeShare,
  encodeShare,
  secretCommitment,
  shareCommitment,
  shareFromText,
  shareToText,
  type ShareProblem,
  type SplitRecord,
} from '../../../core/custody/shares';
import { rosterStatus } from '../../../core/custody/roster';
import { CodedError } from '../../../core/errors';
import {
  journalTime,
  type EventBody,
  type EventKind,
  type NewEvent,
  assertActor,
} from '../../../core/journal/events';
import { digestWords } from '../../../core/words';
import type { Session } from '../../adapters/hsm/module';
import { renderPdfs } from '../../adapters/print/pdf';
import { stationError } from '../../errors';
import { writeExclusive } from '../../platform/durable';
import { assertClaimHeld, claimQuorum, quorumUsed, requireQuorum, resolveFailedClaim } from './quorum';
import { rosterEntries } from './queries';
import { shareSheetHtml } from './share-sheet';
import { stationIdentity } from '../identity/queries';
import type { Station } from '../../station/station';
import {
  assertNoPendingReissue,
  currentSplit,
  findLiveSplit,
  findSplit,
  isShareActivated,
  pendingReissueOf,
  sharesReissueOf,
  sharesReissueOperation,
  splits,
  type StoredSplit,
} from './splits';
import { encodeOperation, type QuorumOperation } from '../../../core/custody/operation';
const sha256 = (d: Uint8Array) => new Uint8Array(createHash('sha256').update(d).digest());

/**
 * Sets up M-of-N activation of a token: a fresh random 32-byte secret becomes the token's user PIN
 * (C_SetPIN with the current PIN), the secret is split with the audited shamir-secret-sharing library,
 * each holder's share is written to a new text file and a printable PDF share sheet in `outDir` (their
 * removable media), and only the commitments are journaled. The secret and shares are wiped from
 * memory; nothing of them stays on the station.
 */
export async function splitActivationSecret(
  station: Station,
  opts: {
    moduleId: string;
    serial: string;
    currentPin: string;
    holders: readonly string[];
    threshold: number;
    outDir: string;
    /** REHEARSAL: every file name and sheet says so (a ceremony rehearsal's scratch token). */
    marking?: ShareMarking;
    /** Put before each file name (a ceremony run names its outputs after its file and step). */
    namePrefix?: string;
    actor: string;
  },
): Promise<{ splitId: string; files: string[] }> {
  station.assertWritable();
  assertActor(opts.actor);
  if (isShareActivated(station, opts.serial))
    throw stationError('INVALID_INPUT', `token ${opts.serial} already has an activation split`, {
      field: 'token',
    });
  if (stationIdentity(station)?.tokenSerial === opts.serial) {
    throw stationError(
      'INVALID_INPUT',
      'the station identity token signs checkpoints alone; use a separate ceremony token',
      { field: 'token' },
    );
  }
  const holders = shareHolders(station, opts);
  const { record, files } = await issueSplit(station, {
    ...opts,
    holders,
    marking: opts.marking ?? null,
    namePrefix: opts.namePrefix ?? '',
    supersedes: null,
    quorumSessionId: null,
    purpose: 'activation PIN split',
    // A confirmed split is checked against its preview's journal head here, before the token changes:
    // never after it, when a refused record would leave a PIN nobody recorded.
    beforePinChange: () => {
      station.confirmPinnedHead();
    },
  });
  station.record([{ kind: 'shares.split-created', actor: opts.actor, body: record }]);
  return { splitId: record.splitId, files };
}

/** How a split's media are marked: REHEARSAL for a ceremony rehearsal's scratch token, else nothing. */
export type ShareMarking = 'REHEARSAL' | null;

type RosterEntry = ReturnType<typeof rosterEntries>[number];

/**
 * The holders of a new split, refused before anything is made: each a custodian VALID on the roster
 * now, none twice, a threshold from 2 to their number, and an output folder that exists.
 */
function shareHolders(
  station: Station,
  opts: { holders: readonly string[]; threshold: number; outDir: string; marking?: ShareMarking },
): RosterEntry[] {
  const now = journalTime(station.deps.clock());
  const roster = rosterEntries(station);
  const holders = opts.holders.map((id) => {
    const e = roster.find((r) => r.custodianId === id);
    if (!e || rosterStatus(e, now) !== 'VALID')
      throw stationError('CUSTODIAN_NOT_FOUND', `${id} is not a valid custodian on the roster`, {
        field: 'holders',
      });
    return e;
  });
  if (new Set(opts.holders).size !== holders.length)
    throw stationError('INVALID_INPUT', 'each custodian may hold one share', { field: 'holders' });
  if (opts.threshold < 2 || opts.threshold > holders.length) {
    throw stationError('INVALID_INPUT', `threshold must be between 2 and ${holders.length}`, {
      field: 'threshold',
    });
  }
  if (!existsSync(opts.outDir))
    throw stationError('INVALID_INPUT', `${opts.outDir} does not exist`, { field: 'outDir' });
  // A rehearsal's shares open only its scratch token; real ones leave the station on the custodians' media.
  if (!opts.marking) assertOffStation(station, opts.outDir, 'outDir');
  return holders;
}

/**
 * Refuses a folder in the station's data directory (links resolved) for real shares: the shares of a split
 * together are the whole secret, and they are written to removable media only, never to the station.
 */
export function assertOffStation(station: Station, dir: string, field: string): void {
  const real = realpathSync(dir);
  const data = realpathSync(station.dataDir);
  if (real === data || real.startsWith(`${data}${sep}`))
    throw stationError(
      'INVALID_INPUT',
      `${dir} is inside the station's data directory: new shares are written to removable media only, never to the station`,
      { field },
    );
}

/**
 * The steps every new split takes, for a first split and a re-issue alike: a fresh random secret and
 * split id, the secret split among the holders, each share written as a new text file (0600) beside
 * its printed sheet — all on the custodians' media BEFORE the token changes — then C_SetPIN from
 * `currentPin` to the new secret. If anything fails before C_SetPIN is called, the files made are
 * removed and the token is as it was; once it was called (whatever its result) they are kept and the
 * error names them (`pinAttempted`). The secret and shares are wiped either way. Returns the split's record
 * (commitments only) for the caller to journal with whatever else its act records.
 */
async function issueSplit(
  station: Station,
  o: {
    moduleId: string;
    serial: string;
    currentPin: string;
    holders: readonly RosterEntry[];
    threshold: number;
    outDir: string;
    marking: ShareMarking;
    namePrefix: string;
    supersedes: string | null;
    quorumSessionId: string | null;
    purpose: string;
    /** Runs after the files are written, last before C_SetPIN (a re-issue records its pending split). */
    beforePinChange?: (record: EventBody<'shares.split-created'>) => void;
    /** The error of a failure once C_SetPIN was called: the files are kept, and it must say so. */
    pinAttempted?: (e: unknown, record: EventBody<'shares.split-created'>, files: string[]) => unknown;
  },
): Promise<{ record: EventBody<'shares.split-created'>; files: string[] }> {
  const { holders } = o;
  // Read before anything is made: a bad STATION_CHROMIUM refuses the split here, not after the shares.
  const chromium = station.config.chromium;
  const secret = new Uint8Array(randomBytes(32));
  const splitId = new Uint8Array(randomBytes(16));
  const raw = await split(secret, holders.length, o.threshold);
  const encoded = raw.map((share, i) =>
    encodeShare({ splitId, threshold: o.threshold, total: holders.length, position: i + 1, share }, sha256),
  );
  const record: EventBody<'shares.split-created'> = {
    splitId: toHex(splitId),
    moduleId: o.moduleId,
    tokenSerial: o.serial,
    threshold: o.threshold,
    total: holders.length,
    holders: holders.map((h, i) => ({ position: i + 1, custodianId: h.custodianId })),
    shareCommitments: raw.map((share, i) => shareCommitment(sha256, splitId, i + 1, share)),
    secretCommitment: secretCommitment(sha256, splitId, secret),
    quorumSessionId: o.quorumSessionId,
    ...(o.supersedes ? { supersedes: o.supersedes } : {}),
  };
  const written: string[] = [];
  let pinCalled = false;
  const name = (h: RosterEntry, i: number, ext: string) =>
    join(
      o.outDir,
      `${o.namePrefix}${h.custodianId}-share-${i + 1}-of-${holders.length}${o.marking ? `.${o.marking}` : ''}.${ext}`,
    );
  try {
    const info = station.stationRecord();
    // The share as text (for typing in or reading from media) beside its printable sheet.
    holders.forEach((h, i) => {
      const path = name(h, i, 'txt');
      const label = o.marking
        ? `${o.marking} share of split ${record.splitId} on scratch token ${o.serial}, never a production share:\n`
        : '';
      // A secret printed once: on disk before the PIN changes, readable by its owner only.
      writeExclusive(path, `${label}${shareToText(encoded[i] as Uint8Array)}\n`, {
        mode: 0o600,
        field: 'outDir',
      });
      written.push(path);
    });
    // All sheets or none (renderPdfs removes its own on failure); a name already taken is someone
    // else's file, so a sheet's path counts as written only once renderPdfs has written it.
    const sheets = holders.map((h, i) => ({
      path: name(h, i, 'pdf'),
      html: markedSheet(
        shareSheetHtml({
          station: info.name,
          stationId: info.stationId,
          splitId: record.splitId,
          tokenSerial: o.serial,
          threshold: o.threshold,
          total: holders.length,
          position: i + 1,
          holder: `${h.name} (${h.custodianId})`,
          shareText: shareToText(encoded[i] as Uint8Array),
          commitment: record.shareCommitments[i] as string,
          commitmentWords: digestWords(Buffer.from(record.shareCommitments[i] as string, 'hex')),
        }),
        o.marking,
      ),
    }));
    await renderPdfs(sheets, chromium);
    written.push(...sheets.map((s) => s.path));
    // The PIN changes last: if anything before fails, the token and the custodians are as they were.
    o.beforePinChange?.(record);
    const newPin = Buffer.from(secret).toString('hex');
    station.hsm.module(o.moduleId).withSession(o.serial, { write: true, purpose: o.purpose }, (s) => {
      pinCalled = true;
      s.setUserPin(o.currentPin, newPin);
    });
  } catch (e) {
    // Once C_SetPIN was called, whatever it answered, the token's PIN may be the new secret and these
    // files the only way into it: they are never removed then, and the error names them.
    if (pinCalled) throw (o.pinAttempted ?? pinAttemptedError)(e, record, [...written]);
    for (const f of written) rmSync(f, { force: true });
    throw e;
  } finally {
    secret.fill(0);
    for (const r of raw) r.fill(0);
    for (const e of encoded) e.fill(0);
  }
  return { record, files: written };
}

/**
 * A first split whose C_SetPIN failed: the files are kept and named (the token's PIN may be their secret
 * or still the current PIN; try the current PIN first, it burns one attempt at most).
 */
function pinAttemptedError(e: unknown, record: EventBody<'shares.split-created'>, files: string[]): unknown {
  if (!(e instanceof CodedError)) return e;
  return new CodedError(
    e.code,
    `${e.message}; C_SetPIN was called on token ${record.tokenSerial}, so its PIN may now be the secret of split ${record.splitId} (not recorded): the share files were kept, keep them: ${files.join(', ')}`,
    { ...e.data, splitId: record.splitId, files },
  );
}

/** A marked split's sheet says so above its title, in large type (a rehearsal's shares open nothing real). */
function markedSheet(html: string, marking: ShareMarking): string {
  if (!marking) return html;
  return html.replace(
    '<h1>',
    `<p style="border: 3px solid #000; padding: 3mm; font-size: 16pt; font-weight: bold">${marking} — made for a ceremony rehearsal on a scratch token; it activates no production token. Destroy it when the rehearsal ends.</p>\n  <h1>${marking} — `,
  );
}

/**
 * What a re-issue records once its new secret is the token's PIN: the old split's use (by whom, under
 * which session) and the new split, which supersedes it.
 */
function reissueEvents(
  old: StoredSplit,
  contributors: EventBody<'shares.activation-used'>['contributors'],
  quorumSessionId: string,
  record: EventBody<'shares.split-created'>,
  actor: string,
): NewEvent<EventKind>[] {
  return [
    {
      kind: 'shares.activation-used',
      actor,
      body: {
        splitId: old.splitId,
        contributors,
        operation: encodeOperation(sharesReissueOf(old)),
        quorumSessionId,
      },
    },
    { kind: 'shares.split-created', actor, body: record },
  ];
}

/**
 * Re-issues the activation shares of a share-activated token (docs/ceremonies.md, share re-issue): the
 * quorum session must be bound to `shares-reissue` for this token and its current split; the entered
 * shares are checked against that split's journaled commitments (a share of another split, of a void
 * split, a repeated position or a failed commitment is refused, naming the share), combined in memory,
 * checked against the secret's commitment, and the rebuilt secret must open the token — all before
 * anything changes, and nothing is journaled for a refusal. Then the quorum is claimed (QUORUM-CLAIM),
 * a new split is issued exactly as `splitActivationSecret` issues one (new share files and sheets on the
 * media before C_SetPIN old → new), and the new split — `supersedes` the old — is journaled with the
 * old split's use and the quorum's in one append. From then the old split is VOID (SPLIT_SUPERSEDED).
 * A failed issue releases the claim (or spends it when the token may have changed), as every act does.
 */
export async function reissueActivationShares(
  station: Station,
  opts: {
    serial: string;
    shares: readonly { text: string; enteredBy?: string }[];
    holders: readonly string[];
    threshold: number;
    outDir: string;
    quorumSessionId: string;
    marking?: ShareMarking;
    namePrefix?: string;
    actor: string;
  },
): Promise<{ splitId: string; supersedes: string; files: string[]; shareFiles: string[] }> {
  station.assertWritable();
  assertActor(opts.actor);
  // An unresolved re-issue first: the token's PIN may be either split's secret (no login is tried).
  assertNoPendingReissue(station, opts.serial);
  const old = currentSplit(station, opts.serial);
  const holders = shareHolders(station, opts);
  const operation = sharesReissueOf(old);
  requireQuorum(station, opts.quorumSessionId, operation);
  const rebuilt = await rebuildSecret(station, old, opts.shares, {
    actor: opts.actor,
    journalRefusal: false,
  });
  try {
    const oldPin = Buffer.from(rebuilt.secret).toString('hex');
    const module = station.hsm.module(old.moduleId);
    try {
      module.withSession(
        old.tokenSerial,
        {
          write: false,
          login: { user: 'user', pin: oldPin },
          purpose: 'share re-issue: the rebuilt secret opens the token',
        },
        () => undefined,
      );
    } catch (e) {
      if (!(e instanceof CodedError)) throw e;
      throw new CodedError(
        e.code,
        `the secret rebuilt from split ${old.splitId} does not open token ${old.tokenSerial} (${e.message}): nothing was changed`,
        { ...e.data, field: 'shares', splitId: old.splitId },
      );
    }
    const claimOpts = { quorumSessionId: opts.quorumSessionId, operation, actor: opts.actor };
    const { claimSeq } = claimQuorum(station, {
      sessionId: opts.quorumSessionId,
      operation,
      actor: opts.actor,
      // Another re-issue of this token may have recorded its pending split since the check above.
      recheck: () => assertNoPendingReissue(station, old.tokenSerial),
    });
    const contributors = contributorsOf(old, rebuilt.positions);
    let pending = false;
    const issued = await issueSplit(station, {
      moduleId: old.moduleId,
      serial: old.tokenSerial,
      currentPin: oldPin,
      holders,
      threshold: opts.threshold,
      outDir: opts.outDir,
      marking: opts.marking ?? null,
      namePrefix: opts.namePrefix ?? '',
      supersedes: old.splitId,
      quorumSessionId: opts.quorumSessionId,
      purpose: 'activation PIN re-issue',
      // The new split is journaled as pending before C_SetPIN: a failure or crash after it leaves a
      // record of which shares may open the token (SHARES_REISSUE_PENDING until `shares recover`).
      beforePinChange: (record) => {
        station.record(
          [
            {
              kind: 'shares.reissue-pending',
              actor: opts.actor,
              body: {
                ...record,
                quorumSessionId: opts.quorumSessionId,
                supersedes: old.splitId,
                contributors,
                claimSeq,
              },
            },
          ],
          () => {
            assertClaimHeld(station, opts.quorumSessionId, claimSeq);
            assertNoPendingReissue(station, old.tokenSerial);
          },
        );
        pending = true;
      },
      pinAttempted: (e, record, files) => reissueUnrecorded(old, record.splitId, files, e),
    }).catch((e: unknown) => {
      if (e instanceof CodedError && e.code === 'SHARES_REISSUE_UNRECORDED') throw e;
      // Before C_SetPIN: the token is unchanged. A recorded pending split is abandoned with the release.
      throw pending
        ? abandonedBeforePin(station, claimOpts, claimSeq, old, e)
        : failedClaim(station, claimOpts, claimSeq, e);
    });
    const events = reissueEvents(old, contributors, opts.quorumSessionId, issued.record, opts.actor);
    try {
      station.record([...events, quorumUsed(opts.quorumSessionId, operation, opts.actor)], () =>
        assertClaimHeld(station, opts.quorumSessionId, claimSeq),
      );
    } catch (e) {
      // The PIN changed but the split is not recorded: the pending record stands, the claim stays held
      // for `shares recover` to resolve, and the error names the files.
      throw reissueUnrecorded(old, issued.record.splitId, issued.files, e);
    }
    return {
      splitId: issued.record.splitId,
      supersedes: old.splitId,
      files: issued.files,
      shareFiles: issued.files.filter((f) => f.endsWith('.txt')),
    };
  } finally {
    rebuilt.secret.fill(0);
    for (const s of rebuilt.shares) s.fill(0);
  }
}

/**
 * A re-issue that reached C_SetPIN but whose new split is not recorded (C_SetPIN failed, or the append
 * after it): the new files are kept and named, the pending record and the claim stand, and the way out
 * is `station shares recover` (which of the two secrets the token holds is found by one login).
 */
function reissueUnrecorded(
  old: StoredSplit,
  splitId: string,
  files: readonly string[],
  e: unknown,
): CodedError {
  const cause = e instanceof CodedError ? e.code : 'INTERNAL';
  return new CodedError(
    'SHARES_REISSUE_UNRECORDED',
    `C_SetPIN was called on token ${old.tokenSerial} but the re-issue is not recorded (${cause}: ${(e as Error).message}): its PIN may now be the secret of the new split ${splitId}. Keep every new share file: ${files.join(', ')}. Then run \`station shares recover --token ${old.tokenSerial} --share-file F …\` with M shares of split ${splitId} (or of split ${old.splitId} if the PIN did not change); until then the token's shares are refused (SHARES_REISSUE_PENDING)`,
    { field: 'shares', serial: old.tokenSerial, splitId, supersedes: old.splitId, cause, files: [...files] },
  );
}

/**
 * A re-issue that failed after its pending split was recorded but before C_SetPIN: the pending split is
 * abandoned and the claim released in one append (the token is unchanged). If even that cannot be
 * recorded, the pending record stands and `shares recover` with the old shares resolves it.
 */
function abandonedBeforePin(
  station: Station,
  opts: ClaimOpts,
  claimSeq: number,
  old: StoredSplit,
  e: unknown,
): unknown {
  const code = e instanceof CodedError ? e.code : 'INTERNAL';
  const pending = pendingReissueOf(station, old.tokenSerial);
  let said: string;
  try {
    if (!pending) throw new Error('no pending re-issue');
    station.record(
      [
        {
          kind: 'shares.reissue-abandoned',
          actor: opts.actor,
          body: { splitId: pending.splitId, tokenSerial: old.tokenSerial, supersedes: old.splitId, code },
        },
        {
          kind: 'quorum.session-released',
          actor: opts.actor,
          body: { sessionId: opts.quorumSessionId, claimSeq, code },
        },
      ],
      () => assertClaimHeld(station, opts.quorumSessionId, claimSeq),
    );
    said = `the token is unchanged; quorum session ${opts.quorumSessionId} was released: it may be used again for this operation`;
  } catch {
    said = `the token is unchanged but the abandoned re-issue could not be recorded: run \`station shares recover --token ${old.tokenSerial}\` with the old shares`;
  }
  if (!(e instanceof CodedError)) return e;
  return new CodedError(e.code, `${e.message}; ${said}`, { ...e.data });
}

/**
 * Resolves a token's unresolved re-issue (`shares.reissue-pending`, SHARES_REISSUE_PENDING): M share
 * texts of EITHER the pending new split (checked against the pending record's commitments) or the old
 * split (against its journaled commitments) are combined in memory and checked against the secret's
 * commitment — a tampered, foreign or mixed set is refused before any login, nothing journaled — then
 * ONE login is tried. If the new secret opens the token, the re-issue is recorded as a normal one
 * (`shares.activation-used` of the old split, `shares.split-created` superseding it, and the claim closed
 * as used while it is still held); if the old secret opens it, the pending split is recorded abandoned
 * (`shares.reissue-abandoned`) and the claim released. One append either way; if the secret does not
 * open the token (SHARES_NOT_RECOVERED), nothing is recorded.
 */
export async function recoverReissue(
  station: Station,
  opts: { serial: string; shares: readonly { text: string; enteredBy?: string }[]; actor: string },
): Promise<{ outcome: 'recorded' | 'abandoned'; splitId: string; supersedes: string; currentSplit: string }> {
  station.assertWritable();
  assertActor(opts.actor);
  const pending = pendingReissueOf(station, opts.serial);
  if (!pending)
    throw stationError('INVALID_INPUT', `token ${opts.serial} has no unresolved share re-issue`, {
      field: 'token',
      serial: opts.serial,
    });
  const old = findSplit(station, pending.supersedes);
  const { contributors, claimSeq, ...created } = pending;
  const newRecord: EventBody<'shares.split-created'> = {
    splitId: created.splitId,
    moduleId: created.moduleId,
    tokenSerial: created.tokenSerial,
    threshold: created.threshold,
    total: created.total,
    holders: created.holders,
    shareCommitments: created.shareCommitments,
    secretCommitment: created.secretCommitment,
    quorumSessionId: created.quorumSessionId,
    supersedes: created.supersedes,
  };
  // Which split the shares claim is read from the first one; the commitments decide the rest.
  const first = opts.shares[0]?.text ?? '';
  let claimed = '';
  try {
    claimed = toHex(decodeShare(shareFromText(shareTextOf(first)), sha256).splitId);
  } catch {
    // An unreadable share is refused by the check below, named by its order.
  }
  const isNew = claimed === pending.splitId;
  const record: SplitRecord = isNew ? newRecord : old;
  const other = isNew ? old.splitId : pending.splitId;
  // A split whose secret already failed to open the token is not tried again: each try spends a PIN try.
  const failedBefore = station.journal
    .eventsOfKind('shares.recovery-failed')
    .find((e) => e.body.splitId === pending.splitId && e.body.tried === record.splitId);
  if (failedBefore)
    throw stationError(
      'SHARES_NOT_RECOVERED',
      `the secret of split ${record.splitId} already failed to open token ${old.tokenSerial} (journal seq ${failedBefore.seq}): no login was tried; bring ${isNew ? old.threshold : pending.threshold} shares of split ${other}`,
      { field: 'shares', splitId: record.splitId, other },
    );
  const rebuilt = await rebuildSecret(station, record, opts.shares, {
    actor: opts.actor,
    journalRefusal: false,
  });
  try {
    try {
      station.hsm.module(old.moduleId).withSession(
        old.tokenSerial,
        {
          write: false,
          login: { user: 'user', pin: Buffer.from(rebuilt.secret).toString('hex') },
          purpose: `share re-issue recovery: does the secret of split ${record.splitId} open the token`,
        },
        () => undefined,
      );
    } catch (e) {
      if (!(e instanceof CodedError) || e.code !== 'PIN_INCORRECT') throw e;
      station.record([
        {
          kind: 'shares.recovery-failed',
          actor: opts.actor,
          body: { splitId: pending.splitId, tokenSerial: old.tokenSerial, tried: record.splitId },
        },
      ]);
      throw stationError(
        'SHARES_NOT_RECOVERED',
        `the secret of split ${record.splitId} does not open token ${old.tokenSerial} (one login tried, PIN_INCORRECT; recorded, so it is not tried again): bring ${isNew ? old.threshold : pending.threshold} shares of split ${other}`,
        { field: 'shares', splitId: record.splitId, other },
      );
    }
    const held = claimHeld(station, pending.quorumSessionId, claimSeq);
    const operation = sharesReissueOf(old);
    const events: NewEvent<EventKind>[] = isNew
      ? [
          ...reissueEvents(old, contributors, pending.quorumSessionId, newRecord, opts.actor),
          ...(held ? [quorumUsed(pending.quorumSessionId, operation, opts.actor)] : []),
        ]
      : [
          {
            kind: 'shares.reissue-abandoned',
            actor: opts.actor,
            body: {
              splitId: pending.splitId,
              tokenSerial: old.tokenSerial,
              supersedes: old.splitId,
              code: 'SHARES_REISSUE_PENDING',
            },
          },
          ...(held
            ? [
                {
                  kind: 'quorum.session-released' as const,
                  actor: opts.actor,
                  body: { sessionId: pending.quorumSessionId, claimSeq, code: 'SHARES_REISSUE_PENDING' },
                },
              ]
            : []),
        ];
    // Under the write lock: still the same unresolved re-issue (a second recovery records nothing).
    station.record(events, () => {
      if (pendingReissueOf(station, opts.serial)?.splitId !== pending.splitId)
        throw stationError(
          'INVALID_INPUT',
          `the re-issue of split ${pending.splitId} was resolved meanwhile`,
          {
            field: 'token',
          },
        );
      if (held) assertClaimHeld(station, pending.quorumSessionId, claimSeq);
    });
    return {
      outcome: isNew ? 'recorded' : 'abandoned',
      splitId: pending.splitId,
      supersedes: old.splitId,
      currentSplit: isNew ? pending.splitId : old.splitId,
    };
  } finally {
    rebuilt.secret.fill(0);
    for (const s of rebuilt.shares) s.fill(0);
  }
}

function claimHeld(station: Station, sessionId: string, claimSeq: number): boolean {
  try {
    assertClaimHeld(station, sessionId, claimSeq);
    return true;
  } catch {
    return false;
  }
}

/** Its text, as `station quorum open --operation` takes it. */
export function reissueOperation(station: Station, opts: { serial: string }): string {
  return encodeOperation(sharesReissueOperation(station, opts.serial));
}

/**
 * SHARES-REISSUED (the ceremony postcondition `shares-verified`): every new share text checks against
 * the new split's journaled commitments, together they rebuild the committed secret, that secret opens
 * the token, and the split it replaced reads VOID. Nothing is journaled; the secret is wiped.
 */
export async function checkReissuedShares(
  station: Station,
  opts: { splitId: string; shareTexts: readonly string[] },
): Promise<{ ok: boolean; observed: string; evidence: Record<string, unknown> }> {
  const record = findSplit(station, opts.splitId);
  // Like every path that logs in with shares: never while a re-issue of the token is unresolved.
  assertNoPendingReissue(station, record.tokenSerial, 'splitId');
  const checks = opts.shareTexts.map((t, i) => checkShare(record, safeBytes(t), sha256, i + 1));
  const good = checks.flatMap((c) => (c.ok ? [c] : []));
  const positions = new Set(good.map((c) => c.position));
  const every =
    checks.length === record.total && good.length === checks.length && positions.size === record.total;
  let opens = false;
  let why = '';
  if (good.length >= record.threshold && positions.size === good.length) {
    const secret = await combine(good.map((c) => c.share));
    try {
      if (secretCommitment(sha256, Buffer.from(record.splitId, 'hex'), secret) !== record.secretCommitment)
        why = 'the new shares do not rebuild the committed secret';
      else
        try {
          station.hsm.module(record.moduleId).withSession(
            record.tokenSerial,
            {
              write: false,
              login: { user: 'user', pin: Buffer.from(secret).toString('hex') },
              purpose: 'share re-issue read-back: the new secret opens the token',
            },
            () => undefined,
          );
          opens = true;
        } catch (e) {
          why = `the new secret does not open token ${record.tokenSerial}: ${e instanceof CodedError ? e.code : 'error'}`;
        }
    } finally {
      secret.fill(0);
      for (const c of good) c.share.fill(0);
    }
  } else why = `only ${good.length} good share(s) of distinct positions; ${record.threshold} are needed`;
  const previous = splits(station).find((s) => s.supersededBy?.splitId === record.splitId) ?? null;
  const live = !record.supersededBy;
  const ok = every && opens && previous !== null && live;
  const evidence = {
    splitId: record.splitId,
    tokenSerial: record.tokenSerial,
    shares: checks.map((c, i) =>
      c.ok
        ? { entered: i + 1, position: c.position, ok: true }
        : { entered: i + 1, ok: false, code: c.problem.code },
    ),
    secretOpensToken: opens,
    supersedes: previous?.splitId ?? null,
    supersededAt: previous?.supersededBy?.at ?? null,
  };
  const failed = checks.flatMap((c) => (c.ok ? [] : [c.problem.message]));
  const observed = [
    `${good.length} of ${checks.length} new share(s) match split ${record.splitId}'s commitments (${record.total} issued)${failed.length ? `: ${failed.join('; ')}` : ''}`,
    opens ? `the new secret opens token ${record.tokenSerial}` : why,
    previous
      ? `split ${previous.splitId} is VOID (superseded ${previous.supersededBy?.at ?? '?'})`
      : `no split is superseded by ${record.splitId}`,
    ...(live ? [] : [`split ${record.splitId} is itself superseded`]),
  ].join('; ');
  return { ok, observed, evidence };
}

/**
 * Share health: a custodian checks their share against its commitment without reconstructing
 * anything. The result (not the share) is journaled per holder.
 */
export function verifyShare(
  station: Station,
  opts: { splitId: string; shareText: string; custodianId: string; actor: string },
): { ok: boolean; position: number; code: string | null; message: string } {
  // A void split's shares check nothing: refused, naming the split that replaced it.
  const record = findLiveSplit(station, opts.splitId);
  const r = checkShare(record, safeBytes(opts.shareText), sha256, 1, opts.custodianId);
  const position = r.ok ? r.position : sharePosition(opts.shareText);
  const problem = r.ok ? null : r.problem;
  const result = { ok: r.ok };
  station.record([
    {
      kind: 'shares.share-verified',
      actor: opts.actor,
      body: {
        splitId: opts.splitId,
        custodianId: opts.custodianId,
        position,
        ok: result.ok,
        code: problem?.code ?? null,
      },
    },
  ]);
  return {
    ok: result.ok,
    position,
    code: problem?.code ?? null,
    message: result.ok
      ? `share ${position} of ${opts.custodianId} matches its commitment`
      : (problem?.message ?? 'refused'),
  };
}

/**
 * The share in a share file's text: a line ending in ':' is a label, not share text (a rehearsal's
 * files begin with one saying REHEARSAL), as the CLI has always read share files.
 */
export function shareTextOf(fileText: string): string {
  return fileText.replace(/^[^\n]*:\n/gm, '');
}

/** Who contributed to a rebuilt secret: each position and its holder. */
function contributorsOf(record: SplitRecord, positions: readonly number[]) {
  return positions.map((position) => ({
    position,
    custodianId: record.holders.find((h) => h.position === position)?.custodianId ?? 'unknown',
  }));
}

/**
 * Checks the entered shares against the split's commitments and combines them in memory, checking the
 * secret against its commitment: before anything is tried on the token. A refusal names each bad share
 * (a share of a split a re-issue voided is SPLIT_SUPERSEDED, naming the split that replaced it and
 * when); `journalRefusal` records it as `shares.activation-refused`. The caller wipes what it returns.
 */
async function rebuildSecret(
  station: Station,
  record: SplitRecord,
  shares: readonly { text: string; enteredBy?: string }[],
  opts: { actor: string; journalRefusal: boolean },
): Promise<{ secret: Uint8Array; shares: Uint8Array[]; positions: number[] }> {
  const checked = checkShares(
    record,
    shares.map((s) => ({ bytes: safeBytes(s.text), ...(s.enteredBy ? { enteredBy: s.enteredBy } : {}) })),
    sha256,
  );
  if (!checked.ok) {
    const problems = checked.problems.map((p) =>
      voidShareProblem(station, p, shares[p.entered - 1]?.text ?? ''),
    );
    const code = problems[0]?.code ?? 'SHARES_TOO_FEW';
    if (opts.journalRefusal)
      station.record([
        {
          kind: 'shares.activation-refused',
          actor: opts.actor,
          body: {
            splitId: record.splitId,
            code,
            problems: problems.map((p) => ({ entered: p.entered, holder: p.holder, code: p.code })),
          },
        },
      ]);
    const named = problems.map((p) => p.message);
    if (checked.tooFew)
      named.push(`only ${shares.length - problems.length} good share(s); ${record.threshold} are needed`);
    const superseded = problems.some((p) => p.code === 'SPLIT_SUPERSEDED');
    throw new CodedError(
      superseded ? 'SPLIT_SUPERSEDED' : 'SHARES_REFUSED',
      `shares refused before any login: ${named.join('; ')}`,
      { field: 'shares', splitId: record.splitId, code },
    );
  }
  const secret = await combine(checked.shares);
  if (secretCommitment(sha256, Buffer.from(record.splitId, 'hex'), secret) !== record.secretCommitment) {
    secret.fill(0);
    for (const s of checked.shares) s.fill(0);
    throw new CodedError(
      'SHARES_REFUSED',
      'the shares do not rebuild the committed secret: nothing was tried on the token',
      { field: 'shares', splitId: record.splitId },
    );
  }
  return { secret, shares: checked.shares, positions: checked.positions };
}

/** A share of another split that a re-issue voided is named as such: which split replaced it, and when. */
function voidShareProblem(
  station: Station,
  p: ShareProblem,
  text: string,
): Omit<ShareProblem, 'code'> & { code: ShareProblem['code'] | 'SPLIT_SUPERSEDED' } {
  if (p.code !== 'SHARE_OTHER_SPLIT') return p;
  let splitId: string;
  try {
    splitId = toHex(decodeShare(shareFromText(shareTextOf(text)), sha256).splitId);
  } catch {
    return p;
  }
  const theirs = splits(station).find((x) => x.splitId === splitId);
  if (!theirs?.supersededBy) return p;
  return {
    ...p,
    code: 'SPLIT_SUPERSEDED',
    message: `share ${p.entered} belongs to split ${splitId}, VOID since it was superseded by split ${theirs.supersededBy.splitId} on ${theirs.supersededBy.at}`,
  };
}

/** The position a share claims (0 when it cannot be read). */
function sharePosition(text: string): number {
  try {
    return decodeShare(shareFromText(shareTextOf(text)), sha256).position;
  } catch {
    return 0;
  }
}

function safeBytes(text: string): Uint8Array {
  try {
    return shareFromText(shareTextOf(text));
  } catch {
    return new Uint8Array(0);
  }
}

/**
 * Codes of a failed act that may have changed the token: a key made that is neither recorded nor
 * destroyed, or a fault nobody classified (INTERNAL: an uncoded error, which could come after the
 * token acted). Its quorum is spent, not released, so it cannot authorise a second try of the act.
 */
const OUTCOME_UNKNOWN_CODES: ReadonlySet<string> = new Set(['KEY_UNRECORDED', 'INTERNAL']);

/**
 * Activates a share-held token for exactly one operation: the quorum session must be bound to it and
 * reached; the entered shares are checked against their commitments (a bad, foreign, repeated or
 * missing share is refused and named), and the secret is combined in memory and checked against its
 * commitment — all before any login. Then the session is claimed (QUORUM-CLAIM: one journaled append
 * that rechecks the quorum under the write lock, so a second caller with the same session, in this
 * process or another, is refused before any login), the secret is used as the PIN for one session
 * running `act`, and wiped. The act's events, who contributed, and the quorum's use are journaled
 * together, only on success and only while the claim still holds. A failed act releases the claim
 * (the same quorum may retry), unless it may have changed the token: then the quorum is spent and
 * the error says so.
 */
export async function withActivatedToken<T>(
  station: Station,
  opts: {
    splitId: string;
    shares: readonly { text: string; enteredBy?: string }[];
    quorumSessionId: string;
    operation: QuorumOperation;
    actor: string;
  },
  act: (session: Session) => Promise<Acted<T>>,
): Promise<T> {
  station.assertWritable();
  assertActor(opts.actor);
  const record = findLiveSplit(station, opts.splitId);
  assertNoPendingReissue(station, record.tokenSerial, 'splitId');
  requireQuorum(station, opts.quorumSessionId, opts.operation);
  const checked = await rebuildSecret(station, record, opts.shares, {
    actor: opts.actor,
    journalRefusal: true,
  });
  const { secret } = checked;
  try {
    const module = station.hsm.module(record.moduleId);
    // Last check before the token: everything above may have been passed by another caller too.
    const { claimSeq } = claimQuorum(station, {
      sessionId: opts.quorumSessionId,
      operation: opts.operation,
      actor: opts.actor,
      // A re-issue of this token may have recorded its pending split since the check above.
      recheck: () => assertNoPendingReissue(station, record.tokenSerial, 'splitId'),
    });
    let finished: Acted<T> | undefined;
    const done = await module
      .withSessionAsync(
        record.tokenSerial,
        {
          write: true,
          login: { user: 'user', pin: Buffer.from(secret).toString('hex') },
          purpose: `M-of-N ceremony operation ${opts.operation.kind}`,
        },
        async (session) => (finished = await act(session)),
      )
      .catch((e: unknown) => {
        // An act that finished is done: a fault while closing its session afterwards cannot undo it.
        if (finished) return finished;
        throw failedClaim(station, opts, claimSeq, e);
      });
    const contributors = contributorsOf(record, checked.positions);
    try {
      station.record(
        [
          ...done.events,
          {
            kind: 'shares.activation-used',
            actor: opts.actor,
            body: {
              splitId: opts.splitId,
              contributors,
              operation: encodeOperation(opts.operation),
              quorumSessionId: opts.quorumSessionId,
            },
          },
          quorumUsed(opts.quorumSessionId, opts.operation, opts.actor),
        ],
        () => assertClaimHeld(station, opts.quorumSessionId, claimSeq),
      );
    } catch (e) {
      throw unrecordedAct(station, opts, claimSeq, done.events, e);
    }
    return done.result;
  } finally {
    secret.fill(0);
    for (const s of checked.shares) s.fill(0);
  }
}

type Acted<T> = { result: T; events: NewEvent<EventKind>[] };
type ClaimOpts = { quorumSessionId: string; operation: QuorumOperation; actor: string };

/**
 * Resolves the claim of an act that failed, and returns the act's error saying what became of the
 * quorum: released (nothing changed; the same session may retry), spent (the token may have changed),
 * or still claimed when even that could not be recorded (it expires like any session).
 */
function failedClaim(station: Station, opts: ClaimOpts, claimSeq: number, e: unknown): unknown {
  const code = e instanceof CodedError ? e.code : 'INTERNAL';
  let outcome: 'released' | 'spent' | 'claimed' = OUTCOME_UNKNOWN_CODES.has(code) ? 'spent' : 'released';
  try {
    resolveFailedClaim(station, {
      sessionId: opts.quorumSessionId,
      claimSeq,
      outcome,
      code,
      actor: opts.actor,
    });
  } catch {
    outcome = 'claimed';
  }
  if (!(e instanceof CodedError)) return e;
  const said = {
    released: 'was released: it may be used again for this operation',
    spent: 'is closed: the act may have changed the token, so it cannot authorise another try',
    claimed: 'stays claimed (its release could not be recorded) until it expires',
  }[outcome];
  return new CodedError(e.code, `${e.message}; quorum session ${opts.quorumSessionId} ${said}`, {
    ...e.data,
    quorumSession: outcome,
  });
}

/**
 * The act ran on the token but its result could not be journaled (the store failed, or the claim no
 * longer holds): the quorum is spent if that can still be recorded, and the error names what was done.
 */
function unrecordedAct(
  station: Station,
  opts: ClaimOpts,
  claimSeq: number,
  events: readonly NewEvent<EventKind>[],
  e: unknown,
): CodedError {
  const cause = e instanceof CodedError ? e.code : 'INTERNAL';
  try {
    resolveFailedClaim(station, {
      sessionId: opts.quorumSessionId,
      claimSeq,
      outcome: 'spent',
      code: cause,
      actor: opts.actor,
    });
  } catch {
    // Then the claim stays until the session expires: still never usable for a second act.
  }
  return new CodedError(
    'QUORUM_ACT_UNRECORDED',
    `${encodeOperation(opts.operation)} ran on the token but could not be journaled (${cause}: ${(e as Error).message}); unrecorded: ${events.map((x) => x.kind).join(', ')}; quorum session ${opts.quorumSessionId} stays closed`,
    { sessionId: opts.quorumSessionId, operation: encodeOperation(opts.operation), cause },
  );
}
