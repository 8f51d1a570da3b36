import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { toHex } from '../../../core/bytes';
import { type StoredCheckpoint } from '../../../core/journal/checkpoint';
import type { JournalRow } from '../../../core/journal/entry';
import { checkFilter, isFiltering, type JournalFilter } from '../../../core/journal/filter';
import {
  assembleVerdict,
  watchedSeqs,
  type JournalVerdict,
  type MarkReading,
  type SegmentResult,
} from '../../../core/journal/verify';
import type { CheckpointInfo, JournalEntry, JournalSummary } from '../../../shared/contract';
import { parseEventBody } from '../../adapters/store/repos/events';
import { CodedError } from '../../../core/errors';
import { stationError } from '../../errors';
import { writeExclusive } from '../../platform/durable';
import { workerFile } from '../../workers/location';
import { verifySegment } from '../../workers/segment';
import { moduleRegistration } from '../devices/queries';
import {
  checkpointVerifier,
  confirmIdentityOnToken,
  identityFromBody,
  identityWithoutToken,
  journalIdentity,
  journalStationId,
  readTokenMark,
  stationIdFromBody,
  readTokenMarksWithPin,
  type StationIdentity,
  type TokenConfirmation,
} from '../identity/queries';
import type { Station } from '../../station/station';

const decoder = new TextDecoder();
const PREVIEW_CHARS = 160;

