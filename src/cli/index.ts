import { resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { CodedError } from '../core/errors';
import { ERROR_CATALOGUE, isErrorCode } from '../shared/errors';
import { createDemoStation } from '../main/services/demo';
import { exportJournal, verifyStationJournal } from '../main/services/journal';
import { Station } from '../main/services/station';
import { defaultDataDir } from '../main/paths';
import { systemDeps } from '../main/runtime';
import { serve } from './serve';
import { EXIT, EXIT_HELP, exitCodeFor } from './exit-codes';

function positiveInt(field: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
      throw new InvalidArgumentError(`${field} must be a whole number ≥ 1`);
    }
    return n;
  };
}

function dataDirOf(cmd: Command): string {
  const opts = cmd.optsWithGlobals<{ dataDir?: string }>();
  return resolve(opts.dataDir ?? defaultDataDir());
}

function withStation<T>(cmd: Command, fn: (s: Station) => T): T {
  const station = Station.open(dataDirOf(cmd), systemDeps);
  try {
    return fn(station);
  } finally {
    station.close();
  }
}

export function buildProgram(out: (s: string) => void = (s) => process.stdout.write(s)): Command {
  const program = new Command('station')
    .description('Ceremony Station: offline key-ceremony, custody and signing station')
    .option('--data-dir <dir>', `station data directory (default: ${defaultDataDir()})`)
    .addHelpText('after', EXIT_HELP)
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: (s) => process.stderr.write(s) });

  program
    .command('init')
    .description('create a new station in the data directory')
    .requiredOption('--name <name>', 'station display name')
    .option('--mode <mode>', 'offline | online', 'offline')
    .option('--actor <actor>', 'who creates it, e.g. operator:alice', 'operator:cli')
    .action(function (this: Command, o: { name: string; mode: string; actor: string }) {
      if (o.mode !== 'offline' && o.mode !== 'online') {
        throw new CodedError('INVALID_INPUT', '--mode must be offline or online', { field: 'mode' });
      }
      const s = Station.init(
        dataDirOf(this),
        { name: o.name, mode: o.mode, demo: false, actor: o.actor },
        systemDeps,
      );
      out(`created station ${s.stationRecord().stationId} in ${s.dataDir}\n`);
      s.close();
    });

  program
    .command('demo')
    .description('create a demo station (real journal, sample scenario) in the data directory')
    .action(function (this: Command) {
      const s = createDemoStation(dataDirOf(this), systemDeps);
      out(`created demo station ${s.stationRecord().stationId} in ${s.dataDir}\n`);
      s.close();
    });

  program
    .command('info')
    .description('print the station identity and store state as JSON')
    .action(function (this: Command) {
      withStation(this, (s) => out(`${JSON.stringify(s.info('browser'), null, 2)}\n`));
    });

  const journal = program.command('journal').description('the hash-chained journal');

  journal
    .command('verify')
    .description('verify the hash chain and checkpoints; exit 0 only when VERIFIED')
    .option('--json', 'print the verdict as JSON')
    .action(function (this: Command, o: { json?: boolean }) {
      const verdict = withStation(this, (s) => verifyStationJournal(s, null));
      if (o.json) out(`${JSON.stringify(verdict)}\n`);
      else if (verdict.status === 'VERIFIED') {
        out(
          `VERIFIED ${verdict.entries} entries to checkpoint ${verdict.checkpoint.n} (seq ${verdict.checkpoint.size})\n`,
        );
      } else if (verdict.status === 'UNANCHORED') {
        out(`UNANCHORED [${verdict.check}] ${verdict.entries} entries intact; ${verdict.reason}\n`);
      } else {
        const at = verdict.firstBadSeq !== null ? ` AT seq ${verdict.firstBadSeq}` : '';
        out(`TAMPERED${at} [${verdict.check}] ${verdict.reason}\n`);
      }
      process.exitCode =
        verdict.status === 'VERIFIED'
          ? EXIT.OK
          : verdict.status === 'UNANCHORED'
            ? EXIT.UNANCHORED
            : EXIT.INTEGRITY;
    });

  journal
    .command('export')
    .description('write entries as JSON lines (stdout, or a new file with --out)')
    .option('--from <seq>', 'first seq', positiveInt('--from'), 1)
    .option('--to <seq>', 'last seq (default: the head)', positiveInt('--to'))
    .option('--out <file>', 'write to this new file (never overwritten)')
    .action(function (this: Command, o: { from: number; to?: number; out?: string }) {
      withStation(this, (s) => {
        const toSeq = o.to ?? s.journal.head().seq;
        const target = o.out ? { path: resolve(o.out) } : { write: out };
        const n = exportJournal(s, { fromSeq: o.from, toSeq }, target);
        if (o.out) process.stderr.write(`exported ${n} entries to ${o.out}\n`);
      });
    });

  program
    .command('serve')
    .description('browser mode: serve the station UI on 127.0.0.1 with a per-launch token')
    .option('--port <port>', 'port (default: a random free port)', positiveInt('--port'))
    .option('--no-open', 'do not open the Chromium app window')
    .action(async function (this: Command, o: { port?: number; open: boolean }) {
      await serve({ dataDir: dataDirOf(this), port: o.port, open: o.open, out });
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0)
        return EXIT.OK;
      // A value that parses but is wrong (e.g. --from x) is invalid input; anything else is usage.
      return e.code === 'commander.invalidArgument' ? EXIT.INVALID_INPUT : EXIT.USAGE;
    }
    if (e instanceof CodedError && isErrorCode(e.code)) {
      const entry = ERROR_CATALOGUE[e.code];
      process.stderr.write(`error ${e.code}: ${e.message}\n  → ${entry.action}\n`);
      return exitCodeFor(entry.class);
    }
    process.stderr.write(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT.INTERNAL;
  }
}

// Run when executed (bin/station.js imports this module and calls main).
