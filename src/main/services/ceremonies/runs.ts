import { createHash, randomBytes, randomUUID, verify as verifySignature, webcrypto } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as x509 from '@peculiar/x509';
import type { CeremonyFile, CeremonyStep, Precondition, Role } from '../../../core/ceremony';
import {
  completedRehearsals,
  foldRun,
  witnessStatement,
  type RunEvent,
  type RunMode,
  type RunNeed,
  type RunState,
} from '../../../core/ceremony/run';
import { canonicalBytes } from '../../../core/canonical';
import { algorithmForTokenKey, dsaEncodingOption, type HashName } from '../../../core/crypto/algorithms';
import { CodedError } from '../../../core/errors';
import { validCustodians } from '../../../core/custody/roster';
import { operatorActor } from '../../../core/custody/signin';
import { assertActor, journalTime, type EventBody, type NewEvent } from '../../../core/journal/events';
import { loadCeremonyFile } from '../../adapters/ceremony';
import type { KeyInfo } from '../../adapters/hsm/module';
import { stationError } from '../../errors';
import { writeExclusive } from '../../platform/durable';
import type { Station } from '../../station/station';
import {
  requireQuorum,
  rosterEntries,
  rosterSignatureCheck,
  signWithRosterKey,
  tokenKeyFingerprints,
} from '../custodians';
import { createTokenCsr, generateTokenKey, keyEvidence, previewKey, registeredModules } from '../devices';
import { openRun, runEvents, stepPresence, stepQuorumOperation, type OpenedRun } from './queries';

/**
 * Performing a ceremony file (docs/ceremonies.md): a run starts at the digest of the file's exact bytes,
 * then each step is checked (its preconditions evaluated on the token), acted (the act, then its
 * postconditions read back), and checked off by its witnesses with their own roster keys. A failed
 * check, act or postcondition is a deviation: the run halts until the master of ceremonies decides.
 * A rehearsal acts on a scratch SoftHSM2 token the station makes for the run, never the production
 * token; production is refused unless a rehearsal of the same digest completed (RUN-REHEARSED).
 */

const sha = (alg: HashName, d: Buffer) => createHash(alg).update(d).digest();
const sha256hex = (d: Uint8Array | string) => createHash('sha256').update(d).digest('hex');

/** The custodian id of a signed-in actor (`operator:<custodianId>`), or null. */
function custodianOf(actor: string): string | null {
  return actor.startsWith('operator:') ? actor.slice('operator:'.length) : null;
}

function seatOf(file: CeremonyFile, actor: string): Role | null {
  const id = custodianOf(actor);
  return file.participants.find((p) => p.id === id)?.role ?? null;
}

/** Refuses unless the actor holds one of `roles` in the file (CEREMONY_SEAT_REFUSED). */
function requireSeat(file: CeremonyFile, actor: string, roles: readonly Role[], what: string): Role {
  const seat = seatOf(file, actor);
  if (seat === null || !roles.includes(seat)) {
    throw stationError(
      'CEREMONY_SEAT_REFUSED',
      `${actor} ${seat ? `is the ${seat}` : 'is not a participant of this ceremony'}; ${what} is for the ${roles.join(' or ')}`,
      { field: 'actor', actor, roles: [...roles] },
    );
  }
  return seat;
}

/** Refuses unless the run is open at `stepId` (if given) and waits for `need` there (RUN-ORDER, RUN-HALT). */
function expectNeed(state: RunState, need: RunNeed, stepId?: string): { stepId: string; index: number } {
  if (state.status === 'completed' || state.status === 'aborted')
    throw stationError('CEREMONY_RUN_CLOSED', `run ${state.runId} is ${state.status}`, {
      runId: state.runId,
    });
  const open = state.openDeviation;
  if (open && need !== 'decision') {
    throw stationError(
      'CEREMONY_RUN_HALTED',
      `run ${state.runId} is halted at step ${open.stepId} by deviation ${open.seq} (expected: ${open.expected}; happened: ${open.happened}); the master of ceremonies decides first`,
      { runId: state.runId, deviationSeq: open.seq },
    );
  }
  const c = state.current;
  if (!c || c.needs !== need || (stepId !== undefined && c.stepId !== stepId)) {
    const now = c ? `step ${c.stepId} needs ${c.needs}` : 'every step is done';
    throw stationError(
      'CEREMONY_STEP_OUT_OF_ORDER',
      `run ${state.runId}: ${now}, not ${need}${stepId ? ` of step ${stepId}` : ''}`,
      { runId: state.runId, step: c?.stepId ?? null, needs: c?.needs ?? null },
    );
  }
  return { stepId: c.stepId, index: c.index };
}

