import { base32 } from '@scure/base';
import { bytesEqual, toHex, utf8Bytes, type Sha256 } from '../bytes';
import { CodedError, coreError } from '../errors';

/**
 * M-of-N activation shares: the envelope around a Shamir share (made by the audited
 * shamir-secret-sharing library, in the shell), its checksum, its text form for paper, and the
 * commitments that let the station name a bad share by position and holder — and refuse too few
 * shares — before anything is combined or any login is tried.
 *
 * Envelope v1 (bytes): "CSS1" | splitId[16] | threshold | total | position | share[n] | checksum[4]
 * where share is the library's share (y bytes then the x coordinate) and checksum is the first four
 * bytes of SHA-256 over everything before it (catches a mistyped share).
 *
 * Commitments (journaled at split time; the shares themselves never are):
 *   share  commitment = SHA-256("CSS1/share"  | splitId | position | share)
 *   secret commitment = SHA-256("CSS1/secret" | splitId | secret)
 * The secret is 32 random bytes (a generated token PIN), so a commitment reveals nothing searchable.
 */
const MAGIC = utf8Bytes('CSS1');
const SPLIT_ID_BYTES = 16;
const HEADER = MAGIC.length + SPLIT_ID_BYTES + 3;
const CHECKSUM = 4;

export interface ShareEnvelope {
  readonly splitId: Uint8Array;
  readonly threshold: number;
  readonly total: number;
  /** 1-based issue position; holder i received position i. */
  readonly position: number;
  readonly share: Uint8Array;
}

export function encodeShare(env: ShareEnvelope, sha256: Sha256): Uint8Array {
  if (env.splitId.length !== SPLIT_ID_BYTES) throw new RangeError('splitId must be 16 bytes');
  const body = new Uint8Array(HEADER + env.share.length);
  body.set(MAGIC, 0);
  body.set(env.splitId, MAGIC.length);
  body[MAGIC.length + SPLIT_ID_BYTES] = env.threshold;
  body[MAGIC.length + SPLIT_ID_BYTES + 1] = env.total;
  body[MAGIC.length + SPLIT_ID_BYTES + 2] = env.position;
  body.set(env.share, HEADER);
  const out = new Uint8Array(body.length + CHECKSUM);
  out.set(body, 0);
  out.set(sha256(body).subarray(0, CHECKSUM), body.length);
  return out;
}

export function decodeShare(bytes: Uint8Array, sha256: Sha256): ShareEnvelope {
  if (bytes.length < HEADER + 2 + CHECKSUM) {
    throw coreError('SHARE_MALFORMED', 'this is too short to be a Ceremony Station share', {
      field: 'share',
    });
  }
  const body = bytes.subarray(0, bytes.length - CHECKSUM);
  if (!bytesEqual(sha256(body).subarray(0, CHECKSUM), bytes.subarray(bytes.length - CHECKSUM))) {
    throw coreError('SHARE_CHECKSUM', 'the share’s checksum does not match: it was copied or typed wrongly', {
      field: 'share',
    });
  }
  if (!bytesEqual(bytes.subarray(0, MAGIC.length), MAGIC)) {
    throw coreError('SHARE_MALFORMED', 'this is not a Ceremony Station share (wrong header)', {
      field: 'share',
    });
  }
  return {
    splitId: body.slice(MAGIC.length, MAGIC.length + SPLIT_ID_BYTES),
    threshold: body[MAGIC.length + SPLIT_ID_BYTES] as number,
    total: body[MAGIC.length + SPLIT_ID_BYTES + 1] as number,
    position: body[MAGIC.length + SPLIT_ID_BYTES + 2] as number,
    share: body.slice(HEADER),
  };
}

/** Paper form: RFC 4648 base32 (no padding) in groups of four, five groups a line. */
export function shareToText(bytes: Uint8Array): string {
  const groups =
    base32
      .encode(bytes)
      .replace(/=+$/, '')
      .match(/.{1,4}/g) ?? [];
  const lines: string[] = [];
  for (let i = 0; i < groups.length; i += 5) lines.push(groups.slice(i, i + 5).join(' '));
  return lines.join('\n');
}

/** Reads the paper form back, tolerating case, spaces, dashes and line breaks. */
export function shareFromText(text: string): Uint8Array {
  const clean = text.toUpperCase().replace(/[\s-]/g, '');
  if (!/^[A-Z2-7]+$/.test(clean)) {
    throw coreError('SHARE_MALFORMED', 'a share is written in the letters A–Z and digits 2–7 only', {
      field: 'share',
    });
  }
  try {
    return base32.decode(clean + '='.repeat((8 - (clean.length % 8)) % 8));
  } catch {
    throw coreError('SHARE_MALFORMED', 'the share text is incomplete', { field: 'share' });
  }
}

