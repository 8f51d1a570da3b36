import { createHash, randomBytes, randomUUID, verify as verifySignature, webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
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
import { wrapTrustedOnly } from '../../../core/hsm/residency';
import {
  escrowBackupVerdict,
  type EscrowBackupEvidence,
  type KeyDestructionEvidence,
} from '../../../core/hsm/key-acts';
import { loadCeremonyFile } from '../../adapters/ceremony';
import { backupToEscrow, destroyKey } from '../../adapters/hsm/escrow';
import type { KeyInfo } from '../../adapters/hsm/module';
import { stationError } from '../../errors';
import { writeExclusive } from '../../platform/durable';
import type { Station } from '../../station/station';
import {
  assertOffStation,
  checkReissuedShares,
  isShareActivated,
  reissueActivationShares,
  requireQuorum,
  rosterEntries,
  rosterSignatureCheck,
  signWithRosterKey,
  splitActivationSecret,
  tokenKeyFingerprints,
} from '../custodians';
import { createTokenCsr, generateTokenKey, keyEvidence, previewKey, registeredModules } from '../devices';
import { openRun, runEvents, stepOperation, stepQuorumOperation, type OpenedRun } from './queries';
import { rosterApply, verifyRoster } from './roster-acts';

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
    // The SO PIN protects nothing worth keeping: it is random and forgotten — except in a key backup,
    // whose act needs the source token's SO (it marks the one-time transport key trusted): there the
    // scratch tokens' SO PIN is the user PIN the operator chose, asked again at the act, never stored.
    const soPin = file.escrow ? pin : randomBytes(16).toString('hex');
    const serial = station.hsm.module(moduleId).initToken(label, soPin, pin);
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
    if (file.escrow) {
      // A second scratch token stands for the escrow token, on the same module, with the same PINs.
      const escrowLabel = escrowScratchLabel(label);
      const escrowSerial = station.hsm.module(moduleId).initToken(escrowLabel, soPin, pin);
      events.push({
        kind: 'hsm.token-initialised',
        actor: opts.actor,
        body: {
          moduleId,
          tokenSerial: escrowSerial,
          tokenLabel: escrowLabel,
          purpose: `escrow scratch token of ceremony rehearsal ${runId} (${file.id})`,
        },
      });
    }
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

/**
 * Readies a rehearsal of a key backup or a key destruction: those ceremonies act on a key that already
 * exists, so the station first makes it on the scratch token standing for `hsm.token` — the file's
 * `key.label` and `key.algorithm`, generated through the devices service (`hsm.key-generated`, under the
 * signed-in operator), backup-capable (`wrap-with-trusted`) for a key backup, the station default
 * (never extractable) for a destruction. A share re-issue acts on shares that already exist: the
 * scratch token's PIN (the one the operator chose) is split among the file's `shares.custodians`,
 * `shares.m` of them needed, as `station shares split` does, and their share files and sheets are
 * written into the run's output folder marked REHEARSAL (`<ceremony id>-current-<custodian>-share-…
 * .REHEARSAL.txt|pdf`), for the rehearsal's act to take. Only before the run's first act; nothing to do
 * for other types.
 */
export async function prepareRehearsal(
  station: Station,
  opts: { runId: string; pin: string; actor: string },
): Promise<
  | { label: string; id: string; backup: boolean }
  | { splitId: string; shareFiles: string[]; files: string[] }
  | null
> {
  station.assertWritable();
  assertActor(opts.actor);
  const run = openRun(station, opts.runId);
  const file = run.ceremony.file;
  requireSeat(file, opts.actor, ['master-of-ceremonies', 'operator'], 'readying a rehearsal');
  if (file.type !== 'key-backup' && file.type !== 'key-destruction' && file.type !== 'share-reissue')
    return null;
  const state = run.state;
  if (state.status === 'completed' || state.status === 'aborted')
    throw stationError('CEREMONY_RUN_CLOSED', `run ${state.runId} is ${state.status}`, {
      runId: state.runId,
    });
  if (state.started.mode !== 'rehearsal' || state.steps.some((s) => s.act === 'done'))
    throw stationError(
      'CEREMONY_STEP_OUT_OF_ORDER',
      `run ${state.runId}: only a rehearsal, before its first act, is readied with the key it acts on`,
      { runId: state.runId },
    );
  const hsm = file.hsm as NonNullable<CeremonyFile['hsm']>;
  const t = needToken(station, run, hsm.token);
  if (file.type === 'share-reissue') {
    const shares = file.shares as NonNullable<CeremonyFile['shares']>;
    if (isShareActivated(station, t.serial))
      throw stationError(
        'CEREMONY_STEP_OUT_OF_ORDER',
        `scratch token ${t.serial} already has an activation split: the rehearsal is readied`,
        { runId: state.runId, serial: t.serial },
      );
    const made = await splitActivationSecret(station, {
      moduleId: t.moduleId,
      serial: t.serial,
      currentPin: opts.pin,
      holders: shares.custodians,
      threshold: shares.m,
      outDir: state.started.outDir,
      marking: 'REHEARSAL',
      namePrefix: `${file.id}-current-`,
      actor: opts.actor,
    });
    return {
      splitId: made.splitId,
      shareFiles: made.files.filter((f) => f.endsWith('.txt')),
      files: made.files,
    };
  }
  const key = file.key as NonNullable<CeremonyFile['key']>;
  const existing = keysOn(station, t, opts.pin).filter((k) => k.label === key.label);
  if (existing.length > 0)
    throw stationError(
      'CEREMONY_LABEL_EXISTS',
      `scratch token ${t.serial} already holds a key labelled ${key.label}: the rehearsal is readied`,
      { field: 'label', label: key.label, serial: t.serial },
    );
  const backup = file.type === 'key-backup';
  const spec = {
    label: key.label,
    algorithm: key.algorithm,
    ...(backup ? { backup: 'wrap-with-trusted' as const } : {}),
  };
  const made = await generateTokenKey(station, {
    moduleId: t.moduleId,
    serial: t.serial,
    pin: opts.pin,
    key: spec,
    confirmedRecipe: previewKey(station, { moduleId: t.moduleId, key: spec }).digest,
    actor: opts.actor,
  });
  return { label: made.label, id: made.id, backup };
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
  if (file.escrow && label === file.escrow.token) {
    if (run.state.started.mode === 'production') return byLabel(file.escrow.module, file.escrow.token);
    return target ? escrowScratch(station, run, target) : null;
  }
  return null;
}

/** The label of a key-backup rehearsal's escrow scratch token, beside its source scratch token's. */
const escrowScratchLabel = (scratchLabel: string) => `${scratchLabel}-escrow`;

/**
 * In a key-backup rehearsal, the escrow scratch token the station made for this run: the serial its
 * `hsm.token-initialised` recorded, and only while that token is present.
 */
function escrowScratch(
  station: Station,
  run: OpenedRun,
  target: NonNullable<RunState['started']['target']>,
): TokenRef | null {
  const label = escrowScratchLabel(target.tokenLabel);
  const made = station.journal
    .eventsOfKind('hsm.token-initialised')
    .filter(
      (e) =>
        e.body.moduleId === target.moduleId &&
        e.body.tokenLabel === label &&
        e.body.purpose.includes(run.state.runId),
    );
  const serial = made.length === 1 ? made[0]?.body.tokenSerial : undefined;
  if (!serial) return null;
  const present = station.hsm
    .module(target.moduleId)
    .tokens()
    .some((t) => t.serial === serial && t.label === label);
  return present ? { moduleId: target.moduleId, serial } : null;
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

function needPin(pin: string | undefined, why: string, field = 'pin'): string {
  if (!pin)
    throw stationError('CEREMONY_CONFIRMATION_REQUIRED', `the token's user PIN is needed ${why}`, {
      field,
    });
  return pin;
}

/** The PINs a person types for a step: never stored, never journaled. */
interface StepPins {
  /** The user PIN of the file's HSM token (in a rehearsal: of every scratch token). */
  readonly pin?: string | undefined;
  /** The user PIN of the file's escrow token; in a rehearsal the scratch tokens share `pin`. */
  readonly escrowPin?: string | undefined;
  /** The SO PIN of the file's HSM token (a key backup); in a rehearsal the scratch tokens' is `pin`. */
  readonly soPin?: string | undefined;
}

const rehearsing = (run: OpenedRun) => run.state.started.mode === 'rehearsal';

/** The user PIN of the token the file names `label`: the escrow token's own in production. */
function pinFor(run: OpenedRun, label: string, pins: StepPins, why: string): string {
  const file = run.ceremony.file;
  if (file.escrow && label === file.escrow.token) {
    const pin = pins.escrowPin ?? (rehearsing(run) ? pins.pin : undefined);
    return needPin(pin, `${why} (escrow token ${label})`, 'escrowPin');
  }
  return needPin(pins.pin, why);
}

/** The SO PIN of the file's HSM token: typed for the act; a rehearsal's scratch tokens were given `pin`. */
function soPinFor(run: OpenedRun, pins: StepPins, why: string): string {
  const so = pins.soPin ?? (rehearsing(run) ? pins.pin : undefined);
  if (!so)
    throw stationError('CEREMONY_CONFIRMATION_REQUIRED', `the HSM token's SO PIN is needed ${why}`, {
      field: 'soPin',
    });
  return so;
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
    escrowPin?: string | undefined;
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
      `step ${stepId} binds a quorum: name the quorum session opened for "${stepQuorumOperation(station, run, step)}"`,
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
  opts: StepPins & {
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
      const keys = keysOn(
        station,
        t,
        pinFor(run, p.token, opts, `to search token ${p.token} for ${p.label}`),
      );
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
        const q = requireQuorum(station, sessionId, stepOperation(station, run, step));
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
    escrowPin?: string | undefined;
    soPin?: string | undefined;
    note?: string | undefined;
    /** shares-reissue: the custodians' current share files (paths), at least the split's threshold. */
    shareFiles?: readonly string[] | undefined;
    /** shares-reissue: where the new shares are written (production: removable media, never the station). */
    shareOut?: string | undefined;
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
  if (step.quorum) requireQuorum(station, stepSession(run, stepId), stepOperation(station, run, step));

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

/** The quorum session the step's check recorded (the one its act uses). */
function stepSession(run: OpenedRun, stepId: string): string {
  const checked = [...run.events]
    .reverse()
    .find((e) => e.kind === 'ceremony.step-checked' && e.body.stepId === stepId) as
    Extract<RunEvent, { kind: 'ceremony.step-checked' }> | undefined;
  const sessionId = checked?.body.quorumSessionId;
  if (!sessionId)
    throw stationError('QUORUM_SESSION_NOT_FOUND', `step ${stepId} has no quorum session recorded`, {
      field: 'quorumSessionId',
    });
  return sessionId;
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
  // A share re-issue refuses bad or void shares before it journals or changes anything.
  'SHARES_REFUSED',
  'SPLIT_SUPERSEDED',
]);

async function perform(
  station: Station,
  run: OpenedRun,
  step: CeremonyStep,
  opts: StepPins & {
    note?: string | undefined;
    shareFiles?: readonly string[] | undefined;
    /** shares-reissue: where the new shares are written (production: removable media, never the station). */
    shareOut?: string | undefined;
    actor: string;
  },
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
      const fileKey = file.key as NonNullable<CeremonyFile['key']>;
      const spec = {
        label: act.label,
        algorithm: fileKey.algorithm,
        ...(fileKey.backup ? { backup: fileKey.backup } : {}),
      };
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
        // A backup key's residency is its export class (HSM-RES-WRAP-TRUSTED-ONLY), not non-extractable.
        postconditions: await postconditions(
          station,
          run,
          step,
          t,
          pin,
          spec.backup ? { exportClass: exportClassOf(station, t, pin, key.id) } : {},
        ),
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
      const pin = pinFor(run, act.token, opts, `to ${act.kind}`);
      // The escrow copy's signature verifies with the public key on the file's HSM token, not its own copy.
      const verifyWith =
        act.kind === 'verify-signature' && file.escrow && file.hsm && act.token === file.escrow.token
          ? sourcePublicKey(station, run, act.label, opts)
          : undefined;
      return {
        result: `${act.kind} ${act.label} on token ${t.serial}`,
        postconditions: await postconditions(station, run, step, t, pin, verifyWith ? { verifyWith } : {}),
        outputs: [],
      };
    }
    case 'wrap-export': {
      const t = needToken(station, run, act.token);
      const pin = pinFor(run, act.token, opts, 'to read the key to back up');
      const key = keysOn(station, t, pin).find((k) => k.label === act.label && k.hasPrivate);
      if (!key)
        throw stationError('KEY_NOT_FOUND', `no private key labelled ${act.label} on token ${t.serial}`, {
          field: 'label',
        });
      const { attributes, ...exportClass } = exportClassOf(station, t, pin, key.id);
      if (exportClass.exportClass !== 'WRAP-TRUSTED-ONLY')
        throw stationError(
          'KEY_NOT_BACKUP_CAPABLE',
          `key ${act.label} (CKA_ID ${key.id}) on token ${t.serial} is ${exportClass.exportClass} (${exportClass.check}): only a key that leaves its token under a trusted key alone can be backed up`,
          { field: 'label', id: key.id, serial: t.serial, exportClass: exportClass.exportClass },
        );
      const next = file.steps.find((s) => s.act.kind === 'unwrap-import');
      return {
        result:
          `key ${act.label} (CKA_ID ${key.id}) on token ${t.serial}${stands(run)} is WRAP-TRUSTED-ONLY: it leaves the token only wrapped under a key its security officer marks trusted. ` +
          `The wrapped copy is made and unwrapped on ${file.escrow?.token ?? 'the escrow token'} in one act at step ${next?.id ?? 'unwrap-import'}, under a one-time AES-256 key made trusted for that act and carried under the escrow token's one-time RSA-3072 key; the wrapped bytes live only in that act's memory. ` +
          `This station does not use a standing wrap key: ${act.wrapKey} is checked for as the file says, and not used.`,
        postconditions: await postconditions(station, run, step, t, pin, {
          exportClass: { ...exportClass, attributes },
        }),
        outputs: [],
      };
    }
    case 'unwrap-import': {
      const hsm = file.hsm as NonNullable<CeremonyFile['hsm']>;
      const src = needToken(station, run, hsm.token);
      const dst = needToken(station, run, act.token);
      const pin = pinFor(run, hsm.token, opts, 'to wrap the key on the source token');
      const escrowPin = pinFor(run, act.token, opts, 'to import the key');
      const soPin = soPinFor(run, opts, 'to make the one-time transport key trusted on the source token');
      const out = newOutput(run, step, 'escrow-evidence.json');
      const key = keysOn(station, src, pin).find((k) => k.label === act.label && k.hasPrivate);
      if (!key?.spki)
        throw stationError('KEY_NOT_FOUND', `no key pair labelled ${act.label} on token ${src.serial}`, {
          field: 'label',
        });
      const evidence = await backupToEscrow({
        source: { module: station.hsm.module(src.moduleId), serial: src.serial, pin, soPin },
        escrow: { module: station.hsm.module(dst.moduleId), serial: dst.serial, pin: escrowPin },
        id: key.id,
        now: () => station.deps.clock(),
      });
      const verdict = escrowBackupVerdict(evidence);
      const written = writeEvidence(run, step, out, {
        verdict: verdict.verdict,
        failed: verdict.failed,
        evidence,
      });
      return {
        result: `backed up ${act.label} (CKA_ID ${key.id}) from token ${src.serial} to escrow token ${dst.serial}: ${verdict.verdict}${verdict.failed.length ? ` (failed: ${verdict.failed.join(', ')})` : ''}; key wrap ${evidence.transport.keyWrap} under a one-time AES-256 key carried by ${evidence.transport.keyTransport} (${evidence.transport.oaepHash}); evidence ${out}`,
        postconditions: await postconditions(station, run, step, dst, escrowPin, {
          escrow: evidence,
          verifyWith: { spki: key.spki, what: `the public key of ${act.label} on token ${src.serial}` },
        }),
        outputs: [written],
      };
    }
    case 'destroy-key': {
      const t = needToken(station, run, act.token);
      const pin = pinFor(run, act.token, opts, 'to destroy the key');
      const out = newOutput(run, step, 'destruction-evidence.json');
      const keys = keysOn(station, t, pin).filter((k) => k.label === act.label);
      const key = keys.find((k) => k.hasPrivate) ?? keys[0];
      if (!key)
        throw stationError(
          'KEY_NOT_FOUND',
          `no key labelled ${act.label} on token ${t.serial}: nothing was destroyed`,
          { field: 'label', serial: t.serial },
        );
      const d = destroyKey({
        token: { module: station.hsm.module(t.moduleId), serial: t.serial, pin },
        id: key.id,
        now: () => station.deps.clock(),
      });
      const written = writeEvidence(run, step, out, {
        verdict: d.verdict,
        failed: d.failed,
        evidence: d.evidence,
      });
      return {
        result: `destroyed ${act.label} (CKA_ID ${key.id}) on token ${t.serial}${stands(run)}: ${d.verdict}${d.failed.length ? ` (failed: ${d.failed.join(', ')})` : ''}; ${d.evidence.destroyed.map((x) => `${x.class} ${x.result}`).join(', ')}; evidence ${out}`,
        postconditions: await postconditions(station, run, step, t, pin, { destruction: d.evidence }),
        outputs: [written],
      };
    }
    case 'roster-apply':
      return rosterApply(station, run, step, {
        actor: opts.actor,
        writeEvidence: (suffix, evidence) => writeEvidence(run, step, newOutput(run, step, suffix), evidence),
      });
    case 'shares-reissue': {
      const t = needToken(station, run, act.token);
      const shares = file.shares as NonNullable<CeremonyFile['shares']>;
      const files = opts.shareFiles ?? [];
      if (files.length === 0)
        throw stationError(
          'CEREMONY_CONFIRMATION_REQUIRED',
          `step ${step.id}: give the custodians' current share files (at least ${shares.m})`,
          { field: 'shareFiles' },
        );
      if (!step.quorum)
        throw stationError(
          'CEREMONY_CONFIRMATION_REQUIRED',
          `step ${step.id}: a share re-issue needs the quorum the step binds (quorum: {m, n})`,
          { field: 'quorum' },
        );
      const out = newOutput(run, step, 'reissue-evidence.json');
      const texts = files.map((f, i) => {
        try {
          return { text: readFileSync(f, 'utf8') };
        } catch (e) {
          throw stationError('INVALID_INPUT', `share file ${f} cannot be read: ${(e as Error).message}`, {
            field: `shareFiles[${i}]`,
          });
        }
      });
      const sharesDir = newSharesDir(station, run, step, opts.shareOut);
      const r = await reissueActivationShares(station, {
        serial: t.serial,
        shares: texts,
        holders: shares.custodians,
        threshold: shares.m,
        outDir: sharesDir,
        quorumSessionId: stepSession(run, step.id),
        marking: rehearsing(run) ? 'REHEARSAL' : null,
        namePrefix: `${file.id}-${step.id}-`,
        actor: opts.actor,
      });
      // SHARES-REISSUED, read back from the files as written: they check, open the token, the old split is void.
      const check = await checkReissuedShares(station, {
        splitId: r.splitId,
        shareTexts: r.shareFiles.map((f) => readFileSync(f, 'utf8')),
      });
      const written = writeEvidence(run, step, out, {
        verdict: check.ok ? 'VERIFIED' : 'NOT VERIFIED',
        tokenSerial: t.serial,
        splitId: r.splitId,
        supersedes: r.supersedes,
        // Where the custodians' media are: names only, never a share (they stay out of every bundle).
        shareMedia: r.files,
        check: check.evidence,
      });
      return {
        result: `re-issued the activation shares of token ${t.serial}${stands(run)}: split ${r.splitId} (${shares.m} of ${shares.custodians.length}: ${shares.custodians.join(', ')}) supersedes split ${r.supersedes}, now VOID; ${r.files.length} share files and sheets written to ${sharesDir}; evidence ${out}`,
        postconditions: step.postconditions.map((kind): Postcondition =>
          kind === 'shares-verified'
            ? {
                kind,
                result: check.ok ? 'pass' : 'fail',
                observed: check.observed.slice(0, 1000),
                evidenceSha256: sha256hex(canonicalBytes(check.evidence)),
              }
            : {
                kind,
                result: 'fail',
                observed: `${kind} is not read back after a share re-issue`,
                evidenceSha256: null,
              },
        ),
        outputs: [written],
      };
    }
    case 'verify-roster':
      return verifyRoster(station, run, step);
    default:
      return assertNever(act);
  }
}

/**
 * Where a share re-issue writes the new shares: in production a folder the operator names on removable
 * media — never the station's own disk, where the shares together would be the whole secret; in a
 * rehearsal the run's output folder unless another is named (its shares open only the scratch token).
 */
export function newSharesDir(
  station: Station,
  run: OpenedRun,
  step: CeremonyStep,
  shareOut: string | undefined,
): string {
  if (shareOut === undefined) {
    if (rehearsing(run)) return run.state.started.outDir;
    throw stationError(
      'CEREMONY_CONFIRMATION_REQUIRED',
      `step ${step.id}: name the removable media the new shares are written to (each custodian's share leaves the station on it)`,
      { field: 'shareOut' },
    );
  }
  let real: string;
  try {
    real = realpathSync(shareOut);
    if (!statSync(real).isDirectory()) throw new Error('not a directory');
  } catch {
    throw stationError('INVALID_INPUT', `${shareOut} is not an existing folder to write the new shares to`, {
      field: 'shareOut',
    });
  }
  if (!rehearsing(run)) assertOffStation(station, real, 'shareOut');
  return real;
}

/** A private key's backup attributes as read back now, and the export class they make. */
function exportClassOf(station: Station, t: TokenRef, pin: string, keyId: string) {
  const attributes = station.hsm
    .module(t.moduleId)
    .withSession(
      t.serial,
      { write: false, login: { user: 'user', pin }, purpose: 'ceremony backup check' },
      (s) => s.backupKeyAttributes(s.privateKey(keyId)),
    );
  return { ...wrapTrustedOnly(attributes), attributes };
}

/** Reads each of the step's postconditions back from the token, with the digest of its evidence. */
async function postconditions(
  station: Station,
  run: OpenedRun,
  step: CeremonyStep,
  t: TokenRef,
  pin: string,
  made: Made,
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
        if (made.escrow) return escrowCopyCheck(made.escrow, key, out);
        if (made.exportClass) {
          const e = made.exportClass;
          const a = e.attributes;
          return out(
            e.exportClass === 'WRAP-TRUSTED-ONLY',
            `key ${key.id}: ${e.check} ${e.exportClass} (sensitive ${String(a.sensitive)}, extractable ${String(a.extractable)}, wrap-with-trusted ${String(a.wrapWithTrusted)})`,
            sha256hex(canonicalBytes(a)),
          );
        }
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
        const verifyWith = made.verifyWith ?? { spki: key.spki, what: "the token's public key" };
        if (!verifyWith.spki)
          return out(false, `test signature made; there is no ${verifyWith.what} to verify it with`, null);
        const ok = verifySignature(
          row.hash,
          message,
          { key: verifyWith.spki, format: 'der', type: 'spki', ...dsaEncodingOption(row, 'token') },
          signature,
        );
        return out(
          ok,
          `test signature by ${label} on token ${t.serial} ${ok ? 'verifies' : 'does NOT verify'} with ${verifyWith.what}`,
          sha256hex(signature),
        );
      }
      case 'csr-verifies-against-token-key':
        return await csrCheck(made.csrPem, key);
      case 'object-absent':
        if (made.destruction) {
          const a = made.destruction.after;
          return out(
            a.byId === 0 && a.byLabel === 0 && keys.length === 0,
            `after the act a logged-in search found ${a.byId} object(s) with CKA_ID ${made.destruction.id} and ${a.byLabel} labelled ${made.destruction.label}; now ${keys.length} key(s) labelled ${label} on token ${t.serial}`,
            sha256hex(canonicalBytes(made.destruction)),
          );
        }
        return out(
          keys.length === 0,
          `${keys.length} object(s) labelled ${label} on token ${t.serial}`,
          null,
        );
      case 'roster-applied':
      case 'shares-verified':
        // The file format lets these follow only their own acts, which read them back themselves.
        return out(false, `${kind} is read back by its own act, not after ${step.act.kind}`, null);
      default:
        return assertNever(kind);
    }
  });
  return Promise.all(checks);
}

