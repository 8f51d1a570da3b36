import { z } from 'zod';
import { authorityDiffSchema } from '../../core/authority/diff';
import { authorityViewSchema } from '../../core/authority/model';
import { EVENT_BODIES } from '../../core/journal/events';
import { actor, isoTime, seq, sha256Hex, type Channels } from './common';
import { evaluationViewSchema } from './findings';

/**
 * Compromise authority (services/authority; workflow `compromise-authority`, design §5): the lanes the
 * station derives for an incident, whether an evaluation of them is still FRESH, what changed between
 * two of them, and the incident's lineage in journal order. Every channel here reads or records an
 * evaluation: none revokes, freezes, publishes or schedules anything (a surface test pins it) — those
 * are people's decisions, taken outside the station.
 */

const evaluated = EVENT_BODIES['evaluation.recorded'];
const imported = EVENT_BODIES['records.imported'];
const policyImported = EVENT_BODIES['policy.imported'];

/** The incident the lanes are derived for: the evaluation's subject (an incident-scope incidentId). */
const incidentId = evaluated.shape.subject;

/** An evaluation of workflow compromise-authority: the findings view with its lanes, always present. */
export const authorityEvaluationSchema = evaluationViewSchema.extend({ authority: authorityViewSchema });

/** What is recomputed from a recorded evaluation and differs from what its entry says. */
const IRREPRODUCIBLE = ['records', 'policy', 'findings'] as const;

export const authorityStatusSchema = z.strictObject({
  incidentId,
  /** Every recorded evaluation of the incident, in journal order. */
  evaluations: z.array(
    z.strictObject({
      seq,
      at: z.string(),
      actor: z.string(),
      asOf: isoTime,
      outcome: evaluated.shape.outcome,
    }),
  ),
  /** The evaluation asked for (default: the latest), or null when the incident was never evaluated. */
  current: z
    .strictObject({
      seq,
      at: z.string(),
      /** STALE when records or policy changed since, or when it no longer reproduces (never greener). */
      status: z.enum(['FRESH', 'STALE']),
      changed: z.array(z.enum(['records', 'policy', 'findings'])),
      sentence: z.string(),
      /** Whether its records, policy and findings recompute, as of its seq, to the digests it recorded. */
      reproduced: z.boolean(),
      irreproducible: z.array(z.enum(IRREPRODUCIBLE)),
      /** Its lanes as recomputed from its seq and instant; null when it does not reproduce. */
      evaluation: authorityEvaluationSchema.nullable(),
    })
    .nullable(),
});

/** One side of a diff: a recorded evaluation (seq) or the facts now (seq null, not recorded). */
const diffSideSchema = z.strictObject({
  seq: seq.nullable(),
  asOf: isoTime,
  outcome: z.string(),
  reason: z.string(),
  recommended: z.string().nullable(),
  recordsDigest: sha256Hex,
  policyDigest: sha256Hex,
  findingsDigest: sha256Hex,
});

export const authorityDiffViewSchema = z.strictObject({
  incidentId,
  from: diffSideSchema,
  to: diffSideSchema,
  diff: authorityDiffSchema,
});

const entryHead = { seq, at: z.string(), actor: z.string() };
export const lineageEntrySchema = z.discriminatedUnion('type', [
  /** An evaluation of the incident: its outcome, and the lane it recommended (recomputed from its seq). */
  z.strictObject({
    type: z.literal('evaluation'),
    ...entryHead,
    asOf: isoTime,
    outcome: evaluated.shape.outcome,
    recommended: z.string().nullable(),
    /** False when it no longer recomputes to its recorded digests (then `recommended` is null). */
    reproduced: z.boolean(),
  }),
  /** Records of one of the workflow's families came in. */
  z.strictObject({
    type: z.literal('records'),
    ...entryHead,
    family: imported.shape.family,
    system: imported.shape.system,
    exportedAt: imported.shape.exportedAt,
    fileName: imported.shape.fileName,
    count: imported.shape.count,
    newRecords: imported.shape.newRecords,
  }),
  /** A version of the authority matrix came in. */
  z.strictObject({
    type: z.literal('policy'),
    ...entryHead,
    policy: policyImported.shape.policy,
    version: policyImported.shape.version,
    exportedAt: policyImported.shape.exportedAt,
    digest: policyImported.shape.digest,
  }),
  /**
   * A person's redirect (journal kind authority.redirect-recorded, design §6): the lane they chose beside
   * the lane the station computed. Filled by services/authority/lineage.ts `redirectLineageEntries`.
   */
  z.strictObject({
    type: z.literal('redirect'),
    ...entryHead,
    evaluationSeq: seq,
    asOf: isoTime,
    computedLane: z.string().nullable(),
    targetComputedStatus: z.string(),
    toLane: z.string(),
    reason: z.string(),
    redirectedBy: z.string(),
    role: z.string(),
  }),
]);
export type LineageEntry = z.output<typeof lineageEntrySchema>;

export const authorityChannels = {
  /** Evaluates workflow compromise-authority for an incident as of an instant (default now) and records it. */
  authorityEvaluate: {
    input: z.strictObject({ incidentId, asOf: isoTime.optional(), actor }),
    output: authorityEvaluationSchema,
  },
  /** FRESH or STALE for the incident's latest evaluation (or `seq`), with its lanes recomputed from its seq. */
  authorityStatus: {
    input: z.strictObject({ incidentId, seq: seq.optional() }),
    output: authorityStatusSchema,
  },
  /**
   * What changed between two evaluations of the incident (`from`, `to`: their seqs), or between one and
   * the facts now (`to` left out; `asOf` then sets the instant, default now). `from` defaults to the
   * latest evaluation before `to`. Each side is recomputed from its seq; EVALUATION_IRREPRODUCIBLE when
   * one does not give back its recorded digests.
   */
  authorityDiff: {
    input: z.strictObject({
      incidentId,
      from: seq.optional(),
      to: seq.optional(),
      asOf: isoTime.optional(),
    }),
    output: authorityDiffViewSchema,
  },
  /** The incident's journal in order: evaluations, records and matrix versions imported, redirects. */
  authorityLineage: {
    input: z.strictObject({ incidentId }),
    output: z.strictObject({ incidentId, entries: z.array(lineageEntrySchema) }),
  },
} as const satisfies Channels;

export type AuthorityEvaluation = z.output<typeof authorityEvaluationSchema>;
