import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { assertActor } from '../../../core/journal/events';
import type { EventBody } from '../../../core/journal/events';
import { CodedError } from '../../../core/errors';
import {
  entryViewSchema,
  HALT_KINDS,
  READY_FOR_PORTAL,
  type EntryKey,
  type EntryView,
} from '../../../core/portal/model';
import { stationError } from '../../errors';
import { writeExclusive } from '../../platform/durable';
import type { Station } from '../../station/station';
import { evaluateWorkflow } from '../findings';
import type { EntryValues, PortalAdapter, PortalProfileRef, PortalSessionPort, Screenshot } from './port';
import { takePortalLock, type PortalLock } from './lock';
import { duplicateOf, ownership } from './matching';
import { portalRuns, type PortalRun } from './runs';

/** The workflow whose evaluation is the pre-check (docs/findings.md "Portal issuance"). */
export const PORTAL_WORKFLOW = 'portal-issuance';
/** The station's evidence store for portal runs: masked screenshots, one folder per run (0700/0600). */
export const PORTAL_EVIDENCE_DIR = 'portal-evidence';

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

export function assertOnline(station: Station): void {
  if (station.stationRecord().mode !== 'online')
    throw stationError(
      'PORTAL_OFFLINE_STATION',
      'this is an offline ceremony station: portal submission runs only on an online (portal) station',
      { field: 'mode' },
    );
}

export interface SubmitInput {
  readonly requestId: string;
  readonly profile: string;
  readonly baseUrl: string;
  readonly headless: boolean;
  readonly credentials: (() => Promise<{ username: string; password: string }>) | null;
  readonly actor: string;
  /** Leave a headed window open at a halt for a person to take over (default: when headed). */
  readonly keepOpenOnHalt?: boolean;
}

export interface PreCheck {
  readonly seq: number;
  readonly outcome: string;
  readonly entry: EntryView | null;
  readonly blockers: { checkId: string; sentence: string }[];
}

/** The pre-check: a recorded evaluation of the portal-issuance workflow for the request, now. */
export function preCheck(station: Station, requestId: string, actor: string): PreCheck {
  const view = evaluateWorkflow(station, { workflow: PORTAL_WORKFLOW, subject: requestId, actor });
  const derived = (view as { entry?: unknown }).entry;
  const entry = derived === undefined ? null : entryViewSchema.parse(derived);
  const blockers = view.findings
    .filter((f) => f.blocking)
    .map((f) => ({ checkId: f.checkId, sentence: f.sentence }));
  return { seq: view.seq, outcome: view.outcome, entry, blockers };
}

const ready = (p: PreCheck): p is PreCheck & { entry: EntryView & { digest: string } } =>
  p.outcome === READY_FOR_PORTAL && p.entry !== null && p.entry.digest !== null && p.entry.fields.length > 0;

/**
 * May a new run of this request start? Never while one is in flight, never after the portal confirmed
 * one (or reconciliation found it), and never while a run is HALTED-AMBIGUOUS: the request may exist, so
 * reconciliation comes first (a restart of the station lands here, never in a submission).
 */
export function assertMayStart(station: Station, requestId: string): void {
  for (const run of portalRuns(station, requestId)) {
    if (run.state === 'SUBMITTED')
      throw stationError(
        'PORTAL_ALREADY_SUBMITTED',
        `request ${requestId} is already in the portal as ${run.portalRequestId ?? '?'} (run ${run.runId}): it is never submitted twice`,
        { field: 'requestId', runId: run.runId },
      );
    if (run.state === 'HALTED-AMBIGUOUS')
      throw stationError(
        'PORTAL_RECONCILE_FIRST',
        `run ${run.runId} of request ${requestId} may have submitted it (${run.sentence}): reconcile before any new run`,
        { field: 'requestId', runId: run.runId },
      );
    if (run.state === 'RUNNING' || run.state === 'SUBMITTING')
      throw stationError('PORTAL_RUN_BUSY', `run ${run.runId} of request ${requestId} is in progress`, {
        field: 'requestId',
        runId: run.runId,
      });
  }
}

