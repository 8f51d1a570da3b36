import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PACKET, UNSEAL_PRIMARY_BY_HOLDER } from '../helpers/deferral-resolve';
import type { Output } from '../../src/shared/contract';
import { demoSuite, stationCli } from '../e2e/harness';

/**
 * Decisions pending (services/decisions) on the demo station, as `station decisions --json` prints it —
 * the same view the UI shows: what waits for which person, by when, deadlines first, overdue said so.
 */
type Pending = Output<'decisionsPending'>;
let suite: ReturnType<typeof demoSuite>;
const cli = (args: string[]) => stationCli([...args, '--data-dir', suite.dir], undefined, suite.env);
const pending = (): Pending => JSON.parse(cli(['decisions', '--json']).stdout) as Pending;

beforeAll(() => {
  suite = demoSuite();
});
afterAll(() => suite?.remove());

describe('station decisions', () => {
  it('names the decisions the demo waits for — the attestation owner, the activation gate’s handoff to its approval owner — and nothing else', () => {
    expect(pending()).toEqual([
      expect.objectContaining({
        kind: 'attestation-decision',
        subject: 'ATT-2026-H1-REL',
        who: 'release-security-owner',
        by: null,
        overdue: false,
        view: 'attestation',
      }),
      // The demo gate's version 1 names its approval owner and waits for its handoff to her.
      expect.objectContaining({
        kind: 'packet-handoff',
        subject: 'activation-decl-2026-0611',
        who: 'Dana Whitfield',
        view: 'activation',
      }),
    ]);
    expect(cli(['decisions']).stdout).toMatch(
      /^attestation-decision {2}ATT-2026-H1-REL {2}who: release-security-owner\n/,
    );
  });

  it('adds an open quorum session (by its expiry) and an owned finding (by its due date, overdue first)', () => {
    const opened = cli([
      'quorum',
      'open',
      '--operation',
      'ceremony-presence:key-ceremony-rehearsal',
      '--ceremony',
      'KSK-R1',
      '--step',
      '2',
    ]);
    expect(opened.stderr).toBe('');
    expect(
      cli([
        'packet',
        'annotate',
        DEMO_PACKET,
        'DEF-CUSTODY-FRESH',
        'BT-0412-3',
        '--owner',
        'Cary Lim',
        '--due',
        '2026-01-10',
      ]).stderr,
    ).toBe('');
    const all = pending();
    expect(all.map((p) => p.kind)).toEqual([
      'finding-owner',
      'quorum-check-in',
      'attestation-decision',
      'packet-handoff',
    ]);
    expect(all[0]).toMatchObject({
      subject: DEMO_PACKET,
      who: 'Cary Lim',
      by: '2026-01-10T00:00:00.000Z',
      overdue: true,
      view: 'deferral',
    });
    expect(all[0]!.what).toMatch(/^DEF-CUSTODY-FRESH BT-0412-3: /);
    expect(all[1]).toMatchObject({
      who: 'Alice Adams, Bob Brandt, Carol Chen',
      overdue: false,
      view: 'custodians',
    });
    expect(all[1]!.what).toMatch(/0 of 2 custodians checked in/);
    expect(cli(['decisions']).stdout).toMatch(/^OVERDUE finding-owner/);
  });

  it('an attestation whose facts moved waits to be evaluated again, not for the owner: no decision on a STALE evaluation', () => {
    expect(cli(UNSEAL_PRIMARY_BY_HOLDER).stderr).toBe('');
    const att = pending().filter((p) => p.subject === 'ATT-2026-H1-REL');
    expect(att).toEqual([
      expect.objectContaining({
        kind: 'attestation-evaluate',
        who: 'signed-in operator',
        view: 'attestation',
      }),
    ]);
    expect(att[0]!.what).toMatch(/is STALE/);
  });
});