/** Appends `events` after re-reading the run under the journal's write lock: it still needs `need` there. */
function recordAt(
  station: Station,
  run: OpenedRun,
  need: RunNeed,
  stepId: string,
  events: readonly NewEvent[],
): number[] {
  const r = station.record(events, () => {
    const fresh = runEvents(station).filter((e) => e.body.runId === run.state.runId);
    expectNeed(foldRun(run.ceremony.file, fresh), need, stepId);
  });
  const seqs: number[] = [];
  for (let s = r.lastSeq - events.length + 1; s <= r.lastSeq; s++) seqs.push(s);
  return seqs;
}

function stepOf(file: CeremonyFile, stepId: string): CeremonyStep {
  return file.steps.find((s) => s.id === stepId) as CeremonyStep;
}

const marking = (state: RunState) => (state.started.mode === 'rehearsal' ? 'REHEARSAL' : 'PRODUCTION');

// ——— start ———

/**
 * Starts a run of the ceremony file at `file`. Every participant must be a roster custodian VALID now;
 * production needs a completed rehearsal of the same digest; a rehearsal makes its scratch token
 * (label `rehearsal-<first 8 of the run id>`) with the user PIN the operator chose.
 */
export function startRun(
  station: Station,
  opts: { file: string; mode: RunMode; outDir: string; scratchPin?: string | undefined; actor: string },
): {
  runId: string;
  fileDigest: string;
  words: readonly string[];
  target: EventBody<'ceremony.run-started'>['target'];
} {
  station.assertWritable();
  assertActor(opts.actor);
  const source = resolve(opts.file);
  const loaded = loadCeremonyFile(source);
  const file = loaded.file;
  const digest = loaded.digest.sha256;
  requireSeat(file, opts.actor, ['master-of-ceremonies', 'operator'], 'starting a run');

  // Participants are roster custodians, VALID now.
  const roster = rosterEntries(station);
  const valid = new Set(validCustodians(roster, journalTime(station.deps.clock())).map((e) => e.custodianId));
  file.participants.forEach((p, i) => {
    if (!roster.some((e) => e.custodianId === p.id))
      throw stationError(
        'CEREMONY_PARTICIPANT_UNKNOWN',
        `participant ${p.id} (${p.name}, ${p.role}) is not a custodian on the approved roster`,
        { field: `participants[${i}].id`, participant: p.id },
      );
    if (!valid.has(p.id))
      throw stationError(
        'CEREMONY_PARTICIPANT_NOT_VALID',
        `participant ${p.id} (${p.name}, ${p.role}) has no roster entry VALID now`,
        { field: `participants[${i}].id`, participant: p.id },
      );
  });

  if (opts.mode === 'production' && completedRehearsals(runEvents(station), digest).length === 0) {
    throw stationError(
      'CEREMONY_NOT_REHEARSED',
      `no completed rehearsal of ${source} at SHA-256 ${digest}: rehearse exactly these bytes first`,
      { field: 'file', fileDigest: digest },
    );
  }

  const runId = randomUUID();
  const outDir = resolve(opts.outDir);
  mkdirSync(outDir, { recursive: true });
  const events: NewEvent[] = [];
  let target: EventBody<'ceremony.run-started'>['target'] = null;
  if (file.hsm && opts.mode === 'rehearsal') {
    const pin = opts.scratchPin ?? '';
    if (pin.length < 4)
      throw stationError(
        'CEREMONY_CONFIRMATION_REQUIRED',
        'a rehearsal needs the user PIN (at least 4 characters) to give its scratch token',
        { field: 'scratchPin' },
      );
    const moduleId = scratchModule(station, file.hsm.module);
    const label = `rehearsal-${runId.slice(0, 8)}`;
    // The SO PIN protects nothing worth keeping: it is random and forgotten.
    const serial = station.hsm.module(moduleId).initToken(label, randomBytes(16).toString('hex'), pin);
    events.push({
      kind: 'hsm.token-initialised',
      actor: opts.actor,
      body: {
        moduleId,
        tokenSerial: serial,
        tokenLabel: label,
        purpose: `scratch token of ceremony rehearsal ${runId} (${file.id})`,
      },
    });
    target = { moduleId, fileToken: file.hsm.token, tokenLabel: label, tokenSerial: serial };
  } else if (file.hsm) {
    target = {
      moduleId: file.hsm.module,
      fileToken: file.hsm.token,
      tokenLabel: file.hsm.token,
      tokenSerial: null,
    };
  }
  events.push({
    kind: 'ceremony.run-started',
    actor: opts.actor,
    body: {
      runId,
      fileDigest: digest,
      ceremonyId: file.id,
      type: file.type,
      mode: opts.mode,
      source,
      outDir,
      target,
      participants: file.participants.map((p) => ({ custodianId: p.id, role: p.role })),
    },
  });
  station.record(events);
  return { runId, fileDigest: digest, words: loaded.digest.words, target };
}

