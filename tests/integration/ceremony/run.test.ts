import { verify } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { witnessStatement } from '../../../src/core/ceremony/run';
import { dsaEncodingOption, signatureAlgorithm } from '../../../src/core/crypto/algorithms';
import { CodedError } from '../../../src/core/errors';
import type { EventBody } from '../../../src/core/journal/events';
import { loadCeremonyFile } from '../../../src/main/adapters/ceremony';
import {
  actStep,
  checkStep,
  decideDeviation,
  openRun,
  reportDeviation,
  runView,
  startRun,
  witnessStep,
} from '../../../src/main/services/ceremonies';
import { rosterEntries } from '../../../src/main/services/custodians';
import type { Station } from '../../../src/main/station/station';
import { suiteTempDir } from '../../helpers/temp';
import {
  asyncRefusal,
  ceremonyRoom,
  MC,
  MODULE,
  OPERATOR,
  PIN,
  SCRATCH_PIN,
  stepQuorum as stepQuorumOf,
} from './support';

/**
 * Ceremony runs (docs/ceremonies.md) on real SoftHSM2 tokens and a real SQLite journal: the example
 * key-generation ceremony rehearsed end to end on a scratch token the station makes, every participant
 * a roster custodian with their own token, witnesses checking steps off with their own roster keys.
 */
const EXAMPLE = resolve(import.meta.dirname, '../../../resources/ceremonies/key-generation.yaml');

let suite: ReturnType<typeof suiteTempDir>;
let station: Station;
let serial: Record<string, string> = {};
let now = Date.parse('2027-03-16T08:00:00.000Z');

const actorOfRole = (role: string) => (role === 'master-of-ceremonies' ? MC : OPERATOR);
const events = <K extends Parameters<Station['journal']['eventsOfKind']>[0]>(kind: K) =>
  station.journal.eventsOfKind(kind);

function refusal(fn: () => unknown): CodedError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CodedError) return e;
    throw e;
  }
  throw new Error('not refused');
}
beforeAll(async () => {
  suite = suiteTempDir();
  ({ station, serial } = await ceremonyRoom(suite.dir, join(suite.dir, 'st'), {
    clock: () => new Date(now),
    validity: { from: '2027-01-01T00:00:00.000Z', until: '2028-01-01T00:00:00.000Z' },
  }));
});

afterAll(() => {
  station?.close();
  suite?.remove();
});

