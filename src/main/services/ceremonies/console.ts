import { randomBytes } from 'node:crypto';
import { lstatSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  actSentence,
  postconditionSentence,
  preconditionSentence,
  type CeremonyFile,
  type CeremonyStep,
} from '../../../core/ceremony';
import { completedRehearsals, type RunEvent, type RunMode } from '../../../core/ceremony/run';
import { validCustodians } from '../../../core/custody/roster';
import { operatorActor } from '../../../core/custody/signin';
import { assertNever } from '../../../core/errors';
import { journalTime } from '../../../core/journal/events';
import type { View } from '../../../shared/contract';
import { loadCeremonyFile } from '../../adapters/ceremony';
import { listVolumes } from '../../adapters/media/volumes';
import { stationError } from '../../errors';
import type { Station } from '../../station/station';
import { listQuorumSessions, quorumSessionView, rosterEntries } from '../custodians';
import { openRun, runEvents, viewQuorumOperation, type OpenedRun } from './queries';
import { actStep, prepareRehearsal, startRun } from './runs';

/**
 * The console's way into a run (contract/ceremonies.ts): the window names a ceremony file the station
 * listed on media, never a path of its choosing, and the run's outputs go to a new folder of the run
 * under the station's data directory (outputs are never overwritten). A rehearsal is readied as
 * `station ceremony run --rehearsal` readies it (prepareRehearsal): the key a backup or destruction acts
 * on, or the REHEARSAL shares a share re-issue takes. The runner's view is built here too, so the CLI
 * could print what the window shows.
 */
export async function startConsoleRun(
  station: Station,
  input: { path: string; mode: RunMode; pin?: string | undefined; actor: string },
): Promise<View<'ceremonyStart'>> {
  const file = listedCeremonyFile(station, input.path);
  const stamp = journalTime(station.deps.clock())
    .replace(/[^0-9]/g, '')
    .slice(0, 14);
  const outDir = join(
    station.dataDir,
    'ceremony-outputs',
    `${stamp}-${input.mode}-${randomBytes(4).toString('hex')}`,
  );
  const r = startRun(station, {
    file,
    mode: input.mode,
    outDir,
    scratchPin: input.pin,
    actor: input.actor,
  });
  const readied =
    input.mode === 'rehearsal' && input.pin !== undefined
      ? await prepareRehearsal(station, { runId: r.runId, pin: input.pin, actor: input.actor })
      : null;
  const prepared: View<'ceremonyStart'>['prepared'] =
    readied === null
      ? null
      : 'splitId' in readied
        ? { kind: 'shares', splitId: readied.splitId, shareFiles: readied.shareFiles.map((f) => basename(f)) }
        : { kind: 'key', label: readied.label, id: readied.id, backup: readied.backup };
  return { runId: r.runId, fileDigest: r.fileDigest, words: [...r.words], outDir, prepared };
}

const SHARE_NAME = /-share-.*\.txt$/;

