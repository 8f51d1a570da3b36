import { createHash, randomBytes } from 'node:crypto';
import { bytesEqual } from '../../../core/bytes';
import { signatureAlgorithm, type HashName } from '../../../core/crypto/algorithms';
import {
  CHECKPOINT_EVENT_KIND,
  checkpointStatement,
  MARK_APPLICATION,
  markBytes,
  parseMark,
  sameCheckpoint,
  type Checkpoint,
  type CheckpointSignatureCheck,
  type StoredCheckpoint,
} from '../../../core/journal/checkpoint';
import { SegmentVerifier } from '../../../core/journal/verify';
import type { Anchoring, CheckpointInfo } from '../../../shared/contract';
import type { ErrorCode } from '../../../shared/errors';
import { CodedError } from '../../../core/errors';
import { assertActor, journalTime } from '../../../core/journal/events';
import { stationError } from '../../errors';
import { selfSignedCertificate } from './certificates';
import type { DataObject, Session } from '../../adapters/hsm/module';
import { checkpointInfo } from '../journal/queries';
import { identityTokenCommitment, recordIdentityToken } from '../../adapters/store/repos/identity';
import type { Station } from '../../station/station';
import { withOnlineAllowance } from '../../station/hsm-registry';
import {
  CHECKPOINT_ALG,
  IDENTITY_ALGORITHM,
  IDENTITY_KEY_ALGORITHM,
  IDENTITY_KEY_LABEL,
  type StationIdentity,
  checkpointVerifier,
  confirmIdentityOnToken,
  journalIdentity,
  journalStationId,
  stationIdentity,
} from './queries';
const IDENTITY_VALIDITY_DAYS = 5 * 365;
const sha = (alg: HashName, d: Buffer) => createHash(alg).update(d).digest();
/** The identity key's token signature (ECDSA over a SHA-256 made here, raw r||s). */
const IDENTITY_TOKEN_ALG = signatureAlgorithm(IDENTITY_ALGORITHM).token;

/**
 * Creates the station identity: an EC P-256 key generated on the station token (policy-checked by the
 * adapter), and a self-signed certificate made with it. Records `station.identity-created`, then, in
 * the same login, signs the first checkpoint over it and writes the token's journal marks.
 */
export async function createStationIdentity(
  station: Station,
  opts: { moduleId: string; tokenSerial: string; pin: string; actor: string },
): Promise<StationIdentity & { anchoring: Anchoring }> {
  // On an online station, the token named here is the one it may touch before it has an identity.
  return withOnlineAllowance({ moduleId: opts.moduleId, serial: opts.tokenSerial }, 'identity creation', () =>
    createIdentity(station, opts),
  );
}

async function createIdentity(
  station: Station,
  opts: { moduleId: string; tokenSerial: string; pin: string; actor: string },
): Promise<StationIdentity & { anchoring: Anchoring }> {
  station.assertWritable();
  assertActor(opts.actor);
  if (stationIdentity(station))
    throw stationError('IDENTITY_EXISTS', 'this station already has an identity key', {});
  const module = station.hsm.module(opts.moduleId);
  const record = station.stationRecord();
  const token = module.tokens().find((t) => t.serial === opts.tokenSerial);
  const now = station.deps.clock();
  return module.withSessionAsync(
    opts.tokenSerial,
    { write: true, login: { user: 'user', pin: opts.pin } },
    async (session) => {
      const key = await session.generateKeyPair({
        label: IDENTITY_KEY_LABEL,
        algorithm: IDENTITY_KEY_ALGORITHM,
      });
      if (!key.spki)
        throw stationError('DEVICE_ERROR', 'the token did not return the identity public key', {});
      const spki = key.spki;
      const certificatePem = await selfSignedCertificate({
        spki,
        algorithm: IDENTITY_ALGORITHM,
        subject: [
          { type: 'O', value: 'Ceremony Station' },
          { type: 'CN', value: record.name },
          { type: 'serialNumber', value: record.stationId },
        ],
        notBefore: now,
        notAfter: new Date(now.getTime() + IDENTITY_VALIDITY_DAYS * 86_400_000),
        sign: async (tbs) => session.sign(key.id, IDENTITY_TOKEN_ALG, Buffer.from(tbs), sha),
      });
      const identity: StationIdentity = {
        moduleId: opts.moduleId,
        tokenSerial: opts.tokenSerial,
        tokenLabel: token?.label ?? '',
        keyLabel: IDENTITY_KEY_LABEL,
        keyId: key.id,
        spki,
        fingerprint: createHash('sha256').update(spki).digest('hex'),
        certificatePem,
      };
      // The token's serial and label go to the station's own file, in the append's transaction (all or
      // nothing), never into the journal: every content bundle carries the journal (issue #16).
      const salt = randomBytes(32).toString('hex');
      station.record(
        [
          {
            kind: 'station.identity-created',
            actor: opts.actor,
            body: {
              moduleId: identity.moduleId,
              keyLabel: identity.keyLabel,
              keyId: identity.keyId,
              algorithm: IDENTITY_KEY_ALGORITHM,
              spki: identity.spki.toString('base64'),
              fingerprint: identity.fingerprint,
              certificatePem: identity.certificatePem,
              tokenCommitment: identityTokenCommitment(identity, salt),
            },
          },
        ],
        () => recordIdentityToken(station.store.db, identity, salt, identity.fingerprint),
      );
      // Same login: the identity's first checkpoint, and the token's first journal marks. The identity
      // exists and is recorded whatever happens now: a failure here is a warning, not an error.
      const anchoring = anchorAfterAct(station, { identity }, session) ?? { checkpoint: null, warnings: [] };
      return { ...identity, anchoring };
    },
  );
}

