import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSuite, stationCli } from '../../e2e/harness';

/**
 * The demo's compromise-authority packet through the built CLI on a real demo station (SQLite,
 * SoftHSM2): derived from the incident's evaluation, handed off on `recommend`, and — once a later
 * record moves the facts (a contractual notice) — its evaluation STALE, a new handoff refused, and the
 * handoff already made marked STALE-BASIS: an earlier recommendation resting on superseded facts says so.
 */
let suite: ReturnType<typeof demoSuite>;
const P = 'compromise-inc-2026-0502';
const cli = (args: string[]) => stationCli([...args, '--data-dir', suite.dir], undefined, suite.env);
const ok = (r: { status: number; stderr: string }) => {
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
};
interface Shown {
  completeness: { gate: string; checks: { id: string; pass: boolean }[] };
  derived: { evaluation: { status: string; outcome: string }; claims: { claimId: string; status: string }[] };
  handoffs: { version: number; basis?: { status: string; sentence: string } }[];
}
const show = () => JSON.parse(cli(['packet', 'show', P, '--json']).stdout) as Shown;

beforeAll(() => {
  suite = demoSuite();
});
afterAll(() => suite?.remove());

describe('the derived compromise-authority packet', () => {
  it('is READY on recommend with every claim supported, and no stop check applies to an incident packet', () => {
    const s = show();
    expect(s.derived.evaluation).toMatchObject({ status: 'FRESH', outcome: 'recommend' });
    expect(s.completeness.gate).toBe('READY');
    expect(s.completeness.checks.map((c) => c.id)).not.toContain('PKT-STOP');
    expect(new Set(s.derived.claims.map((c) => c.status))).toEqual(new Set(['supported']));
  });

  it('hands off, then a later contractual notice makes the handoff STALE-BASIS and refuses another', () => {
    ok(cli(['packet', 'reviewers', P, '--reviewer', 'board-reviewer=Dana Board']));
    ok(cli(['packet', 'version', P]));
    ok(cli(['packet', 'handoff', P]));
    expect(show().handoffs.map((h) => h.basis?.status)).toEqual(['FRESH']);

    const dir = mkdtempSync(join(tmpdir(), 'authority-notice-'));
    const file = join(dir, 'register-later.json');
    writeFileSync(
      file,
      JSON.stringify({
        family: 'disclosure-register',
        system: 'legal-register',
        exportedAt: '2026-12-01T05:40:00.000Z',
        records: [
          {
            entryId: 'DR-0502-9',
            product: 'fleet-agent',
            obligation: 'contractual-notice',
            deadlineAt: '2026-12-03T00:00:00.000Z',
            constraint: 'none',
            status: 'open',
            recordedAt: '2026-12-01T05:30:00.000Z',
          },
        ],
      }),
    );
    ok(cli(['records', 'import', file]));
    const s = show();
    expect(s.derived.evaluation.status).toBe('STALE');
    // Decisions pending: the open incident whose evaluation went STALE waits to be evaluated again.
    const pending = JSON.parse(cli(['decisions', '--json']).stdout) as { kind: string; subject: string }[];
    expect(pending.filter((p) => p.kind === 'authority-evaluate').map((p) => p.subject)).toEqual([
      'INC-2026-0502',
    ]);
    expect(s.handoffs[0]?.basis?.status).toBe('STALE-BASIS');
    expect(cli(['packet', 'show', P]).stdout).toMatch(
      /STALE-BASIS: the facts it was decided on changed since/,
    );
    // A new handoff waits for a fresh evaluation; evaluated again, the legal office now owns it.
    expect(cli(['packet', 'handoff', P]).stderr).toMatch(/PACKET_EVALUATION_STALE/);
    ok(cli(['packet', 'evaluate', P, '--as-of', '2026-12-01T06:00:00.000Z']));
    const status = cli(['authority', 'status', 'INC-2026-0502']).stdout;
    expect(status).toMatch(/legal-trust-office\s+RECOMMENDED/);
  });
});