function commitment(
  sha256: Sha256,
  label: string,
  splitId: Uint8Array,
  position: number | null,
  value: Uint8Array,
): Uint8Array {
  const tag = utf8Bytes(label);
  const buf = new Uint8Array(tag.length + splitId.length + (position === null ? 0 : 1) + value.length);
  let o = 0;
  buf.set(tag, o);
  o += tag.length;
  buf.set(splitId, o);
  o += splitId.length;
  if (position !== null) buf[o++] = position;
  buf.set(value, o);
  return sha256(buf);
}

export function shareCommitment(
  sha256: Sha256,
  splitId: Uint8Array,
  position: number,
  share: Uint8Array,
): string {
  return toHex(commitment(sha256, 'CSS1/share', splitId, position, share));
}

export function secretCommitment(sha256: Sha256, splitId: Uint8Array, secret: Uint8Array): string {
  return toHex(commitment(sha256, 'CSS1/secret', splitId, null, secret));
}

/** What the station remembers of a split: never the shares, only who holds which and the commitments. */
export interface SplitRecord {
  readonly splitId: string;
  readonly threshold: number;
  readonly total: number;
  readonly holders: readonly { readonly position: number; readonly custodianId: string }[];
  readonly shareCommitments: readonly string[];
  readonly secretCommitment: string;
}

export type ShareProblemCode =
  | 'SHARE_MALFORMED'
  | 'SHARE_CHECKSUM'
  | 'SHARE_OTHER_SPLIT'
  | 'SHARE_BAD'
  | 'SHARE_DUPLICATE'
  | 'SHARE_WRONG_HOLDER';

export interface ShareProblem {
  /** Position in the order the shares were entered (1-based). */
  readonly entered: number;
  /** The holder the share belongs to by its position, when that is known. */
  readonly holder: string | null;
  readonly code: ShareProblemCode;
  readonly message: string;
}

/**
 * Checks one entered share against the split record: readable, of this split, matching its
 * commitment, and (when the enterer is named) that holder's own. `entered` numbers it for messages.
 */
export function checkShare(
  record: SplitRecord,
  bytes: Uint8Array,
  sha256: Sha256,
  entered = 1,
  enteredBy?: string,
): { ok: true; position: number; share: Uint8Array } | { ok: false; problem: ShareProblem } {
  let env: ShareEnvelope;
  try {
    env = decodeShare(bytes, sha256);
  } catch (err) {
    const code =
      err instanceof CodedError && err.code === 'SHARE_CHECKSUM' ? 'SHARE_CHECKSUM' : 'SHARE_MALFORMED';
    return {
      ok: false,
      problem: {
        entered,
        holder: enteredBy ?? null,
        code,
        message: `share ${entered}: ${(err as Error).message}`,
      },
    };
  }
  const holder = record.holders.find((h) => h.position === env.position)?.custodianId ?? null;
  const at = { entered, holder };
  if (
    toHex(env.splitId) !== record.splitId ||
    env.threshold !== record.threshold ||
    env.total !== record.total
  ) {
    return {
      ok: false,
      problem: { ...at, code: 'SHARE_OTHER_SPLIT', message: `share ${entered} belongs to another split` },
    };
  }
  const expected = record.shareCommitments[env.position - 1];
  if (expected === undefined || shareCommitment(sha256, env.splitId, env.position, env.share) !== expected) {
    const message = `share ${entered} (position ${env.position}, ${holder ?? 'no holder'}) does not match its commitment`;
    return { ok: false, problem: { ...at, code: 'SHARE_BAD', message } };
  }
  if (enteredBy !== undefined && holder !== enteredBy) {
    return {
      ok: false,
      problem: {
        ...at,
        code: 'SHARE_WRONG_HOLDER',
        message: `share ${entered} was issued to ${holder ?? 'nobody'}, not ${enteredBy}`,
      },
    };
  }
  return { ok: true, position: env.position, share: env.share };
}

/**
 * Checks entered shares against the split record (each as checkShare; no position twice). Returns the
 * good shares, or every problem found; too few good shares is a problem of its own.
 */
export function checkShares(
  record: SplitRecord,
  entered: readonly { readonly bytes: Uint8Array; readonly enteredBy?: string }[],
  sha256: Sha256,
):
  | { ok: true; shares: Uint8Array[]; positions: number[] }
  | { ok: false; problems: ShareProblem[]; tooFew: boolean } {
  const problems: ShareProblem[] = [];
  const good = new Map<number, Uint8Array>();
  entered.forEach((e, i) => {
    const r = checkShare(record, e.bytes, sha256, i + 1, e.enteredBy);
    if (!r.ok) return void problems.push(r.problem);
    if (good.has(r.position)) {
      const holder = record.holders.find((h) => h.position === r.position)?.custodianId ?? null;
      return void problems.push({
        entered: i + 1,
        holder,
        code: 'SHARE_DUPLICATE',
        message: `share ${i + 1} repeats position ${r.position} (${holder ?? ''})`,
      });
    }
    good.set(r.position, r.share);
  });
  const tooFew = good.size < record.threshold;
  if (problems.length > 0 || tooFew) return { ok: false, problems, tooFew };
  return { ok: true, shares: [...good.values()], positions: [...good.keys()] };
}
