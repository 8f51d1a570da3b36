import { z } from 'zod';
import { actor, empty, mediaPath, pin, seq, sha256Hex, tokenRef, words, type Channels } from './common';
import { custodianIdSchema, moduleId } from '../../core/schema';
import {
  ACT_NAMES,
  CEREMONY_TYPE_NAMES,
  POSTCONDITION_NAMES,
  PRECONDITION_NAMES,
  ROLE_NAMES,
} from '../../core/ceremony/vocabulary';

/**
 * Ceremony runs at the console (services/ceremonies, docs/ceremonies.md): ceremony files listed on the
 * removable volumes, a file loaded and checked (its digest as hex and words), runs started as a rehearsal
 * or in production, and the current step checked, acted, witnessed, or halted by a deviation until the
 * master of ceremonies decides. Every act is a confirmed act (contract/acts.ts); a PIN travels with the act
 * only, never in its preview or a record.
 */
const runId = z.string().uuid();
const stepId = moduleId;
const role = z.enum(ROLE_NAMES);
const mode = z.enum(['rehearsal', 'production']);
const text = (max: number) => z.string().trim().min(1).max(max);

const participantSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  role,
  organization: z.string().nullable(),
});

/** A ceremony file as loaded from media: strict decode passed; its digest; whether its people can run it. */
export const ceremonyFileViewSchema = z.strictObject({
  path: z.string(),
  size: z.number().int().min(0),
  sha256: sha256Hex,
  words,
  id: z.string(),
  title: z.string(),
  type: z.enum(CEREMONY_TYPE_NAMES),
  planned: z.strictObject({ date: z.string(), location: z.string() }),
  participants: z.array(
    participantSchema.extend({
      /** The participant's roster entry now: VALID, or why a run would refuse to start. */
      roster: z.enum(['VALID', 'MISSING', 'NOT VALID']),
    }),
  ),
  steps: z.array(z.strictObject({ id: z.string(), title: z.string(), act: z.enum(ACT_NAMES) })),
  /** Completed rehearsals of exactly these bytes (RUN-REHEARSED): production needs at least one. */
  rehearsals: z.number().int().min(0),
});
export type CeremonyFileView = z.output<typeof ceremonyFileViewSchema>;

const phase = z.enum(['pending', 'passed', 'failed', 'accepted']);
const deviationSchema = z.strictObject({
  seq,
  stepId: z.string(),
  phase: z.enum(['precondition', 'act', 'postcondition', 'reported']),
  expected: z.string(),
  happened: z.string(),
  decision: z
    .strictObject({
      seq,
      decision: z.enum(['continue', 'abort']),
      reason: z.string(),
      actor: z.string(),
    })
    .nullable(),
});

