import { resolve } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { bindConfig } from '../../../src/cli/context';
import { registerRecordsCommands } from '../../../src/cli/records';
import { readConfig, type StationConfig } from '../../../src/main/config';
import type * as Findings from '../../../src/main/services/findings';
import type { StationDeps } from '../../../src/main/station/station';
import { TEST_REGISTRY } from './support';

/**
 * `station scenario run` builds its station with the configuration `main` read (review #11 item 10: it
 * used runtime's systemDeps, the defaults of an empty environment, so the environment read twice). The
 * real runScenario runs; the wrapper only records the dependencies the command handed it.
 */
const seen: StationDeps[] = [];
vi.mock('../../../src/main/services/findings', async (importOriginal) => {
  const real = await importOriginal<typeof Findings>();
  return {
    ...real,
    runScenario: (dir: string, opts: Parameters<typeof real.runScenario>[1]) => {
      seen.push(opts.deps);
      return real.runScenario(dir, opts);
    },
  };
});

const SCENARIO = resolve(import.meta.dirname, '../../fixtures/scenario-mini');

describe('station scenario run: the program’s configuration', () => {
  it('the scenario station gets the configuration the program was built with, not the defaults', async () => {
    const config: StationConfig = Object.freeze({
      ...readConfig({}),
      mediaDirs: ['/media/scenario-probe'],
      verifyParallelFrom: 7,
    });
    const program = bindConfig(new Command('station').option('--data-dir <dir>').exitOverride(), config);
    let text = '';
    registerRecordsCommands(program, (s) => (text += s), TEST_REGISTRY);
    await program.parseAsync(['scenario', 'run', SCENARIO], { from: 'user' });
    expect(text).toContain('expect: MATCHED');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.config).toEqual(config);
  });
});
