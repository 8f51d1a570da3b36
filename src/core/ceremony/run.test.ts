import { describe, expect, it } from 'vitest';
import { validateCeremony, type CeremonyFile } from '.';
import {
  completedRehearsals,
  foldRun,
  witnessStatement,
  type RunEvent,
  type RunEventKind,
  type RunMode,
} from './run';

/** A small key-generation ceremony: a bag step (precondition), a keygen step (post), a CSR step. */
function ceremony(): CeremonyFile {
  const witnessed = { count: 2, roles: ['witness', 'auditor'] };
  return validateCeremony(
    {
      ceremony: 1,
      id: 'test-keygen',
      title: 'Test key generation',
      type: 'key-generation',
      planned: { date: '2027-03-16', location: 'Room K2' },
      participants: [
        { id: 'ana', name: 'Ana', role: 'master-of-ceremonies' },
        { id: 'ben', name: 'Ben', role: 'operator' },
        { id: 'chloe', name: 'Chloe', role: 'witness' },
        { id: 'dev', name: 'Dev', role: 'witness' },
        { id: 'hugo', name: 'Hugo', role: 'auditor' },
        { id: 'erin', name: 'Erin', role: 'custodian' },
        { id: 'femi', name: 'Femi', role: 'custodian' },
      ],
      hsm: { module: 'softhsm2', token: 'prod-1', model: 'Test HSM', firmware: '2.6' },
      key: { label: 'int-2027', algorithm: 'ec-p256', csr: { subject: { commonName: 'Test' } } },
      bags: [{ serial: 'TB-100001', contents: 'the HSM', state: 'sealed' }],
      steps: [
        {
          id: 'firmware',
          title: 'Firmware',
          say: 'The station reads the firmware.',
          check: 'It is 2.6.',
          by: 'operator',
          witnesses: witnessed,
          bags: { in: ['TB-100001'] },
          preconditions: [
            { kind: 'bag-intact', serial: 'TB-100001' },
            { kind: 'firmware-equals', token: 'prod-1', firmware: '2.6' },
          ],
          act: { kind: 'record-note' },
        },
        {
          id: 'generate',
          title: 'Generate',
          say: 'The operator generates the key.',
          check: 'Attributes read back.',
          by: 'operator',
          witnesses: witnessed,
          quorum: { m: 2, n: 3 },
          preconditions: [
            { kind: 'quorum-satisfied' },
            { kind: 'label-absent', label: 'int-2027', token: 'prod-1' },
          ],
          act: { kind: 'generate-key', label: 'int-2027', token: 'prod-1' },
          postconditions: ['attributes-read-back'],
        },
        {
          id: 'csr',
          title: 'CSR',
          say: 'The operator makes the request.',
          check: 'It verifies.',
          by: 'operator',
          witnesses: { count: 1, roles: ['auditor'] },
          quorum: { m: 2, n: 3 },
          preconditions: [{ kind: 'quorum-satisfied' }],
          act: { kind: 'create-csr', label: 'int-2027', token: 'prod-1' },
          postconditions: ['csr-verifies-against-token-key'],
        },
      ],
    },
    'test.yaml',
  );
}

const RUN = '00000000-0000-4000-8000-000000000001';
const DIGEST = 'a'.repeat(64);
const OTHER_DIGEST = 'b'.repeat(64);