/** What an act made or read, for its postconditions. */
interface Made {
  readonly csrPem?: string;
  /** signature-verifies: the public key the test signature must verify with (else the key's own). */
  readonly verifyWith?: { readonly spki: Buffer | null; readonly what: string };
  /** wrap-export: the source key's export attributes, read back, and their class. */
  readonly exportClass?: ReturnType<typeof wrapTrustedOnly> & {
    readonly attributes: Readonly<Record<string, boolean | null>> & {
      readonly sensitive: boolean | null;
      readonly extractable: boolean | null;
      readonly wrapWithTrusted: boolean | null;
    };
  };
  /** unwrap-import: what the backup read back from both tokens. */
  readonly escrow?: EscrowBackupEvidence;
  /** destroy-key: what the destruction read back. */
  readonly destruction?: KeyDestructionEvidence;
}

/** The escrow copy's attributes as the backup read them back: the copy policy holds and its SPKI is the source's. */
function escrowCopyCheck(
  e: EscrowBackupEvidence,
  key: KeyInfo,
  out: (ok: boolean, observed: string, evidence: string | null) => Postcondition,
): Postcondition {
  const check = (id: string) => e.checks.find((c) => c.id === id);
  const policy = check('HSM-ESCROW-POLICY');
  const spki = check('HSM-ESCROW-SPKI');
  const ok = policy?.passed === true && spki?.passed === true && key.hasPrivate && key.id === e.key.id;
  return out(
    ok,
    `escrow copy ${key.id}: residency ${e.escrowCopy.residency}; HSM-ESCROW-POLICY ${policy?.passed ? 'passed' : 'FAILED'} (${policy?.detail ?? 'not checked'}); HSM-ESCROW-SPKI ${spki?.passed ? 'passed' : 'FAILED'}`,
    sha256hex(canonicalBytes(e)),
  );
}

