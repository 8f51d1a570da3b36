import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemDeps } from '../../../src/main/runtime';
import { authorityBroadPreview } from '../../../src/main/services/authority';
import { Station } from '../../../src/main/station/station';
import { demoSuite, stationCli } from '../../e2e/harness';

/**
 * The broad view names only its own incident's records. The record families are shared by every
 * incident; a second incident's declaration, keys, lineage and options (here the e2e fixture's
 * INC-2026-0417 beside the demo's INC-2026-0502) must not reach the broad view of the first.
 */
let suite: ReturnType<typeof demoSuite>;
const cli = (args: string[]) => stationCli([...args, '--data-dir', suite.dir], undefined, suite.env);
const FIXTURES = join(import.meta.dirname, '..', '..', 'e2e', 'fixtures', 'authority');

beforeAll(() => {
  suite = demoSuite();
});
afterAll(() => suite?.remove());

describe('the broad view of one incident', () => {
  it('carries its own incident and records, and nothing of another incident held by the same station', () => {
    for (const f of readdirSync(FIXTURES)
      .filter((n) => n.endsWith('.json'))
      .sort()) {
      const r = cli(['records', 'import', join(FIXTURES, f)]);
      expect(r.stderr).toBe('');
    }
    const evaluate = (incident: string) => {
      const r = cli(['authority', 'evaluate', incident, '--as-of', '2026-12-01T06:00:00.000Z', '--json']);
      expect(r.stderr).toBe('');
      return (JSON.parse(r.stdout) as { seq: number }).seq;
    };
    const mine = evaluate('INC-2026-0502');
    const other = evaluate('INC-2026-0417');
    const station = Station.open(suite.dir, systemDeps);
    try {
      const text = JSON.stringify(authorityBroadPreview(station, { seq: mine }));
      expect(text).toContain('INC-2026-0502');
      expect(text).toContain('K-REL-9');
      for (const foreign of ['INC-2026-0417', 'K-REL-7', 'LIN-1', 'OPT-REVOKE"', 'CE-0417-1'])
        expect(text, foreign).not.toContain(foreign);
      // Positive control: the other incident's own broad view does name them.
      const theirs = JSON.stringify(authorityBroadPreview(station, { seq: other }));
      expect(theirs).toContain('INC-2026-0417');
      expect(theirs).toContain('K-REL-7');
      expect(theirs).not.toContain('INC-2026-0502');
    } finally {
      station.close();
    }
  });
});