/**
 * Signs a checkpoint over the journal head with the identity key: one login with the operator's PIN,
 * one signature, logout. The PIN is used for this call only and never stored or logged. A head that
 * already is the latest checkpoint's own event is not signed again (the marks are brought up to date).
 */
export async function signCheckpoint(
  station: Station,
  { pin, expectedSize }: { pin: string; expectedSize?: number | undefined },
): Promise<CheckpointInfo & { warnings: ActWarning[] }> {
  if (expectedSize !== undefined && station.journal.head().seq !== expectedSize) {
    throw stationError(
      'JOURNAL_CONFLICT',
      `the journal has moved on since seq ${expectedSize} was shown: review the new entries and sign again`,
      {
        field: 'expectedSize',
      },
    );
  }
  const id = requireIdentity(station);
  const module = station.hsm.module(id.moduleId);
  // Read/write: the same session writes the token's journal marks after the checkpoint.
  return module.withSessionAsync(
    id.tokenSerial,
    { write: true, login: { user: 'user', pin } },
    async (session) => {
      const anchored = anchorInSession(station, id, session);
      return { ...checkpointInfo(anchored.checkpoint), warnings: anchored.warnings };
    },
  );
}

/** The journal's identity, confirmed on the station token (public objects, no login), or refused. */
function requireIdentity(station: Station): StationIdentity {
  const id = journalIdentity(station).identity;
  if (!id)
    throw stationError('IDENTITY_MISSING', 'this station has no identity key to sign checkpoints with', {});
  const confirmed = confirmIdentityOnToken(station, id);
  if (confirmed.status === 'MISMATCH')
    throw stationError('IDENTITY_MISMATCH', confirmed.reason, { serial: id.tokenSerial });
  return id;
}

/** The identity key's signing function inside an open, logged-in session on the station token. */
export function identitySigner(id: StationIdentity, session: Session): (data: Uint8Array) => Buffer {
  const key = session.privateKey(id.keyId);
  return (data) => session.signWith(key, IDENTITY_TOKEN_ALG, Buffer.from(data), sha);
}

/** A warning on an act that succeeded and is recorded: something after it did not complete. */
export interface ActWarning {
  readonly code: ErrorCode;
  readonly message: string;
}

/**
 * Anchors the journal in an already open, logged-in read/write session on the station token (see
 * anchorInSession); refused with a coded error when the token's marks forbid it. For callers that
 * anchor before they act (bundle export: the bundle rests on the checkpoint).
 */
export async function anchorWithSession(
  station: Station,
  id: StationIdentity,
  session: Session,
): Promise<CheckpointInfo> {
  return checkpointInfo(anchorInSession(station, id, session).checkpoint);
}

/**
 * An act about to log in to a token. When the token is the station token, the marks are checked first
 * in the act's own session (JNL-MARK, JNL-ROLLBACK: refused before anything happens), and the act's
 * record is anchored after it in the same login (anchorAfterAct). Any other token: null.
 *
 * The station token is reached only through the module its identity was created with (MODULE_PINNED):
 * another registered module naming the same serial would see the station token's PIN.
 */
