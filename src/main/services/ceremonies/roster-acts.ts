import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CeremonyFile, CeremonyStep } from '../../../core/ceremony';
import type { RunEvent } from '../../../core/ceremony/run';
import { canonicalBytes } from '../../../core/canonical';
import { rosterStatus, validCustodians, type RosterEntry } from '../../../core/custody/roster';
import { encodeOperation } from '../../../core/custody/operation';
import { journalTime, type EventBody } from '../../../core/journal/events';
import { stationError } from '../../errors';
import type { Station } from '../../station/station';
import {
  applyRosterChange,
  planRosterChange,
  proposeRosterChange,
  rosterEntries,
  rosterPolicy,
  type RosterChangeInput,
} from '../custodians';
import type { OpenedRun } from './queries';

/**
 * The roster-change ceremony's acts (docs/ceremonies.md): `roster-apply` applies the file's compound
 * change under the step's quorum (production) or shows what it would make of the roster, nothing applied
 * (rehearsal: the station has one roster); `verify-roster` and the `roster-applied` postcondition read the
 * result back and compare it with the file.
 */

type Postcondition = EventBody<'ceremony.step-acted'>['postconditions'][number];
interface ActOutcome {
  readonly result: string;
  readonly postconditions: Postcondition[];
  readonly outputs: { path: string; sha256: string }[];
}
/** Writes the step's evidence file (named REHEARSAL in a rehearsal, never overwritten): runs.ts's writer. */
export type WriteEvidence = (suffix: string, evidence: object) => { path: string; sha256: string };

const sha256hex = (d: Uint8Array | string) => createHash('sha256').update(d).digest('hex');
const EVIDENCE = 'roster-dry-run.json';

/** The file's roster block as the roster service takes it. */
export function rosterChangeOf(file: CeremonyFile): RosterChangeInput {
  const r = file.roster;
  if (!r)
    throw stationError('CEREMONY_ACT_UNSUPPORTED', 'the file has no roster block to apply', {
      field: 'roster',
    });
  return {
    add: r.add.map((a) => ({
      custodianId: a.id,
      name: a.name,
      roles: a.roles,
      publicKey: a.publicKey,
      validFrom: a.validFrom,
      validUntil: a.validUntil,
    })),
    revoke: r.revoke.map((v) => ({ custodianId: v.id, reason: v.reason })),
    quorum: r.quorum?.m ?? null,
    validAfter: r.quorum?.n ?? null,
  };
}

/** The quorum operation a production roster-apply step binds: exactly the file's compound change. */
export const rosterApplyOperation = (file: CeremonyFile) =>
  proposeRosterChange(rosterChangeOf(file)).operation;

/** A roster as read back (from the journal, or from a rehearsal's dry run) and its quorum. */
interface RosterView {
  readonly roster: readonly RosterEntry[];
  readonly quorum: number;
}

/**
 * roster-applied: every custodian the file adds is VALID with the key fingerprint of the file's key, every
 * one it revokes is revoked, the quorum is the file's M and N custodians are VALID.
 */
function rosterApplied(file: CeremonyFile, view: RosterView, now: string, what: string): Postcondition {
  const { change } = proposeRosterChange(rosterChangeOf(file));
  const r = file.roster as NonNullable<CeremonyFile['roster']>;
  const wrong: string[] = [];
  const seen: string[] = [];
  for (const a of change.add) {
    const e = view.roster.find((x) => x.custodianId === a.custodianId);
    const status = e ? rosterStatus(e, now) : 'absent';
    if (!e || status !== 'VALID' || e.fingerprint !== a.fingerprint)
      wrong.push(
        `${a.custodianId} is ${status}${e ? ` with key ${e.fingerprint.slice(0, 16)}…` : ''}, not VALID with key ${a.fingerprint.slice(0, 16)}…`,
      );
    else seen.push(`${a.custodianId} VALID, key ${a.fingerprint.slice(0, 16)}…`);
  }
  for (const v of change.revoke) {
    const e = view.roster.find((x) => x.custodianId === v.custodianId);
    if (!e?.revokedAt) wrong.push(`${v.custodianId} is ${e ? rosterStatus(e, now) : 'absent'}, not revoked`);
    else seen.push(`${v.custodianId} revoked at ${e.revokedAt}`);
  }
  const valid = validCustodians(view.roster, now).length;
  if (r.quorum) {
    if (view.quorum !== r.quorum.m) wrong.push(`the quorum is ${view.quorum}, not ${r.quorum.m}`);
    if (valid !== r.quorum.n) wrong.push(`${valid} custodians are VALID, not ${r.quorum.n}`);
  }
  seen.push(`quorum ${view.quorum} of ${valid} VALID`);
  const observed = `${what}: ${wrong.length ? `DIFFERS from the file: ${wrong.join('; ')}` : seen.join('; ')}`;
  return {
    kind: 'roster-applied',
    result: wrong.length === 0 ? 'pass' : 'fail',
    observed: observed.slice(0, 1000),
    evidenceSha256: sha256hex(canonicalBytes({ roster: view.roster, quorum: view.quorum, at: now })),
  };
}

const postconditionsOf = (step: CeremonyStep, check: () => Postcondition): Postcondition[] =>
  step.postconditions.includes('roster-applied') ? [check()] : [];

