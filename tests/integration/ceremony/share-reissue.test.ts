import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOperation } from '../../../src/core/custody/operation';
import {
  actStep,
  checkStep,
  decideDeviation,
  openRun,
  prepareRehearsal,
  runnerView,
  runView,
  startRun,
  witnessStep,
} from '../../../src/main/services/ceremonies';
import { checkInWithToken, findSplit, openQuorumSession } from '../../../src/main/services/custodians';
import type { Station } from '../../../src/main/station/station';
import { suiteTempDir } from '../../helpers/temp';
import { asyncRefusal, ceremonyRoom, example, MC, MODULE, OPERATOR, PIN, SCRATCH_PIN } from './support';

/**
 * The share-reissue example (resources/ceremonies/share-reissue.yaml) rehearsed end to end on SoftHSM2:
 * the rehearsal is readied with REHEARSAL shares of the scratch token's PIN, the step's quorum is bound
 * to the re-issue of exactly that token's split, the act takes two of those share files, and the new
 * shares are read back (shares-verified).
 */
const CUSTODIAN = 'operator:erin-walsh';
let suite: ReturnType<typeof suiteTempDir>;
let station: Station;
let serial: Record<string, string> = {};

beforeAll(async () => {
  suite = suiteTempDir();
  ({ station, serial } = await ceremonyRoom(suite.dir, join(suite.dir, 'st'), {
    clock: () => new Date('2027-03-16T08:00:00.000Z'),
    validity: { from: '2027-01-01T00:00:00.000Z', until: '2028-01-01T00:00:00.000Z' },
  }));
});

afterAll(() => {
  station?.close();
  suite?.remove();
});

const actorOfRole = (role: string) =>
  role === 'master-of-ceremonies' ? MC : role === 'custodian' ? CUSTODIAN : OPERATOR;

/** Erin and Greta check in on a session opened for exactly the operation the step names. */
function reissueQuorum(runId: string, stepId: string): string {
  const operation = runView(station, { runId }).quorumOperation!;
  const session = openQuorumSession(station, {
    operation,
    ceremonyId: openRun(station, runId).ceremony.file.id,
    step: stepId,
    actor: MC,
  });
  for (const who of ['erin-walsh', 'greta-lind'])
    expect(
      checkInWithToken(station, {
        sessionId: session.sessionId,
        moduleId: MODULE,
        serial: serial[who]!,
        pin: PIN,
      }).ok,
    ).toBe(true);
  return session.sessionId;
}

/** The run performed as its participants would, the MC continuing on each deviation (collected). */
async function drive(
  runId: string,
  shareFiles: readonly string[],
  until?: string,
  stopAt?: string,
): Promise<string[]> {
  const deviations: string[] = [];
  for (let guard = 0; guard < 120; guard++) {
    const { ceremony, state } = openRun(station, runId);
    const c = state.current;
    if (state.status === 'completed' || state.status === 'aborted' || !c) return deviations;
    if (c.stepId === stopAt) return deviations;
    const step = ceremony.file.steps[c.index]!;
    const actor = actorOfRole(step.by);
    if (c.needs === 'decision') {
      const d = state.openDeviation!;
      deviations.push(`${d.stepId}/${d.phase}`);
      decideDeviation(station, {
        runId,
        deviationSeq: d.seq,
        decision: 'continue',
        reason: 'MC: rehearsal',
        actor: MC,
      });
    } else if (c.needs === 'check') {
      checkStep(station, {
        runId,
        pin: SCRATCH_PIN,
        quorumSessionId: step.quorum ? reissueQuorum(runId, c.stepId) : undefined,
        bags: (step.bags?.in ?? []).map((s) => ({ serial: s, readAloud: s, intact: true })),
        actor,
      });
    } else if (c.needs === 'act') {
      if (until === c.stepId) return deviations;
      await actStep(station, { runId, note: `done: ${step.title}`, shareFiles, actor });
    } else {
      const witnessed = state.steps[c.index]!.witnesses.map((w) => w.custodianId);
      const next = ['chloe-meyer', 'hugo-brandt', 'dev-patel'].find((w) => !witnessed.includes(w))!;
      witnessStep(station, { runId, moduleId: MODULE, serial: serial[next]!, pin: PIN, actor });
    }
  }
  throw new Error('the run did not settle');
}

