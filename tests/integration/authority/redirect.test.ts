import { createHash, createPublicKey, verify } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pae } from '../../../src/core/bundle/dsse';
import type { SourceRecord } from '../../../src/core/findings/model';
import {
  AS_OF,
  baseline,
  evidence,
  impact,
  lineage,
} from '../../../src/core/findings/rules/compromise/testkit';
import { systemDeps } from '../../../src/main/runtime';
import { composeActPreview } from '../../../src/main/services/acts';
import { redirectFacts } from '../../../src/main/services/authority';
import { Station } from '../../../src/main/station/station';
import { demoSuite, registerTrust, stationCli } from '../../e2e/harness';

/**
 * Redirects of a compromise-authority recommendation from the command line on the demo station
 * (SoftHSM2 token, SQLite journal, the built CLI): a person holding security-leadership signs with
 * their own key file; the station records what it computed beside their choice and never refuses a
 * blocked target; a restricted note is kept content-addressed and never enters the journal.
 */
let suite: ReturnType<typeof demoSuite>;
let dir: string;
let media: string;
let env: Record<string, string>;
const INC = 'INC-1';
const PASS = 'correct horse battery staple\n';
const NOTE = 'RESTRICTED-CANARY-7f3a: backup token last seen in vault B, custodian under interview';
const REASON = 'The executive lane is away; platform security owns the first hours by agreement.';

const cli = (args: string[], input?: string) => stationCli([...args, '--data-dir', dir], input, env);
const journal = () =>
  stationCli(['journal', 'export', '--data-dir', dir], undefined, env)
    .stdout.trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; body: string; seq: number; actor: string });

interface Lane {
  laneId: string;
  status: string;
}
interface Evaluation {
  seq: number;
  findingsDigest: string;
  inputs: { recordsDigest: string; policyDigest: string };
  authority: { recommended: string | null; lanes: Lane[] };
}
interface Redirect {
  seq: number;
  subject: string;
  evaluationSeq: number;
  computedLane: string | null;
  targetComputedStatus: string;
  toLane: string;
  reason: string;
  restrictedNoteSha256: string | null;
  redirectedBy: string;
  role: string;
  trustId: string;
  signerFingerprint: string;
}

/** Writes each family of `records` as one source export on the media and imports it. */
function importRecords(records: readonly SourceRecord[], name: string): void {
  const families = [...new Set(records.map((r) => r.family))];
  for (const family of families) {
    const of = records.filter((r) => r.family === family);
    const path = join(media, `${name}-${family}.json`);
    writeFileSync(
      path,
      JSON.stringify({
        family,
        system: 'incident-tracker',
        exportedAt: of[0]!.provenance.exportedAt,
        records: of.map((r) => r.content),
      }),
    );
    const r = cli(['records', 'import', path]);
    expect(r.stderr, `${family}`).toBe('');
  }
}

const evaluate = () =>
  JSON.parse(cli(['evaluate', 'compromise-authority', INC, '--as-of', AS_OF, '--json']).stdout) as Evaluation;

/** A reviewer key of `name`, registered with `roles`; answers with its key file path and fingerprint. */
function person(file: string, name: string, id: string, roles: string): { key: string; fingerprint: string } {
  const key = join(suite.root, file);
  expect(stationCli(['reviewer', 'keygen', '--out', key, '--passphrase-stdin'], PASS).status).toBe(0);
  const req = stationCli(
    ['reviewer', 'request', '--key', key, '--name', name, '--out-dir', media, '--passphrase-stdin'],
    PASS,
  );
  const path = /^wrote (.+)$/m.exec(req.stdout)![1]!;
  const words = /read these to the station operator: (.+)$/m.exec(req.stdout)![1]!;
  const fingerprint = /fingerprint ([0-9a-f]{64})/.exec(req.stdout)![1]!;
  const reg = registerTrust(dir, path, { id, roles, words }, env);
  expect(reg.stderr).toBe('');
  return { key, fingerprint };
}

const redirect = (
  key: string,
  seq: number,
  to: string,
  reason = REASON,
  extra: string[] = [],
): { status: number; stdout: string; stderr: string } =>
  cli(
    [
      'authority',
      'redirect',
      INC,
      '--evaluation',
      String(seq),
      '--to',
      to,
      '--reason',
      reason,
      '--key',
      key,
      '--passphrase-stdin',
      '--json',
      ...extra,
    ],
    PASS,
  );

