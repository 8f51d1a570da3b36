import { createHash, createPublicKey } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  actStep,
  checkStep,
  decideDeviation,
  openRun,
  prepareRehearsal,
  runView,
  startRun,
  witnessStep,
} from '../../../src/main/services/ceremonies';
import type { Station } from '../../../src/main/station/station';
import { wrapTrustedOnly } from '../../../src/core/hsm/residency';
import { suiteTempDir } from '../../helpers/temp';
import {
  asyncRefusal,
  ceremonyRoom,
  example,
  MC,
  MODULE,
  OPERATOR,
  PIN,
  SCRATCH_PIN,
  stepQuorum as stepQuorumOf,
} from './support';

/**
 * Every example ceremony type (resources/ceremonies) rehearsed through the run service on real SoftHSM2
 * tokens and a real SQLite journal (docs/ceremonies.md). Deviations are decided by the master of
 * ceremonies as on the day; each test asserts which deviations happened, so none is waved through
 * unseen. The roster change (run-roster.test.ts) and share re-issue (share-reissue.test.ts) have their
 * own suites: one changes the station's one roster, the other takes the custodians' share files.
 */
const CUSTODIAN = 'operator:erin-walsh';

let suite: ReturnType<typeof suiteTempDir>;
let station: Station;
let serial: Record<string, string> = {};

const actorOfRole = (role: string) =>
  role === 'master-of-ceremonies' ? MC : role === 'custodian' ? CUSTODIAN : OPERATOR;
const events = <K extends Parameters<Station['journal']['eventsOfKind']>[0]>(kind: K) =>
  station.journal.eventsOfKind(kind);
const ofRun = <E extends { body: unknown }>(list: readonly E[], runId: string) =>
  list.filter((e) => (e.body as { runId?: string }).runId === runId);

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

