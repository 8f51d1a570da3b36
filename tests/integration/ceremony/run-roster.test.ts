import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepQuorumPurpose } from '../../../src/core/ceremony/run';
import { encodeOperation } from '../../../src/core/custody/operation';
import { CodedError } from '../../../src/core/errors';
import {
  actStep,
  checkStep,
  decideDeviation,
  openRun,
  runView,
  startRun,
  witnessStep,
} from '../../../src/main/services/ceremonies';
import {
  applyRosterChange,
  checkInWithToken,
  openQuorumSession,
  proposeCustodian,
  proposeRosterChange,
  rosterEntries,
  rosterPolicy,
  type RosterChangeInput,
} from '../../../src/main/services/custodians';
import type { Station } from '../../../src/main/station/station';
import { suiteTempDir } from '../../helpers/temp';
import { ceremonyRoom, example, MC, MODULE, OPERATOR, PEOPLE, PIN } from './support';

/**
 * The roster-change ceremony (resources/ceremonies/roster-change.yaml) on real SoftHSM2 custodian tokens
 * and a real journal: a rehearsal is a dry run that changes nothing; production applies the compound
 * change in one append under a quorum session bound to exactly that change.
 */
const CLOCK = new Date('2027-04-06T08:00:00.000Z');
let suite: ReturnType<typeof suiteTempDir>;
let station: Station;
let serial: Record<string, string> = {};
let pem: Record<string, string> = {};

beforeAll(async () => {
  suite = suiteTempDir();
  ({ station, serial, pem } = await ceremonyRoom(suite.dir, join(suite.dir, 'st'), {
    clock: () => CLOCK,
    validity: { from: '2027-01-01T00:00:00.000Z', until: '2028-01-01T00:00:00.000Z' },
    // Ines has her token and key; she joins the roster only through the ceremony.
    rostered: PEOPLE.filter((p) => p !== 'ines-kowalski'),
  }));
});

afterAll(() => {
  station?.close();
  suite?.remove();
});

const EXAMPLE_TEXT = readFileSync(example('roster-change'), 'utf8');
const EXAMPLE_PEM = /-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/.exec(EXAMPLE_TEXT)![0];

/** The example with Ines's real token key (and any other edit), as a file of its own bytes. */
function variant(name: string, edit: (text: string) => string = (t) => t): string {
  const indented = pem['ines-kowalski']!.trim().split('\n').join('\n        ');
  const text = edit(EXAMPLE_TEXT.replace(EXAMPLE_PEM, indented));
  expect(text).not.toBe(EXAMPLE_TEXT);
  const path = join(suite.dir, `${name}.yaml`);
  writeFileSync(path, text);
  return path;
}