/** The one step the runner shows: what to say and check aloud, who acts, who witnesses, the quorum. */
const currentStepSchema = z.strictObject({
  index: z.number().int().min(0),
  stepId: z.string(),
  needs: z.enum(['check', 'act', 'witness', 'decision']),
  title: z.string(),
  say: z.string(),
  check: z.string(),
  /** Who must act: the role and the people holding it in this file. */
  by: z.strictObject({ role, people: z.array(participantSchema) }),
  witnesses: z.strictObject({
    count: z.number().int().min(1),
    roles: z.array(role),
    /** Who may check it off (participants in those roles, never the one who acted). */
    eligible: z.array(participantSchema),
    checkedOff: z.array(z.strictObject({ custodianId: z.string(), name: z.string(), role, seq })),
  }),
  quorum: z
    .strictObject({
      m: z.number().int(),
      n: z.number().int(),
      /** The operation its session must be opened for (Custodians & Quorum), or null with why not yet. */
      operation: z.string().nullable(),
      refused: z.string().nullable(),
      custodians: z.array(participantSchema),
      /** The newest session opened for it, if any, with who checked in. */
      session: z
        .strictObject({
          sessionId: z.string(),
          checkedIn: z.array(z.string()),
          reached: z.boolean(),
          closed: z.boolean(),
        })
        .nullable(),
    })
    .nullable(),
  bags: z.strictObject({
    in: z.array(z.strictObject({ serial: z.string(), contents: z.string() })),
    out: z.array(z.strictObject({ serial: z.string(), contents: z.string() })),
  }),
  preconditions: z.strictObject({
    state: phase,
    /** Each precondition as the script says it, and its last recorded result. */
    items: z.array(
      z.strictObject({
        kind: z.enum(PRECONDITION_NAMES),
        sentence: z.string(),
        result: z.enum(['pass', 'fail']).nullable(),
        observed: z.string().nullable(),
      }),
    ),
    /**
     * What the check needs typed (stepNeeds, services/ceremonies/console.ts): the token's user PIN for a
     * label check on it, the escrow token's user PIN for one on the escrow token (in production; a
     * rehearsal's scratch tokens share the PIN typed at the start).
     */
    needs: z.strictObject({ pin: z.boolean(), escrowPin: z.boolean() }),
  }),
  act: z.strictObject({
    kind: z.enum(ACT_NAMES),
    sentence: z.string(),
    state: z.enum(['pending', 'done']),
    actedBy: z.string().nullable(),
    result: z.string().nullable(),
    /**
     * What the act needs from the people in the room (stepNeeds, services/ceremonies/console.ts): a note
     * (record-note, manual), the HSM token's user PIN, the escrow token's user PIN and the HSM token's SO
     * PIN (a key backup in production; a rehearsal's scratch tokens share the PIN typed at the start), the
     * custodians' current share files (shares-reissue, chosen from ceremonyShareFiles).
     */
    needs: z.strictObject({
      note: z.boolean(),
      pin: z.boolean(),
      escrowPin: z.boolean(),
      soPin: z.boolean(),
      shares: z.boolean(),
      /** shares-reissue in production: a ready removable volume for the new shares. */
      shareVolume: z.boolean(),
    }),
  }),
  postconditions: z.strictObject({
    state: phase,
    items: z.array(
      z.strictObject({
        kind: z.enum(POSTCONDITION_NAMES),
        sentence: z.string(),
        result: z.enum(['pass', 'fail']).nullable(),
        observed: z.string().nullable(),
      }),
    ),
  }),
});

export const ceremonyRunViewSchema = z.strictObject({
  runId: z.string(),
  ceremonyId: z.string(),
  title: z.string(),
  mode,
  status: z.enum(['open', 'halted', 'completed', 'aborted']),
  source: z.string(),
  fileDigest: sha256Hex,
  words,
  startedAt: z.string(),
  startedBy: z.string(),
  /** In a rehearsal, the scratch token that stands for the file's token. */
  target: z
    .strictObject({
      moduleId: z.string(),
      fileToken: z.string(),
      tokenLabel: z.string(),
      tokenSerial: z.string().nullable(),
    })
    .nullable(),
  steps: z.array(z.strictObject({ stepId: z.string(), title: z.string(), done: z.boolean() })),
  done: z.number().int().min(0),
  current: currentStepSchema.nullable(),
  openDeviation: deviationSchema.nullable(),
  deviations: z.array(deviationSchema),
});
export type CeremonyRunView = z.output<typeof ceremonyRunViewSchema>;

export const ceremonyRunListSchema = z.array(
  z.strictObject({
    runId: z.string(),
    ceremonyId: z.string(),
    mode,
    fileDigest: z.string(),
    startedAt: z.string(),
    startedBy: z.string(),
    ended: z.enum(['completed', 'aborted']).nullable(),
  }),
);

const preconditionResult = z.strictObject({
  kind: z.enum(PRECONDITION_NAMES),
  args: z.record(z.string(), z.string()),
  result: z.enum(['pass', 'fail']),
  observed: z.string(),
});
const postconditionResult = z.strictObject({
  kind: z.enum(POSTCONDITION_NAMES),
  result: z.enum(['pass', 'fail']),
  observed: z.string(),
  evidenceSha256: sha256Hex.nullable(),
});

