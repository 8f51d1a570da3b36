import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemDeps } from '../../../src/main/runtime';
import { Station } from '../../../src/main/station/station';
import { demoSuite, stationCli } from '../../e2e/harness';
import {
  DEMO_ACK_ARGS,
  DEMO_AS_OF,
  DEMO_EXCEPTIONS,
  DEMO_PACKET,
  DEMO_SUBJECT,
  RESOLVING_RECORDS,
} from '../../helpers/deferral-resolve';

/**
 * The derived rotation-deferral packet through the built CLI on a real demo station (SQLite, SoftHSM2):
 * its register is the latest evaluation's open findings, a person only annotates or acknowledges, the
 * handoff follows the outcome and binds the evaluation, and claims take their status from their checks.
 */
let suite: ReturnType<typeof demoSuite>;
const P = DEMO_PACKET;
const cli = (args: string[]) => stationCli([...args, '--data-dir', suite.dir], undefined, suite.env);
const ok = (r: { status: number; stderr: string }) => {
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
};
interface Shown {
  derived: {
    evaluation: { seq: number; asOf: string; status: string; outcome: string; policy: { version: number } };
    findings: { checkId: string; subject: string; category: string; blocking: boolean }[];
    register: { finding: { checkId: string; subject: string }; owner: string | null; notes: string[] }[];
    claims: { claimId: string; status: string; checks: string[] }[];
  };
}
const show = () => JSON.parse(cli(['packet', 'show', P, '--json']).stdout) as Shown;
const keys = (xs: readonly { checkId: string; subject: string }[]) =>
  xs.map((x) => `${x.checkId} ${x.subject}`).sort();
const journal = () =>
  cli(['journal', 'export'])
    .stdout.trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { seq: number; kind: string; actor: string; body: string });

beforeAll(() => {
  suite = demoSuite();
});
afterAll(() => suite?.remove());