function outDir(name: string): string {
  const dir = join(suite.dir, 'out', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const head = () => station.journal.head().seq;
const events = <K extends Parameters<Station['journal']['eventsOfKind']>[0]>(kind: K) =>
  station.journal.eventsOfKind(kind);
const fingerprintOf = (text: string) =>
  createHash('sha256')
    .update(Buffer.from(text.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'))
    .digest('hex');

/** Custodians check in with their own tokens on a session opened for `operation`. */
function session(operation: string | Parameters<typeof openQuorumSession>[1]['operation'], who: string[]) {
  const s = openQuorumSession(station, { operation, ceremonyId: 'test', step: 'test', actor: MC });
  for (const w of who)
    expect(
      checkInWithToken(station, { sessionId: s.sessionId, moduleId: MODULE, serial: serial[w]!, pin: PIN })
        .ok,
    ).toBe(true);
  return s.sessionId;
}

interface Decided {
  readonly stepId: string;
  readonly phase: string;
  readonly happened: string;
}

/**
 * Performs the run as its participants would; a step that binds a quorum gets a session opened for the
 * operation the run names for it (runView.quorumOperation), Erin and Greta checking in. `presence`: the
 * session of the roster-apply step is opened for presence instead (the wrong operation in production).
 */
async function drive(runId: string, opts: { decide?: 'continue' | 'abort'; presence?: boolean } = {}) {
  const decided: Decided[] = [];
  for (let guard = 0; guard < 80; guard++) {
    const view = runView(station, { runId });
    const { ceremony, state } = openRun(station, runId);
    const c = state.current;
    if (state.status === 'completed' || state.status === 'aborted' || !c) return decided;
    const step = ceremony.file.steps[c.index]!;
    const actor = step.by === 'master-of-ceremonies' ? MC : OPERATOR;
    if (c.needs === 'decision') {
      const d = state.openDeviation!;
      decided.push({ stepId: d.stepId, phase: d.phase, happened: d.happened });
      decideDeviation(station, {
        runId,
        deviationSeq: d.seq,
        decision: opts.decide ?? 'continue',
        reason: 'MC decides',
        actor: MC,
      });
    } else if (c.needs === 'check') {
      const operation = opts.presence
        ? { kind: 'ceremony-presence' as const, purpose: stepQuorumPurpose(runId, c.stepId) }
        : view.quorumOperation!;
      checkStep(station, {
        runId,
        quorumSessionId: step.quorum ? session(operation, ['erin-walsh', 'greta-lind']) : undefined,
        actor,
      });
    } else if (c.needs === 'act') {
      try {
        await actStep(station, { runId, note: `done: ${step.title}`, actor });
      } catch (e) {
        // An act that fails is recorded as a deviation (decided on the next turn); a refusal is not.
        if (!(e instanceof CodedError) || !openRun(station, runId).state.openDeviation) throw e;
      }
    } else {
      const witnessed = state.steps[c.index]!.witnesses.map((w) => w.custodianId);
      const next = ['chloe-meyer', 'hugo-brandt', 'dev-patel'].find((w) => !witnessed.includes(w))!;
      witnessStep(station, { runId, moduleId: MODULE, serial: serial[next]!, pin: PIN, actor });
    }
  }
  throw new Error('the run did not settle');
}

const start = (file: string, mode: 'rehearsal' | 'production', dir: string) =>
  startRun(station, {
    file,
    mode,
    outDir: outDir(dir),
    ...(mode === 'rehearsal' ? { scratchPin: PIN } : {}),
    actor: MC,
  });

const acted = (runId: string, stepId: string) =>
  events('ceremony.step-acted').find((e) => e.body.runId === runId && e.body.stepId === stepId)!;

describe('the roster-change ceremony', () => {
  it('the example rehearses end to end as a dry run: REHEARSAL evidence, the roster untouched', async () => {
    const roster = JSON.stringify(rosterEntries(station));
    const rosterEvents = events('roster.custodian-added').length + events('roster.custodian-revoked').length;
    const { runId } = start(example('roster-change'), 'rehearsal', 'example');
    // A rehearsal's roster-apply step binds presence, never the production change.
    expect(runView(station, { runId }).steps.map((s) => s.stepId)).toContain('apply-change');
    expect(await drive(runId)).toEqual([]);
    expect(runView(station, { runId }).status).toBe('completed');

    const apply = acted(runId, 'apply-change');
    expect(apply.body.marking).toBe('REHEARSAL');
    expect(apply.body.result).toContain('nothing applied');
    expect(apply.body.result).toContain('add ines-kowalski; revoke femi-adeyemi; quorum 2 of 8 VALID');
    expect(apply.body.postconditions).toMatchObject([{ kind: 'roster-applied', result: 'pass' }]);
    expect(apply.body.postconditions[0]!.observed).toContain(
      `ines-kowalski VALID, key ${fingerprintOf(EXAMPLE_PEM).slice(0, 16)}`,
    );
    const out = apply.body.outputs[0]!;
    expect(out.path).toContain('.REHEARSAL.roster-dry-run.json');
    const text = readFileSync(out.path, 'utf8');
    expect(createHash('sha256').update(text).digest('hex')).toBe(out.sha256);
    expect(JSON.parse(text)).toMatchObject({ marking: 'REHEARSAL', applied: false, quorum: 2, valid: 8 });
    const verify = acted(runId, 'show-roster');
    expect(verify.body.postconditions).toMatchObject([{ kind: 'roster-applied', result: 'pass' }]);
    expect(verify.body.result).toContain('REHEARSAL dry run');

    // The presence session was used for nothing; the one roster is as it was.
    expect(JSON.stringify(rosterEntries(station))).toBe(roster);
    expect(events('roster.custodian-added').length + events('roster.custodian-revoked').length).toBe(
      rosterEvents,
    );
    expect(events('roster.quorum-set')).toHaveLength(0);
  });

  it('a revoke naming a custodian not on the roster halts at the act with a deviation', async () => {
    const file = variant('ghost', (t) =>
      t.replace('- id: femi-adeyemi\n      reason:', '- id: zoe-ghost\n      reason:'),
    );
    const { runId } = start(file, 'rehearsal', 'ghost');
    const decided = await drive(runId, { decide: 'abort' });
    expect(decided).toHaveLength(1);
    expect(decided[0]).toMatchObject({ stepId: 'apply-change', phase: 'act' });
    expect(decided[0]!.happened).toContain('CUSTODIAN_NOT_FOUND');
    expect(decided[0]!.happened).toContain('zoe-ghost');
    expect(runView(station, { runId }).status).toBe('aborted');
    expect(rosterEntries(station).some((e) => e.custodianId === 'ines-kowalski')).toBe(false);
  });

  it('production really changes the roster, under a quorum bound to exactly the compound change', async () => {
    const file = variant('real');
    const rehearsed = start(file, 'rehearsal', 'real-rehearsal');
    expect(await drive(rehearsed.runId)).toEqual([]);

    // A session for presence is refused for the compound change: the check deviates, and the MC aborts.
    const wrong = start(file, 'production', 'real-wrong');
    const refused = await drive(wrong.runId, { presence: true, decide: 'abort' });
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ stepId: 'apply-change', phase: 'precondition' });
    expect(refused[0]!.happened).toContain('QUORUM_WRONG_OPERATION');
    expect(rosterEntries(station).some((e) => e.custodianId === 'ines-kowalski')).toBe(false);

    const before = rosterPolicy(station);
    const { runId } = start(file, 'production', 'real');
    // The operation the step's session must be opened for: exactly the file's compound change.
    const { operation } = proposeRosterChange({
      add: [
        {
          custodianId: 'ines-kowalski',
          name: 'Ines Kowalski',
          roles: ['custodian'],
          publicKey: pem['ines-kowalski']!,
          validFrom: '2027-04-01T00:00:00.000Z',
          validUntil: '2029-04-01T00:00:00.000Z',
        },
      ],
      revoke: [
        {
          custodianId: 'femi-adeyemi',
          reason: 'Leaves the custodian function on 2027-04-06 (new role in another business unit).',
        },
      ],
      quorum: 2,
    });
    expect(operation.kind).toBe('roster-change');
    expect(await drive(runId)).toEqual([]);
    expect(runView(station, { runId }).status).toBe('completed');

    const apply = acted(runId, 'apply-change');
    expect(apply.body.marking).toBe('PRODUCTION');
    expect(apply.body.result).toContain('applied: add ines-kowalski; revoke femi-adeyemi; quorum 2 of 8');
    expect(apply.body.postconditions).toMatchObject([{ kind: 'roster-applied', result: 'pass' }]);
    expect(acted(runId, 'show-roster').body.postconditions).toMatchObject([
      { kind: 'roster-applied', result: 'pass' },
    ]);

    // One append: the add, the revocation, the quorum and the session closed as used, one session.
    const added = events('roster.custodian-added').find(
      (e) => e.body.custodian.custodianId === 'ines-kowalski',
    )!;
    const revoked = events('roster.custodian-revoked').find((e) => e.body.custodianId === 'femi-adeyemi')!;
    const quorumSet = events('roster.quorum-set').at(-1)!;
    const closed = events('quorum.session-closed').find(
      (e) => e.body.sessionId === added.body.quorumSessionId,
    )!;
    expect([revoked.seq, quorumSet.seq, closed.seq]).toEqual([added.seq + 1, added.seq + 2, added.seq + 3]);
    expect(new Set([revoked.body.quorumSessionId, quorumSet.body.quorumSessionId])).toEqual(
      new Set([added.body.quorumSessionId]),
    );
    expect(closed.body).toMatchObject({ reason: 'used', usedFor: encodeOperation(operation) });
    expect(added.actor).toBe(OPERATOR);
    expect(quorumSet.body.quorum).toBe(2);
    expect(rosterPolicy(station)).toEqual(before);

    const roster = rosterEntries(station);
    const ines = roster.find((e) => e.custodianId === 'ines-kowalski')!;
    expect(ines).toMatchObject({ revokedAt: null, fingerprint: fingerprintOf(pem['ines-kowalski']!) });
    expect(roster.find((e) => e.custodianId === 'femi-adeyemi')!.revokedAt).not.toBeNull();

    // The new custodian checks in to a later quorum; the revoked one cannot.
    const later = openQuorumSession(station, {
      operation: { kind: 'ceremony-presence', purpose: 'later-quorum' },
      ceremonyId: 'later',
      step: 'later',
      actor: MC,
    });
    const checkIn = (who: string) =>
      checkInWithToken(station, {
        sessionId: later.sessionId,
        moduleId: MODULE,
        serial: serial[who]!,
        pin: PIN,
      });
    expect(checkIn('ines-kowalski')).toMatchObject({ ok: true, custodianId: 'ines-kowalski' });
    const femi = checkIn('femi-adeyemi');
    expect(femi.ok).toBe(false);
  });
});

describe('applyRosterChange refuses before anything is written', () => {
  const change = (over: Partial<RosterChangeInput> = {}): RosterChangeInput => ({
    add: [],
    revoke: [{ custodianId: 'dev-patel', reason: 'leaves' }],
    quorum: 2,
    ...over,
  });
  const refusal = (fn: () => unknown): CodedError => {
    try {
      fn();
    } catch (e) {
      if (e instanceof CodedError) return e;
      throw e;
    }
    throw new Error('not refused');
  };

  it('a session for one add, or for presence, never authorises the compound change', () => {
    const ines = {
      custodianId: 'zara-new',
      name: 'Zara New',
      roles: ['custodian'],
      publicKey: pem['ines-kowalski']!,
      validFrom: '2027-01-01T00:00:00.000Z',
      validUntil: '2028-01-01T00:00:00.000Z',
    };
    for (const operation of [
      proposeCustodian(ines).operation,
      { kind: 'ceremony-presence' as const, purpose: 'presence-only' },
    ]) {
      const sessionId = session(operation, ['erin-walsh', 'greta-lind']);
      const seq = head();
      const e = refusal(() =>
        applyRosterChange(station, { change: change(), quorumSessionId: sessionId, actor: MC }),
      );
      expect(e.code).toBe('QUORUM_WRONG_OPERATION');
      expect(head()).toBe(seq);
    }
  });

  it('a quorum more than the custodians valid after the change, or below 2, or an unknown custodian', () => {
    const valid = rosterEntries(station).filter((e) => e.revokedAt === null).length;
    const cases: [RosterChangeInput, string, string][] = [
      [change({ quorum: valid }), 'ROSTER_QUORUM_INVALID', 'quorum'],
      [change({ quorum: 1 }), 'ROSTER_QUORUM_INVALID', 'quorum'],
      [
        change({ revoke: [{ custodianId: 'femi-adeyemi', reason: 'again' }] }),
        'CUSTODIAN_NOT_FOUND',
        'revoke[0].custodianId',
      ],
      [change({ validAfter: 3 }), 'ROSTER_QUORUM_INVALID', 'quorum.n'],
    ];
    for (const [c, code, field] of cases) {
      // A session bound to exactly this change, with its quorum reached: only the change itself is at fault.
      const sessionId = session(proposeRosterChange(c).operation, ['erin-walsh', 'greta-lind']);
      const seq = head();
      const roster = JSON.stringify(rosterEntries(station));
      const e = refusal(() =>
        applyRosterChange(station, { change: c, quorumSessionId: sessionId, actor: MC }),
      );
      expect([e.code, e.data.field]).toEqual([code, field]);
      expect(head()).toBe(seq);
      expect(JSON.stringify(rosterEntries(station))).toBe(roster);
    }
  });
});