/** The SoftHSM2 module a rehearsal makes its scratch token on: the file's own if it is one, else the first. */
function scratchModule(station: Station, wanted: string): string {
  const soft = registeredModules(station).filter((m) => m.profile === 'softhsm2');
  const pick = soft.find((m) => m.moduleId === wanted) ?? soft[0];
  if (!pick)
    throw stationError('CEREMONY_NO_SCRATCH_MODULE', 'no SoftHSM2 module is registered for a scratch token', {
      field: 'module',
    });
  return pick.moduleId;
}

// ——— tokens ———

interface TokenRef {
  readonly moduleId: string;
  readonly serial: string;
}

/**
 * The token a file's token label means in this run: in a rehearsal the scratch token stands for the
 * file's HSM token (and there is no other); in production the token with that label on the file's module.
 */
function tokenFor(station: Station, run: OpenedRun, label: string): TokenRef | null {
  const target = run.state.started.target;
  const file = run.ceremony.file;
  const byLabel = (moduleId: string, tokenLabel: string): TokenRef | null => {
    const t = station.hsm
      .module(moduleId)
      .tokens()
      .filter((x) => x.label === tokenLabel);
    return t.length === 1 && t[0] ? { moduleId, serial: t[0].serial } : null;
  };
  if (target && label === target.fileToken) {
    if (target.tokenSerial === null) return byLabel(target.moduleId, target.tokenLabel);
    const present = station.hsm
      .module(target.moduleId)
      .tokens()
      .some((t) => t.serial === target.tokenSerial);
    return present ? { moduleId: target.moduleId, serial: target.tokenSerial } : null;
  }
  if (run.state.started.mode === 'production' && file.escrow && label === file.escrow.token)
    return byLabel(file.escrow.module, file.escrow.token);
  return null;
}

/** In a rehearsal, which scratch token stands for the file's token (said in every observation). */
function stands(run: OpenedRun): string {
  const t = run.state.started.target;
  return run.state.started.mode === 'rehearsal' && t ? ` (scratch token ${t.tokenLabel})` : '';
}

function needToken(station: Station, run: OpenedRun, label: string): TokenRef {
  const t = tokenFor(station, run, label);
  if (!t)
    throw stationError('TOKEN_NOT_FOUND', `token ${label} of this run is not present`, {
      field: 'token',
      label,
    });
  return t;
}

function needPin(pin: string | undefined, why: string): string {
  if (!pin)
    throw stationError('CEREMONY_CONFIRMATION_REQUIRED', `the token's user PIN is needed ${why}`, {
      field: 'pin',
    });
  return pin;
}

/** Keys on the token as its user sees them (private keys only after a login). */
function keysOn(station: Station, t: TokenRef, pin: string): KeyInfo[] {
  return station.hsm
    .module(t.moduleId)
    .withSession(t.serial, { write: false, login: { user: 'user', pin }, purpose: 'ceremony check' }, (s) =>
      s.listKeys(),
    );
}

// ——— check ———

/** What a person confirms for a step's checks: each bag's serial as read aloud, and whether it is intact. */
export interface BagConfirmation {
  readonly serial: string;
  readonly readAloud: string;
  readonly intact: boolean;
}

type CheckedPrecondition = EventBody<'ceremony.step-checked'>['preconditions'][number];

/**
 * Evaluates the current step's preconditions on the run's token and records them; any that does not
 * hold is a deviation recorded with them (RUN-HALT).
 */
export function checkStep(
  station: Station,
  opts: {
    runId: string;
    stepId?: string | undefined;
    pin?: string | undefined;
    quorumSessionId?: string | undefined;
    bags?: readonly BagConfirmation[] | undefined;
    actor: string;
  },
): { stepId: string; preconditions: CheckedPrecondition[]; deviationSeq: number | null } {
  station.assertWritable();
  assertActor(opts.actor);
  const run = openRun(station, opts.runId);
  const { stepId } = expectNeed(run.state, 'check', opts.stepId);
  const file = run.ceremony.file;
  const step = stepOf(file, stepId);
  requireSeat(file, opts.actor, ['master-of-ceremonies', step.by], `checking step ${stepId}`);
  if (step.quorum && !opts.quorumSessionId)
    throw stationError(
      'CEREMONY_CONFIRMATION_REQUIRED',
      `step ${stepId} binds a quorum: name the quorum session opened for "${stepQuorumOperation(run.state.runId, stepId)}"`,
      { field: 'quorumSessionId' },
    );
  const results = step.preconditions.map((p) => evaluate(station, run, step, p, opts));
  const failed = results.filter((r) => r.result === 'fail');
  const events: NewEvent[] = [
    {
      kind: 'ceremony.step-checked',
      actor: opts.actor,
      body: {
        runId: run.state.runId,
        stepId,
        preconditions: results,
        quorumSessionId: step.quorum ? (opts.quorumSessionId ?? null) : null,
      },
    },
  ];
  if (failed.length > 0) {
    events.push({
      kind: 'ceremony.deviation',
      actor: opts.actor,
      body: {
        runId: run.state.runId,
        stepId,
        phase: 'precondition',
        expected: failed.map((f) => `${f.kind} ${Object.values(f.args).join(' ')}`.trim()).join('; '),
        happened: failed.map((f) => f.observed).join('; '),
      },
    });
  }
  const seqs = recordAt(station, run, 'check', stepId, events);
  return { stepId, preconditions: results, deviationSeq: failed.length > 0 ? (seqs[1] ?? null) : null };
}