export interface StationTokenAct {
  readonly identity: StationIdentity;
}

export function stationTokenAct(station: Station, moduleId: string, serial: string): StationTokenAct | null {
  const id = journalIdentity(station).identity;
  if (!id || id.tokenSerial !== serial) return null;
  if (id.moduleId !== moduleId)
    throw stationError(
      'MODULE_PINNED',
      `token ${serial} is the station token: it is used only through module ${id.moduleId}, not ${moduleId}`,
      { field: 'module', moduleId },
    );
  return { identity: id };
}

/** Before the act, in its logged-in session: the station token's marks allow it (else refused). */
export function checkBeforeAct(station: Station, act: StationTokenAct | null, session: Session): void {
  if (act) readCheckedMarks(station, anchorContext(station, act.identity), session);
}

/**
 * After an act that succeeded and is recorded, in the same logged-in read/write session: anchors the
 * journal. Never throws — the act happened; an error here would invite a retry that repeats it — so a
 * failure is a coded warning (JOURNAL_NOT_ANCHORED) and the record waits in the unsigned tail, which
 * the banner counts. Null for a token that is not the station token.
 */
export function anchorAfterAct(
  station: Station,
  act: StationTokenAct | null,
  session: Session,
): Anchoring | null {
  if (!act) return null;
  try {
    const anchored = anchorInSession(station, act.identity, session);
    return { checkpoint: anchored.checkpoint.n, warnings: anchored.warnings };
  } catch (e) {
    const why = e instanceof CodedError ? `${e.code}: ${e.message}` : (e as Error).message;
    return {
      checkpoint: null,
      warnings: [
        {
          code: 'JOURNAL_NOT_ANCHORED',
          message: `the act succeeded and is recorded, but its record could not be anchored (${why}); it stays in the unsigned tail`,
        },
      ],
    };
  }
}

/** Attempts at signing over a head another writer keeps moving (JOURNAL_CONFLICT) before giving up. */
const ANCHOR_ATTEMPTS = 3;

/**
 * Anchors the journal in an open, logged-in read/write session on the station token: checks the
 * token's marks (readCheckedMarks), signs a checkpoint over the head and appends it as its chained
 * event (verify-after-sign: a bad signature stored would leave the append-only journal TAMPERED
 * forever), then advances the marks to it. A head that already is the latest checkpoint's own event —
 * read from the verified event, never the table — is not signed again; only the marks are brought up to
 * date (what a crash between the two steps left behind). A head moved by another writer meanwhile is
 * signed again, a few times. Synchronous: every step is a token call or a database write.
 */
export function anchorInSession(
  station: Station,
  id: StationIdentity,
  session: Session,
  opts: { reset?: boolean } = {},
): { checkpoint: StoredCheckpoint; warnings: ActWarning[] } {
  station.assertWritable();
  const ctx = anchorContext(station, id);
  const marks = readCheckedMarks(station, ctx, session, { allowMissing: opts.reset === true });
  for (let attempt = 1; ; attempt++) {
    const latest = latestVerifiedCheckpoint(station, ctx);
    const head = station.journal.head();
    let cp: StoredCheckpoint;
    if (latest?.eventSeq === head.seq) {
      cp = latest;
    } else {
      try {
        cp = signOver(station, ctx, session, (latest?.n ?? 0) + 1, head);
      } catch (e) {
        if (e instanceof CodedError && e.code === 'JOURNAL_CONFLICT' && attempt < ANCHOR_ATTEMPTS) continue;
        throw e;
      }
    }
    advanceTokenMarks(session, ctx.stationId, cp, marks);
    return { checkpoint: cp, warnings: strayWarnings(id.tokenSerial, marks.stray) };
  }
}

interface AnchorContext {
  readonly id: StationIdentity;
  readonly stationId: string;
  readonly verifies: CheckpointSignatureCheck;
}

function anchorContext(station: Station, id: StationIdentity): AnchorContext {
  return { id, stationId: journalStationId(station), verifies: checkpointVerifier(id) };
}