/** The entry as the driver takes it (values only for the keys the profile takes). */
function entryValues(entry: EntryView, takes: readonly EntryKey[]): EntryValues {
  const out: Partial<Record<EntryKey, string | readonly string[]>> = {};
  for (const f of entry.fields) if (takes.includes(f.take)) out[f.take] = f.value;
  return out;
}

/** Keeps masked screenshots in the run's evidence folder (never overwritten) and returns their references. */
function keep(station: Station, runId: string, stage: string, shots: readonly Screenshot[]) {
  if (shots.length === 0) return [];
  const dir = join(station.dataDir, PORTAL_EVIDENCE_DIR, runId);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return shots.map((s, i) => {
    const name = `${stage}-${String(i + 1).padStart(2, '0')}-${s.name}`
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, '-')
      .slice(0, 76);
    writeExclusive(join(dir, `${name}.png`), s.png, { mode: 0o600 });
    return { name, sha256: sha256(s.png), bytes: s.png.byteLength };
  });
}

export interface SubmitResult {
  readonly run: PortalRun | null;
  readonly preCheck: PreCheck;
  /**
   * A headed window was left open at a halt (or a stop before submit) for a person to take over: the
   * draft as the halt left it. Never after a submit intent.
   */
  readonly windowOpen: boolean;
}

/**
 * One submission run (docs/portal-submission.md): pre-check before any browser entry; enter and read
 * back every tab; pre-check again immediately before submit (the same entry, or a halt); a durable
 * submit intent; the click; success only on a confirmation with a request id, otherwise
 * HALTED-AMBIGUOUS — never a retry.
 */
export async function submitIssuance(
  station: Station,
  input: SubmitInput,
  adapter: PortalAdapter,
): Promise<SubmitResult> {
  assertActor(input.actor);
  assertOnline(station);
  station.assertWritable();
  const profile = adapter.profile(input.profile);
  const origin = adapter.admit(profile, input.baseUrl);
  // One portal act at a time on this station, whichever process asks (the window's host, the CLI).
  const lock = takePortalLock(station, `submit ${input.requestId}`, station.deps.clock().toISOString());
  const window: { open: boolean; closed: Promise<void> | null } = { open: false, closed: null };
  try {
    const r = await submitHoldingLock(station, input, adapter, { profile, origin, lock, window });
    return { ...r, windowOpen: window.open };
  } finally {
    // A window left for a person keeps the station's one portal act: no other run (of this request or
    // another) starts while someone may still act in it; the lock goes when the window is closed.
    if (window.closed) void window.closed.finally(() => lock.release());
    else lock.release();
  }
}

