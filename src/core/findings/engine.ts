import { canonicalBytes } from '../canonical';
import type { EvaluationInputs, Finding, FindingCategory, SourceRecord } from './model';
import { digestInto, originOf } from './batch';
import { exactFilter, RecordSet } from './records';

/**
 * What a rule sees: the records known as of the instant, the policy it is judged under, and the instant.
 * Rules are pure functions of exactly this; the same context always gives the same findings.
 */
export interface RuleContext<P> {
  readonly records: RecordSet;
  readonly policy: P;
  /** ISO 8601 UTC instant the facts are judged at. */
  readonly asOf: string;
  /** What is evaluated: the deferral request id, the attestation id… (the workflow's subject record). */
  readonly subject: string;
  /** SHA-256 for rules that compare content digests (a prior packet's basis); the engine always gives it. */
  readonly sha256?: Sha256Hex;
}

/** One rule per check ID. Its doc comment, journal line, findings and tests all carry the ID. */
export interface Rule<P> {
  readonly id: string;
  /** One line: what it checks. */
  readonly title: string;
  readonly run: (ctx: RuleContext<P>) => readonly Finding[];
}

/** A workflow on the engine: a rule set, the families it reads, and how findings become an outcome. */
export interface Workflow<P, O extends string, D = undefined> {
  readonly id: string;
  readonly families: readonly string[];
  readonly rules: readonly Rule<P>[];
  /**
   * A view the workflow derives from the same context beside its findings (the lanes of workflow 002).
   * Pure like a rule; never journaled — the evaluation's inputs reproduce it.
   */
  readonly derive?: (ctx: RuleContext<P>, findings: readonly Finding[]) => D;
  readonly outcome: (findings: readonly Finding[], derived?: D) => { outcome: O; reason: string };
}

export interface Evaluation<O extends string, D = unknown> {
  readonly workflow: string;
  readonly subject: string;
  readonly inputs: EvaluationInputs;
  /** Sorted (check ID, subject, sentence): the same inputs give byte-identical findings. */
  readonly findings: readonly Finding[];
  readonly outcome: O;
  readonly reason: string;
  /** SHA-256 of the canonical JSON of the findings. */
  readonly findingsDigest: string;
  /** What the workflow derives beside the findings (undefined for workflows that derive nothing). */
  readonly derived?: D;
}

/** SHA-256 as lowercase hex, injected (src/core reaches no crypto of its own). */
export type Sha256Hex = (bytes: Uint8Array) => string;

/** A record is known at `asOf` when it had been exported by then. */
export function knownAt(records: readonly SourceRecord[], asOf: string): SourceRecord[] {
  return exactFilter(records, (r) => originOf(r).exportedAt <= asOf);
}

/** An incremental SHA-256 (bytes in pieces, then lowercase hex once), injected like Sha256Hex. */
export type Sha256Stream = () => { update(bytes: Uint8Array): void; digest(): string };

/**
 * The digest of a set of records: SHA-256 over the canonical JSON of their sorted digests (order of
 * import does not matter), i.e. over the bytes `["<d1>","<d2>",…]` with the digests in ascending order.
 * A million records make ~67 MB of such JSON and as many 64-character strings, so neither is built
 * (bench/findings): the records are put in digest order by their digests' bytes (ascending bytes is
 * ascending lowercase hex; see digestOrder) and each digest is written as hex through a small buffer —
 * to the `stream` hasher when given, else into one array of the JSON's exact size. Either way the value
 * is `sha256(canonicalBytes(sortedDigests))`, which is also the path taken for a digest that is not 64
 * lowercase hex digits (never one the engine made).
 */
export function recordsDigest(
  sha256: Sha256Hex,
  records: readonly SourceRecord[],
  stream?: Sha256Stream,
): string {
  const order = digestOrder(records);
  if (order === null) return sha256(canonicalBytes(records.map((r) => r.digest).sort()));
  const n = records.length;
  // `[` + n × `"<64 hex>"` + (n − 1) commas + `]`; `[]` when there are none.
  const total = n === 0 ? 2 : 2 + n * (DIGEST_BYTES * 2 + 2) + (n - 1);
  const hasher = stream?.();
  const buf = new Uint8Array(hasher ? Math.min(total, 64 * 1024) : total);
  const digest = new Uint8Array(DIGEST_BYTES);
  let at = 0;
  const room = (bytes: number) => {
    if (hasher && at + bytes > buf.length) {
      hasher.update(buf.subarray(0, at));
      at = 0;
    }
  };
  buf[at++] = 0x5b; // [
  for (let k = 0; k < n; k++) {
    room(DIGEST_BYTES * 2 + 3);
    if (k > 0) buf[at++] = 0x2c; // ,
    buf[at++] = 0x22; // "
    digestInto(records[order[k] as number] as SourceRecord, digest, 0);
    for (const b of digest) {
      buf[at++] = HEX_DIGITS[b >> 4] as number;
      buf[at++] = HEX_DIGITS[b & 15] as number;
    }
    buf[at++] = 0x22;
  }
  room(1);
  buf[at++] = 0x5d; // ]
  if (!hasher) return sha256(buf);
  hasher.update(buf.subarray(0, at));
  return hasher.digest();
}
const DIGEST_BYTES = 32;
const HEX_DIGITS = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const INDEX_BITS = 21;