function evaluate(
  station: Station,
  run: OpenedRun,
  step: CeremonyStep,
  p: Precondition,
  opts: {
    pin?: string | undefined;
    quorumSessionId?: string | undefined;
    bags?: readonly BagConfirmation[] | undefined;
  },
): CheckedPrecondition {
  const { kind, ...rest } = p;
  const args = rest as Record<string, string>;
  const out = (ok: boolean, observed: string): CheckedPrecondition => ({
    kind,
    args,
    result: ok ? 'pass' : 'fail',
    observed: observed.slice(0, 1000),
  });
  switch (p.kind) {
    case 'token-present': {
      const t = tokenFor(station, run, p.token);
      return out(
        t !== null,
        t ? `token ${p.token} present as serial ${t.serial}${stands(run)}` : `no token ${p.token} is present`,
      );
    }
    case 'firmware-equals': {
      const t = tokenFor(station, run, p.token);
      if (!t) return out(false, `no token ${p.token} is present to read its firmware`);
      const info = station.hsm
        .module(t.moduleId)
        .tokens()
        .find((x) => x.serial === t.serial);
      const fw = info?.firmware ?? '(unreadable)';
      return out(fw === p.firmware, `token ${t.serial} reports firmware ${fw}; attested ${p.firmware}`);
    }
    case 'label-absent':
    case 'label-present': {
      const t = tokenFor(station, run, p.token);
      if (!t) return out(false, `no token ${p.token} is present to search for ${p.label}`);
      const keys = keysOn(station, t, needPin(opts.pin, `to search token ${p.token} for ${p.label}`));
      const found = keys.filter((k) => k.label === p.label);
      const observed =
        found.length === 0
          ? `no object labelled ${p.label} on token ${t.serial}`
          : `${found.length} key(s) labelled ${p.label} on token ${t.serial} (CKA_ID ${found.map((k) => k.id).join(', ')})`;
      return out(p.kind === 'label-absent' ? found.length === 0 : found.length > 0, observed);
    }
    case 'quorum-satisfied': {
      const sessionId = opts.quorumSessionId as string;
      const m = step.quorum?.m ?? 1;
      try {
        const q = requireQuorum(station, sessionId, stepPresence(run.state.runId, step.id));
        const ids = q.checkedIn.map((c) => c.custodianId);
        return out(
          ids.length >= m,
          `${ids.length} custodian(s) checked in on session ${sessionId} (${ids.join(', ')}); the step needs ${m}`,
        );
      } catch (e) {
        if (e instanceof CodedError) return out(false, `${e.code}: ${e.message}`);
        throw e;
      }
    }
    case 'bag-intact': {
      const c = opts.bags?.find((b) => b.serial === p.serial);
      if (!c)
        throw stationError(
          'CEREMONY_CONFIRMATION_REQUIRED',
          `bag ${p.serial}: give the serial read aloud from the bag and whether it is intact`,
          { field: 'bags', serial: p.serial },
        );
      const ok = c.readAloud.trim() === p.serial && c.intact;
      return out(ok, `serial read aloud ${c.readAloud.trim()}; bag ${c.intact ? 'intact' : 'NOT intact'}`);
    }
    default:
      return assertNever(p);
  }
}

// ——— act ———

type Postcondition = EventBody<'ceremony.step-acted'>['postconditions'][number];
interface ActOutcome {
  readonly result: string;
  readonly postconditions: Postcondition[];
  readonly outputs: { path: string; sha256: string }[];
}

/**
 * Performs the current step's act and reads its postconditions back. A key label that already exists
 * is refused before a generation (CEREMONY_LABEL_EXISTS), and an output file that exists before the act
 * (OUTPUT_EXISTS): nothing is made either way. An act that fails on the token is a deviation.
 */
