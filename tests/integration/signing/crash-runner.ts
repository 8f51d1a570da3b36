/**
 * The `station sign` commands (src/cli/signing.ts) as the built CLI runs them, with one difference: the
 * open gate is the test's stand-in (read from the file named by SIGNING_TEST_GATE) instead of
 * services/activation's, which on this branch is never OPEN. Built by crash.test.ts with Vite, as the CLI
 * is, and run as its own process so it can be SIGKILLed mid-batch.
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { CodedError } from '../../../src/core/errors';
import { bindConfig } from '../../../src/cli/context';
import { registerSigningCommands } from '../../../src/cli/signing';
import { readConfig } from '../../../src/main/config';
import type { OpenGate } from '../../../src/main/services/activation';

const gate = JSON.parse(readFileSync(process.env.SIGNING_TEST_GATE ?? '', 'utf8')) as OpenGate;
const program = bindConfig(
  new Command('station').option('--data-dir <dir>', 'station data directory').exitOverride(),
  readConfig(),
);
registerSigningCommands(program, (s) => process.stdout.write(s), { gate: () => gate });
try {
  await program.parseAsync(process.argv.slice(2), { from: 'user' });
} catch (e) {
  if (e instanceof CodedError) {
    process.stderr.write(`error ${e.code}: ${e.message}\n`);
    process.exit(3);
  }
  if (e instanceof CommanderError) process.exit(2);
  throw e;
}
