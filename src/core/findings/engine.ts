import { canonicalBytes } from '../canonical';
import type { EvaluationInputs, Finding, FindingCategory, SourceRecord } from './model';
import { RecordSet } from './records';

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
}

/** One rule per check ID. Its doc comment, journal line, findings and tests all carry the ID. */
export interface Rule<P> {
  readonly id: string;
  /** One line: what it checks. */
  readonly title: string;
  readonly run: (ctx: RuleContext<P>) => readonly Finding[];
}

/** A workflow on the engine: a rule set, the families it reads, and how findings become an outcome. */
export interface Workflow<P, O extends string> {
  readonly id: string;
  readonly families: readonly string[];
  readonly rules: readonly Rule<P>[];
  readonly outcome: (findings: readonly Finding[]) => { outcome: O; reason: string };
}

export interface Evaluation<O extends string> {
  readonly workflow: string;
  readonly subject: string;
  readonly inputs: EvaluationInputs;
  /** Sorted (check ID, subject, sentence): the same inputs give byte-identical findings. */
  readonly findings: readonly Finding[];
  readonly outcome: O;
  readonly reason: string;
  /** SHA-256 of the canonical JSON of the findings. */
  readonly findingsDigest: string;
}

/** SHA-256 as lowercase hex, injected (src/core reaches no crypto of its own). */
export type Sha256Hex = (bytes: Uint8Array) => string;

/** A record is known at `asOf` when it had been exported by then. */
export function knownAt(records: readonly SourceRecord[], asOf: string): SourceRecord[] {
  return records.filter((r) => r.provenance.exportedAt <= asOf);
}

/** An incremental SHA-256 (bytes in pieces, then lowercase hex once), injected like Sha256Hex. */
export type Sha256Stream = () => { update(bytes: Uint8Array): void; digest(): string };

/**
 * The digest of a set of records: SHA-256 over the canonical JSON of their sorted digests (order of
 * import does not matter), i.e. over the bytes `["<d1>","<d2>",…]` with the digests in ascending order.
 * A million records make ~67 MB of such JSON, so it is never built as a string (bench/findings): with a
 * `stream` hasher the bytes go through a small buffer; without one they are written once into an array
 * of their exact size. Either way the value is the same as `sha256(canonicalBytes(sortedDigests))`.
 */
export function recordsDigest(
  sha256: Sha256Hex,
  records: readonly SourceRecord[],
  stream?: Sha256Stream,
): string {
  const digests = records.map((r) => r.digest).sort();
  // A digest that is not plain ASCII without JSON escapes (never one the engine made) takes the
  // canonical-JSON path, so the definition above holds for any string.
  if (!digests.every(isPlainAscii)) return sha256(canonicalBytes(digests));
  const total = digests.reduce((n, d) => n + d.length + 3, 1) + (digests.length === 0 ? 1 : 0);
  const hasher = stream?.();
  const buf = new Uint8Array(hasher ? Math.min(total, 64 * 1024) : total);
  let at = 0;
  const put = (text: string) => {
    if (hasher && at + text.length > buf.length) {
      hasher.update(buf.subarray(0, at));
      at = 0;
      if (text.length > buf.length) return hasher.update(encoder.encode(text));
    }
    for (let i = 0; i < text.length; i++) buf[at++] = text.charCodeAt(i);
  };
  put('[');
  for (const [i, d] of digests.entries()) {
    put(i === 0 ? '"' : ',"');
    put(d);
    put('"');
  }
  put(']');
  if (!hasher) return sha256(buf);
  hasher.update(buf.subarray(0, at));
  return hasher.digest();
}
const encoder = new TextEncoder();
const isPlainAscii = (s: string) => /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(s);

/**
 * Evaluates a workflow as of an instant: only records exported by then, every rule, findings sorted,
 * the outcome derived from them. Nothing here reads a clock or a store.
 */
export function evaluate<P, O extends string>(
  workflow: Workflow<P, O>,
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
): Evaluation<O> {
  const known = knownAt(
    input.records.filter((r) => workflow.families.includes(r.family)),
    input.asOf,
  );
  const ctx: RuleContext<P> = {
    records: new RecordSet(known),
    policy: input.policy,
    asOf: input.asOf,
    subject: input.subject,
  };
  const findings = workflow.rules.flatMap((rule) => rule.run(ctx)).sort(compareFindings);
  const { outcome, reason } = workflow.outcome(findings);
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
  };
}

function compareFindings(a: Finding, b: Finding): number {
  return cmp(a.checkId, b.checkId) || cmp(a.subject, b.subject) || cmp(a.sentence, b.sentence);
}
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Findings of the given categories. */
export const inCategories = (findings: readonly Finding[], categories: readonly FindingCategory[]) =>
  findings.filter((f) => categories.includes(f.category));