/** Signs checkpoint n over this head and appends its event; refused (JOURNAL_CONFLICT) if the head moved. */
function signOver(
  station: Station,
  ctx: AnchorContext,
  session: Session,
  n: number,
  head: { seq: number; hash: Uint8Array },
): StoredCheckpoint {
  const unsigned = {
    n,
    size: head.seq,
    headHash: head.hash,
    at: journalTime(station.deps.clock()),
    keyId: ctx.id.fingerprint,
    alg: CHECKPOINT_ALG,
  };
  const statement = checkpointStatement(ctx.stationId, unsigned);
  const cp: Checkpoint = { ...unsigned, signature: identitySigner(ctx.id, session)(statement) };
  if (!ctx.verifies(cp, statement)) {
    throw stationError(
      'IDENTITY_MISMATCH',
      'the token signed a checkpoint that does not verify with the recorded identity key',
      { serial: ctx.id.tokenSerial },
    );
  }
  const { lastSeq } = station.journal.addCheckpoint(cp);
  return { ...cp, eventSeq: lastSeq };
}

/**
 * The latest checkpoint as the chain records it (review 2, item 9): the newest `journal.checkpoint`
 * event, its row and the head under it verified (SegmentVerifier) and its signature checked with the
 * identity key — not the checkpoint table, which anyone with write access could change to make the
 * station sign a checkpoint out of order or put an unsigned one on the token. The table must agree
 * with it (else JOURNAL_TAMPERED: `journal verify` says where). Before the first chained checkpoint:
 * the latest legacy table row, its signature checked; null when there is none.
 */
function latestVerifiedCheckpoint(station: Station, ctx: AnchorContext): StoredCheckpoint | null {
  const table = station.journal.latestCheckpoint();
  const seq = station.journal.latestSeqOfKind(CHECKPOINT_EVENT_KIND);
  const tampered = (why: string) =>
    stationError(
      'JOURNAL_TAMPERED',
      `${why}: no checkpoint was signed; run \`station journal verify\` to see where`,
      {},
    );
  if (seq === null) {
    if (table === null) return null;
    if (table.eventSeq !== null || !ctx.verifies(table, checkpointStatement(ctx.stationId, table)))
      throw tampered(`the checkpoint table names checkpoint ${table.n}, which the journal does not record`);
    return table;
  }
  const event = verifiedCheckpointEvent(station, seq);
  if (!event || !ctx.verifies(event, checkpointStatement(ctx.stationId, event)))
    throw tampered(`the latest checkpoint event (seq ${seq}) does not verify`);
  if (!table || table.eventSeq !== seq || !sameCheckpoint(table, event))
    throw tampered(`the checkpoint table does not end with checkpoint ${event.n}, recorded at seq ${seq}`);
  return { ...event, eventSeq: seq };
}

/**
 * The checkpoint recorded by the `journal.checkpoint` event at `seq`, when that row and the head under
 * it verify as a chain segment (sequence, hashes, link, the event's canonical form right after its
 * head); else null. The signature is the caller's to check.
 */
function verifiedCheckpointEvent(station: Station, seq: number): Checkpoint | null {
  const from = Math.max(1, seq - 1);
  const rows = station.journal.page(from, seq - from + 1);
  const segment = new SegmentVerifier(station.deps.sha256, from, seq);
  for (const row of rows) if (!segment.push(row)) return null;
  const result = segment.finish();
  const event = result.events.find(([at]) => at === seq)?.[1];
  if (result.failure || !event) return null;
  const under = rows[0];
  if (seq > 1 && under && !bytesEqual(under.hash, event.headHash)) return null;
  return event;
}

/** Whether the journal records this (signature-checked) checkpoint as its chained event, intact. */
function journalHolds(station: Station, cp: Checkpoint): boolean {
  const event = verifiedCheckpointEvent(station, cp.size + 1);
  return event !== null && sameCheckpoint({ ...event, signature: cp.signature }, cp);
}

interface HeldMark {
  readonly object: DataObject;
  readonly checkpoint: Checkpoint;
}

/** The station token's mark objects in a logged-in session, judged. */
interface TokenMarks {
  /** Valid PIN-protected marks (CKA_PRIVATE): the authoritative high-water mark. */
  readonly private: readonly HeldMark[];
  /** Valid public copies (what verify reads without a PIN). */
  readonly public: readonly HeldMark[];
  /** Public objects where the mark lives that are not valid marks of this station: left as evidence. */
  readonly stray: readonly DataObject[];
  /** PIN-protected objects there that are not valid marks (only a PIN holder could make them). */
  readonly strayPrivate: readonly DataObject[];
}