export async function actStep(
  station: Station,
  opts: {
    runId: string;
    stepId?: string | undefined;
    pin?: string | undefined;
    note?: string | undefined;
    actor: string;
  },
): Promise<{
  stepId: string;
  act: string;
  result: string;
  postconditions: Postcondition[];
  outputs: { path: string; sha256: string }[];
  deviationSeq: number | null;
}> {
  station.assertWritable();
  assertActor(opts.actor);
  const run = openRun(station, opts.runId);
  const { stepId } = expectNeed(run.state, 'act', opts.stepId);
  const file = run.ceremony.file;
  const step = stepOf(file, stepId);
  requireSeat(file, opts.actor, [step.by], `the act of step ${stepId}`);
  // A private-key act runs only while the step's quorum still holds (checked again now, not only at check).
  if (step.quorum) {
    const checked = [...run.events]
      .reverse()
      .find((e) => e.kind === 'ceremony.step-checked' && e.body.stepId === stepId) as
      Extract<RunEvent, { kind: 'ceremony.step-checked' }> | undefined;
    const sessionId = checked?.body.quorumSessionId;
    if (!sessionId)
      throw stationError('QUORUM_SESSION_NOT_FOUND', `step ${stepId} has no quorum session recorded`, {
        field: 'quorumSessionId',
      });
    requireQuorum(station, sessionId, stepPresence(run.state.runId, stepId));
  }

  let outcome: ActOutcome;
  try {
    outcome = await perform(station, run, step, opts);
  } catch (e) {
    // Refusals made before anything was done leave the step as it was; a failure on the token halts it.
    if (e instanceof CodedError && BEFORE_ACT.has(e.code)) throw e;
    const happened = e instanceof CodedError ? `${e.code}: ${e.message}` : String(e);
    recordAt(station, run, 'act', stepId, [
      {
        kind: 'ceremony.deviation',
        actor: opts.actor,
        body: {
          runId: run.state.runId,
          stepId,
          phase: 'act',
          expected: `${step.act.kind} succeeds`,
          happened: happened.slice(0, 2000),
        },
      },
    ]);
    throw e;
  }
  const failed = outcome.postconditions.filter((p) => p.result === 'fail');
  const events: NewEvent[] = [
    {
      kind: 'ceremony.step-acted',
      actor: opts.actor,
      body: {
        runId: run.state.runId,
        stepId,
        act: step.act.kind,
        marking: marking(run.state),
        result: outcome.result.slice(0, 2000),
        postconditions: outcome.postconditions,
        outputs: outcome.outputs,
      },
    },
  ];
  if (failed.length > 0) {
    events.push({
      kind: 'ceremony.deviation',
      actor: opts.actor,
      body: {
        runId: run.state.runId,
        stepId,
        phase: 'postcondition',
        expected: failed.map((f) => f.kind).join('; '),
        happened: failed.map((f) => f.observed).join('; '),
      },
    });
  }
  const seqs = recordAt(station, run, 'act', stepId, events);
  return {
    stepId,
    act: step.act.kind,
    ...outcome,
    deviationSeq: failed.length > 0 ? (seqs[1] ?? null) : null,
  };
}

/** Refusals that come before the act touches anything: they are errors, not deviations. */
const BEFORE_ACT = new Set([
  'CEREMONY_LABEL_EXISTS',
  'CEREMONY_CONFIRMATION_REQUIRED',
  'CEREMONY_ACT_UNSUPPORTED',
  'OUTPUT_EXISTS',
  'INVALID_INPUT',
  'PIN_INCORRECT',
  'PIN_LOCKED',
]);

