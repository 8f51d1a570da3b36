import type { Command } from 'commander';
import { pendingDecisions } from '../main/services/decisions';
import { withStation, type Out } from './context';

/** `station decisions`: what the station waits on people for (the Decisions pending view). */
export function registerDecisionsCommands(program: Command, out: Out): void {
  program
    .command('decisions')
    .description(
      'decisions pending: every packet, attestation, session or finding waiting for a named person',
    )
    .option('--json', 'the decisionsPending view as JSON')
    .action(async function (this: Command, o: { json?: boolean }) {
      await withStation(this, (s) => {
        const pending = pendingDecisions(s);
        if (o.json) return out(`${JSON.stringify(pending, null, 2)}\n`);
        if (pending.length === 0) return out('nothing is waiting for a decision\n');
        for (const p of pending)
          out(
            `${p.overdue ? 'OVERDUE ' : ''}${p.kind}  ${p.subject}  who: ${p.who}${p.by ? `  by ${p.by}` : ''}\n  ${p.what}\n`,
          );
      });
    });
}
