import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { knownAt } from '../../../core/findings/engine';
import { requestDigest, type RequestContent } from '../../../core/findings/rules/issuance/common';
import { WORKFLOWS } from '../../../core/findings/workflows';
import type { EventBody } from '../../../core/journal/events';
import { entryViewSchema } from '../../../core/portal/model';
import { parseEventBody } from '../../adapters/store/repos/events';
import { stationError } from '../../errors';
import type { Station } from '../../station/station';
import { policyBefore, sha256hex, storedRecordsBefore } from '../records/queries';
import { portalRuns, type PortalRun } from './runs';
import { PORTAL_EVIDENCE_DIR } from './submit';

/**
 * The read side of a portal run's signed evidence bundle (bundle kind `portal-evidence`,
 * docs/portal-submission.md "Evidence"): the run as the journal holds it, the approval trace of the
 * pre-check evaluations it rests on, and its masked screenshots, each re-hashed against the digest the
 * journal holds. Nothing here writes; the bundles service signs what this returns.
 */

/** A screenshot larger than this is not one the driver wrote. */
const MAX_SCREENSHOT_BYTES = 32 * 1024 * 1024;
const WORKFLOW = 'portal-issuance';

export interface PortalEvidencePlan {
  readonly runId: string;
  readonly requestId: string;
  readonly title: string;
  /** The bundle's payload files besides the journal pair, in order, bytes already read and checked. */
  readonly files: readonly { name: string; bytes: Buffer }[];
}

type ScreenshotRef = { name: string; sha256: string; bytes: number };

/** Every screenshot a run's events reference, with the event that holds it. */
function screenshotsOf(run: PortalRun): { event: string; seq: number | null; ref: ScreenshotRef }[] {
  return [
    ...(run.halted?.screenshots ?? []).map((ref) => ({ event: 'portal.halted', seq: null, ref })),
    ...(run.intent?.body.screenshots ?? []).map((ref) => ({
      event: 'portal.submit-intent',
      seq: run.intent?.seq ?? null,
      ref,
    })),
    ...(run.submitted?.screenshots ?? []).map((ref) => ({ event: 'portal.submitted', seq: null, ref })),
    ...(run.ambiguous?.screenshots ?? []).map((ref) => ({
      event: 'portal.outcome-ambiguous',
      seq: null,
      ref,
    })),
    ...run.reconciliations.flatMap((r) =>
      r.body.screenshots.map((ref) => ({ event: 'portal.reconciled', seq: r.seq, ref })),
    ),
  ];
}

/**
 * Reads one kept screenshot (a regular file, never through a link) and refuses it unless its SHA-256 is
 * the one the journal holds: PORTAL_EVIDENCE_TAMPERED names the file. The bytes returned are the bytes
 * hashed, so what the bundle carries is exactly what was checked.
 */
function readScreenshot(station: Station, runId: string, ref: ScreenshotRef): Buffer {
  const file = `${ref.name}.png`;
  const path = join(station.dataDir, PORTAL_EVIDENCE_DIR, runId, file);
  const refuse = (why: string) =>
    stationError(
      'PORTAL_EVIDENCE_TAMPERED',
      `screenshot ${file} of run ${runId} ${why}: the evidence store no longer holds what the journal cites`,
      { field: 'runId', file, expectedSha256: ref.sha256 },
    );
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    throw refuse((e as NodeJS.ErrnoException).code === 'ELOOP' ? 'is a link' : 'is missing');
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw refuse('is not a regular file');
    if (st.size > MAX_SCREENSHOT_BYTES) throw refuse(`is ${st.size} bytes, not ${ref.bytes}`);
    const bytes = readFileSync(fd);
    const found = createHash('sha256').update(bytes).digest('hex');
    if (found !== ref.sha256) throw refuse(`has SHA-256 ${found}, not ${ref.sha256} as journaled`);
    return bytes;
  } finally {
    closeSync(fd);
  }
}

/** The run's own record, as the journal holds it: states, halts, read-back digests, intent, outcome. */
function runDocument(run: PortalRun) {
  return {
    runId: run.runId,
    requestId: run.requestId,
    state: run.state,
    sentence: run.sentence,
    started: { seq: run.startedSeq, at: run.startedAt, actor: run.actor, ...run.started },
    stopped: run.stopped,
    halted: run.halted,
    intent: run.intent ? { seq: run.intent.seq, ...run.intent.body } : null,
    submitted: run.submitted,
    ambiguous: run.ambiguous,
    reconciliations: run.reconciliations.map((r) => ({ seq: r.seq, actor: r.actor, ...r.body })),
    portalRequestId: run.portalRequestId,
    screenshots: screenshotsOf(run).map((s) => ({
      file: `evidence/${s.ref.name}.png`,
      sha256: s.ref.sha256,
      bytes: s.ref.bytes,
      event: s.event,
      ...(s.seq !== null ? { seq: s.seq } : {}),
    })),
  };
}

/**
 * One pre-check evaluation the run rests on, recomputed from the records and policy the station held
 * at its seq. When it reproduces its recorded digests, the ISS-APPROVALS facts come with it: the
 * issuance-approval records counted for each policy role (approver, decision, bound digest), the request
 * digest they must bind, and the ISS-APPROVALS findings. When it does not, only what was recorded.
 */
