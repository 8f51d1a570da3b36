import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInCli, stationCli } from '../../e2e/harness';
import { suiteTempDir } from '../../helpers/temp';

/**
 * The same acts from the command line (`station custody register` with its first seal, `station coverage
 * set` and `show`), on a demo station with Alice signed in: the console and the CLI record the same
 * entries and print the same statements.
 */
let suite: ReturnType<typeof suiteTempDir>;
let dir: string;
const cli = (args: string[]) => stationCli([...args, '--data-dir', dir]);
type Line = { seq: number; kind: string; actor: string; body: string };
const journal = (): Line[] =>
  cli(['journal', 'export'])
    .stdout.trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);

beforeAll(() => {
  suite = suiteTempDir();
  dir = join(suite.dir, 'station');
  expect(stationCli(['demo', '--data-dir', dir]).status).toBe(0);
  signInCli(dir);
});
afterAll(() => suite?.remove());

describe('custody register and coverage from the command line', () => {
  it('registers an item with its first seal in two entries under the signed-in person; a partial seal or a duplicate id writes nothing', () => {
    const before = journal().length;
    const base = [
      'custody',
      'register',
      '--item',
      'share-media-9',
      '--kind',
      'share-media',
      '--description',
      'Set C',
    ];
    const partial = cli([...base, '--bag', 'TB-400001', '--holder', 'Carol Chen']);
    expect([partial.status === 0, partial.stderr]).toEqual([
      false,
      expect.stringMatching(/INVALID_INPUT[\s\S]*--location/),
    ]);
    const r = cli([
      ...base,
      '--bag',
      'TB-400001',
      '--location',
      'Safe 1',
      '--holder',
      'Carol Chen',
      '--witness',
      'Dan Diaz',
    ]);
    // Sealed, never inspected yet: HOLD (CUST-INSPECTION-FRESH), not READY.
    expect([r.status, r.stdout]).toEqual([0, 'share-media-9: HOLD, sealed in TB-400001\n']);
    const added = journal().slice(before);
    expect(added.map((l) => [l.kind, l.actor])).toEqual([
      ['custody.item-registered', 'operator:alice'],
      ['custody.sealed', 'operator:alice'],
    ]);
    expect(JSON.parse(added[1]!.body)).toEqual({
      itemId: 'share-media-9',
      bagSerial: 'TB-400001',
      location: 'Safe 1',
      holder: 'Carol Chen',
      witnesses: ['Dan Diaz'],
    });
    const again = cli([...base, '--bag', 'TB-400002', '--location', 'Safe 1', '--holder', 'Carol Chen']);
    expect(again.stderr).toContain('CUSTODY_ITEM_EXISTS');
    expect(journal().length).toBe(before + 2);
    // Without a seal, as before: the item alone, unsealed.
    const bare = cli([
      'custody',
      'register',
      '--item',
      'hsm-spare',
      '--kind',
      'hsm',
      '--description',
      'Spare HSM',
    ]);
    expect([bare.status, bare.stdout]).toEqual([0, expect.stringMatching(/^hsm-spare: \w+, not sealed\n$/)]);
  });

  it('coverage show prints each statement of a shift and who recorded it', () => {
    const today = new Date().toISOString().slice(0, 10);
    expect(
      cli(['coverage', 'set', '--custodian', 'bob', '--date', today, '--shift', 'day', '--unavailable'])
        .status,
    ).toBe(0);
    const shown = cli(['coverage', 'show', '--from', today, '--days', '1']).stdout;
    expect(shown).toMatch(
      new RegExp(
        `^${today} day {6}SHORT {3}1/2  alice\\n  alice: available — set by demo, .*\\n  bob: not available — set by operator:alice, .* \\(entry \\d+\\)\\n`,
      ),
    );
  });
});