describe('share-reissue rehearsed end to end on SoftHSM2', () => {
  it('readies REHEARSAL shares, re-issues them under a quorum bound to the scratch token, reads them back', async () => {
    const outDir = join(suite.dir, 'out', 'shares');
    mkdirSync(outDir, { recursive: true });
    const started = startRun(station, {
      file: example('share-reissue'),
      mode: 'rehearsal',
      outDir,
      scratchPin: SCRATCH_PIN,
      actor: MC,
    });
    const { runId } = started;
    const scratch = started.target!.tokenSerial!;

    // Readied: the scratch token's PIN split 2 of 3 among the file's custodians, every file REHEARSAL.
    const prepared = await prepareRehearsal(station, { runId, pin: SCRATCH_PIN, actor: OPERATOR });
    if (!prepared || !('splitId' in prepared)) throw new Error('not readied with shares');
    const old = prepared.splitId;
    expect(findSplit(station, old)).toMatchObject({ tokenSerial: scratch, threshold: 2, total: 3 });
    expect(prepared.shareFiles.map((f) => basename(f))).toEqual(
      ['erin-walsh', 'greta-lind', 'ines-kowalski'].map(
        (who, i) => `activation-shares-2027-current-${who}-share-${i + 1}-of-3.REHEARSAL.txt`,
      ),
    );
    for (const f of prepared.shareFiles) expect(readFileSync(f, 'utf8')).toMatch(/^REHEARSAL share of split/);
    expect(
      (await asyncRefusal(() => prepareRehearsal(station, { runId, pin: SCRATCH_PIN, actor: OPERATOR })))
        .code,
    ).toBe('CEREMONY_STEP_OUT_OF_ORDER');

    // The step's quorum is the re-issue of the scratch token's current split: never production's.
    const deviations = await drive(runId, [], 'reissue-shares');
    expect(deviations).toEqual(['attest-firmware/precondition']);
    const op = parseOperation(runView(station, { runId }).quorumOperation!);
    expect(op).toEqual({ kind: 'shares-reissue', tokenSerial: scratch, splitId: old });

    // Without the share files the act asks for them, and nothing happens.
    const none = await asyncRefusal(() => actStep(station, { runId, actor: OPERATOR }));
    expect(none.code).toBe('CEREMONY_CONFIRMATION_REQUIRED');
    expect(none.data).toMatchObject({ field: 'shareFiles' });

    const given = [prepared.shareFiles[0]!, prepared.shareFiles[2]!];
    expect(await drive(runId, given)).toEqual([]);
    expect(runView(station, { runId }).status).toBe('completed');

    const acted = station.journal
      .eventsOfKind('ceremony.step-acted')
      .find((e) => e.body.runId === runId && e.body.stepId === 'reissue-shares')!;
    expect(acted.body.marking).toBe('REHEARSAL');
    expect(acted.body.postconditions).toHaveLength(1);
    expect(acted.body.postconditions[0]).toMatchObject({ kind: 'shares-verified', result: 'pass' });
    expect(acted.body.postconditions[0]!.observed).toContain(`split ${old} is VOID`);

    // The new split supersedes the readied one; its files and sheets are marked REHEARSAL.
    const created = station.journal.eventsOfKind('shares.split-created').at(-1)!.body;
    expect(created).toMatchObject({ tokenSerial: scratch, supersedes: old, threshold: 2, total: 3 });
    expect(findSplit(station, old).supersededBy?.splitId).toBe(created.splitId);
    const made = readdirSync(outDir).filter((f) => f.startsWith('activation-shares-2027-reissue-shares'));
    expect(made.sort()).toEqual(
      [
        'activation-shares-2027-reissue-shares-erin-walsh-share-1-of-3.REHEARSAL',
        'activation-shares-2027-reissue-shares-greta-lind-share-2-of-3.REHEARSAL',
        'activation-shares-2027-reissue-shares-ines-kowalski-share-3-of-3.REHEARSAL',
        'activation-shares-2027-reissue-shares.REHEARSAL',
      ].flatMap((n) => (n.includes('-share-') ? [`${n}.pdf`, `${n}.txt`] : [`${n}.reissue-evidence.json`])),
    );
    for (const f of made.filter((n) => n.endsWith('.txt')))
      expect(readFileSync(join(outDir, f), 'utf8')).toMatch(
        /^REHEARSAL share of split [0-9a-f]{32} on scratch token/,
      );

    // Each sheet says REHEARSAL above its title (text extracted from the PDF as printed).
    for (const f of made.filter((n) => n.endsWith('.pdf'))) {
      const pdf = spawnSync('pdftotext', [join(outDir, f), '-'], { encoding: 'utf8' });
      expect(pdf.status).toBe(0);
      expect(pdf.stdout.replace(/\s+/g, ' ')).toContain(
        'REHEARSAL — made for a ceremony rehearsal on a scratch token',
      );
    }

    // Only the evidence is a run output (it goes into bundles); it names the media, never a share.
    expect(acted.body.outputs).toHaveLength(1);
    const evidence = readFileSync(acted.body.outputs[0]!.path, 'utf8');
    expect(createHash('sha256').update(evidence).digest('hex')).toBe(acted.body.outputs[0]!.sha256);
    const doc = JSON.parse(evidence) as {
      marking: string;
      verdict: string;
      supersedes: string;
      splitId: string;
    };
    expect(doc).toMatchObject({
      marking: 'REHEARSAL',
      verdict: 'VERIFIED',
      supersedes: old,
      splitId: created.splitId,
    });
    for (const f of made.filter((n) => n.endsWith('.txt'))) {
      const share = readFileSync(join(outDir, f), 'utf8').split('\n')[1]!;
      expect(evidence).not.toContain(share);
    }
    expect(existsSync(prepared.shareFiles[1]!)).toBe(true);
  });

  it('a run not readied shows at the re-issue step why no session can be opened; its views do not fail', async () => {
    const outDir = join(suite.dir, 'out', 'not-readied');
    mkdirSync(outDir, { recursive: true });
    const { runId } = startRun(station, {
      file: example('share-reissue'),
      mode: 'rehearsal',
      outDir,
      scratchPin: SCRATCH_PIN,
      actor: MC,
    });
    await drive(runId, [], undefined, 'reissue-shares');
    const status = runView(station, { runId });
    expect(status.current).toMatchObject({ stepId: 'reissue-shares', needs: 'check' });
    expect(status.quorumOperation).toBeNull();
    expect(status.quorumOperationRefused).toMatch(
      /^SPLIT_NOT_FOUND: token \S+ has no current activation split/,
    );
    const screen = runnerView(station, { runId });
    expect(screen.current?.quorum).toMatchObject({
      operation: null,
      refused: expect.stringMatching(/^SPLIT_NOT_FOUND/) as unknown,
      session: null,
    });
    // Checked anyway, the quorum precondition fails with that reason: a deviation, not a pass.
    const checked = checkStep(station, {
      runId,
      quorumSessionId: '00000000-0000-4000-8000-000000000000',
      actor: OPERATOR,
    });
    expect(checked.deviationSeq).not.toBeNull();
    expect(checked.preconditions.find((p) => p.kind === 'quorum-satisfied')).toMatchObject({
      result: 'fail',
      observed: expect.stringMatching(/^SPLIT_NOT_FOUND/) as unknown,
    });
  });
});
