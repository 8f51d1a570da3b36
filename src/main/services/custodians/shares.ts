import { createHash, randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
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
} from '../../../core/custody/shares';
import { rosterStatus } from '../../../core/custody/roster';
import { CodedError } from '../../../core/errors';
import { journalTime, type EventKind, type NewEvent, assertActor } from '../../../core/journal/events';
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
import { findSplit, isShareActivated } from './splits';
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
  // Read before anything is made: a bad STATION_CHROMIUM refuses the split here, not after the shares.
  const chromium = station.config.chromium;

  const secret = new Uint8Array(randomBytes(32));
  const splitId = new Uint8Array(randomBytes(16));
  const raw = await split(secret, holders.length, opts.threshold);
  const encoded = raw.map((share, i) =>
    encodeShare(
      { splitId, threshold: opts.threshold, total: holders.length, position: i + 1, share },
      sha256,
    ),
  );
  const record = {
    splitId: toHex(splitId),
    moduleId: opts.moduleId,
    tokenSerial: opts.serial,
    threshold: opts.threshold,
    total: holders.length,
    holders: holders.map((h, i) => ({ position: i + 1, custodianId: h.custodianId })),
    shareCommitments: raw.map((share, i) => shareCommitment(sha256, splitId, i + 1, share)),
    secretCommitment: secretCommitment(sha256, splitId, secret),
    quorumSessionId: null,
  };
  const written: string[] = [];
  try {
    const info = station.stationRecord();
    // The share as text (for typing in or reading from media) beside its printable sheet.
    holders.forEach((h, i) => {
      const path = join(opts.outDir, `${h.custodianId}-share-${i + 1}-of-${holders.length}.txt`);
      // A secret printed once: on disk before the PIN changes, readable by its owner only.
      writeExclusive(path, `${shareToText(encoded[i] as Uint8Array)}\n`, { mode: 0o600, field: 'outDir' });
      written.push(path);
    });
    // All sheets or none (renderPdfs removes its own on failure); a name already taken is someone
    // else's file, so a sheet's path counts as written only once renderPdfs has written it.
    const sheets = holders.map((h, i) => {
      const path = join(opts.outDir, `${h.custodianId}-share-${i + 1}-of-${holders.length}.pdf`);
      return {
        path,
        html: shareSheetHtml({
          station: info.name,
          stationId: info.stationId,
          splitId: record.splitId,
          tokenSerial: opts.serial,
          threshold: opts.threshold,
          total: holders.length,
          position: i + 1,
          holder: `${h.name} (${h.custodianId})`,
          shareText: shareToText(encoded[i] as Uint8Array),
          commitment: record.shareCommitments[i] as string,
          commitmentWords: digestWords(Buffer.from(record.shareCommitments[i] as string, 'hex')),
        }),
      };
    });
    await renderPdfs(sheets, chromium);
    written.push(...sheets.map((s) => s.path));
    // The PIN changes last: if anything before fails, the token and the custodians are as they were.
    // A confirmed split is checked against its preview's journal head here, before the token changes:
    // never after it, when a refused record would leave a PIN nobody recorded.
    station.confirmPinnedHead();
    const newPin = Buffer.from(secret).toString('hex');
    station.hsm
      .module(opts.moduleId)
      .withSession(opts.serial, { write: true, purpose: 'activation PIN split' }, (s) =>
        s.setUserPin(opts.currentPin, newPin),
      );
  } catch (e) {
    for (const f of written) rmSync(f, { force: true });
    throw e;
  } finally {
    secret.fill(0);
    for (const r of raw) r.fill(0);
    for (const e of encoded) e.fill(0);
  }
  station.record([{ kind: 'shares.split-created', actor: opts.actor, body: record }]);
  return { splitId: record.splitId, files: written };
}

/**
 * Share health: a custodian checks their share against its commitment without reconstructing
 * anything. The result (not the share) is journaled per holder.
 */
export function verifyShare(
  station: Station,
  opts: { splitId: string; shareText: string; custodianId: string; actor: string },
): { ok: boolean; position: number; code: string | null; message: string } {
  const record = findSplit(station, opts.splitId);
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

/** The position a share claims (0 when it cannot be read). */
function sharePosition(text: string): number {
  try {
    return decodeShare(shareFromText(text), sha256).position;
  } catch {
    return 0;
  }
}

function safeBytes(text: string): Uint8Array {
  try {
    return shareFromText(text);
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
  const record = findSplit(station, opts.splitId);
  requireQuorum(station, opts.quorumSessionId, opts.operation);
  const checked = checkShares(
    record,
    opts.shares.map((s) => ({
      bytes: safeBytes(s.text),
      ...(s.enteredBy ? { enteredBy: s.enteredBy } : {}),
    })),
    sha256,
  );
  if (!checked.ok) {
    const code = checked.problems[0]?.code ?? 'SHARES_TOO_FEW';
    station.record([
      {
        kind: 'shares.activation-refused',
        actor: opts.actor,
        body: {
          splitId: opts.splitId,
          code,
          problems: checked.problems.map((p) => ({ entered: p.entered, holder: p.holder, code: p.code })),
        },
      },
    ]);
    const named = checked.problems.map((p) => p.message);
    if (checked.tooFew)
      named.push(
        `only ${opts.shares.length - checked.problems.length} good share(s); ${record.threshold} are needed`,
      );
    throw new CodedError('SHARES_REFUSED', `shares refused before any login: ${named.join('; ')}`, {
      splitId: opts.splitId,
      code,
    });
  }
  const secret = await combine(checked.shares);
  try {
    if (secretCommitment(sha256, Buffer.from(opts.splitId, 'hex'), secret) !== record.secretCommitment) {
      throw new CodedError(
        'SHARES_REFUSED',
        'the shares do not rebuild the committed secret: nothing was tried on the token',
        { splitId: opts.splitId },
      );
    }
    const module = station.hsm.module(record.moduleId);
    // Last check before the token: everything above may have been passed by another caller too.
    const { claimSeq } = claimQuorum(station, {
      sessionId: opts.quorumSessionId,
      operation: opts.operation,
      actor: opts.actor,
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
    const contributors = checked.positions.map((position) => ({
      position,
      custodianId: record.holders.find((h) => h.position === position)?.custodianId ?? 'unknown',
    }));
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