async function submitHoldingLock(
  station: Station,
  input: SubmitInput,
  adapter: PortalAdapter,
  held: {
    profile: PortalProfileRef;
    origin: string;
    lock: PortalLock;
    window: { open: boolean; closed: Promise<void> | null };
  },
): Promise<Omit<SubmitResult, 'windowOpen'>> {
  const { profile, origin, lock } = held;
  assertMayStart(station, input.requestId);

  const first = preCheck(station, input.requestId, input.actor);
  if (!ready(first)) {
    station.record([
      {
        kind: 'portal.stopped',
        actor: input.actor,
        body: {
          runId: null,
          requestId: input.requestId,
          stage: 'before-entry',
          evaluationSeq: first.seq,
          outcome: first.outcome,
          owner: first.entry?.owner ?? null,
          blockers: first.blockers,
        },
      },
    ]);
    return { run: null, preCheck: first };
  }
  const entry = first.entry;
  const missing = profile.takes.filter((k) => !entry.fields.some((f) => f.take === k));
  if (missing.length > 0)
    throw stationError(
      'PORTAL_ENTRY_INCOMPLETE',
      `profile ${profile.name} takes ${missing.join(', ')}, which the request's records do not give`,
      { field: 'profile', missing },
    );

  const runId = randomUUID();
  const started: EventBody<'portal.run-started'> = {
    runId,
    requestId: input.requestId,
    profile: profile.name,
    profileSha256: profile.sha256,
    origin,
    evaluationSeq: first.seq,
    entryDigest: entry.digest,
    fields: entry.fields
      .filter((f) => profile.takes.includes(f.take))
      .map((f) => ({ take: f.take, sha256: f.sha256 })),
    search: entry.search.length > 0 ? entry.search : [input.requestId],
  };
  lock.bind(runId);
  let session: PortalSessionPort | null = null;
  let keepOpen = false;
  try {
    station.record([{ kind: 'portal.run-started', actor: input.actor, body: started }]);
    type HaltBody = Omit<EventBody<'portal.halted'>, 'runId'>;
    /** A safe halt recorded (nothing typed beyond it, no draft unless said), the window left for a person. */
    const halt = (
      preCheck: PreCheck,
      h: Pick<HaltBody, 'kind' | 'detail'> & Partial<HaltBody>,
    ): Omit<SubmitResult, 'windowOpen'> => {
      const body: HaltBody = {
        tab: null,
        field: null,
        expectedSha256: null,
        foundSha256: null,
        disposition: 'abandoned',
        draftId: null,
        readBack: [],
        screenshots: [],
        ...h,
      };
      station.record([{ kind: 'portal.halted', actor: input.actor, body: { runId, ...body } }]);
      keepOpen = input.keepOpenOnHalt ?? !input.headless;
      return { run: runOf(station, runId), preCheck };
    };
    try {
      session = await adapter.open({
        profile,
        baseUrl: input.baseUrl,
        headless: input.headless,
        credentials: input.credentials,
      });
    } catch (e) {
      return halt(first, {
        kind: 'browser-failed',
        detail: `the browser could not be started: ${e instanceof Error ? e.message.slice(0, 400) : 'unknown'}`,
      });
    }

    // The portal itself, before entry: a live request for this subject and key already there (one the
    // records did not know yet) halts; what is there is kept so reconciliation never takes it for this run's.
    let knownBefore: string[];
    try {
      const seen = await searchAll(session, started.search);
      const live = seen.rows.filter((r) => duplicateOf(started.search, r));
      if (live.length > 0)
        return halt(first, {
          kind: 'duplicate-notice',
          detail: `the portal already holds a request for this subject or key: ${live.map((r) => `${r.requestId} (${r.state})`).join(', ')}`,
          screenshots: keep(station, runId, 'duplicate', seen.screenshots),
        });
      knownBefore = seen.rows.map((r) => r.requestId);
    } catch (e) {
      return halt(first, {
        kind: 'browser-failed',
        detail: `the portal's search before entry failed: ${faultText(e)}`,
      });
    }

    let filled: Awaited<ReturnType<PortalSessionPort['fill']>>;
    try {
      filled = await session.fill(entryValues(entry, profile.takes));
    } catch (e) {
      // A driver fault while entering: nothing was submitted; the run halts with the fault named.
      return halt(first, { kind: 'browser-failed', detail: `entering stopped on a fault: ${faultText(e)}` });
    }
    if (filled.state === 'halted') {
      const h = filled.halt ?? {
        kind: 'layout-changed' as const,
        detail: 'the driver halted without a reason',
      };
      return halt(first, {
        kind: h.kind,
        tab: h.tab ?? null,
        field: h.field ?? null,
        expectedSha256: h.expectedSha256 ?? null,
        foundSha256: h.foundSha256 ?? null,
        detail: h.detail,
        disposition: filled.disposition ?? 'abandoned',
        draftId: filled.draftId,
        readBack: [...filled.readBack],
        screenshots: keep(station, runId, 'halt', filled.screenshots),
      });
    }

    // Immediately before submit: the same rules again, and they must give exactly the entry typed.
    const second = preCheck(station, input.requestId, input.actor);
    if (!ready(second) || second.entry.digest !== entry.digest) {
      const saved = await session
        .saveDraft()
        .catch(() => ({ draftId: null, disposition: 'abandoned' as const }));
      if (!ready(second)) {
        station.record([
          {
            kind: 'portal.stopped',
            actor: input.actor,
            body: {
              runId,
              requestId: input.requestId,
              stage: 'before-submit',
              evaluationSeq: second.seq,
              outcome: second.outcome,
              owner: second.entry?.owner ?? entry.owner,
              blockers: second.blockers,
            },
          },
        ]);
        keepOpen = input.keepOpenOnHalt ?? !input.headless;
        return { run: runOf(station, runId), preCheck: second };
      }
      return halt(second, {
        kind: 'facts-changed',
        expectedSha256: entry.digest,
        foundSha256: second.entry.digest,
        detail: `the records changed between the pre-check before entry (evaluation ${first.seq}) and the one before submit (evaluation ${second.seq}): the entry differs`,
        disposition: saved.disposition,
        draftId: saved.draftId,
        readBack: [...filled.readBack],
      });
    }

    let intended = false;
    let result: Awaited<ReturnType<PortalSessionPort['submit']>>;
    try {
      result = await session.submit(async () => {
        // Durable before the click (the store commits with synchronous=FULL): from here the request may exist.
        station.record([
          {
            kind: 'portal.submit-intent',
            actor: input.actor,
            body: {
              runId,
              evaluationSeq: second.seq,
              entryDigest: entry.digest,
              draftId: filled.draftId,
              readBack: [...filled.readBack],
              screenshots: keep(station, runId, 'review', filled.screenshots),
              knownBefore,
            },
          },
        ]);
        intended = true;
      });
    } catch (e) {
      if (intended) {
        // After the intent nothing is known: the click may have reached the portal.
        result = {
          state: 'ambiguous',
          reason: `a fault after the submit intent: ${faultText(e)}`,
          screenshots: [],
        };
      } else {
        // The driver refused to click (the page changed at the last look): a safe halt, draft saved if it can be.
        const data = e instanceof CodedError ? (e.data as { kind?: unknown; tab?: unknown }) : {};
        const kind = HALT_KINDS.find((k) => k === data.kind) ?? 'browser-failed';
        const saved = await session
          .saveDraft()
          .catch(() => ({ draftId: null, disposition: 'abandoned' as const }));
        return halt(second, {
          kind,
          tab: typeof data.tab === 'string' ? data.tab : null,
          detail: `not submitted: ${faultText(e)}`,
          disposition: saved.disposition,
          draftId: saved.draftId ?? filled.draftId,
          readBack: [...filled.readBack],
        });
      }
    }
    if (result.state === 'confirmed' && knownBefore.includes(result.requestId))
      result = {
        state: 'ambiguous',
        reason: `the confirmation names ${result.requestId}, a request the portal held before this run entered anything`,
        screenshots: result.screenshots,
      };
    if (result.state === 'confirmed') {
      station.record([
        {
          kind: 'portal.submitted',
          actor: input.actor,
          body: {
            runId,
            portalRequestId: result.requestId,
            confirmationSha256: sha256(result.confirmation),
            screenshots: keep(station, runId, 'confirmation', result.screenshots),
          },
        },
      ]);
    } else if (runOf(station, runId).intent) {
      station.record([
        {
          kind: 'portal.outcome-ambiguous',
          actor: input.actor,
          body: {
            runId,
            reason: result.reason,
            screenshots: keep(station, runId, 'ambiguous', result.screenshots),
          },
        },
      ]);
      // Never left open here: a person's click in that window would be a submission outside
      // reconciliation. The next act is `reconcile`.
      keepOpen = false;
    }
    return { run: runOf(station, runId), preCheck: second };
  } finally {
    if (session) {
      await session.close({ keepOpen }).catch(() => undefined);
      const gone = keepOpen ? session.closed?.() : undefined;
      held.window.open = gone !== undefined;
      if (gone) held.window.closed = gone.catch(() => undefined);
    }
  }
}