/** The public key of `label` on the file's HSM token, read now (the escrow copy's must verify with it). */
function sourcePublicKey(
  station: Station,
  run: OpenedRun,
  label: string,
  pins: StepPins,
): { spki: Buffer | null; what: string } {
  const hsm = run.ceremony.file.hsm as NonNullable<CeremonyFile['hsm']>;
  const t = needToken(station, run, hsm.token);
  const pin = pinFor(run, hsm.token, pins, `to read the public key of ${label} on ${hsm.token}`);
  const key = keysOn(station, t, pin).find((k) => k.label === label && k.spki);
  return { spki: key?.spki ?? null, what: `the public key of ${label} on token ${t.serial}` };
}

/** A new output file of the step, named with REHEARSAL in a rehearsal; refused before the act if it exists. */
function newOutput(run: OpenedRun, step: CeremonyStep, suffix: string): string {
  const rehearsal = rehearsing(run);
  const dir = run.state.started.outDir;
  const out = join(dir, `${run.ceremony.file.id}-${step.id}${rehearsal ? '.REHEARSAL' : ''}.${suffix}`);
  if (!existsSync(dir))
    throw stationError('INVALID_INPUT', `the run's output folder ${dir} is gone`, { field: 'outDir' });
  if (existsSync(out))
    throw new CodedError('OUTPUT_EXISTS', `${out} already exists: outputs are never overwritten`, {
      field: 'out',
      path: out,
    });
  return out;
}

/** Writes an act's evidence as JSON (marked with the run, step and marking); its SHA-256 goes in the event. */
function writeEvidence(
  run: OpenedRun,
  step: CeremonyStep,
  path: string,
  evidence: object,
): { path: string; sha256: string } {
  const text = `${JSON.stringify(
    {
      marking: marking(run.state),
      ceremonyId: run.ceremony.file.id,
      runId: run.state.runId,
      stepId: step.id,
      ...evidence,
    },
    null,
    2,
  )}\n`;
  writeExclusive(path, text, { mode: 0o644, field: 'out' });
  return { path, sha256: sha256hex(text) };
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