function judgeMarkObjects(ctx: AnchorContext, objects: readonly DataObject[]) {
  const valid: HeldMark[] = [];
  const stray: DataObject[] = [];
  for (const o of objects) {
    const m = parseMark(o.value);
    if (
      m &&
      m.stationId === ctx.stationId &&
      ctx.verifies(m.checkpoint, checkpointStatement(ctx.stationId, m.checkpoint))
    )
      valid.push({ object: o, checkpoint: m.checkpoint });
    else stray.push(o);
  }
  return { valid, stray };
}

/** Every mark object for this station on the token, private and public, judged (needs the login). */
function readTokenMarks(ctx: AnchorContext, session: Session): TokenMarks {
  const priv = judgeMarkObjects(ctx, session.dataObjects(MARK_APPLICATION, ctx.stationId, 'private'));
  const pub = judgeMarkObjects(ctx, session.dataObjects(MARK_APPLICATION, ctx.stationId, 'public'));
  return { private: priv.valid, public: pub.valid, stray: pub.stray, strayPrivate: priv.stray };
}

/**
 * JNL-MARK and JNL-ROLLBACK before anything is signed on the station token (review 2, items 1 and 3).
 * The authoritative high-water mark is the PIN-protected one: nobody without the PIN can remove or
 * replace it. Refused:
 *   - JOURNAL_MARK_INVALID: a PIN-protected object there that is not a valid mark of this station;
 *   - JOURNAL_ROLLED_BACK: any valid mark, private or public, naming a checkpoint this journal does not
 *     hold as its verified chained event — signing on top would bless the rollback;
 *   - JOURNAL_MARK_MISSING: the journal holds chained checkpoints but the token holds no valid mark,
 *     private or public — it was removed, and a rollback may hide behind that.
 * A station from before PIN-protected marks (chained checkpoints, a valid public mark the journal
 * holds) gets its first one at this anchoring; a station from before chained checkpoints gets its
 * first marks. Public objects that are not valid marks refuse nothing (they are not the authority):
 * they stay as evidence, the result warns, and verify says JNL-MARK until `journal repair-mark`, which
 * alone may let the other two pass (`allow…`) — it records them first.
 */
function readCheckedMarks(
  station: Station,
  ctx: AnchorContext,
  session: Session,
  allow: { strayPrivate?: boolean; allowMissing?: boolean } = {},
): TokenMarks & { missing: boolean } {
  const marks = readTokenMarks(ctx, session);
  const serial = ctx.id.tokenSerial;
  if (marks.strayPrivate.length > 0 && !allow.strayPrivate)
    throw stationError(
      'JOURNAL_MARK_INVALID',
      `station token ${serial} holds a PIN-protected journal mark this station did not sign: nothing was signed`,
      { serial },
    );
  for (const m of [...marks.private, ...marks.public]) {
    if (!journalHolds(station, m.checkpoint))
      throw stationError(
        'JOURNAL_ROLLED_BACK',
        `the station token remembers checkpoint ${m.checkpoint.n} but this journal does not hold it: the database was rolled back or replaced (JNL-ROLLBACK); nothing was signed`,
        { checkpoint: m.checkpoint.n },
      );
  }
  const missing =
    marks.private.length === 0 &&
    marks.public.length === 0 &&
    station.journal.latestSeqOfKind(CHECKPOINT_EVENT_KIND) !== null;
  if (missing && !allow.allowMissing)
    throw stationError(
      'JOURNAL_MARK_MISSING',
      `station token ${serial} holds no journal mark although the journal holds chained checkpoints (JNL-MARK): nothing was signed`,
      { serial },
    );
  return { ...marks, missing };
}

function strayWarnings(serial: string, stray: readonly DataObject[]): ActWarning[] {
  return stray.length === 0
    ? []
    : [
        {
          code: 'JOURNAL_MARK_INVALID',
          message: `station token ${serial} holds ${stray.length} public object(s) where the journal mark lives that are not valid marks of this station: left in place as evidence; verify says JNL-MARK until \`station journal repair-mark\``,
        },
      ];
}

/**
 * Moves the token's marks up to `cp`, whose event is already committed (the token is never ahead of a
 * durable journal): first the PIN-protected mark, then its public copy. Each new object is created
 * before the superseded ones are destroyed, so a crash in between leaves two (the highest counts),
 * never none; a mark that is not lower is left alone, so a mark never moves backwards. A crash between
 * the two leaves the public copy behind (BEHIND without a PIN) until the next anchoring.
 */