/** A fault in words for the journal: its code and message, never a stack or a value typed. */
function faultText(e: unknown): string {
  if (e instanceof CodedError) return `${e.code}: ${e.message}`.slice(0, 1500);
  return e instanceof Error ? e.message.slice(0, 1500) : 'unknown fault';
}

function runOf(station: Station, runId: string): PortalRun {
  const run = portalRuns(station, null).find((r) => r.runId === runId);
  if (!run) throw stationError('NOT_FOUND', `no portal run ${runId}`, { field: 'runId' });
  return run;
}

/** A run by id (NOT_FOUND naming the field otherwise). */
export function portalRun(station: Station, runId: string): PortalRun {
  return runOf(station, runId);
}

/**
 * Reconciliation of a HALTED-AMBIGUOUS run: searches the portal by the run's terms (the subject's common
 * name and the CSR fingerprint), never submitting, and records what it found. One matching request →
 * found (SUBMITTED with its id); none → NOT-FOUND (a person may start a new run); several → the run stays
 * HALTED-AMBIGUOUS for a person to settle.
 */
export async function reconcileRun(
  station: Station,
  input: {
    runId: string;
    baseUrl: string;
    headless: boolean;
    credentials: SubmitInput['credentials'];
    actor: string;
  },
  adapter: PortalAdapter,
): Promise<PortalRun> {
  assertActor(input.actor);
  assertOnline(station);
  station.assertWritable();
  const lock = takePortalLock(station, `reconcile ${input.runId}`, station.deps.clock().toISOString());
  try {
    return await reconcileHoldingLock(station, input, adapter);
  } finally {
    lock.release();
  }
}