function outDir(name: string): string {
  const dir = join(suite.dir, 'out', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Erin and Femi check in with their own tokens on a session opened for exactly this run's step. */
const stepQuorum = (runId: string, stepId: string) =>
  stepQuorumOf(station, serial, runId, stepId, ['erin-walsh', 'femi-adeyemi']);

/**
 * Performs the run as the participants would until it completes, halts on a deviation it does not
 * expect, or reaches `until` (a step id whose act is next). Deviations are decided by `decide`.
 */
async function drive(
  runId: string,
  opts: {
    decide?: (d: { seq: number; stepId: string; happened: string }) => 'continue' | 'abort';
    until?: string;
  } = {},
): Promise<void> {
  for (let guard = 0; guard < 100; guard++) {
    const { ceremony, state } = openRun(station, runId);
    const c = state.current;
    if (state.status === 'completed' || state.status === 'aborted' || !c) return;
    const step = ceremony.file.steps[c.index]!;
    const actor = actorOfRole(step.by);
    if (c.needs === 'decision') {
      const d = state.openDeviation!;
      const decision = opts.decide?.(d) ?? 'abort';
      decideDeviation(station, {
        runId,
        deviationSeq: d.seq,
        decision,
        reason: `MC: ${decision}`,
        actor: MC,
      });
    } else if (c.needs === 'check') {
      checkStep(station, {
        runId,
        stepId: c.stepId,
        pin: SCRATCH_PIN,
        quorumSessionId: step.quorum ? stepQuorum(runId, c.stepId) : undefined,
        bags: (step.bags?.in ?? []).map((s) => ({ serial: s, readAloud: s, intact: true })),
        actor,
      });
    } else if (c.needs === 'act') {
      if (opts.until === c.stepId) return;
      await actStep(station, {
        runId,
        stepId: c.stepId,
        pin: SCRATCH_PIN,
        note: `done: ${step.title}`,
        actor,
      });
    } else {
      const witnessed = state.steps[c.index]!.witnesses.map((w) => w.custodianId);
      const next = ['chloe-meyer', 'hugo-brandt', 'dev-patel'].find((w) => !witnessed.includes(w))!;
      witnessStep(station, { runId, moduleId: MODULE, serial: serial[next]!, pin: PIN, actor });
    }
  }
  throw new Error('the run did not settle');
}

describe('ceremony runs: the example key-generation ceremony rehearsed on a scratch token', () => {
  let rehearsal: string;

  it('refuses production before any rehearsal of these bytes (CEREMONY_NOT_REHEARSED)', () => {
    const e = refusal(() =>
      startRun(station, { file: EXAMPLE, mode: 'production', outDir: outDir('p0'), actor: MC }),
    );
    expect(e.code).toBe('CEREMONY_NOT_REHEARSED');
    expect(events('ceremony.run-started')).toHaveLength(0);
  });

  it('rehearses end to end: the firmware mismatch halts for the MC, outputs are marked REHEARSAL', async () => {
    const before = station.hsm.module(MODULE).tokens().length;
    const started = startRun(station, {
      file: EXAMPLE,
      mode: 'rehearsal',
      outDir: outDir('r1'),
      scratchPin: SCRATCH_PIN,
      actor: MC,
    });
    rehearsal = started.runId;
    expect(started.fileDigest).toBe(loadCeremonyFile(EXAMPLE).digest.sha256);
    // A new scratch token stands for prod-ca-1; no production token is touched or made.
    const tokens = station.hsm.module(MODULE).tokens();
    expect(tokens).toHaveLength(before + 1);
    const scratch = tokens.find((t) => t.serial === started.target?.tokenSerial)!;
    expect(scratch.label).toBe(`rehearsal-${rehearsal.slice(0, 8)}`);
    expect(started.target).toMatchObject({ moduleId: MODULE, fileToken: 'prod-ca-1' });
    expect(tokens.some((t) => t.label === 'prod-ca-1')).toBe(false);

    const deviations: { stepId: string; happened: string }[] = [];
    await drive(rehearsal, {
      decide: (d) => {
        deviations.push(d);
        return 'continue';
      },
    });

    // The only deviation: SoftHSM2's firmware is not the attested Luna firmware.
    expect(deviations).toHaveLength(1);
    expect(deviations[0]!.stepId).toBe('attest-firmware');
    expect(deviations[0]!.happened).toContain(`reports firmware ${scratch.firmware}; attested 7.8.4`);
    const decision = events('ceremony.decision')[0]!;
    expect(decision.actor).toBe(MC);
    expect(decision.body.decision).toBe('continue');

    const view = runView(station, { runId: rehearsal });
    expect(view.status).toBe('completed');
    expect(view.steps.every((s) => s.done)).toBe(true);
    const completed = events('ceremony.run-completed');
    expect(completed.map((e) => e.body)).toEqual([{ runId: rehearsal, fileDigest: started.fileDigest }]);

    // Every act is marked REHEARSAL; the key was generated on the scratch token and only there.
    const acted = events('ceremony.step-acted');
    expect(acted).toHaveLength(8);
    expect(new Set(acted.map((e) => e.body.marking))).toEqual(new Set(['REHEARSAL']));
    const generated = events('hsm.key-generated').filter((e) => e.body.key.label === 'intermediate-2027');
    expect(generated.map((e) => e.body.tokenSerial)).toEqual([scratch.serial]);
    const keygen = acted.find((e) => e.body.stepId === 'generate-key')!;
    expect(keygen.actor).toBe(OPERATOR);
    expect(keygen.body.postconditions.map((p) => [p.kind, p.result])).toEqual([
      ['attributes-read-back', 'pass'],
      ['signature-verifies', 'pass'],
    ]);

    // The request: a new file named and headed REHEARSAL, with the file's subject and the token's key.
    const csrStep = acted.find((e) => e.body.stepId === 'create-csr')!;
    expect(csrStep.body.postconditions[0]).toMatchObject({
      kind: 'csr-verifies-against-token-key',
      result: 'pass',
    });
    const out = csrStep.body.outputs[0]!;
    expect(out.path).toBe(join(outDir('r1'), 'intermediate-2027-rotation-create-csr.REHEARSAL.csr.pem'));
    const text = readFileSync(out.path, 'utf8');
    expect(text.split('\n')[0]).toMatch(/^REHEARSAL of ceremony intermediate-2027-rotation/);
    const csr = new x509.Pkcs10CertificateRequest(text.slice(text.indexOf('-----BEGIN')));
    expect(csr.subjectName.getField('CN')).toEqual(['Example Release Signing Intermediate 2027']);
    expect(await csr.verify()).toBe(true);
    const keySpki = generated[0]!.body.spki;
    expect(Buffer.from(csr.publicKey.rawData).toString('base64')).toBe(keySpki);

    // Each check-off is a signature anyone can verify with the witness's roster key.
    const witnessed = events('ceremony.step-witnessed');
    expect(witnessed).toHaveLength(16);
    const roster = rosterEntries(station);
    for (const w of witnessed) {
      const entry = roster.find((e) => e.custodianId === w.body.custodianId)!;
      const row = signatureAlgorithm(entry.algorithm);
      const statement = witnessStatement({
        stationId: station.stationRecord().stationId,
        runId: rehearsal,
        stepId: w.body.stepId,
        fileDigest: started.fileDigest,
        custodianId: w.body.custodianId,
      });
      const ok = verify(
        row.hash,
        statement,
        {
          key: Buffer.from(entry.spki, 'base64'),
          format: 'der',
          type: 'spki',
          ...dsaEncodingOption(row, 'token'),
        },
        Buffer.from(w.body.signature, 'base64'),
      );
      expect(ok).toBe(true);
      expect(w.body.fingerprint).toBe(entry.fingerprint);
    }
  });

  it('a completed run takes no more steps (CEREMONY_RUN_CLOSED)', () => {
    const e = refusal(() =>
      reportDeviation(station, { runId: rehearsal, expected: 'x', happened: 'y', actor: MC }),
    );
    expect(e.code).toBe('CEREMONY_RUN_CLOSED');
    const d = refusal(() => checkStep(station, { runId: rehearsal, actor: MC }));
    expect(d.code).toBe('CEREMONY_RUN_CLOSED');
  });

  it('production of the rehearsed bytes may start; a one-byte change of the file is refused', () => {
    const copy = join(suite.dir, 'same.yaml');
    copyFileSync(EXAMPLE, copy);
    const started = startRun(station, { file: copy, mode: 'production', outDir: outDir('p1'), actor: MC });
    expect(started.target).toEqual({
      moduleId: 'softhsm2',
      fileToken: 'prod-ca-1',
      tokenLabel: 'prod-ca-1',
      tokenSerial: null,
    });
    const changed = join(suite.dir, 'changed.yaml');
    const bytes = readFileSync(EXAMPLE);
    const at = bytes.indexOf('Frankfurt');
    bytes[at] = 'f'.charCodeAt(0);
    writeFileSync(changed, bytes);
    const e = refusal(() =>
      startRun(station, { file: changed, mode: 'production', outDir: outDir('p2'), actor: MC }),
    );
    expect(e.code).toBe('CEREMONY_NOT_REHEARSED');
    expect(e.data).toMatchObject({ fileDigest: loadCeremonyFile(changed).digest.sha256 });
  });

  it('a file changed under an open run refuses the next step (CEREMONY_FILE_CHANGED)', () => {
    const path = join(suite.dir, 'moving.yaml');
    copyFileSync(EXAMPLE, path);
    const { runId } = startRun(station, {
      file: path,
      mode: 'rehearsal',
      outDir: outDir('m'),
      scratchPin: SCRATCH_PIN,
      actor: MC,
    });
    writeFileSync(path, `${readFileSync(path, 'utf8')}\n`);
    expect(refusal(() => runView(station, { runId })).code).toBe('CEREMONY_FILE_CHANGED');
  });
});

describe('ceremony runs: deviations, the MC decision, seats and refusals', () => {
  it('an abort by the MC ends the run; only the MC decides', async () => {
    const { runId } = startRun(station, {
      file: EXAMPLE,
      mode: 'rehearsal',
      outDir: outDir('a'),
      scratchPin: SCRATCH_PIN,
      actor: OPERATOR,
    });
    await drive(runId, { decide: () => 'abort', until: 'attest-firmware' });
    const state = openRun(station, runId).state;
    expect(state.status).toBe('aborted');
    expect(state.deviations[0]).toMatchObject({ stepId: 'attest-firmware', phase: 'precondition' });
    expect(state.deviations[0]!.decision).toMatchObject({ decision: 'abort', actor: MC });
    const aborted = events('ceremony.run-aborted').filter((e) => e.body.runId === runId);
    expect(aborted).toHaveLength(1);
    expect(refusal(() => checkStep(station, { runId, actor: MC })).code).toBe('CEREMONY_RUN_CLOSED');
  });

  it('a deviation halts every step until the MC decides; the operator cannot decide it', async () => {
    const { runId } = startRun(station, {
      file: EXAMPLE,
      mode: 'rehearsal',
      outDir: outDir('h'),
      scratchPin: SCRATCH_PIN,
      actor: MC,
    });
    const { seq } = reportDeviation(station, {
      runId,
      expected: 'every participant present',
      happened: 'the auditor is late',
      actor: OPERATOR,
    });
    expect(refusal(() => checkStep(station, { runId, actor: MC })).code).toBe('CEREMONY_RUN_HALTED');
    expect((await asyncRefusal(() => actStep(station, { runId, note: 'n', actor: MC }))).code).toBe(
      'CEREMONY_RUN_HALTED',
    );
    const seat = refusal(() =>
      decideDeviation(station, {
        runId,
        deviationSeq: seq,
        decision: 'continue',
        reason: 'r',
        actor: OPERATOR,
      }),
    );
    expect(seat.code).toBe('CEREMONY_SEAT_REFUSED');
    decideDeviation(station, {
      runId,
      deviationSeq: seq,
      decision: 'continue',
      reason: 'he arrived',
      actor: MC,
    });
    expect(openRun(station, runId).state.current).toMatchObject({ stepId: 'open-ceremony', needs: 'act' });
    // The act is the seat's: the operator may not do the MC's step; a witness checks off once, not the actor.
    expect((await asyncRefusal(() => actStep(station, { runId, note: 'n', actor: OPERATOR }))).code).toBe(
      'CEREMONY_SEAT_REFUSED',
    );
    await actStep(station, { runId, note: 'all present', actor: MC });
    witnessStep(station, { runId, moduleId: MODULE, serial: serial['chloe-meyer']!, pin: PIN, actor: MC });
    const again = refusal(() =>
      witnessStep(station, { runId, moduleId: MODULE, serial: serial['chloe-meyer']!, pin: PIN, actor: MC }),
    );
    expect(again.code).toBe('CEREMONY_WITNESS_REFUSED');
    const custodian = refusal(() =>
      witnessStep(station, { runId, moduleId: MODULE, serial: serial['erin-walsh']!, pin: PIN, actor: MC }),
    );
    expect(custodian.code).toBe('CEREMONY_WITNESS_REFUSED');
    expect(custodian.message).toContain('erin-walsh is the custodian');
  });

  it('a key label that exists is refused before the act: nothing is generated or recorded', async () => {
    const { runId, target } = startRun(station, {
      file: EXAMPLE,
      mode: 'rehearsal',
      outDir: outDir('l'),
      scratchPin: SCRATCH_PIN,
      actor: MC,
    });
    await drive(runId, { decide: () => 'continue', until: 'generate-key' });
    expect(openRun(station, runId).state.current).toMatchObject({ stepId: 'generate-key', needs: 'act' });
    // Someone makes a key with the label after label-absent was checked.
    await station.hsm
      .module(MODULE)
      .withSessionAsync(
        target!.tokenSerial!,
        { write: true, login: { user: 'user', pin: SCRATCH_PIN } },
        (s) => s.generateKeyPair({ label: 'intermediate-2027', algorithm: 'ec-p384' }),
      );
    const generatedBefore = events('hsm.key-generated').length;
    const actedBefore = events('ceremony.step-acted').length;
    const e = await asyncRefusal(() => actStep(station, { runId, pin: SCRATCH_PIN, actor: OPERATOR }));
    expect(e.code).toBe('CEREMONY_LABEL_EXISTS');
    expect(events('hsm.key-generated')).toHaveLength(generatedBefore);
    expect(events('ceremony.step-acted')).toHaveLength(actedBefore);
    expect(openRun(station, runId).state.current).toMatchObject({ stepId: 'generate-key', needs: 'act' });
  });

  it('a participant who is not on the roster refuses the run start, named', () => {
    const path = join(suite.dir, 'stranger.yaml');
    writeFileSync(path, readFileSync(EXAMPLE, 'utf8').replace('id: hugo-brandt', 'id: zed-stranger'));
    const e = refusal(() =>
      startRun(station, {
        file: path,
        mode: 'rehearsal',
        outDir: outDir('s'),
        scratchPin: SCRATCH_PIN,
        actor: MC,
      }),
    );
    expect(e.code).toBe('CEREMONY_PARTICIPANT_UNKNOWN');
    expect(e.data).toMatchObject({ participant: 'zed-stranger', field: 'participants[7].id' });
  });

  it('a participant whose roster entry is not VALID now refuses the run start', () => {
    const saved = now;
    now = Date.parse('2028-02-01T00:00:00.000Z');
    try {
      const e = refusal(() =>
        startRun(station, {
          file: EXAMPLE,
          mode: 'rehearsal',
          outDir: outDir('v'),
          scratchPin: SCRATCH_PIN,
          actor: MC,
        }),
      );
      expect(e.code).toBe('CEREMONY_PARTICIPANT_NOT_VALID');
      expect(e.data).toMatchObject({ participant: 'ana-ruiz' });
    } finally {
      now = saved;
    }
  });
});

// The body type the test reads (kept here so a schema change that drops a field fails to compile).
export type WitnessedBody = EventBody<'ceremony.step-witnessed'>;
