import type { EventBody } from '../../../core/journal/events';
import type { Input, View } from '../../../shared/contract';
import type { PortalRunView } from '../../../shared/contract/portal';
import type { Station } from '../../station/station';
import type { PortalAdapter } from './port';
import { reconcileRun, submitIssuance } from './submit';
import { portalRuns, type PortalRun } from './runs';

/** A run as the Portal view and `station portal status` show it (digests and references, never values). */
export function portalRunView(run: PortalRun): PortalRunView {
  const shots = [
    ...(run.halted?.screenshots ?? []),
    ...(run.intent?.body.screenshots ?? []),
    ...(run.submitted?.screenshots ?? []),
    ...(run.ambiguous?.screenshots ?? []),
    ...run.reconciliations.flatMap((r) => r.body.screenshots),
  ];
  const readBack = run.intent?.body.readBack ?? run.halted?.readBack ?? [];
  return {
    runId: run.runId,
    requestId: run.requestId,
    state: run.state,
    sentence: run.sentence,
    startedAt: run.startedAt,
    actor: run.actor,
    profile: run.started.profile,
    origin: run.started.origin,
    evaluationSeq: run.started.evaluationSeq,
    entryDigest: run.started.entryDigest,
    fields: [...run.started.fields],
    stopped: run.stopped
      ? {
          stage: run.stopped.stage,
          outcome: run.stopped.outcome,
          owner: run.stopped.owner,
          blockers: run.stopped.blockers,
        }
      : null,
    halt: run.halted
      ? {
          kind: run.halted.kind,
          tab: run.halted.tab,
          field: run.halted.field,
          detail: run.halted.detail,
          disposition: run.halted.disposition,
          draftId: run.halted.draftId,
        }
      : null,
    intentSeq: run.intent?.seq ?? null,
    ambiguousReason: run.ambiguous?.reason ?? null,
    portalRequestId: run.portalRequestId,
    readBack: readBack.map((r) => ({ tab: r.tab, take: r.take, match: r.match })),
    screenshots: shots,
    reconciliations: run.reconciliations.map((r) => ({
      seq: r.seq,
      actor: r.actor,
      result: r.body.result,
      portalRequestId: r.body.portalRequestId,
      rows: r.body.rows.length,
    })),
    next:
      run.state === 'HALTED-AMBIGUOUS'
        ? 'reconcile'
        : run.state === 'SUBMITTED'
          ? 'none'
          : run.state === 'RUNNING' || run.state === 'SUBMITTING'
            ? 'wait'
            : 'new-run',
  };
}

/** Pre-checks that stopped before any run began, newest last. */
function stops(station: Station, requestId: string | null): View<'portalStatus'>['stops'] {
  return station.journal
    .eventsOfKind('portal.stopped')
    .filter((e) => (e.body as EventBody<'portal.stopped'>).runId === null)
    .map((e) => ({ e, b: e.body as EventBody<'portal.stopped'> }))
    .filter(({ b }) => requestId === null || b.requestId === requestId)
    .map(({ e, b }) => ({
      seq: e.seq,
      at: e.at,
      actor: e.actor,
      requestId: b.requestId,
      stage: b.stage,
      evaluationSeq: b.evaluationSeq,
      outcome: b.outcome,
      owner: b.owner,
      blockers: b.blockers,
    }));
}

export function portalStatus(
  station: Station,
  input: { requestId?: string | undefined },
): View<'portalStatus'> {
  const requestId = input.requestId ?? null;
  return {
    mode: station.stationRecord().mode,
    runs: portalRuns(station, requestId).map(portalRunView),
    stops: stops(station, requestId),
  };
}

/** The profiles this station knows, as `station portal profiles` and the Portal view list them. */
export function portalProfilesView(adapter: PortalAdapter): View<'portalProfiles'> {
  return adapter
    .profiles()
    .map((p) => ({ name: p.name, title: p.title, sha256: p.sha256, takes: [...p.takes] }));
}

/** `station portal probe`: the profile's walk of the portal, never typing or submitting. */
export async function probePortal(
  adapter: PortalAdapter,
  opts: {
    profile: string;
    baseUrl: string;
    headless: boolean;
    credentials: (() => Promise<{ username: string; password: string }>) | null;
  },
): Promise<{ ok: boolean; mismatches: string[] }> {
  const profile = adapter.profile(opts.profile);
  adapter.admit(profile, opts.baseUrl);
  return adapter.probe({ ...opts, profile });
}

type Creds = { username?: string | undefined; password?: string | undefined };
const credentialsOf = (c: Creds) =>
  c.username && c.password
    ? (
        (u: string, p: string) => () =>
          Promise.resolve({ username: u, password: p })
      )(c.username, c.password)
    : null;

/** The Portal view's submit: the run as it ended, or the pre-check stop when no run began. */
export async function portalSubmitView(
  station: Station,
  input: Input<'portalSubmit'>,
  adapter: PortalAdapter,
): Promise<View<'portalSubmit'>> {
  const r = await submitIssuance(
    station,
    {
      requestId: input.requestId,
      profile: input.profile,
      baseUrl: input.url,
      headless: input.headless ?? false,
      credentials: credentialsOf(input),
      actor: input.actor,
    },
    adapter,
  );
  if (r.run) return { run: portalRunView(r.run), stop: null };
  return { run: null, stop: stops(station, input.requestId).at(-1) ?? null };
}

/** The Portal view's reconcile of a HALTED-AMBIGUOUS run. */
export async function portalReconcileView(
  station: Station,
  input: Input<'portalReconcile'>,
  adapter: PortalAdapter,
): Promise<View<'portalReconcile'>> {
  return portalRunView(
    await reconcileRun(
      station,
      {
        runId: input.runId,
        baseUrl: input.url,
        headless: input.headless ?? false,
        credentials: credentialsOf(input),
        actor: input.actor,
      },
      adapter,
    ),
  );
}