/** The step's quorum session, as its check recorded it. */
function checkedSession(run: OpenedRun, step: CeremonyStep): string {
  const checked = [...run.events]
    .reverse()
    .find((e) => e.kind === 'ceremony.step-checked' && e.body.stepId === step.id) as
    Extract<RunEvent, { kind: 'ceremony.step-checked' }> | undefined;
  const sessionId = checked?.body.quorumSessionId;
  if (!sessionId)
    throw stationError('QUORUM_SESSION_NOT_FOUND', `step ${step.id} has no quorum session recorded`, {
      field: 'quorumSessionId',
    });
  return sessionId;
}

const describe = (plan: ReturnType<typeof planRosterChange>) =>
  [
    plan.change.add.length ? `add ${plan.change.add.map((a) => a.custodianId).join(', ')}` : null,
    plan.change.revoke.length ? `revoke ${plan.change.revoke.map((v) => v.custodianId).join(', ')}` : null,
    `quorum ${plan.quorum} of ${plan.valid} VALID`,
  ]
    .filter(Boolean)
    .join('; ');

/**
 * roster-apply. Production: the compound change, applied in one append under the step's quorum session
 * (bound to exactly this change; it is closed as used). Rehearsal: every check the real act makes and
 * the roster it would make, written as REHEARSAL evidence; the station's roster is not touched.
 */
export function rosterApply(
  station: Station,
  run: OpenedRun,
  step: CeremonyStep,
  opts: { actor: string; writeEvidence: WriteEvidence },
): ActOutcome {
  const file = run.ceremony.file;
  const input = rosterChangeOf(file);
  const now = journalTime(station.deps.clock());
  if (run.state.started.mode === 'rehearsal') {
    const plan = planRosterChange(station, input);
    const written = opts.writeEvidence(EVIDENCE, {
      applied: false,
      operation: encodeOperation(plan.operation),
      at: now,
      quorum: plan.quorum,
      valid: plan.valid,
      roster: plan.roster,
    });
    return {
      result: `REHEARSAL dry run, nothing applied: the change would ${describe(plan)}; the production change binds operation ${encodeOperation(plan.operation)}`,
      postconditions: postconditionsOf(step, () =>
        rosterApplied(file, plan, now, 'REHEARSAL dry run (the roster it would make)'),
      ),
      outputs: [written],
    };
  }
  const plan = applyRosterChange(station, {
    change: input,
    quorumSessionId: checkedSession(run, step),
    actor: opts.actor,
  });
  // Read back after the append: its revocations are stamped with the append's time.
  const after = journalTime(station.deps.clock());
  return {
    result: `applied: ${describe(plan)}; operation ${encodeOperation(plan.operation)}`,
    postconditions: postconditionsOf(step, () =>
      rosterApplied(file, readBack(station), after, 'the journal'),
    ),
    outputs: [],
  };
}

function readBack(station: Station): RosterView {
  return { roster: rosterEntries(station), quorum: rosterPolicy(station)?.quorum ?? 0 };
}

/** The dry run's projection a rehearsal's roster-apply wrote, its bytes checked against the journal. */
function dryRun(run: OpenedRun): (RosterView & { at: string }) | string {
  const acted = run.events.find(
    (e) =>
      e.kind === 'ceremony.step-acted' && e.body.act === 'roster-apply' && e.body.marking === 'REHEARSAL',
  ) as Extract<RunEvent, { kind: 'ceremony.step-acted' }> | undefined;
  const out = acted?.body.outputs[0];
  if (!out) return 'no roster-apply dry run is recorded in this rehearsal';
  let text: string;
  try {
    text = readFileSync(out.path, 'utf8');
  } catch {
    return `the dry run ${out.path} cannot be read`;
  }
  if (sha256hex(text) !== out.sha256)
    return `${out.path} has SHA-256 ${sha256hex(text)}, not the ${out.sha256} the journal recorded`;
  return JSON.parse(text) as RosterView & { at: string };
}

/** verify-roster: the roster the journal holds now (in a rehearsal: the dry run's), compared with the file. */
export function verifyRoster(station: Station, run: OpenedRun, step: CeremonyStep): ActOutcome {
  const file = run.ceremony.file;
  const rehearsal = run.state.started.mode === 'rehearsal';
  const view: (RosterView & { at?: string }) | string = rehearsal ? dryRun(run) : readBack(station);
  if (typeof view === 'string')
    return {
      result: `REHEARSAL: ${view}`,
      postconditions: step.postconditions.map((kind) => ({
        kind,
        result: 'fail' as const,
        observed: view.slice(0, 1000),
        evidenceSha256: null,
      })),
      outputs: [],
    };
  const now = view.at ?? journalTime(station.deps.clock());
  const valid = validCustodians(view.roster, now);
  const revoked = view.roster.filter((e) => e.revokedAt).map((e) => e.custodianId);
  const what = rehearsal ? 'REHEARSAL dry run (nothing applied)' : 'the journal';
  return {
    result:
      `${what}: quorum ${view.quorum}; VALID ${valid.map((e) => e.custodianId).join(', ')}; revoked ${revoked.join(', ') || 'none'}`.slice(
        0,
        2000,
      ),
    postconditions: postconditionsOf(step, () => rosterApplied(file, view, now, what)),
    outputs: [],
  };
}