/** Builds a run's journal: each call appends one event with the next seq. */
function journal(mode: RunMode = 'rehearsal', runId = RUN, digest = DIGEST) {
  const events: RunEvent[] = [];
  const add = <K extends RunEventKind>(kind: K, body: object, actor = 'operator:ben') => {
    events.push({
      seq: events.length + 1,
      at: '2027-03-16T09:00:00.000Z',
      actor,
      kind,
      body: { runId, ...body },
    } as RunEvent);
    return events.length;
  };
  add('ceremony.run-started', {
    fileDigest: digest,
    ceremonyId: 'test-keygen',
    type: 'key-generation',
    mode,
    source: '/tmp/test.yaml',
    outDir: '/tmp/out',
    target: { moduleId: 'hsm', fileToken: 'prod-1', tokenLabel: 'rehearsal-00000000', tokenSerial: '1' },
    participants: [{ custodianId: 'ana', role: 'master-of-ceremonies' }],
  });
  const check = (stepId: string, results: ('pass' | 'fail')[]) =>
    add('ceremony.step-checked', {
      stepId,
      quorumSessionId: null,
      preconditions: results.map((result) => ({
        kind: 'token-present',
        args: {},
        result,
        observed: 'x',
      })),
    });
  const act = (stepId: string, post: ('pass' | 'fail')[] = []) =>
    add('ceremony.step-acted', {
      stepId,
      act: 'record-note',
      marking: mode === 'rehearsal' ? 'REHEARSAL' : 'PRODUCTION',
      result: 'done',
      postconditions: post.map((result) => ({
        kind: 'attributes-read-back',
        result,
        observed: 'x',
        evidenceSha256: null,
      })),
      outputs: [],
    });
  const witness = (stepId: string, custodianId: string, role = 'witness') =>
    add(
      'ceremony.step-witnessed',
      {
        stepId,
        custodianId,
        role,
        fingerprint: 'c'.repeat(64),
        statementSha256: 'd'.repeat(64),
        signature: 'AA==',
      },
      `operator:${custodianId}`,
    );
  const deviation = (stepId: string, phase: string) =>
    add('ceremony.deviation', { stepId, phase, expected: 'e', happened: 'h' });
  const decide = (deviationSeq: number, decision: 'continue' | 'abort') =>
    add('ceremony.decision', { deviationSeq, decision, reason: 'r' }, 'operator:ana');
  const complete = () => add('ceremony.run-completed', { fileDigest: digest });
  const abort = (deviationSeq: number | null) => add('ceremony.run-aborted', { deviationSeq, reason: 'r' });
  return { events, check, act, witness, deviation, decide, complete, abort };
}

/** Every step performed cleanly. */
function cleanRun(mode: RunMode = 'rehearsal', runId = RUN, digest = DIGEST) {
  const j = journal(mode, runId, digest);
  j.check('firmware', ['pass', 'pass']);
  j.act('firmware');
  j.witness('firmware', 'chloe');
  j.witness('firmware', 'hugo', 'auditor');
  j.check('generate', ['pass', 'pass']);
  j.act('generate', ['pass']);
  j.witness('generate', 'chloe');
  j.witness('generate', 'dev');
  j.check('csr', ['pass']);
  j.act('csr', ['pass']);
  j.witness('csr', 'hugo', 'auditor');
  return j;
}