async function perform(
  station: Station,
  run: OpenedRun,
  step: CeremonyStep,
  opts: { pin?: string | undefined; note?: string | undefined; actor: string },
): Promise<ActOutcome> {
  const act = step.act;
  const file = run.ceremony.file;
  switch (act.kind) {
    case 'record-note':
    case 'manual': {
      const note = opts.note?.trim();
      if (!note)
        throw stationError(
          'CEREMONY_CONFIRMATION_REQUIRED',
          `step ${step.id}: record what was said or done (a note)`,
          { field: 'note' },
        );
      return { result: note, postconditions: [], outputs: [] };
    }
    case 'generate-key': {
      const t = needToken(station, run, act.token);
      const pin = needPin(opts.pin, 'to generate the key');
      const existing = keysOn(station, t, pin).filter((k) => k.label === act.label);
      if (existing.length > 0)
        throw stationError(
          'CEREMONY_LABEL_EXISTS',
          `token ${t.serial} already holds a key labelled ${act.label} (CKA_ID ${existing.map((k) => k.id).join(', ')}): nothing was generated`,
          { field: 'label', label: act.label, serial: t.serial },
        );
      const spec = { label: act.label, algorithm: (file.key as NonNullable<CeremonyFile['key']>).algorithm };
      const key = await generateTokenKey(station, {
        moduleId: t.moduleId,
        serial: t.serial,
        pin,
        key: spec,
        // The file is the recipe the witnesses reviewed: its digest is what they confirmed.
        confirmedRecipe: previewKey(station, { moduleId: t.moduleId, key: spec }).digest,
        actor: opts.actor,
      });
      return {
        result: `generated ${key.keyType} ${key.size} key ${key.label} (CKA_ID ${key.id}) on token ${t.serial}`,
        postconditions: await postconditions(station, run, step, t, pin, {}),
        outputs: [],
      };
    }
    case 'create-csr': {
      const t = needToken(station, run, act.token);
      const pin = needPin(opts.pin, 'to sign the request');
      const request = file.key?.csr;
      if (!request)
        throw stationError('CEREMONY_ACT_UNSUPPORTED', 'the file has no key.csr to make a request from', {
          field: 'key.csr',
        });
      const rehearsal = run.state.started.mode === 'rehearsal';
      const out = join(
        run.state.started.outDir,
        `${file.id}-${step.id}${rehearsal ? '.REHEARSAL' : ''}.csr.pem`,
      );
      if (!existsSync(run.state.started.outDir))
        throw stationError('INVALID_INPUT', `the run's output folder ${run.state.started.outDir} is gone`, {
          field: 'outDir',
        });
      if (existsSync(out))
        throw new CodedError('OUTPUT_EXISTS', `${out} already exists: outputs are never overwritten`, {
          field: 'out',
          path: out,
        });
      const key = keysOn(station, t, pin).find((k) => k.label === act.label && k.hasPrivate);
      if (!key)
        throw stationError('KEY_NOT_FOUND', `no private key labelled ${act.label} on token ${t.serial}`, {
          field: 'label',
        });
      const csr = await createTokenCsr(station, {
        moduleId: t.moduleId,
        serial: t.serial,
        pin,
        keyId: key.id,
        request,
        actor: opts.actor,
      });
      const text = rehearsal
        ? `REHEARSAL of ceremony ${file.id}, run ${run.state.runId}: made on scratch token ${t.serial}; never submit it.\n${csr.pem}`
        : csr.pem;
      writeExclusive(out, text, { mode: 0o644, field: 'out' });
      return {
        result: `request for ${act.label} (CKA_ID ${key.id}) SHA-256 ${csr.sha256}, written to ${out}`,
        postconditions: await postconditions(station, run, step, t, pin, { csrPem: csr.pem }),
        outputs: [{ path: out, sha256: sha256hex(text) }],
      };
    }
    case 'verify-key-attributes':
    case 'verify-signature':
    case 'verify-object-absent': {
      const t = needToken(station, run, act.token);
      const pin = needPin(opts.pin, `to ${act.kind}`);
      return {
        result: `${act.kind} ${act.label} on token ${t.serial}`,
        postconditions: await postconditions(station, run, step, t, pin, {}),
        outputs: [],
      };
    }
    case 'wrap-export':
    case 'unwrap-import':
    case 'destroy-key':
    case 'roster-apply':
    case 'verify-roster':
    case 'shares-reissue':
      throw stationError(
        'CEREMONY_ACT_UNSUPPORTED',
        `${act.kind} is not performed by a ceremony run on this station version`,
        { field: 'act', act: act.kind },
      );
    default:
      return assertNever(act);
  }
}