export function summarise(row: JournalRow): JournalSummary {
  const text = decoder.decode(row.body);
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    kind: row.kind,
    preview: text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 1)}…` : text,
  };
}

/**
 * A page of the journal list. Unfiltered and from a seq, it reads by seq alone; with a filter (or an
 * offset: the row index of a filtered list) the store filters and counts in SQL, in one snapshot. A bad
 * range is INVALID_INPUT naming fromSeq or toSeq (src/core/journal/filter.ts).
 */
export function journalPage(
  station: Station,
  input: { fromSeq: number; limit: number; offset?: number; filter?: JournalFilter },
): { entries: JournalSummary[]; total: number; matched?: number } {
  const total = station.journal.head().seq;
  const { fromSeq, limit, offset = 0, filter } = input;
  if (!isFiltering(filter) && offset === 0) {
    return { entries: station.journal.page(fromSeq, limit).map(summarise), total };
  }
  const checked = checkFilter(filter, total);
  const { rows, matched } = station.journal.filteredPage(checked, { fromSeq, offset, limit });
  return { entries: rows.map(summarise), total, matched };
}

/** The kinds and actors present in the journal, each with its count: what the list can filter by. */
export function journalFilterChoices(station: Station): {
  kinds: { value: string; count: number }[];
  actors: { value: string; count: number }[];
  total: number;
} {
  const total = station.journal.head().seq;
  const { kinds, actors } = station.journal.values();
  const counted = (v: { value: string; n: number }) => ({ value: v.value, count: v.n });
  return { kinds: kinds.map(counted), actors: actors.map(counted), total };
}

export function journalEntry(station: Station, { seq }: { seq: number }): JournalEntry {
  const row = station.journal.get(seq);
  if (!row) throw stationError('NOT_FOUND', `no journal entry with seq ${seq}`, { field: 'seq' });
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    kind: row.kind,
    bodyText: decoder.decode(row.body),
    prevHash: toHex(row.prevHash),
    hash: toHex(row.hash),
  };
}

export function listCheckpoints(station: Station): CheckpointInfo[] {
  return station.journal.checkpoints().map(checkpointInfo);
}

const WORKER_FILE = workerFile('verify-worker');

export interface IdentityAnchor {
  readonly fingerprint: string;
  readonly tokenSerial: string;
  /** The identity key's public half read from the station token, compared with the journal's record. */
  readonly token: TokenConfirmation;
  /**
   * The station token's module: the registration it is loaded from (the one before the identity) and
   * later registrations of its id, never followed (src/main/services/hsm.ts moduleRegistration).
   */
  readonly module: {
    readonly moduleId: string;
    readonly registeredAt: number | null;
    readonly ignored: readonly number[];
  };
}

export interface JournalReport {
  readonly verdict: JournalVerdict;
  readonly identity: IdentityAnchor | null;
  /**
   * Which mark the verdict's mark state judged: the public copy (no PIN), or, with the station token's
   * PIN, the PIN-protected mark — the one nobody without the PIN can remove or replace.
   */
  readonly markChecked: 'public' | 'private';
  /** Seqs of `journal.mark-repaired` entries that re-established the mark: no rollback before them is seen. */
  readonly markResets: readonly number[];
}

/**
 * Verifies the whole journal against its checkpoints, with the identity key taken from the journal's
 * own hash-chained record (never the projection) and confirmed on the station token — the anchor
 * outside the database — and against the journal high-water mark kept on that token (JNL-ROLLBACK).
 * Large journals are cut into seq ranges verified in parallel on worker threads (each with its own
 * read-only connection); the verdict is the same either way.
 *
 * The mark is read first, then the checkpoint table and the head in one snapshot: the station writes a
 * mark only after the checkpoint it names is committed, so a snapshot taken later holds it unless the
 * journal really is behind the token, whatever is appended meanwhile.
 *
 * Without a PIN the mark judged is the token's public copy. With the station token's PIN (one
 * read-only login) it is the PIN-protected mark; the public copy must then still not be a forgery or a
 * mark this journal does not hold (a missing public copy is only noted: the next anchoring writes it).
 */
export async function verifyStationJournal(
  station: Station,
  opts: { pin?: string } = {},
): Promise<JournalReport> {
  const start = startVerification(station, opts.pin);
  const segments = await verifySegments(station, start.top, start.watch, ANCHOR_KINDS);
  return judgeJournal(station, start, segments);
}

/**
 * What a verification reads before it walks the chain: the token's mark first, then the checkpoint
 * table and the head in one snapshot (see verifyStationJournal), and the seqs whose hashes it must keep.
 * The chain 1..top is then walked in one go (verifyStationJournal) or in steps (./verify-job.ts), and
 * judged by judgeJournal: the verdict does not depend on how the walk was cut.
 */
export interface VerificationStart {
  readonly marks: ReturnType<typeof readMarkForVerify>;
  readonly checkpoints: readonly StoredCheckpoint[];
  readonly top: number;
  readonly watch: ReadonlySet<number>;
}

export function startVerification(station: Station, pin: string | undefined): VerificationStart {
  const marks = readMarkForVerify(station, pin);
  const { checkpoints, top } = station.journal.snapshot();
  const watch = watchedSeqs(checkpoints, marks.judged);
  if (marks.publicCopy) for (const seq of watchedSeqs(checkpoints, marks.publicCopy)) watch.add(seq);
  return { marks, checkpoints, top, watch };
}

/** The kinds a walk must collect for judgeJournal (the station id, identity key and mark resets). */
export const ANCHOR_KINDS: ReadonlySet<string> = new Set([
  'station.initialised',
  'station.identity-created',
  'journal.mark-repaired',
]);

/** Judges a walked chain (contiguous segments from seq 1) with the checkpoints, identity and mark. */
export function judgeJournal(
  station: Station,
  start: VerificationStart,
  segments: readonly SegmentResult[],
): JournalReport {
  const { marks, checkpoints } = start;
  const mark = marks.judged;
  // Station id and identity key come from the rows just verified: the exact bytes the chain covers.
  const collected = segments.flatMap((s) => s.collected);
  const initial = collected.find(([seq, kind]) => seq === 1 && kind === 'station.initialised');
  const identityRows = collected.filter(([, kind]) => kind === 'station.identity-created');
  const seqs = identityRows.map(([seq]) => seq);
  // A chained row whose body its kind's schema refuses was never written by the station (every body is
  // validated before it is appended): a finding of the verification (JNL-ROW), not an error of it.
  const bodyTampered = (seq: number, e: unknown): JournalReport => {
    if (!(e instanceof CodedError && e.code === 'STORE_ROW_INVALID')) throw e;
    return {
      verdict: {
        status: 'TAMPERED',
        check: 'JNL-ROW',
        entries: seq - 1,
        firstBadSeq: seq,
        lastPossibleSeq: null,
        checkpointN: null,
        reason: `seq ${seq} holds a body its kind does not allow, which the station never writes (${e.message})`,
      },
      identity: null,
      markChecked: marks.checked,
      markResets: [],
    };
  };
  let stationId: string;
  try {
    stationId = initial ? stationIdFromBody(initial[2], initial[0]) : station.stationRecord().stationId;
  } catch (e) {
    return bodyTampered(initial?.[0] ?? 1, e);
  }
  let identity: StationIdentity | null;
  // The station file's record of the identity token, when it is missing or not the journal's.
  let tokenProblem: TokenConfirmation | null = null;
  try {
    identity = identityRows[0] ? identityFromBody(station, identityRows[0][2], identityRows[0][0]) : null;
  } catch (e) {
    // The station file lost the identity token's serial (not in the journal since issue #16), or holds
    // one the journal did not commit to: the chain and checkpoints are still judged with the key the
    // journal records; the token is UNAVAILABLE, or a MISMATCH (JNL-IDENTITY) for a changed record.
    if (
      e instanceof CodedError &&
      (e.code === 'IDENTITY_TOKEN_UNKNOWN' || e.code === 'IDENTITY_MISMATCH') &&
      identityRows[0]
    ) {
      identity = identityWithoutToken(identityRows[0][2], identityRows[0][0]);
      tokenProblem = {
        status: e.code === 'IDENTITY_MISMATCH' ? 'MISMATCH' : 'UNAVAILABLE',
        reason: e.message,
      };
    } else return bodyTampered(identityRows[0]?.[0] ?? 1, e);
  }
  const judge = (reading: MarkReading) =>
    assembleVerdict(segments, {
      stationId,
      checkpoints,
      checkSignature: identity ? checkpointVerifier(identity) : null,
      mark: reading,
    });
  const verdict = withPublicCopy(judge(mark), marks.publicCopy, judge);
  const base = { markChecked: marks.checked, markResets: markResets(collected) };
  const report = (v: JournalVerdict, anchor: IdentityAnchor | null): JournalReport => ({
    verdict: v,
    identity: anchor,
    ...base,
  });
  if (!identity) {
    if (checkpoints.length === 0 || verdict.status === 'TAMPERED') return report(verdict, null);
    return report(
      identityTampered(
        verdict,
        null,
        'checkpoints exist but the journal records no identity key to check them',
      ),
      null,
    );
  }
  const registration = registrationForReport(station, identity.moduleId);
  const anchor: IdentityAnchor = {
    fingerprint: identity.fingerprint,
    tokenSerial: identity.tokenSerial,
    token: tokenProblem ?? confirmIdentityOnToken(station, identity),
    module: {
      moduleId: identity.moduleId,
      registeredAt: registration.seq,
      ignored: registration.ignored,
    },
  };
  // The mark is judged with the identity key the journal records; when the token holds another key,
  // that (JNL-IDENTITY) is the finding, and the mark's failure only its consequence.
  const markJudged =
    verdict.status === 'TAMPERED' && (verdict.check === 'JNL-MARK' || verdict.check === 'JNL-ROLLBACK');
  if (verdict.status === 'TAMPERED' && !(markJudged && anchor.token.status === 'MISMATCH'))
    return report(verdict, anchor);
  if (seqs.length > 1) {
    return report(
      identityTampered(
        verdict,
        seqs[1] ?? null,
        `the journal records the station identity ${seqs.length} times`,
      ),
      anchor,
    );
  }
  if (anchor.token.status === 'MISMATCH')
    return report(identityTampered(verdict, seqs[0] ?? null, anchor.token.reason), anchor);
  return report(verdict, anchor);
}

/** Which registration loads the station token; a row too damaged to read is the chain's finding. */
function registrationForReport(
  station: Station,
  moduleId: string,
): { seq: number | null; ignored: number[] } {
  try {
    const r = moduleRegistration(station, moduleId);
    return { seq: r.seq, ignored: [...r.ignored] };
  } catch {
    return { seq: null, ignored: [] };
  }
}

/**
 * With the PIN-protected mark judged, the public copy still counts when it is evidence of tampering
 * (not a mark, another station's, not signed by the identity key, or naming a checkpoint this journal
 * does not hold); when it is only missing or behind, the verdict notes it.
 */
function withPublicCopy(
  verdict: JournalVerdict,
  publicCopy: MarkReading | null,
  judge: (reading: MarkReading) => JournalVerdict,
): JournalVerdict {
  if (!publicCopy || verdict.status === 'TAMPERED') return verdict;
  if (publicCopy.status === 'ABSENT' || publicCopy.status === 'UNAVAILABLE') {
    const note = `; its public copy: ${publicCopy.reason} (the next checkpoint writes it)`;
    return {
      ...verdict,
      mark: { ...verdict.mark, reason: `PIN-protected mark: ${verdict.mark.reason}${note}` },
    };
  }
  const copy = judge(publicCopy);
  if (copy.status === 'TAMPERED') return copy;
  const behind =
    copy.mark.status === 'BEHIND' ? `; its public copy is behind (checkpoint ${copy.mark.n})` : '';
  return {
    ...verdict,
    mark: { ...verdict.mark, reason: `PIN-protected mark: ${verdict.mark.reason}${behind}` },
  };
}

/**
 * `journal.mark-repaired` entries that re-established the mark (`reset`), from the rows the chain
 * verified. A body that does not parse (a re-chained rewrite, which the verdict reports) is no reset.
 */
function markResets(collected: readonly (readonly [number, string, Uint8Array])[]): number[] {
  const isReset = (body: Uint8Array, seq: number) => {
    try {
      return parseEventBody('journal.mark-repaired', body, seq).reset;
    } catch {
      return false;
    }
  };
  return collected
    .filter(([seq, kind, body]) => kind === 'journal.mark-repaired' && isReset(body, seq))
    .map(([seq]) => seq);
}

/**
 * Reads the token's mark before the chain is verified. The token is found through the journal's rows
 * as stored — only to find it: the identity and station id that judge the journal come from the
 * verified chain — so a row too damaged to read leaves the mark unread, and the chain says why. With
 * the PIN, the PIN-protected mark is judged and the public copy kept beside it.
 */
function readMarkForVerify(
  station: Station,
  pin: string | undefined,
): { judged: MarkReading; publicCopy: MarkReading | null; checked: 'public' | 'private' } {
  const checked = pin === undefined ? 'public' : 'private';
  let located: { identity: StationIdentity; stationId: string } | null;
  try {
    const identity = journalIdentity(station).identity;
    located = identity ? { identity, stationId: journalStationId(station) } : null;
  } catch (e) {
    // The station file's record of the token missing or not the journal's (issue #16) says so itself.
    const named =
      e instanceof CodedError && (e.code === 'IDENTITY_TOKEN_UNKNOWN' || e.code === 'IDENTITY_MISMATCH');
    const unread: MarkReading = {
      status: 'UNAVAILABLE',
      reason: named ? e.message : 'the journal rows that name the station token cannot be read',
    };
    return { judged: unread, publicCopy: null, checked };
  }
  if (!located)
    return {
      judged: { status: 'ABSENT', reason: 'the station has no identity token to keep a journal mark on' },
      publicCopy: null,
      checked,
    };
  if (pin === undefined)
    return { judged: readTokenMark(station, located.identity, located.stationId), publicCopy: null, checked };
  const both = readTokenMarksWithPin(station, located.identity, located.stationId, pin);
  // A station from before PIN-protected marks has only the public one until its next anchoring (which
  // writes the other), and anchoring accepts it meanwhile: so does this verdict, saying which it judged.
  if (both.private.status === 'ABSENT' && both.public.status === 'FOUND')
    return { judged: both.public, publicCopy: null, checked: 'public' };
  return { judged: both.private, publicCopy: both.public, checked };
}

function identityTampered(v: JournalVerdict, seq: number | null, reason: string): JournalVerdict {
  return {
    status: 'TAMPERED',
    check: 'JNL-IDENTITY',
    entries: v.entries,
    firstBadSeq: seq,
    lastPossibleSeq: null,
    checkpointN: null,
    reason,
  };
}

/** Verifies 1..top: on worker threads when the journal is large, else in this thread. */
async function verifySegments(
  station: Station,
  top: number,
  watch: ReadonlySet<number>,
  collect: ReadonlySet<string>,
): Promise<SegmentResult[]> {
  const threads = Math.min(availableParallelism(), 4);
  if (top >= station.config.verifyParallelFrom && threads > 1 && existsSync(WORKER_FILE)) {
    try {
      return await verifyInWorkers(station.store.path, splitRange(top, threads), watch, collect);
    } catch {
      // A worker that cannot start or read is no verdict: verify here instead (slower, same result).
    }
  }
  return [verifySegment(station.journal.reader, station.deps.sha256, 1, top, watch, collect)];
}

/** Cuts 1..top into `parts` contiguous ranges of nearly equal size. */
export function splitRange(top: number, parts: number): [number, number][] {
  const size = Math.ceil(top / parts);
  const out: [number, number][] = [];
  for (let from = 1; from <= top; from += size) out.push([from, Math.min(top, from + size - 1)]);
  return out.length > 0 ? out : [[1, 0]];
}

function verifyInWorkers(
  path: string,
  ranges: [number, number][],
  watch: ReadonlySet<number>,
  collect: ReadonlySet<string>,
): Promise<SegmentResult[]> {
  const workers: Worker[] = [];
  const jobs = ranges.map(
    ([fromSeq, toSeq]) =>
      new Promise<SegmentResult>((resolve, reject) => {
        const worker = new Worker(WORKER_FILE, {
          workerData: { path, fromSeq, toSeq, watch: [...watch], collect: [...collect] },
        });
        workers.push(worker);
        worker.once('message', (r: SegmentResult) => resolve(r));
        worker.once('error', reject);
        worker.once(
          'exit',
          (code) => code !== 0 && reject(new Error(`journal verify worker exited with ${code}`)),
        );
      }),
  );
  return Promise.all(jobs).catch((e: unknown) => {
    for (const w of workers) void w.terminate();
    throw e;
  });
}

/** A checkpoint as the contract shows it. */
export function checkpointInfo(cp: StoredCheckpoint): CheckpointInfo {
  return {
    n: cp.n,
    size: cp.size,
    headHash: toHex(cp.headHash),
    at: cp.at,
    keyId: cp.keyId,
    alg: cp.alg,
    eventSeq: cp.eventSeq ?? null,
  };
}

/**
 * Writes entries fromSeq..toSeq as JSON lines (one object per entry, bytes as hex, the body as stored
 * text) to a new file, streamed page by page and published durably only when complete; never overwrites
 * (OUTPUT_EXISTS), and a failure part-way leaves no file. Returns the number of entries written.
 */
export function exportJournal(
  station: Station,
  range: { fromSeq: number; toSeq: number },
  out: { path: string } | { write: (line: string) => void },
): number {
  if (range.toSeq < range.fromSeq) {
    throw stationError('INVALID_INPUT', `--to (${range.toSeq}) is before --from (${range.fromSeq})`, {
      field: 'to',
    });
  }
  let count = 0;
  function* lines(): Generator<string> {
    for (let from = range.fromSeq; from <= range.toSeq;) {
      const rows = station.journal.page(from, Math.min(5000, range.toSeq - from + 1));
      for (const row of rows) {
        yield `${JSON.stringify({
          seq: row.seq,
          at: row.at,
          actor: row.actor,
          kind: row.kind,
          body: decoder.decode(row.body),
          prevHash: toHex(row.prevHash),
          hash: toHex(row.hash),
        })}\n`;
        count++;
      }
      const last = rows.at(-1);
      if (!last) break;
      from = last.seq + 1;
    }
  }
  if ('path' in out) writeExclusive(out.path, lines(), { mode: 0o600, field: 'out' });
  else for (const line of lines()) out.write(line);
  return count;
}