describe('foldRun (RUN-ORDER, RUN-HALT, RUN-WITNESS)', () => {
  const file = ceremony();

  it('a new run needs the first step checked', () => {
    const s = foldRun(file, journal().events);
    expect(s.status).toBe('open');
    expect(s.current).toEqual({ index: 0, stepId: 'firmware', needs: 'check' });
  });

  it('RUN-ORDER: check, act, then witnesses, step after step', () => {
    const j = journal();
    j.check('firmware', ['pass', 'pass']);
    expect(foldRun(file, j.events).current?.needs).toBe('act');
    j.act('firmware');
    expect(foldRun(file, j.events).current).toMatchObject({ stepId: 'firmware', needs: 'witness' });
    j.witness('firmware', 'chloe');
    expect(foldRun(file, j.events).current).toMatchObject({ stepId: 'firmware', needs: 'witness' });
    j.witness('firmware', 'hugo', 'auditor');
    expect(foldRun(file, j.events).current).toEqual({ index: 1, stepId: 'generate', needs: 'check' });
  });

  it('RUN-WITNESS: the same witness twice counts once', () => {
    const j = journal();
    j.check('firmware', ['pass', 'pass']);
    j.act('firmware');
    j.witness('firmware', 'chloe');
    j.witness('firmware', 'chloe');
    const s = foldRun(file, j.events);
    expect(s.steps[0]?.witnesses).toHaveLength(1);
    expect(s.current?.stepId).toBe('firmware');
  });

  it('every step done: no current step, still open until completed', () => {
    const j = cleanRun();
    const s = foldRun(file, j.events);
    expect(s.steps.every((x) => x.done)).toBe(true);
    expect(s.current).toBeNull();
    expect(s.status).toBe('open');
    j.complete();
    expect(foldRun(file, j.events).status).toBe('completed');
  });

  it('RUN-HALT: a failed precondition halts the step until the MC decides; continue accepts it', () => {
    const j = journal();
    j.check('firmware', ['pass', 'fail']);
    const dev = j.deviation('firmware', 'precondition');
    const halted = foldRun(file, j.events);
    expect(halted.status).toBe('halted');
    expect(halted.current?.needs).toBe('decision');
    expect(halted.openDeviation?.seq).toBe(dev);
    j.decide(dev, 'continue');
    const s = foldRun(file, j.events);
    expect(s.status).toBe('open');
    expect(s.steps[0]?.check).toBe('accepted');
    expect(s.current?.needs).toBe('act');
    expect(s.deviations[0]?.decision).toMatchObject({ decision: 'continue', actor: 'operator:ana' });
  });

  it('RUN-HALT: a failed postcondition is accepted by continue; a failed act is to be done again', () => {
    const j = cleanRun();
    // Rebuild up to the generate act with a failing postcondition.
    const k = journal();
    k.check('firmware', ['pass', 'pass']);
    k.act('firmware');
    k.witness('firmware', 'chloe');
    k.witness('firmware', 'dev');
    k.check('generate', ['pass', 'pass']);
    const actDev = k.deviation('generate', 'act');
    k.decide(actDev, 'continue');
    expect(foldRun(file, k.events).current).toMatchObject({ stepId: 'generate', needs: 'act' });
    k.act('generate', ['fail']);
    const postDev = k.deviation('generate', 'postcondition');
    expect(foldRun(file, k.events).current?.needs).toBe('decision');
    k.decide(postDev, 'continue');
    const s = foldRun(file, k.events);
    expect(s.steps[1]?.post).toBe('accepted');
    expect(s.current).toMatchObject({ stepId: 'generate', needs: 'witness' });
    expect(foldRun(file, j.events).steps[1]?.post).toBe('passed');
  });

  it('a decision names one open deviation: a decision on another seq decides nothing', () => {
    const j = journal();
    j.check('firmware', ['fail', 'pass']);
    const dev = j.deviation('firmware', 'precondition');
    j.decide(dev + 100, 'continue');
    expect(foldRun(file, j.events).status).toBe('halted');
  });

  it('an abort ends the run', () => {
    const j = journal();
    j.check('firmware', ['fail', 'pass']);
    const dev = j.deviation('firmware', 'precondition');
    j.decide(dev, 'abort');
    j.abort(dev);
    const s = foldRun(file, j.events);
    expect(s.status).toBe('aborted');
    expect(s.current).toBeNull();
  });

  it("another run's events do not move this run", () => {
    const j = journal();
    const other = journal('rehearsal', '00000000-0000-4000-8000-000000000002');
    other.check('firmware', ['pass', 'pass']);
    const mixed = [...j.events, ...other.events.slice(1).map((e) => ({ ...e, seq: e.seq + 10 }))];
    expect(foldRun(file, mixed).current?.needs).toBe('check');
  });
});

describe('completedRehearsals (RUN-REHEARSED)', () => {
  it('a completed rehearsal at this digest counts', () => {
    const j = cleanRun();
    j.complete();
    expect(completedRehearsals(j.events, DIGEST)).toEqual([RUN]);
  });

  it('a rehearsal at another digest, an open one, an aborted one or a production run does not', () => {
    const other = cleanRun('rehearsal', RUN, OTHER_DIGEST);
    other.complete();
    expect(completedRehearsals(other.events, DIGEST)).toEqual([]);
    expect(completedRehearsals(cleanRun().events, DIGEST)).toEqual([]);
    const aborted = journal();
    aborted.abort(null);
    expect(completedRehearsals(aborted.events, DIGEST)).toEqual([]);
    const production = cleanRun('production');
    production.complete();
    expect(completedRehearsals(production.events, DIGEST)).toEqual([]);
  });
});

describe('witnessStatement', () => {
  it('binds the station, run, step, file digest and witness', () => {
    const text = new TextDecoder().decode(
      witnessStatement({
        stationId: 's',
        runId: RUN,
        stepId: 'csr',
        fileDigest: DIGEST,
        custodianId: 'hugo',
      }),
    );
    expect(text.split('\n')).toEqual([
      'ceremony-station ceremony witness v1',
      'station: s',
      `run: ${RUN}`,
      'step: csr',
      `file: ${DIGEST}`,
      'witness: hugo',
      '',
    ]);
  });
});