/** Reads each of the step's postconditions back from the token, with the digest of its evidence. */
async function postconditions(
  station: Station,
  run: OpenedRun,
  step: CeremonyStep,
  t: TokenRef,
  pin: string,
  made: { csrPem?: string },
): Promise<Postcondition[]> {
  const label = (step.act as { label?: string }).label ?? '';
  const keys = keysOn(station, t, pin).filter((k) => k.label === label);
  const key = keys.find((k) => k.hasPrivate) ?? keys[0];
  const checks = step.postconditions.map(async (kind): Promise<Postcondition> => {
    const out = (ok: boolean, observed: string, evidence: string | null): Postcondition => ({
      kind,
      result: ok ? 'pass' : 'fail',
      observed: observed.slice(0, 1000),
      evidenceSha256: evidence,
    });
    switch (kind) {
      case 'attributes-read-back': {
        if (!key) return out(false, `no key labelled ${label} on token ${t.serial}`, null);
        const evidence = keyEvidence(key);
        const verdict = key.residency?.verdict ?? 'UNKNOWN';
        const failedChecks = key.residency ? [...key.residency.failed, ...key.residency.unknown] : [];
        return out(
          verdict === 'RESIDENT',
          `key ${key.id}: residency ${verdict}${failedChecks.length ? ` (${failedChecks.join(', ')})` : ''}`,
          sha256hex(canonicalBytes(evidence)),
        );
      }
      case 'signature-verifies': {
        if (!key?.spki || !key.hasPrivate)
          return out(false, `no key pair labelled ${label} on token ${t.serial}`, null);
        const row = algorithmForTokenKey(key.keyType, key.size);
        if (!row) return out(false, `no signature algorithm for a ${key.keyType} ${key.size} key`, null);
        const message = Buffer.from(
          `ceremony-station run ${run.state.runId} step ${step.id} test signature\n`,
          'utf8',
        );
        const signature = station.hsm
          .module(t.moduleId)
          .withSession(
            t.serial,
            { write: false, login: { user: 'user', pin }, purpose: 'ceremony test signature' },
            (s) => s.sign(key.id, row.token, message, sha),
          );
        const ok = verifySignature(
          row.hash,
          message,
          { key: key.spki, format: 'der', type: 'spki', ...dsaEncodingOption(row, 'token') },
          signature,
        );
        return out(
          ok,
          `test signature ${ok ? 'verifies' : 'does NOT verify'} with the token's public key`,
          sha256hex(signature),
        );
      }
      case 'csr-verifies-against-token-key':
        return await csrCheck(made.csrPem, key);
      case 'object-absent':
        return out(
          keys.length === 0,
          `${keys.length} object(s) labelled ${label} on token ${t.serial}`,
          null,
        );
      case 'roster-applied':
      case 'shares-verified':
        return out(false, `${kind} is not read back by this station version`, null);
      default:
        return assertNever(kind);
    }
  });
  return Promise.all(checks);
}

/**
 * The request's signature verifies with the public key it carries, and that key is byte for byte the
 * one read from the token now: so it verifies against the token's key.
 */
async function csrCheck(pem: string | undefined, key: KeyInfo | undefined): Promise<Postcondition> {
  const out = (ok: boolean, observed: string, evidence: string | null): Postcondition => ({
    kind: 'csr-verifies-against-token-key',
    result: ok ? 'pass' : 'fail',
    observed,
    evidenceSha256: evidence,
  });
  if (!pem) return out(false, 'no request was made', null);
  if (!key?.spki) return out(false, 'no public key with the label on the token', null);
  const csr = new x509.Pkcs10CertificateRequest(pem);
  const digest = sha256hex(Buffer.from(csr.rawData));
  const sameKey = Buffer.from(csr.publicKey.rawData).equals(key.spki);
  const verifies = await csr.verify(webcrypto);
  return out(
    sameKey && verifies,
    `request SHA-256 ${digest}: its public key ${sameKey ? 'is' : 'is NOT'} the token's; its signature ${verifies ? 'verifies' : 'does NOT verify'}`,
    digest,
  );
}

// ——— witness ———

/**
 * A witness checks the current step off with their own token: its roster key signs the statement that
 * binds the station, run, step, file digest and witness (RUN-WITNESS). The last check-off of the last
 * step completes the run in the same append.
 */
