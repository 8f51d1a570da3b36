import type { Command } from 'commander';
import { cliSession, cliSignIn, cliSignOut, type OperatorSessionView } from '../main/services/custodians';
import { moduleOf, withStation, type Out, type TokenFlags } from './context';
import { EXIT } from './exit-codes';
import { readPin } from './pin';

/**
 * `station session`: a roster member signs in for the CLI with their own token (docs/operators.md), and
 * the CLI's acts are recorded under them until the session locks, ends or is signed out.
 */
export function registerSessionCommands(program: Command, out: Out): void {
  const session = program.command('session').description('who the CLI’s acts are recorded under');

  session
    .command('sign-in')
    .description('sign in as yourself: your own token signs the station’s fresh challenge after your PIN')
    .requiredOption('--token <serial>', 'your own token')
    .option('--module <id>', 'registered module id (default: the only one)')
    .option('--minutes <n>', 'how long the session lasts (default one 8-hour shift; at most 720)', Number)
    .option('--pin-stdin', 'read your PIN from stdin')
    .action(async function (this: Command, o: TokenFlags & { minutes?: number }) {
      await withStation(this, async (s) => {
        const pin = await readPin(`PIN of your token ${o.token}: `, Boolean(o.pinStdin));
        const v = cliSignIn(s, { moduleId: moduleOf(s, o.module), serial: o.token, pin, minutes: o.minutes });
        out(`signed in as ${v.name} (${v.actor}), journal seq ${v.seq}\n`);
        out(`  ends ${v.expiresAt}; locks after ${v.idleMinutes} minutes without an act\n`);
      });
    });

  session
    .command('status')
    .description('who is signed in for the CLI, and until when (exit 6 unless ACTIVE)')
    .option('--json', 'the session as JSON (null when nobody signed in)')
    .action(async function (this: Command, o: { json?: boolean }) {
      await withStation(this, (s) => {
        const v = cliSession(s);
        if (o.json) out(`${JSON.stringify(v)}\n`);
        else out(describe(v));
        if (v?.state !== 'ACTIVE') process.exitCode = EXIT.STATE;
      });
    });

  session
    .command('sign-out')
    .description('end the CLI’s session (journaled under its person) and remove its file')
    .action(async function (this: Command) {
      await withStation(this, (s) => {
        const v = cliSignOut(s);
        out(v ? `signed out ${v.name} (${v.actor})\n` : 'nobody was signed in\n');
      });
    });
}

function describe(v: OperatorSessionView | null): string {
  if (!v) return 'NOT SIGNED IN: acts take --actor until somebody signs in (station session sign-in)\n';
  return `${v.state} ${v.name} (${v.actor}), roles ${v.roles.join(', ')}\n  signed in ${v.startedAt} (journal seq ${v.seq}); locks ${v.locksAt}; ends ${v.expiresAt}\n`;
}