function approvalTrace(station: Station, stage: 'before-entry' | 'before-submit', seq: number) {
  const row = station.journal.get(seq);
  if (row?.kind !== 'evaluation.recorded')
    throw stationError('EVALUATION_NOT_FOUND', `journal seq ${seq} is not an evaluation`, { field: 'seq' });
  const recorded = parseEventBody('evaluation.recorded', row.body, seq);
  const base = { stage, seq, at: row.at, actor: row.actor, recorded };
  const w = WORKFLOWS[WORKFLOW];
  if (!w || recorded.workflow !== WORKFLOW)
    return { ...base, reproduced: false, note: `evaluation ${seq} is not a ${WORKFLOW} evaluation` };
  const policy = policyBefore(station, w.policy, recorded.asOf, seq);
  const records = storedRecordsBefore(station, w.families, seq);
  const ev = w.evaluate({
    records,
    policy: policy.content,
    policyDigest: policy.digest,
    asOf: recorded.asOf,
    subject: recorded.subject,
    sha256: sha256hex,
  });
  if (
    ev.findingsDigest !== recorded.findingsDigest ||
    ev.inputs.recordsDigest !== recorded.recordsDigest ||
    ev.inputs.policyDigest !== recorded.policyDigest
  )
    return {
      ...base,
      reproduced: false,
      note: `evaluation ${seq} does not reproduce from the records and policy the station held at that seq: only its recorded digests and outcome are given`,
    };
  const known = knownAt(records, recorded.asOf);
  const entry = ev.derived === undefined ? null : entryViewSchema.parse(ev.derived);
  const refs = entry?.fields.find((f) => f.take === 'approvalRefs')?.value ?? [];
  const counted = Array.isArray(refs) ? refs : [refs];
  const approvals = known.filter(
    (r) =>
      r.family === 'issuance-approval' &&
      (r.content as { requestId?: unknown }).requestId === recorded.subject,
  );
  const request = known
    .filter(
      (r) =>
        r.family === 'issuance-request' &&
        (r.content as { requestId?: unknown }).requestId === recorded.subject,
    )
    .sort((a, b) =>
      String((a.content as RequestContent).requestedAt).localeCompare(
        String((b.content as RequestContent).requestedAt),
      ),
    )
    .at(-1);
  type Approval = {
    approvalId: string;
    approver: string;
    role: string;
    decision: string;
    boundDigest: string;
    approvedAt: string;
    expiresAt: string;
  };
  return {
    ...base,
    reproduced: true,
    outcome: ev.outcome,
    findingsDigest: ev.findingsDigest,
    entryDigest: entry?.digest ?? null,
    policy: { policy: policy.policy, version: policy.version, digest: policy.digest, source: policy.source },
    requestDigest: request ? requestDigest(sha256hex, request.content as RequestContent) : null,
    approvals: approvals.map((r) => {
      const c = r.content as Approval;
      return {
        approvalId: c.approvalId,
        role: c.role,
        approver: c.approver,
        decision: c.decision,
        boundDigest: c.boundDigest,
        approvedAt: c.approvedAt,
        expiresAt: c.expiresAt,
        counted: counted.includes(c.approvalId),
        record: {
          system: r.provenance.system,
          recordId: r.provenance.recordId,
          exportedAt: r.provenance.exportedAt,
          digest: r.digest,
        },
      };
    }),
    findings: ev.findings
      .filter((f) => f.checkId === 'ISS-APPROVALS')
      .map((f) => ({
        checkId: f.checkId,
        category: f.category,
        blocking: f.blocking,
        subject: f.subject,
        sentence: f.sentence,
        records: f.records,
      })),
  };
}

/** The run a portal-evidence bundle is of (NOT_FOUND naming runId otherwise). */
function runById(station: Station, runId: string): PortalRun {
  const run = portalRuns(station, null).find((r) => r.runId === runId);
  if (!run) throw stationError('NOT_FOUND', `no portal run ${runId}`, { field: 'runId' });
  return run;
}

/**
 * What a `portal-evidence` bundle of one run carries: `portal/run.json`, `portal/approval-trace.json`
 * and every masked screenshot as `evidence/<name>.png`, each re-hashed and refused
 * (PORTAL_EVIDENCE_TAMPERED) unless it is the one the journal cites. The journal pair is the bundles
 * service's part.
 */
export function portalEvidencePlan(station: Station, runId: string): PortalEvidencePlan {
  const run = runById(station, runId);
  const text = (name: string, value: unknown) => ({
    name,
    bytes: Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8'),
  });
  const started: EventBody<'portal.run-started'> = run.started;
  const traces = [approvalTrace(station, 'before-entry', started.evaluationSeq)];
  if (run.intent) traces.push(approvalTrace(station, 'before-submit', run.intent.body.evaluationSeq));
  const seen = new Set<string>();
  const shots = screenshotsOf(run).filter((s) => !seen.has(s.ref.name) && seen.add(s.ref.name));
  return {
    runId: run.runId,
    requestId: run.requestId,
    title: `Portal evidence of run ${run.runId} (request ${run.requestId}, ${run.state})`,
    files: [
      text('portal/run.json', runDocument(run)),
      text('portal/approval-trace.json', { runId: run.runId, requestId: run.requestId, evaluations: traces }),
      ...shots.map((s) => ({
        name: `evidence/${s.ref.name}.png`,
        bytes: readScreenshot(station, run.runId, s.ref),
      })),
    ],
  };
}
