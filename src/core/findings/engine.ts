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

/** The digest of a set of records: SHA-256 over their sorted digests (order of import does not matter). */
export function recordsDigest(sha256: Sha256Hex, records: readonly SourceRecord[]): string {
  return sha256(canonicalBytes(records.map((r) => r.digest).sort()));
}

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
      recordsDigest: recordsDigest(input.sha256, known),
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