describe('the derived deferral packet', () => {
  it('its register is exactly the open findings the rules found (scenario 02), and its claims take their status from their checks', () => {
    const scenario = JSON.parse(
      readFileSync(
        join(
          import.meta.dirname,
          '..',
          '..',
          'scenarios',
          'deferral',
          '02-seed-firmware-mismatch',
          'scenario.json',
        ),
        'utf8',
      ),
    ) as { expect: { outcome: string; findings: { checkId: string; subject: string }[] } };
    const d = show().derived;
    expect(d.evaluation.outcome).toBe(scenario.expect.outcome);
    expect(keys(d.findings)).toEqual(keys(scenario.expect.findings));
    expect(keys(d.register.map((r) => r.finding))).toEqual(keys(d.findings));
    const status = (id: string) => d.claims.find((c) => c.claimId === id)?.status;
    expect(status('c-hsm-audit')).toBe('disputed'); // DEF-HSM-ATTEST: disputed, blocking
    expect(status('c-custody')).toBe('unsupported'); // DEF-CUSTODY-FRESH: stale, blocking
    expect(status('c-enrollment')).toBe('supported'); // DEF-BUILD found nothing
    // Bound to no check: ASSERTED, and it never counts toward completeness.
    expect(d.claims.find((c) => c.claimId === 'c-monitoring')).toMatchObject({
      checks: [],
      status: 'asserted',
    });
    ok(cli(['packet', 'claim', P, 'c-extra', '--text', 'the board was briefed']));
    expect(show().derived.claims.find((c) => c.claimId === 'c-extra')?.status).toBe('asserted');
    expect(cli(['packet', 'check', P]).stdout).not.toMatch(/c-extra|c-monitoring/);
  });

  it('a person annotates (note, owner, due) under their actor but can never set a category or blocking', async () => {
    ok(
      cli([
        'packet',
        'annotate',
        P,
        'DEF-CUSTODY-FRESH',
        'BT-0412-3',
        '--owner',
        'Cary Lim',
        '--due',
        '2026-12-10',
        '--note',
        're-attestation booked',
      ]),
    );
    const last = journal().at(-1)!;
    // Recorded under the person signed in for the CLI (Alice), never a typed name.
    expect(last).toMatchObject({ kind: 'packet.edited', actor: 'operator:alice' });
    expect(JSON.parse(last.body)).toEqual({
      packetId: P,
      change: {
        op: 'annotate-finding',
        annotation: {
          checkId: 'DEF-CUSTODY-FRESH',
          subject: 'BT-0412-3',
          note: 're-attestation booked',
          owner: 'Cary Lim',
          dueAt: '2026-12-10T00:00:00.000Z',
        },
      },
    });
    const entry = show().derived.register.find((r) => r.finding.checkId === 'DEF-CUSTODY-FRESH')!;
    expect(entry).toMatchObject({ owner: 'Cary Lim', notes: ['re-attestation booked'] });
    expect(show().derived.findings.find((f) => f.checkId === 'DEF-CUSTODY-FRESH')).toMatchObject({
      category: 'stale',
      blocking: true,
    });
    // No CLI option carries a category or blocking; an unknown one is a usage error that writes nothing.
    const before = journal().length;
    for (const opt of [['--category', 'advisory'], ['--blocking', 'false'], ['--waivable']]) {
      const r = cli(['packet', 'annotate', P, 'DEF-CUSTODY-FRESH', 'BT-0412-3', '--note', 'x', ...opt]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('unknown option');
    }
    // A finding the evaluation does not have cannot be annotated either.
    expect(cli(['packet', 'annotate', P, 'DEF-INCIDENT', 'INC-1', '--note', 'x']).stderr).toContain(
      'has no open finding DEF-INCIDENT INC-1',
    );
    expect(journal().length).toBe(before);
    // And the journal itself refuses an annotation event that carries one (strict event body).
    const station = Station.open(suite.dir, systemDeps);
    try {
      for (const extra of [{ blocking: false }, { category: 'advisory' }, { waivable: true }])
        expect(() =>
          station.record([
            {
              kind: 'packet.edited',
              actor: 'operator:alice',
              body: {
                packetId: P,
                change: {
                  op: 'annotate-finding',
                  annotation: {
                    checkId: 'DEF-CUSTODY-FRESH',
                    subject: 'BT-0412-3',
                    note: null,
                    owner: null,
                    dueAt: null,
                    ...extra,
                  },
                },
              },
            } as never,
          ]),
        ).toThrow();
    } finally {
      station.close();
    }
    expect(journal().length).toBe(before);
  });

  it('handoff: refused on the hold (naming the outcome and findings) and on a STALE evaluation; allowed with exactly the allowed acknowledgements, binding the evaluation', () => {
    let h = cli(['packet', 'handoff', P, ...DEMO_ACK_ARGS]);
    expect(h.status).toBe(6);
    expect(h.stderr).toMatch(/PACKET_NOT_READY: .*outcome hold-source-completion/);
    expect(h.stderr).toContain('DEF-HSM-ATTEST HSM-LUNA-0412 (disputed, blocking)');
    expect(h.stderr).toContain('DEF-READINESS CER-ROT-2027-02/hsm firmware attestation (disputed, blocking)');

    for (const path of RESOLVING_RECORDS) ok(cli(['records', 'import', path]));
    expect(show().derived.evaluation.status).toBe('STALE');
    h = cli(['packet', 'handoff', P, ...DEMO_ACK_ARGS]);
    expect(h.stderr).toContain('PACKET_EVALUATION_STALE');
    expect(cli(['packet', 'check', P]).stdout).toMatch(
      /FAIL PKT-EVALUATED[\s\S]*facts changed since evaluation/,
    );

    ok(cli(['packet', 'evaluate', P, '--as-of', DEMO_AS_OF]));
    const d = show().derived;
    expect(d.evaluation).toMatchObject({ status: 'FRESH', outcome: 'handoff-with-exceptions' });
    expect(keys(d.findings)).toEqual(keys(DEMO_EXCEPTIONS));
    // The claim the resolving records support is supported now.
    expect(d.claims.find((c) => c.claimId === 'c-hsm-audit')?.status).toBe('supported');

    const before = journal().length;
    // One missing, or one the evaluation does not have: refused, nothing written.
    expect(cli(['packet', 'handoff', P, ...DEMO_ACK_ARGS.slice(0, 2)]).stderr).toMatch(
      /PACKET_ACKNOWLEDGEMENT_REFUSED[\s\S]*not acknowledged: DEF-SIGNERS/,
    );
    expect(
      cli(['packet', 'handoff', P, ...DEMO_ACK_ARGS, '--acknowledge', 'DEF-HSM-ATTEST:HSM-LUNA-0412']).stderr,
    ).toMatch(/PACKET_ACKNOWLEDGEMENT_REFUSED[\s\S]*no open finding DEF-HSM-ATTEST HSM-LUNA-0412/);
    expect(journal().length).toBe(before);

    ok(cli(['packet', 'handoff', P, ...DEMO_ACK_ARGS]));
    const entry = journal().at(-1)!;
    const evaluation = journal()
      .filter((j) => j.kind === 'evaluation.recorded')
      .at(-1)!;
    const ev = JSON.parse(evaluation.body) as Record<string, string>;
    expect(entry).toMatchObject({ kind: 'packet.handoff-recorded', actor: 'operator:alice' });
    expect(JSON.parse(entry.body)).toMatchObject({
      gate: 'READY',
      evaluation: {
        seq: evaluation.seq,
        subject: DEMO_SUBJECT,
        asOf: DEMO_AS_OF,
        outcome: 'handoff-with-exceptions',
        recordsDigest: ev.recordsDigest,
        policyDigest: ev.policyDigest,
        findingsDigest: ev.findingsDigest,
      },
      acknowledged: DEMO_EXCEPTIONS.map((f) => expect.objectContaining({ ...f })),
    });
  });

  it('the printed packet and `packet show --json` carry the same findings, outcome, policy version and as-of', async () => {
    const d = show().derived;
    const r = cli(['packet', 'print', P]);
    ok(r);
    const path = /^wrote (\S+\.pdf)/m.exec(r.stdout)![1]!;
    const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const doc = await pdfjs.getDocument({ data: new Uint8Array(readFileSync(path)), isEvalSupported: false })
      .promise;
    let text = '';
    for (let n = 1; n <= doc.numPages; n++)
      text += `${(await (await doc.getPage(n)).getTextContent()).items.map((i) => ('str' in i ? i.str : '')).join(' ')} `;
    await doc.destroy();
    // pdf.js splits lines and ligatures into separate runs: compare without whitespace.
    const squash = (t: string) => t.normalize('NFKC').replace(/\s+/g, '');
    const flat = squash(text);
    expect(flat).toContain(squash(`Findings — outcome ${d.evaluation.outcome}`));
    expect(flat).toContain(
      squash(`Evaluation ${d.evaluation.seq} of ${DEMO_SUBJECT} as of ${d.evaluation.asOf}`),
    );
    expect(flat).toContain(squash(`policy deferral v${d.evaluation.policy.version}`));
    for (const f of d.findings) {
      expect(flat).toContain(squash(`${f.checkId} ${f.subject} ${f.category} (blocking)`));
    }
    expect(flat).not.toContain(squash('DEF-HSM-ATTEST HSM-LUNA-0412'));
  });
});