function outDir(name: string): string {
  const dir = join(suite.dir, 'out', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Erin and Greta (custodians in every example) check in on a session for exactly this run's step. */
const stepQuorum = (runId: string, stepId: string) =>
  stepQuorumOf(station, serial, runId, stepId, ['erin-walsh', 'greta-lind']);

interface Decided {
  readonly stepId: string;
  readonly phase: string;
  readonly happened: string;
}

/**
 * Performs the run as its participants would, the MC continuing on every deviation (each collected),
 * until it completes or reaches `until` (a step whose act is next).
 */
async function drive(runId: string, until?: string): Promise<Decided[]> {
  const decided: Decided[] = [];
  for (let guard = 0; guard < 120; guard++) {
    const { ceremony, state } = openRun(station, runId);
    const c = state.current;
    if (state.status === 'completed' || state.status === 'aborted' || !c) return decided;
    const step = ceremony.file.steps[c.index]!;
    const actor = actorOfRole(step.by);
    if (c.needs === 'decision') {
      const d = state.openDeviation!;
      decided.push({ stepId: d.stepId, phase: d.phase, happened: d.happened });
      decideDeviation(station, {
        runId,
        deviationSeq: d.seq,
        decision: 'continue',
        reason: 'MC: a rehearsal on SoftHSM2; continue',
        actor: MC,
      });
    } else if (c.needs === 'check') {
      checkStep(station, {
        runId,
        pin: SCRATCH_PIN,
        quorumSessionId: step.quorum ? stepQuorum(runId, c.stepId) : undefined,
        bags: (step.bags?.in ?? []).map((s) => ({ serial: s, readAloud: s, intact: true })),
        actor,
      });
    } else if (c.needs === 'act') {
      if (until === c.stepId) return decided;
      await actStep(station, { runId, pin: SCRATCH_PIN, note: `done: ${step.title}`, actor });
    } else {
      const witnessed = state.steps[c.index]!.witnesses.map((w) => w.custodianId);
      const next = ['chloe-meyer', 'hugo-brandt', 'dev-patel'].find((w) => !witnessed.includes(w))!;
      witnessStep(station, { runId, moduleId: MODULE, serial: serial[next]!, pin: PIN, actor });
    }
  }
  throw new Error('the run did not settle');
}

function rehearse(name: string, dir: string) {
  return startRun(station, {
    file: example(name),
    mode: 'rehearsal',
    outDir: outDir(dir),
    scratchPin: SCRATCH_PIN,
    actor: MC,
  });
}

const firmwareOf = (tokenSerial: string) =>
  station.hsm
    .module(MODULE)
    .tokens()
    .find((t) => t.serial === tokenSerial)!.firmware;

const keysOn = (tokenSerial: string) =>
  station.hsm
    .module(MODULE)
    .withSession(tokenSerial, { write: false, login: { user: 'user', pin: SCRATCH_PIN } }, (s) =>
      s.listKeys(),
    );

const spkiSha = (der: Buffer) => createHash('sha256').update(der).digest('hex');

describe('every example ceremony type rehearses through the run service on SoftHSM2', () => {
  it('key-generation: completes; only the firmware deviates', async () => {
    const started = rehearse('key-generation', 'gen');
    const decided = await drive(started.runId);
    expect(decided.map((d) => `${d.stepId}: ${d.happened}`)).toEqual([
      expect.stringMatching(/^attest-firmware: /),
    ]);
    expect(runView(station, { runId: started.runId }).status).toBe('completed');
    // key.backup: wrap-with-trusted — a key a key-backup ceremony can copy, and only under a trusted key.
    const token = started.target!.tokenSerial!;
    const made = keysOn(token).find((k) => k.label === 'intermediate-2027' && k.hasPrivate)!;
    const attributes = station.hsm
      .module(MODULE)
      .withSession(token, { write: false, login: { user: 'user', pin: SCRATCH_PIN } }, (s) =>
        s.backupKeyAttributes(s.privateKey(made.id)),
      );
    expect(wrapTrustedOnly(attributes)).toMatchObject({ exportClass: 'WRAP-TRUSTED-ONLY' });
    expect(attributes).toMatchObject({ sensitive: true, extractable: true, wrapWithTrusted: true });
  });

  it('key-backup: two scratch tokens, a backup-capable key, the escrow copy signs for the source key', async () => {
    const tokensBefore = station.hsm.module(MODULE).tokens().length;
    const started = rehearse('key-backup', 'backup');
    const runId = started.runId;
    const source = started.target!.tokenSerial!;
    const tokens = station.hsm.module(MODULE).tokens();
    expect(tokens).toHaveLength(tokensBefore + 2);
    const escrow = tokens.find((t) => t.label === `rehearsal-${runId.slice(0, 8)}-escrow`)!;
    expect(escrow).toBeDefined();
    const initialised = events('hsm.token-initialised').filter((e) => e.body.purpose.includes(runId));
    expect(initialised.map((e) => e.body.tokenSerial)).toEqual([source, escrow.serial]);

    // The rehearsal is readied with the key to back up: backup-capable, on the source scratch token only.
    const prepared = await prepareRehearsal(station, { runId, pin: SCRATCH_PIN, actor: OPERATOR });
    expect(prepared).toMatchObject({ label: 'intermediate-2027', backup: true });
    const sourceKey = keysOn(source).find((k) => k.label === 'intermediate-2027' && k.hasPrivate)!;
    expect(sourceKey.residency?.verdict).toBe('EXPOSABLE');
    expect(keysOn(escrow.serial)).toHaveLength(0);

    const decided = await drive(runId);
    // One deviation: firmware of both tokens, and no standing wrap key on either scratch token.
    expect(decided).toHaveLength(1);
    expect(decided[0]).toMatchObject({ stepId: 'attest-firmware', phase: 'precondition' });
    expect(decided[0]!.happened).toContain(`token ${source} reports firmware ${firmwareOf(source)}`);
    expect(decided[0]!.happened).toContain(`token ${escrow.serial} reports firmware`);
    expect(decided[0]!.happened).toContain('no object labelled backup-wrap-2027');
    expect(runView(station, { runId }).status).toBe('completed');

    const acted = ofRun(events('ceremony.step-acted'), runId);
    expect(new Set(acted.map((e) => e.body.marking))).toEqual(new Set(['REHEARSAL']));
    const wrap = acted.find((e) => e.body.stepId === 'wrap-export')!;
    expect(wrap.body.postconditions.map((p) => [p.kind, p.result])).toEqual([
      ['attributes-read-back', 'pass'],
    ]);
    expect(wrap.body.postconditions[0]!.observed).toContain('WRAP-TRUSTED-ONLY');
    const unwrap = acted.find((e) => e.body.stepId === 'unwrap-import')!;
    expect(unwrap.actor).toBe(OPERATOR);
    expect(unwrap.body.postconditions.map((p) => [p.kind, p.result])).toEqual([
      ['attributes-read-back', 'pass'],
      ['signature-verifies', 'pass'],
    ]);
    expect(unwrap.body.postconditions[1]!.observed).toContain(
      `public key of intermediate-2027 on token ${source}`,
    );
    const verifyCopy = acted.find((e) => e.body.stepId === 'verify-escrow-copy')!;
    expect(verifyCopy.body.postconditions[0]).toMatchObject({ kind: 'signature-verifies', result: 'pass' });

    // The evidence file: named REHEARSAL, its digest in the event, the copy's SPKI the source's.
    const out = unwrap.body.outputs[0]!;
    expect(out.path).toBe(
      join(outDir('backup'), 'intermediate-2027-escrow-backup-unwrap-import.REHEARSAL.escrow-evidence.json'),
    );
    const text = readFileSync(out.path, 'utf8');
    expect(createHash('sha256').update(text).digest('hex')).toBe(out.sha256);
    const doc = JSON.parse(text) as {
      marking: string;
      verdict: string;
      evidence: { source: { serial: string }; escrow: { serial: string }; key: { spkiSha256: string } };
    };
    expect(doc).toMatchObject({ marking: 'REHEARSAL', verdict: 'PROVEN', runId, stepId: 'unwrap-import' });
    expect(doc.evidence.source.serial).toBe(source);
    expect(doc.evidence.escrow.serial).toBe(escrow.serial);
    expect(doc.evidence.key.spkiSha256).toBe(spkiSha(sourceKey.spki!));
    const copy = keysOn(escrow.serial).find((k) => k.label === 'intermediate-2027' && k.hasPrivate)!;
    expect(spkiSha(copy.spki!)).toBe(spkiSha(sourceKey.spki!));
    expect(createPublicKey({ key: copy.spki!, format: 'der', type: 'spki' }).asymmetricKeyType).toBe('ec');
    // The copy is restricted: sensitive, never extractable again.
    expect(copy.residency?.verdict).toBe('IMPORTED');
  });

  it('key-destruction: the key made for the rehearsal is destroyed with evidence, and searched for', async () => {
    const started = rehearse('key-destruction', 'destroy');
    const runId = started.runId;
    const scratch = started.target!.tokenSerial!;
    // Before it is readied, there is nothing to destroy.
    expect(keysOn(scratch)).toHaveLength(0);
    const prepared = await prepareRehearsal(station, { runId, pin: SCRATCH_PIN, actor: OPERATOR });
    expect(prepared).toMatchObject({ label: 'intermediate-2023', backup: false });
    const made = keysOn(scratch).find((k) => k.label === 'intermediate-2023' && k.hasPrivate)!;
    expect(made.residency?.verdict).toBe('RESIDENT');
    const generated = events('hsm.key-generated').filter((e) => e.body.key.label === 'intermediate-2023');
    expect(generated.map((e) => [e.body.tokenSerial, e.actor])).toEqual([[scratch, OPERATOR]]);

    const decided = await drive(runId);
    expect(decided.map((d) => d.stepId)).toEqual(['attest-firmware']);
    expect(runView(station, { runId }).status).toBe('completed');
    expect(keysOn(scratch).filter((k) => k.label === 'intermediate-2023')).toHaveLength(0);

    const acted = ofRun(events('ceremony.step-acted'), runId);
    const destroyed = acted.find((e) => e.body.stepId === 'destroy-key')!;
    expect(destroyed.body.result).toContain(`destroyed intermediate-2023 (CKA_ID ${made.id})`);
    expect(destroyed.body.result).toContain('PROVEN');
    expect(destroyed.body.postconditions.map((p) => [p.kind, p.result])).toEqual([['object-absent', 'pass']]);
    expect(destroyed.body.postconditions[0]!.observed).toContain('found 0 object(s) with CKA_ID');
    const doc = JSON.parse(readFileSync(destroyed.body.outputs[0]!.path, 'utf8')) as {
      verdict: string;
      evidence: { id: string; before: { class: string }[]; destroyed: { result: string }[] };
    };
    expect(doc.verdict).toBe('PROVEN');
    expect(doc.evidence.id).toBe(made.id);
    expect(doc.evidence.before.map((o) => o.class)).toEqual(['private-key', 'public-key']);
    expect(doc.evidence.destroyed.map((d) => d.result)).toEqual(['CKR_OK', 'CKR_OK']);
    const search = acted.find((e) => e.body.stepId === 'search-token')!;
    expect(search.body.postconditions[0]).toMatchObject({ kind: 'object-absent', result: 'pass' });
  });
});

describe('the backup and destruction acts refuse and deviate honestly', () => {
  it('readying a rehearsal is for the MC or an operator, and only for a rehearsal', async () => {
    const path = example('key-backup');
    const { runId } = rehearse('key-backup', 'backup-seat');
    expect(
      (await asyncRefusal(() => prepareRehearsal(station, { runId, pin: SCRATCH_PIN, actor: CUSTODIAN })))
        .code,
    ).toBe('CEREMONY_SEAT_REFUSED');
    // Production of these bytes is allowed only because the rehearsal above completed.
    const prod = startRun(station, {
      file: path,
      mode: 'production',
      outDir: outDir('backup-prod'),
      actor: MC,
    });
    expect(prod.target).toMatchObject({ tokenLabel: 'prod-ca-1', tokenSerial: null });
    expect(
      (
        await asyncRefusal(() =>
          prepareRehearsal(station, { runId: prod.runId, pin: SCRATCH_PIN, actor: MC }),
        )
      ).code,
    ).toBe('CEREMONY_STEP_OUT_OF_ORDER');
  });

  it('a destruction rehearsal not readied deviates at the act: no key, nothing destroyed', async () => {
    const { runId, target } = rehearse('key-destruction', 'destroy-unready');
    const decided = await drive(runId, 'destroy-key');
    // show-key finds no key: the label check and the read-back deviate, as they would on the day.
    expect(decided.map((d) => [d.stepId, d.phase])).toEqual([
      ['attest-firmware', 'precondition'],
      ['show-key', 'precondition'],
      ['show-key', 'postcondition'],
      ['destroy-key', 'precondition'],
    ]);
    const e = await asyncRefusal(() => actStep(station, { runId, pin: SCRATCH_PIN, actor: OPERATOR }));
    expect(e.code).toBe('KEY_NOT_FOUND');
    const state = openRun(station, runId).state;
    expect(state.openDeviation).toMatchObject({ stepId: 'destroy-key', phase: 'act' });
    expect(state.steps.find((s) => s.stepId === 'destroy-key')!.act).toBe('pending');
    expect(keysOn(target!.tokenSerial!)).toHaveLength(0);
  });
});