let lead: { key: string; fingerprint: string };
let owner: { key: string; fingerprint: string };
let e: Evaluation;
let blocked: string;
let notRequired: string;

beforeAll(() => {
  suite = demoSuite();
  ({ dir, media, env } = suite);
  lead = person('lead.key', 'Hannah Lindqvist', 'hannah-lead', 'security-leadership');
  owner = person('owner.key', 'Riley Shah', 'riley-owner', 'release-security-owner');
  // The baseline incident with one artifact shipped to customers: platform security's limit is exceeded.
  const records = baseline().filter(
    (r) => !(r.family === 'artifact-lineage' && r.provenance.recordId === 'L-0'),
  );
  records.push(lineage(0, { audience: 'external-customer' }), impact());
  importRecords(records, 'incident');
  e = evaluate();
  blocked = e.authority.lanes.find((l) => l.status === 'blocked')!.laneId;
  notRequired = e.authority.lanes.find((l) => l.status === 'not_required')!.laneId;
}, 120_000);
afterAll(() => suite?.remove());

describe('station authority redirect', () => {
  it('the evaluation computes a recommended lane, a blocked one and one not required (the test’s premise)', () => {
    expect(e.authority.recommended).not.toBeNull();
    expect(blocked).toBeDefined();
    expect(notRequired).toBeDefined();
    expect(blocked).not.toBe(e.authority.recommended);
  });

  it('refuses a signer without a redirect role, an unknown lane, an empty reason and a foreign seq — nothing written', async () => {
    const before = journal().length;
    expect(redirect(owner.key, e.seq, blocked).stderr).toMatch(
      /APPROVAL_ROLE_NOT_HELD: Riley Shah holds none of the matrix's redirect roles \(security-leadership\)/,
    );
    expect(redirect(lead.key, e.seq, 'no-such-lane').stderr).toMatch(
      /AUTHORITY_LANE_UNKNOWN: no-such-lane is not a lane of the authority matrix/,
    );
    expect(redirect(lead.key, e.seq, blocked, '   ').stderr).toMatch(/INVALID_INPUT: reason/);
    expect(redirect(lead.key, 1, blocked).stderr).toMatch(/EVALUATION_NOT_FOUND: journal seq 1 is not/);
    expect(journal().length).toBe(before);
    // Each refusal names its field (the service the CLI and the window share).
    const st = Station.open(dir, systemDeps);
    try {
      const field = (input: Partial<Parameters<typeof redirectFacts>[1]>) => {
        try {
          redirectFacts(st, {
            incidentId: INC,
            evaluationSeq: e.seq,
            toLane: blocked,
            reason: REASON,
            ...input,
          });
          return null;
        } catch (err) {
          return `${(err as { code: string }).code} ${(err as { data: { field: string } }).data.field}`;
        }
      };
      expect(field({ toLane: 'no-such-lane' })).toBe('AUTHORITY_LANE_UNKNOWN toLane');
      expect(field({ reason: '' })).toBe('INVALID_INPUT reason');
      expect(field({ evaluationSeq: 1 })).toBe('EVALUATION_NOT_FOUND evaluationSeq');
      expect(field({ incidentId: 'INC-OTHER' })).toBe('EVALUATION_NOT_FOUND evaluationSeq');
      expect(field({})).toBeNull();
      // The preview before the act: what the station computed, the note's digest; never the key or passphrase.
      const draft = {
        incidentId: INC,
        evaluationSeq: e.seq,
        toLane: blocked,
        reason: REASON,
        actor: 'operator:x',
      };
      const p = await composeActPreview(st, 'authorityRedirect', {
        ...draft,
        restrictedNote: NOTE,
        keyFile: 'sealed',
        passphrase: 'secret',
      });
      const line = (path: string) => p.fields.find((f) => f.path === path)?.value;
      expect(line('station derives.targetComputedStatus')).toBe('"blocked"');
      expect(line('station derives.computedLane')).toBe(JSON.stringify(e.authority.recommended));
      expect(line('station derives.restrictedNoteSha256')).toBe(
        JSON.stringify(createHash('sha256').update(NOTE, 'utf8').digest('hex')),
      );
      expect(p.statement).not.toMatch(/sealed|secret/);
      await expect(
        composeActPreview(st, 'authorityRedirectWithToken', {
          ...draft,
          toLane: 'no-such-lane',
          moduleId: 'softhsm2',
          serial: '1',
          keyId: '01',
        }),
      ).rejects.toMatchObject({ code: 'AUTHORITY_LANE_UNKNOWN', data: { field: 'toLane' } });
    } finally {
      st.close();
    }
  });

  it('records a redirect to a blocked lane with its computed status, signed by the person’s key; the note stays out of the journal', () => {
    const notePath = join(suite.root, 'note.txt');
    writeFileSync(notePath, NOTE);
    const r = redirect(lead.key, e.seq, blocked, REASON, ['--restricted-note', notePath]);
    expect(r.stderr).toBe('');
    const noteSha = createHash('sha256').update(NOTE, 'utf8').digest('hex');
    const got = JSON.parse(r.stdout) as Redirect;
    expect(got).toMatchObject({
      subject: INC,
      evaluationSeq: e.seq,
      computedLane: e.authority.recommended,
      targetComputedStatus: 'blocked',
      toLane: blocked,
      reason: REASON,
      restrictedNoteSha256: noteSha,
      redirectedBy: 'Hannah Lindqvist',
      role: 'security-leadership',
      trustId: 'hannah-lead',
      signerFingerprint: lead.fingerprint,
    });

    const entries = journal();
    const last = entries.at(-1)!;
    expect(last.kind).toBe('authority.redirect-recorded');
    expect(last.seq).toBe(got.seq);
    expect(last.actor).toMatch(/^operator:/);
    const body = JSON.parse(last.body) as Redirect & {
      envelope: string;
      recordsDigest: string;
      policyDigest: string;
      findingsDigest: string;
    };
    expect(body).toMatchObject({
      recordsDigest: e.inputs.recordsDigest,
      policyDigest: e.inputs.policyDigest,
      findingsDigest: e.findingsDigest,
      restrictedNoteSha256: noteSha,
    });

    // The envelope verifies with the person's public key and carries the predicate, digest not note.
    const envelope = JSON.parse(Buffer.from(body.envelope, 'base64').toString()) as {
      payload: string;
      payloadType: string;
      signatures: { keyid: string; sig: string }[];
    };
    const payload = Buffer.from(envelope.payload, 'base64');
    const { publicKey } = JSON.parse(readFileSync(lead.key, 'utf8')) as { publicKey: string };
    const pub = createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' });
    const sig = Buffer.from(envelope.signatures[0]!.sig, 'base64');
    expect(verify('sha256', pae(envelope.payloadType, payload), { key: pub, dsaEncoding: 'der' }, sig)).toBe(
      true,
    );
    // A changed statement does not verify (the check can fail).
    const forged = Buffer.from(payload.toString().replace(blocked, e.authority.recommended!));
    expect(verify('sha256', pae(envelope.payloadType, forged), { key: pub, dsaEncoding: 'der' }, sig)).toBe(
      false,
    );
    const statement = JSON.parse(payload.toString()) as {
      predicateType: string;
      subject: { name: string }[];
      predicate: Record<string, unknown>;
    };
    expect(statement.predicateType).toBe('https://ceremony-station.example/predicate/authority-redirect/v1');
    expect(statement.subject[0]!.name).toBe(`${INC}@evaluation-${e.seq}`);
    expect(statement.predicate).toMatchObject({
      evaluationSeq: e.seq,
      findingsDigest: e.findingsDigest,
      toLane: blocked,
      targetComputedStatus: 'blocked',
      restrictedNoteSha256: noteSha,
    });

    // The note: in the object store under its digest; nowhere in the journal export or the database files.
    expect(readFileSync(join(dir, 'objects', noteSha.slice(0, 2), noteSha), 'utf8')).toBe(NOTE);
    const exported = stationCli(['journal', 'export', '--data-dir', dir], undefined, env).stdout;
    expect(exported).toContain(noteSha);
    expect(exported).not.toContain('RESTRICTED-CANARY');
    const dbFiles = readdirSync(dir).filter((f) => /\.sqlite(-wal|-shm|-journal)?$/.test(f));
    expect(dbFiles).toContain('station.sqlite');
    for (const f of dbFiles) {
      const bytes = readFileSync(join(dir, f));
      expect(bytes.includes('RESTRICTED-CANARY'), f).toBe(false);
    }
    // Positive control: the same scan finds what the journal does hold.
    const all = Buffer.concat(dbFiles.map((f) => readFileSync(join(dir, f))));
    expect(all.includes(Buffer.from(noteSha))).toBe(true);
  });

  it('a later redirect (to a lane not required) is in force; both stay in the list, in journal order', () => {
    const r = redirect(lead.key, e.seq, notRequired, 'Legal needs to see the contract first.');
    expect(r.stderr).toBe('');
    const second = JSON.parse(r.stdout) as Redirect;
    expect(second).toMatchObject({
      toLane: notRequired,
      targetComputedStatus: 'not_required',
      restrictedNoteSha256: null,
    });
    const v = JSON.parse(cli(['authority', 'redirects', INC, '--json']).stdout) as {
      redirects: Redirect[];
      inForce: Redirect | null;
    };
    expect(v.redirects.map((x) => x.toLane)).toEqual([blocked, notRequired]);
    expect(v.redirects[0]!.seq).toBeLessThan(v.redirects[1]!.seq);
    expect(v.inForce?.seq).toBe(second.seq);
    expect(v.redirects.every((x) => x.computedLane === e.authority.recommended)).toBe(true);
    const text = cli(['authority', 'redirects', INC]).stdout;
    expect(text).toMatch(
      new RegExp(
        `^IN FORCE  REDIRECTED to ${notRequired} .*station computes ${e.authority.recommended} RECOMMENDED`,
        'm',
      ),
    );
    // The lineage keeps both beside the evaluation they were made on, in journal order.
    const lineage = JSON.parse(cli(['authority', 'lineage', INC, '--json']).stdout) as {
      entries: {
        type: string;
        seq: number;
        toLane?: string;
        evaluationSeq?: number;
        computedLane?: string;
      }[];
    };
    const redirects = lineage.entries.filter((x) => x.type === 'redirect');
    expect(redirects.map((x) => [x.toLane, x.evaluationSeq, x.computedLane])).toEqual([
      [blocked, e.seq, e.authority.recommended],
      [notRequired, e.seq, e.authority.recommended],
    ]);
    const evaluation = lineage.entries.findIndex((x) => x.type === 'evaluation' && x.seq === e.seq);
    expect(evaluation).toBeGreaterThanOrEqual(0);
    expect(lineage.entries.findIndex((x) => x.type === 'redirect')).toBeGreaterThan(evaluation);
  });

  it('EVALUATION_STALE once a record the evaluation did not see is imported, and on a superseded evaluation', () => {
    importRecords(
      [evidence({ evidenceId: 'CE-2', conclusion: 'confirmed', observedAt: '2026-12-01T04:30:00.000Z' })],
      'late',
    );
    const before = journal().length;
    const stale = redirect(lead.key, e.seq, blocked);
    expect(stale.stderr).toMatch(new RegExp(`EVALUATION_STALE: evaluation ${e.seq} of ${INC} is STALE`));
    expect(stale.status).not.toBe(0);
    expect(journal().length).toBe(before);
    const again = evaluate();
    const latest = evaluate();
    expect(latest.seq).toBeGreaterThan(again.seq);
    // `again` is FRESH (nothing changed since), but a later evaluation of the incident supersedes it.
    expect(redirect(lead.key, again.seq, blocked).stderr).toMatch(
      new RegExp(
        `EVALUATION_STALE: evaluation ${again.seq} of ${INC} is superseded by evaluation ${latest.seq}`,
      ),
    );
    expect(journal().length).toBe(before + 2);
    const ok = redirect(lead.key, latest.seq, blocked);
    expect(ok.stderr).toBe('');
    expect((JSON.parse(ok.stdout) as Redirect).evaluationSeq).toBe(latest.seq);
  });
});