export const ceremoniesChannels = {
  /** Ceremony files (*.yaml, *.yml) on the listed volumes: the only files the console can load. */
  ceremonyFiles: {
    input: empty,
    output: z.array(
      z.strictObject({ volume: z.string(), path: z.string(), name: z.string(), size: z.number().int() }),
    ),
  },
  /** Loads and checks a listed ceremony file (strict decode, field paths): nothing is recorded. */
  ceremonyLoad: { input: z.strictObject({ path: mediaPath }), output: ceremonyFileViewSchema },
  ceremonyRuns: { input: empty, output: ceremonyRunListSchema },
  /** One run as the runner shows it: the current step only, and the run's progress and deviations. */
  ceremonyRun: { input: z.strictObject({ runId }), output: ceremonyRunViewSchema },
  /**
   * Starts a run of a listed file. A rehearsal makes a scratch token whose user PIN is `pin` (typed, never
   * kept); production needs a completed rehearsal of the same bytes. Outputs go to a new folder of the run
   * under the station's data directory.
   */
  ceremonyStart: {
    input: z.strictObject({ path: mediaPath, mode, pin: pin.optional(), actor }),
    output: z.strictObject({
      runId: z.string(),
      fileDigest: sha256Hex,
      words,
      outDir: z.string(),
      /**
       * What a rehearsal was readied with (prepareRehearsal): the key a key backup or destruction acts on,
       * made on the scratch token, or the REHEARSAL shares of the scratch token's PIN a share re-issue
       * takes (file names in the run's output folder, never a share); null for other runs.
       */
      prepared: z
        .discriminatedUnion('kind', [
          z.strictObject({ kind: z.literal('key'), label: z.string(), id: z.string(), backup: z.boolean() }),
          z.strictObject({ kind: z.literal('shares'), splitId: z.string(), shareFiles: z.array(z.string()) }),
        ])
        .nullable(),
    }),
  },
  /**
   * The share files the console may hand to a run's shares-reissue act: `*-share-*.txt` at the top of a
   * listed volume (the custodians' own media), and in a rehearsal the REHEARSAL share files its readying
   * wrote into that run's own output folder. No other path is accepted by ceremonyAct.
   */
  ceremonyShareFiles: {
    input: z.strictObject({ runId }),
    output: z.array(
      z.strictObject({ path: z.string(), name: z.string(), source: z.enum(['volume', 'rehearsal']) }),
    ),
  },
  /** Evaluates the current step's preconditions; any failure is a deviation (RUN-HALT). */
  ceremonyCheck: {
    input: z.strictObject({
      runId,
      stepId,
      pin: pin.optional(),
      /** A key backup in production: the escrow token's user PIN, for a label check there. */
      escrowPin: pin.optional(),
      quorumSessionId: z.string().uuid().optional(),
      bags: z
        .array(z.strictObject({ serial: text(64), readAloud: text(64), intact: z.boolean() }))
        .max(20)
        .optional(),
      actor,
    }),
    output: z.strictObject({
      stepId: z.string(),
      preconditions: z.array(preconditionResult),
      deviationSeq: seq.nullable(),
    }),
  },
  /** Performs the current step's act and reads its postconditions back. */
  ceremonyAct: {
    input: z.strictObject({
      runId,
      stepId,
      pin: pin.optional(),
      /** unwrap-import in production: the escrow token's user PIN and the HSM token's SO PIN. */
      escrowPin: pin.optional(),
      soPin: pin.optional(),
      note: text(2000).optional(),
      /** shares-reissue: paths the station listed (ceremonyShareFiles); any other is refused. */
      shareFiles: z.array(mediaPath).min(1).max(50).optional(),
      /** shares-reissue in production: the listed removable volume the new shares are written to. */
      shareOut: mediaPath.optional(),
      actor,
    }),
    output: z.strictObject({
      stepId: z.string(),
      act: z.string(),
      result: z.string(),
      postconditions: z.array(postconditionResult),
      outputs: z.array(z.strictObject({ path: z.string(), sha256: sha256Hex })),
      deviationSeq: seq.nullable(),
    }),
  },
  /** A witness checks the current step off: their own token's roster key signs it (RUN-WITNESS). */
  ceremonyWitness: {
    input: z.strictObject({ runId, stepId, ...tokenRef, pin, actor }),
    output: z.strictObject({ stepId: z.string(), custodianId: custodianIdSchema, completed: z.boolean() }),
  },
  /** A participant reports what happened instead of what the step expected: the run halts. */
  ceremonyDeviation: {
    input: z.strictObject({ runId, expected: text(2000), happened: text(2000), actor }),
    output: z.strictObject({ seq, stepId: z.string() }),
  },
  /** The master of ceremonies decides on the open deviation: continue, or abort the run. */
  ceremonyDecide: {
    input: z.strictObject({
      runId,
      deviationSeq: seq,
      decision: z.enum(['continue', 'abort']),
      reason: text(2000),
      actor,
    }),
    output: z.strictObject({ status: z.enum(['open', 'aborted']) }),
  },
} as const satisfies Channels;