/**
 * The record indexes in ascending digest order, or null when a digest is not 64 lowercase hex digits.
 * With at most 2^21 records, each sort key is one exact double: the digest's first 32 bits above the
 * record's 21-bit index, so one native numeric sort orders them (8 bytes per record, no comparator
 * call); records whose first 32 bits are equal (a few in a million) are then ordered by their whole
 * digests. Larger sets sort indexes with a comparator over the whole digests (`indexBits` is there for
 * tests to take that path with a few records).
 */
export function digestOrder(records: readonly SourceRecord[], indexBits = INDEX_BITS): Uint32Array | null {
  const n = records.length;
  const a = new Uint8Array(DIGEST_BYTES);
  const b = new Uint8Array(DIGEST_BYTES);
  const compare = (i: number, j: number): number => {
    digestInto(records[i] as SourceRecord, a, 0);
    digestInto(records[j] as SourceRecord, b, 0);
    for (let k = 0; k < DIGEST_BYTES; k++) if (a[k] !== b[k]) return (a[k] as number) - (b[k] as number);
    return 0;
  };
  // One pass reads each digest once: it refuses one that is not 64 lowercase hex digits, and (for the
  // packed path) makes its key from the first 32 bits.
  const packed = n <= 2 ** indexBits;
  const keys = new Float64Array(packed ? n : 0);
  for (let i = 0; i < n; i++) {
    if (!digestInto(records[i] as SourceRecord, a, 0)) return null;
    if (packed) {
      const prefix =
        (((a[0] as number) << 24) | ((a[1] as number) << 16) | ((a[2] as number) << 8) | (a[3] as number)) >>>
        0;
      keys[i] = prefix * 2 ** indexBits + i;
    }
  }
  if (!packed) {
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    return order.sort(compare);
  }
  keys.sort();
  const order = new Uint32Array(n);
  for (let k = 0; k < n; k++) order[k] = (keys[k] as number) % 2 ** indexBits;
  // Runs of equal 32-bit prefixes: ordered by the whole digest (insertion sort; runs are tiny).
  for (let start = 0; start < n;) {
    let end = start + 1;
    const p = Math.floor((keys[start] as number) / 2 ** indexBits);
    while (end < n && Math.floor((keys[end] as number) / 2 ** indexBits) === p) end++;
    for (let k = start + 1; k < end; k++)
      for (let m = k; m > start && compare(order[m - 1] as number, order[m] as number) > 0; m--) {
        const t = order[m] as number;
        order[m] = order[m - 1] as number;
        order[m - 1] = t;
      }
    start = end;
  }
  return order;
}

/**
 * Evaluates a workflow as of an instant: only records exported by then, every rule, findings sorted,
 * the outcome derived from them. Nothing here reads a clock or a store.
 */
export function evaluate<P, O extends string, D = undefined>(
  workflow: Workflow<P, O, D>,
  input: {
    records: readonly SourceRecord[];
    policy: P;
    policyDigest: string;
    asOf: string;
    subject: string;
    sha256: Sha256Hex;
    /** Optional: hashes the records digest in pieces (the same value, less memory). */
    sha256Stream?: Sha256Stream;
  },
): Evaluation<O, D> {
  const families = new Set(workflow.families);
  const known = exactFilter(
    input.records,
    (r) => originOf(r).exportedAt <= input.asOf && families.has(r.family),
  );
  const ctx: RuleContext<P> = {
    records: new RecordSet(known),
    policy: input.policy,
    asOf: input.asOf,
    subject: input.subject,
    sha256: input.sha256,
  };
  const findings = workflow.rules.flatMap((rule) => rule.run(ctx)).sort(compareFindings);
  const derived = workflow.derive?.(ctx, findings);
  const { outcome, reason } = workflow.outcome(findings, derived);
  return {
    workflow: workflow.id,
    subject: input.subject,
    inputs: {
      asOf: input.asOf,
      policyDigest: input.policyDigest,
      recordsDigest: recordsDigest(input.sha256, known, input.sha256Stream),
      recordCount: known.length,
    },
    findings,
    outcome,
    reason,
    findingsDigest: input.sha256(canonicalBytes(findings)),
    ...(derived === undefined ? {} : { derived }),
  };
}

function compareFindings(a: Finding, b: Finding): number {
  return cmp(a.checkId, b.checkId) || cmp(a.subject, b.subject) || cmp(a.sentence, b.sentence);
}
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Findings of the given categories. */
export const inCategories = (findings: readonly Finding[], categories: readonly FindingCategory[]) =>
  findings.filter((f) => categories.includes(f.category));