export function witnessStep(
  station: Station,
  opts: {
    runId: string;
    stepId?: string | undefined;
    moduleId: string;
    serial: string;
    pin: string;
    actor: string;
  },
): { stepId: string; custodianId: string; completed: boolean } {
  station.assertWritable();
  assertActor(opts.actor);
  const run = openRun(station, opts.runId);
  const { stepId, index } = expectNeed(run.state, 'witness', opts.stepId);
  const file = run.ceremony.file;
  const step = stepOf(file, stepId);
  const progress = run.state.steps[index];
  // Who the token's roster key belongs to, read before any PIN.
  const roster = rosterEntries(station);
  const fingerprints = tokenKeyFingerprints(station, opts.moduleId, opts.serial, 'quorum check-in');
  const entry = roster.find((e) => fingerprints.includes(e.fingerprint));
  const refuse = (why: string) =>
    stationError('CEREMONY_WITNESS_REFUSED', `step ${stepId}: ${why}`, { field: 'witness', stepId });
  if (!entry) throw refuse(`no key on token ${opts.serial} is on the approved roster`);
  const id = entry.custodianId;
  const role = file.participants.find((p) => p.id === id)?.role;
  if (!role || !step.witnesses.roles.includes(role))
    throw refuse(
      `${id} ${role ? `is the ${role}` : 'is not a participant'}; the step's witnesses are ${step.witnesses.roles.join(' or ')}`,
    );
  if (progress?.witnesses.some((w) => w.custodianId === id)) throw refuse(`${id} has already checked it off`);
  if (progress?.actedBy === operatorActor(id)) throw refuse(`${id} performed its act and cannot witness it`);
  if (!validCustodians(roster, journalTime(station.deps.clock())).some((e) => e.custodianId === id))
    throw refuse(`${id}'s roster entry is not VALID now`);
  const statement = witnessStatement({
    stationId: station.stationRecord().stationId,
    runId: run.state.runId,
    stepId,
    fileDigest: run.state.started.fileDigest,
    custodianId: id,
  });
  const signed = signWithRosterKey(station, {
    moduleId: opts.moduleId,
    serial: opts.serial,
    pin: opts.pin,
    statement,
    purpose: 'quorum check-in',
  });
  if (signed.entry.custodianId !== id || !rosterSignatureCheck(signed.entry, statement, signed.signature))
    throw refuse(`the signature of token ${opts.serial} does not verify with ${id}'s roster key`);
  const events: NewEvent[] = [
    {
      kind: 'ceremony.step-witnessed',
      actor: opts.actor,
      body: {
        runId: run.state.runId,
        stepId,
        custodianId: id,
        role,
        fingerprint: signed.fingerprint,
        statementSha256: sha256hex(statement),
        signature: Buffer.from(signed.signature).toString('base64'),
      },
    },
  ];
  const lastStep = index === file.steps.length - 1;
  const completes = lastStep && (progress?.witnesses.length ?? 0) + 1 >= step.witnesses.count;
  if (completes)
    events.push({
      kind: 'ceremony.run-completed',
      actor: opts.actor,
      body: { runId: run.state.runId, fileDigest: run.state.started.fileDigest },
    });
  recordAt(station, run, 'witness', stepId, events);
  return { stepId, custodianId: id, completed: completes };
}

// ——— deviations and decisions ———

/** A participant reports what happened instead of what the current step expected: the run halts. */
export function reportDeviation(
  station: Station,
  opts: { runId: string; expected: string; happened: string; actor: string },
): { seq: number; stepId: string } {
  station.assertWritable();
  assertActor(opts.actor);
  const run = openRun(station, opts.runId);
  requireSeat(
    run.ceremony.file,
    opts.actor,
    ['master-of-ceremonies', 'operator', 'witness', 'auditor', 'custodian'],
    'reporting a deviation',
  );
  const c = run.state.current;
  if (!c) {
    expectNeed(run.state, 'check');
    throw stationError('CEREMONY_STEP_OUT_OF_ORDER', `run ${opts.runId} has no current step`, {
      runId: opts.runId,
    });
  }
  const { stepId } = expectNeed(run.state, c.needs, c.stepId);
  const [seq] = recordAt(station, run, c.needs, stepId, [
    {
      kind: 'ceremony.deviation',
      actor: opts.actor,
      body: {
        runId: opts.runId,
        stepId,
        phase: 'reported',
        expected: opts.expected,
        happened: opts.happened,
      },
    },
  ]);
  return { seq: seq as number, stepId };
}

/**
 * The master of ceremonies decides on the open deviation: continue (what happened is accepted, the
 * step goes on) or abort (the run ends, in the same append).
 */
export function decideDeviation(
  station: Station,
  opts: {
    runId: string;
    deviationSeq: number;
    decision: 'continue' | 'abort';
    reason: string;
    actor: string;
  },
): { status: 'open' | 'aborted' } {
  station.assertWritable();
  assertActor(opts.actor);
  const run = openRun(station, opts.runId);
  requireSeat(run.ceremony.file, opts.actor, ['master-of-ceremonies'], 'deciding on a deviation');
  const { stepId } = expectNeed(run.state, 'decision');
  const open = run.state.openDeviation;
  if (open?.seq !== opts.deviationSeq)
    throw stationError(
      'CEREMONY_STEP_OUT_OF_ORDER',
      `the open deviation of run ${opts.runId} is ${open?.seq ?? 'none'}, not ${opts.deviationSeq}`,
      { field: 'deviationSeq', open: open?.seq ?? null },
    );
  const events: NewEvent[] = [
    {
      kind: 'ceremony.decision',
      actor: opts.actor,
      body: {
        runId: opts.runId,
        deviationSeq: opts.deviationSeq,
        decision: opts.decision,
        reason: opts.reason,
      },
    },
  ];
  if (opts.decision === 'abort')
    events.push({
      kind: 'ceremony.run-aborted',
      actor: opts.actor,
      body: { runId: opts.runId, deviationSeq: opts.deviationSeq, reason: opts.reason },
    });
  recordAt(station, run, 'decision', stepId, events);
  return { status: opts.decision === 'abort' ? 'aborted' : 'open' };
}

function assertNever(x: never): never {
  throw new Error(`unexpected ${JSON.stringify(x)}`);
}