/** Regular files (never a link, a folder or a dot-file) at the top of `dir` whose name `keep` accepts. */
function filesIn(dir: string, keep: (name: string) => boolean): { path: string; name: string }[] {
  let names: string[];
  try {
    names = readdirSync(dir).slice(0, 1000);
  } catch {
    return [];
  }
  const out: { path: string; name: string }[] = [];
  for (const name of names) {
    if (name.startsWith('.') || !keep(name)) continue;
    const path = join(dir, name);
    try {
      if (lstatSync(path).isFile()) out.push({ path, name });
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/**
 * The share files a run's shares-reissue act may take from the console: `*-share-*.txt` at the top of
 * each listed volume (custodians bring their own media), and in a rehearsal the REHEARSAL share files
 * prepareRehearsal wrote into that run's own output folder (`<ceremony id>-current-…-share-….txt`) —
 * never another run's, never the shares the re-issue itself writes.
 */
export function ceremonyShareFiles(
  station: Station,
  { runId }: { runId: string },
): View<'ceremonyShareFiles'> {
  const run = openRun(station, runId);
  const out: { path: string; name: string; source: 'volume' | 'rehearsal' }[] = [];
  for (const v of listVolumes(station.config.mediaDirs).volumes) {
    if (v.state === 'unavailable') continue;
    for (const f of filesIn(v.path, (n) => SHARE_NAME.test(n))) out.push({ ...f, source: 'volume' });
  }
  if (run.state.started.mode === 'rehearsal') {
    const readied = `${run.ceremony.file.id}-current-`;
    for (const f of filesIn(
      run.state.started.outDir,
      (n) => n.startsWith(readied) && SHARE_NAME.test(n) && n.endsWith('.REHEARSAL.txt'),
    ))
      out.push({ ...f, source: 'rehearsal' });
  }
  return out;
}

/**
 * A step's act from the console: the share files it names must be ones the station listed for this run
 * (ceremonyShareFiles), each refused otherwise (SHARES_REFUSED, naming it) before anything reads it or is
 * recorded; then the act as `station ceremony step act` performs it.
 */
export async function consoleActStep(
  station: Station,
  input: Parameters<typeof actStep>[1],
): ReturnType<typeof actStep> {
  if (input.shareFiles !== undefined) {
    const listed = new Set(ceremonyShareFiles(station, { runId: input.runId }).map((f) => f.path));
    input.shareFiles.forEach((path, i) => {
      if (!listed.has(path))
        throw stationError(
          'SHARES_REFUSED',
          `${path} is not a share file the station listed for run ${input.runId} (a listed volume's *-share-*.txt, or this rehearsal's own): nothing was read`,
          { field: `shareFiles[${i}]` },
        );
    });
  }
  // New shares go to a volume the station lists as ready to write, never to a path the renderer makes up.
  if (input.shareOut !== undefined) {
    const ready = listVolumes(station.config.mediaDirs).volumes.some(
      (v) => v.state === 'ready' && v.path === input.shareOut,
    );
    if (!ready)
      throw stationError(
        'INVALID_INPUT',
        `${input.shareOut} is not a removable volume the station lists as ready to write: nothing was done`,
        { field: 'shareOut' },
      );
  }
  return actStep(station, input);
}

const CEREMONY_NAME = /\.(ya?ml)$/i;

/** Ceremony files (*.yaml, *.yml) at the top of each listed volume: the only files the console may load. */
export function ceremonyFiles(station: Station): View<'ceremonyFiles'> {
  const out: { volume: string; path: string; name: string; size: number }[] = [];
  for (const v of listVolumes(station.config.mediaDirs).volumes) {
    if (v.state === 'unavailable') continue;
    let names: string[];
    try {
      names = readdirSync(v.path).slice(0, 1000);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!CEREMONY_NAME.test(name) || name.startsWith('.')) continue;
      const path = join(v.path, name);
      try {
        const st = lstatSync(path);
        if (st.isFile()) out.push({ volume: v.path, path, name, size: st.size });
      } catch {
        /* gone meanwhile */
      }
    }
  }
  return out;
}

/** Refuses a path the station did not list as a ceremony file on media (the renderer names no other). */
export function listedCeremonyFile(station: Station, path: string): string {
  if (!ceremonyFiles(station).some((f) => f.path === path))
    throw stationError('CEREMONY_FILE_UNREADABLE', `${path} is not a ceremony file on a listed volume`, {
      field: 'path',
    });
  return path;
}

const person = (p: CeremonyFile['participants'][number]) => ({
  id: p.id,
  name: p.name,
  role: p.role,
  organization: p.organization ?? null,
});

/**
 * A listed ceremony file loaded and checked as `station ceremony check` does (nothing is recorded): its
 * digest, participants with their roster state now, steps, and the completed rehearsals of these bytes.
 */
export function loadCeremonyView(station: Station, { path }: { path: string }): View<'ceremonyLoad'> {
  const loaded = loadCeremonyFile(listedCeremonyFile(station, path));
  const f = loaded.file;
  const roster = rosterEntries(station);
  const valid = new Set(validCustodians(roster, journalTime(station.deps.clock())).map((e) => e.custodianId));
  return {
    path: loaded.source,
    size: loaded.size,
    sha256: loaded.digest.sha256,
    words: [...loaded.digest.words],
    id: f.id,
    title: f.title,
    type: f.type,
    planned: { ...f.planned },
    participants: f.participants.map((p) => ({
      ...person(p),
      roster: valid.has(p.id)
        ? ('VALID' as const)
        : roster.some((e) => e.custodianId === p.id)
          ? ('NOT VALID' as const)
          : ('MISSING' as const),
    })),
    steps: f.steps.map((s) => ({ id: s.id, title: s.title, act: s.act.kind })),
    rehearsals: completedRehearsals(runEvents(station), loaded.digest.sha256).length,
  };
}

type CurrentStepView = NonNullable<View<'ceremonyRun'>['current']>;

/**
 * What a step needs typed or chosen at its check and its act, from the act kind and the file — the one
 * rule the runner view (and so the window's forms) follows, mirroring what runs.ts asks for: the HSM
 * token's user PIN for acts and label checks on its keys; for the escrow token its own user PIN; for the
 * key backup (unwrap-import) the HSM token's SO PIN as well; a note for record-note and manual; the share
 * files for shares-reissue. In a rehearsal the scratch tokens share the user PIN typed at the start (also
 * their SO PIN in a key backup), so only that PIN is asked.
 */
export function stepNeeds(
  file: CeremonyFile,
  step: CeremonyStep,
  mode: RunMode,
): { check: CurrentStepView['preconditions']['needs']; act: CurrentStepView['act']['needs'] } {
  const production = mode === 'production';
  const isEscrow = (token: string) => file.escrow !== undefined && token === file.escrow.token;
  /** The PINs a use of these tokens' keys asks for. */
  const pinsFor = (tokens: readonly string[]) => ({
    pin: tokens.some((t) => !isEscrow(t) || !production),
    escrowPin: production && tokens.some(isEscrow),
  });
  const labelTokens = step.preconditions.flatMap((p) =>
    p.kind === 'label-absent' || p.kind === 'label-present' ? [p.token] : [],
  );
  const none = { note: false, pin: false, escrowPin: false, soPin: false, shares: false, shareVolume: false };
  const act = step.act;
  let needs: CurrentStepView['act']['needs'];
  switch (act.kind) {
    case 'record-note':
    case 'manual':
      needs = { ...none, note: true };
      break;
    case 'generate-key':
    case 'create-csr':
      needs = { ...none, pin: true };
      break;
    case 'verify-key-attributes':
    case 'verify-object-absent':
    case 'wrap-export':
    case 'destroy-key':
      needs = { ...none, ...pinsFor([act.token]) };
      break;
    case 'verify-signature':
      // The escrow copy's signature verifies with the public key read from the HSM token.
      needs = {
        ...none,
        ...pinsFor(isEscrow(act.token) && file.hsm ? [act.token, file.hsm.token] : [act.token]),
      };
      break;
    case 'unwrap-import':
      needs = { ...none, ...pinsFor([file.hsm?.token ?? '', act.token]), soPin: production };
      break;
    case 'shares-reissue':
      needs = { ...none, shares: true, shareVolume: production };
      break;
    case 'roster-apply':
    case 'verify-roster':
      needs = none;
      break;
    default:
      return assertNever(act, 'act');
  }
  return { check: pinsFor(labelTokens), act: needs };
}

/**
 * What the runner screen shows: the run, its progress, and only the current step — what to say and
 * check aloud, who must act, who witnesses and who checked it off, the quorum drawn as m of n with who
 * checked in, and its preconditions, act and postconditions with their last recorded results.
 */
export function runnerView(station: Station, { runId }: { runId: string }): View<'ceremonyRun'> {
  const run = openRun(station, runId);
  const { ceremony, events, state } = run;
  const f = ceremony.file;
  const nameOf = (id: string) => f.participants.find((p) => p.id === id)?.name ?? id;
  const start = events[0] as RunEvent;
  const c = state.current;
  const step = c ? f.steps[c.index] : undefined;
  const progress = c ? state.steps[c.index] : undefined;
  let current: View<'ceremonyRun'>['current'] = null;
  if (c && step && progress) {
    const last = <K extends 'ceremony.step-checked' | 'ceremony.step-acted'>(kind: K) =>
      [...events].reverse().find((e) => e.kind === kind && e.body.stepId === step.id) as
        Extract<RunEvent, { kind: K }> | undefined;
    const checked = last('ceremony.step-checked');
    const acted = progress.act === 'done' ? last('ceremony.step-acted') : undefined;
    const needs = stepNeeds(f, step, state.started.mode);
    const bag = (serial: string) => ({
      serial,
      contents: f.bags.find((b) => b.serial === serial)?.contents ?? '',
    });
    current = {
      index: c.index,
      stepId: c.stepId,
      needs: c.needs,
      title: step.title,
      say: step.say,
      check: step.check,
      by: { role: step.by, people: f.participants.filter((p) => p.role === step.by).map(person) },
      witnesses: {
        count: step.witnesses.count,
        roles: [...step.witnesses.roles],
        eligible: f.participants
          .filter((p) => step.witnesses.roles.includes(p.role) && operatorActor(p.id) !== progress.actedBy)
          .map(person),
        checkedOff: progress.witnesses.map((w) => ({
          custodianId: w.custodianId,
          name: nameOf(w.custodianId),
          role: w.role,
          seq: w.seq,
        })),
      },
      quorum: step.quorum ? stepQuorum(station, run, step, f) : null,
      bags: { in: (step.bags?.in ?? []).map(bag), out: (step.bags?.out ?? []).map(bag) },
      preconditions: {
        state: progress.check,
        items: step.preconditions.map((p, i) => {
          const r = checked?.body.preconditions[i];
          return {
            kind: p.kind,
            sentence: preconditionSentence(p, step, f),
            result: r && r.kind === p.kind ? r.result : null,
            observed: r && r.kind === p.kind ? r.observed : null,
          };
        }),
        needs: needs.check,
      },
      act: {
        kind: step.act.kind,
        sentence: actSentence(step, f),
        state: progress.act,
        actedBy: progress.actedBy,
        result: acted?.body.result ?? null,
        needs: needs.act,
      },
      postconditions: {
        state: progress.post,
        items: step.postconditions.map((k) => {
          const r = acted?.body.postconditions.find((p) => p.kind === k);
          return {
            kind: k,
            sentence: postconditionSentence(k),
            result: r?.result ?? null,
            observed: r?.observed ?? null,
          };
        }),
      },
    };
  }
  return {
    runId,
    ceremonyId: f.id,
    title: f.title,
    mode: state.started.mode,
    status: state.status,
    source: state.started.source,
    fileDigest: state.started.fileDigest,
    words: [...ceremony.digest.words],
    startedAt: start.at,
    startedBy: state.startedBy,
    target: state.started.target,
    steps: state.steps.map((s, i) => ({ stepId: s.stepId, title: f.steps[i]?.title ?? '', done: s.done })),
    done: state.steps.filter((s) => s.done).length,
    current,
    openDeviation: state.openDeviation,
    deviations: [...state.deviations],
  };
}

/** The step's quorum: m of the file's custodians, and the newest session opened for exactly this step. */
function stepQuorum(
  station: Station,
  run: OpenedRun,
  step: CeremonyStep,
  f: CeremonyFile,
): NonNullable<View<'ceremonyRun'>['current']>['quorum'] {
  const q = step.quorum as NonNullable<CeremonyStep['quorum']>;
  const { quorumOperation: operation, quorumOperationRefused: refused } = viewQuorumOperation(
    station,
    run,
    step,
  );
  const newest = listQuorumSessions(station)
    .filter((s) => operation !== null && s.operation === operation)
    .sort((a, b) => b.openedAt.localeCompare(a.openedAt))[0];
  let session: NonNullable<NonNullable<View<'ceremonyRun'>['current']>['quorum']>['session'] = null;
  if (newest) {
    const v = quorumSessionView(station, { sessionId: newest.sessionId });
    session = {
      sessionId: newest.sessionId,
      checkedIn: v.state.checkedIn.map((x) => x.custodianId),
      reached: v.state.reached,
      closed: v.closed,
    };
  }
  return {
    m: q.m,
    n: q.n,
    operation,
    refused,
    custodians: f.participants.filter((p) => p.role === 'custodian').map(person),
    session,
  };
}