async function reconcileHoldingLock(
  station: Station,
  input: {
    runId: string;
    baseUrl: string;
    headless: boolean;
    credentials: SubmitInput['credentials'];
    actor: string;
  },
  adapter: PortalAdapter,
): Promise<PortalRun> {
  const run = runOf(station, input.runId);
  if (run.state !== 'HALTED-AMBIGUOUS')
    throw stationError(
      'PORTAL_NOT_AMBIGUOUS',
      `run ${run.runId} is ${run.state}: only a run whose outcome is unknown is reconciled`,
      { field: 'runId', state: run.state },
    );
  const profile = adapter.profile(run.started.profile);
  if (profile.sha256 !== run.started.profileSha256) {
    // The profile changed since the run: still search (it only reads), but say so in the record's rows.
  }
  const origin = adapter.admit(profile, input.baseUrl);
  if (origin !== run.started.origin)
    throw stationError(
      'PORTAL_URL_NOT_ALLOWED',
      `run ${run.runId} submitted to ${run.started.origin}; reconcile on the same portal, not ${origin}`,
      { field: 'url' },
    );
  const session = await adapter.open({
    profile,
    baseUrl: input.baseUrl,
    headless: input.headless,
    credentials: input.credentials,
  });
  try {
    const { rows, screenshots: shots } = await searchAll(session, run.started.search);
    const before = new Set(run.intent?.body.knownBefore ?? []);
    const fresh = rows.filter((r) => !before.has(r.requestId));
    const matching = fresh.filter((r) => ownership(run.started.search, r) === 'match');
    const unsure = fresh.filter((r) => ownership(run.started.search, r) === 'maybe');
    // Found only when exactly one new request is certainly this run's; NOT-FOUND only when no new request
    // could be; anything else (several, or one whose fingerprint the portal does not show) is a person's.
    const result =
      matching.length === 1 && unsure.length === 0
        ? 'found'
        : matching.length === 0 && unsure.length === 0
          ? 'not-found'
          : 'several';
    station.record([
      {
        kind: 'portal.reconciled',
        actor: input.actor,
        body: {
          runId: run.runId,
          queries: [...run.started.search],
          result,
          portalRequestId: result === 'found' ? (matching[0]?.requestId ?? null) : null,
          rows: rows.slice(0, 200),
          screenshots: keep(station, run.runId, `reconcile-${run.reconciliations.length + 1}`, shots),
        },
      },
    ]);
    return runOf(station, run.runId);
  } finally {
    await session.close().catch(() => undefined);
  }
}

/** The portal's search by every term (the common name, then the fingerprints), rows once each. */
async function searchAll(session: PortalSessionPort, terms: readonly string[]) {
  const rows: { requestId: string; subject: string; fingerprint: string; state: string }[] = [];
  const screenshots: Screenshot[] = [];
  for (const q of terms) {
    const found = await session.search(q);
    screenshots.push(...found.screenshots);
    for (const r of found.rows) if (!rows.some((x) => x.requestId === r.requestId)) rows.push({ ...r });
  }
  return { rows: rows.slice(0, 200), screenshots };
}