function advanceTokenMarks(session: Session, stationId: string, cp: Checkpoint, marks: TokenMarks): void {
  const value = Buffer.from(markBytes(stationId, cp));
  for (const visibility of ['private', 'public'] as const) {
    const held = marks[visibility];
    if (held.some((h) => h.checkpoint.n >= cp.n)) continue;
    session.createDataObject(MARK_APPLICATION, stationId, value, visibility);
    for (const h of held) session.destroyDataObject(h.object);
  }
}

/**
 * `station journal repair-mark` (review 2, item 10), with the station token's PIN: the journaled way
 * out of JNL-MARK.
 *   - Objects where the mark lives that are not valid marks of this station are recorded in the journal
 *     (`journal.mark-repaired`: digest, size, up to 4 KiB of their bytes) and only then removed.
 *   - With `reset`, and only when the token holds no valid mark although the journal holds chained
 *     checkpoints: the mark is re-established from the journal as it is now. A rollback done before this
 *     act can then never be detected, which is why the act states so, needs a reason, and is recorded.
 * A rollback is never repaired: a valid mark naming a checkpoint this journal does not hold still
 * refuses (JOURNAL_ROLLED_BACK). Then the journal is anchored and the marks written, in the same login.
 */
export async function repairJournalMark(
  station: Station,
  opts: { pin: string; actor: string; reason: string; reset: boolean },
): Promise<{
  seq: number | null;
  removed: number;
  reset: boolean;
  checkpoint: CheckpointInfo;
  warnings: ActWarning[];
}> {
  station.assertWritable();
  assertActor(opts.actor);
  const id = requireIdentity(station);
  return station.hsm
    .module(id.moduleId)
    .withSessionAsync(
      id.tokenSerial,
      { write: true, login: { user: 'user', pin: opts.pin }, purpose: 'journal mark repair' },
      async (session) => {
        const ctx = anchorContext(station, id);
        // A rollback is never repaired: a valid mark the journal does not hold still refuses.
        const marks = readCheckedMarks(station, ctx, session, { strayPrivate: true, allowMissing: true });
        const missing = marks.missing;
        if (missing && !opts.reset)
          throw stationError(
            'JOURNAL_MARK_MISSING',
            `station token ${id.tokenSerial} holds no journal mark although the journal holds chained checkpoints: re-establishing it (--reset) makes a rollback before now undetectable; nothing was changed`,
            { serial: id.tokenSerial },
          );
        if (!missing && opts.reset)
          throw stationError(
            'INVALID_INPUT',
            `station token ${id.tokenSerial} holds a valid journal mark: there is nothing to reset`,
            { field: 'reset' },
          );
        const removed = [
          ...marks.strayPrivate.map((o) => ({ o, visibility: 'private' as const })),
          ...marks.stray.map((o) => ({ o, visibility: 'public' as const })),
        ];
        let seq: number | null = null;
        if (removed.length > 0 || missing) {
          const evidence = removed.map(({ o, visibility }) => ({
            visibility,
            sha256: createHash('sha256').update(o.value).digest('hex'),
            size: o.value.length,
            value: o.value.length > 0 && o.value.length <= EVIDENCE_BYTES ? o.value.toString('base64') : null,
          }));
          // However many objects were planted, all are recorded (in one append) before any is removed.
          const batches: (typeof evidence)[] = [];
          for (let i = 0; i === 0 || i < evidence.length; i += EVIDENCE_PER_ENTRY)
            batches.push(evidence.slice(i, i + EVIDENCE_PER_ENTRY));
          seq = station.record(
            batches.map((batch, k) => ({
              kind: 'journal.mark-repaired' as const,
              actor: opts.actor,
              body: {
                removed: batch,
                reset: missing && k === 0,
                reason: opts.reason,
              },
            })),
          ).firstSeq;
          // Recorded first: a crash now leaves the objects in place, and the act can be repeated.
          for (const { o } of removed) session.destroyDataObject(o);
        }
        const anchored = anchorInSession(station, id, session, { reset: missing });
        return {
          seq,
          removed: removed.length,
          reset: missing,
          checkpoint: checkpointInfo(anchored.checkpoint),
          warnings: anchored.warnings,
        };
      },
    );
}

/** How much of a removed object's bytes the journal keeps as evidence, and objects per entry. */
const EVIDENCE_BYTES = 4096;
const EVIDENCE_PER_ENTRY = 64;
