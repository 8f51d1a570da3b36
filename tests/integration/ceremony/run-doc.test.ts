/** docs/ceremonies.md names every ceremony-run error code and check ID, and the witness statement it prints is the one signed. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { witnessStatement } from '../../../src/core/ceremony/run';
import { ERROR_CATALOGUE } from '../../../src/shared/errors';

const DOC = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'ceremonies.md'), 'utf8');
const RUN_SOURCE = readFileSync(
  join(import.meta.dirname, '..', '..', '..', 'src', 'main', 'services', 'ceremonies', 'runs.ts'),
  'utf8',
);

describe('docs/ceremonies.md', () => {
  it('lists every CEREMONY_ code the runner raises, each catalogued', () => {
    const raised = [...new Set(RUN_SOURCE.match(/'CEREMONY_[A-Z_]+'/g)!.map((c) => c.slice(1, -1)))];
    expect(raised.length).toBeGreaterThan(10);
    for (const code of raised) {
      expect(Object.keys(ERROR_CATALOGUE)).toContain(code);
      expect(DOC).toMatch(new RegExp(`^\\| \`${code}\` +\\|`, 'm'));
    }
  });

  it('names the check IDs of the run fold', () => {
    const source = readFileSync(
      join(import.meta.dirname, '..', '..', '..', 'src', 'core', 'ceremony', 'run.ts'),
      'utf8',
    );
    const ids = [...new Set(source.match(/RUN-[A-Z]+/g))];
    expect(ids.sort()).toEqual(['RUN-HALT', 'RUN-ORDER', 'RUN-REHEARSED', 'RUN-WITNESS']);
    for (const id of ids) expect(DOC).toMatch(new RegExp(`^\\| ${id} +\\|`, 'm'));
  });

  it('prints the witness statement exactly as it is signed', () => {
    const bytes = witnessStatement({
      stationId: '<station id>',
      runId: '<run id>',
      stepId: '<step id>',
      fileDigest: '<file digest>',
      custodianId: '<custodian id>',
    });
    const block = /```\n( *ceremony-station ceremony witness v1\n[\s\S]*?) *```/.exec(DOC)![1]!;
    expect(block.replace(/^ {2}/gm, '')).toBe(new TextDecoder().decode(bytes));
  });
});
