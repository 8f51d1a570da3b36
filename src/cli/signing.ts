import type { Command } from 'commander';
import { resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { encodeOperation } from '../core/custody/operation';
import { gatedSignOperation, manifestSha256 } from '../core/signing/batch';
import { openGateForSigning } from '../main/services/activation';
import {
  cancelSigningRun,
  resumeSigningRun,
  signingStatus,
  startSigningRun,
  type GateProvider,
  type SigningOptions,
  type SigningProgress,
  type SigningResult,
} from '../main/services/signing';
import { positiveInt, withStation, type Out } from './context';
import { readPin } from './pin';
import { writeErr } from './terminal';

/**
 * `station sign run|resume|status|cancel|operation`: gated offline signing of exactly the frozen manifest
 * (docs/gated-signing.md). Progress (rate, ETA) goes to stderr; Ctrl-C cancels between chunks (the run is
 * then over); a crash is taken up by `station sign resume` on the same declaration.
 */
export function registerSigningCommands(
  program: Command,
  out: Out,
  deps: { readonly gate?: GateProvider } = {},
): void {
  const gate = deps.gate ?? openGateForSigning;
  const sign = program.command('sign').description('gated offline signing of exactly the frozen manifest');

  sign
    .command('operation')
    .description('the gated-sign quorum operation for the open gate (open the quorum session for exactly it)')
    .requiredOption('--declaration <id>', 'continuity declaration id')
    .action(async function (this: Command, o: { declaration: string }) {
      await withStation(this, (s) => {
        const g = gate(s, o.declaration);
        const digest = manifestSha256(g.manifest.artifacts, (d) => createHash('sha256').update(d).digest());
        out(`${encodeOperation(gatedSignOperation(g, digest))}\n`);
      });
    });

  sign
    .command('run')
    .description('sign the frozen manifest of an OPEN activation gate, under a quorum bound to this batch')
    .requiredOption('--declaration <id>', 'continuity declaration id')
    .requiredOption('--media <dir>', 'folder holding the artifacts')
    .requiredOption('--out <dir>', 'empty folder for the signatures and the DSSE envelope')
    .requiredOption('--quorum-session <id>', 'quorum session bound to the gated-sign operation')
    .option('--module <id>', 'module holding the signing token (default: the one that has it)')
    .option('--pin-stdin', 'read the signing token PIN from stdin')
    .option('--chunk <n>', 'artifacts per journal append', positiveInt('--chunk'))
    .option('--again', 'sign again a packet version whose run already completed')
    .option('--actor <actor>', 'who signs', 'operator:cli')
    .action(async function (
      this: Command,
      o: {
        declaration: string;
        again?: boolean;
        media: string;
        out: string;
        quorumSession: string;
        module?: string;
        pinStdin?: boolean;
        chunk?: number;
        actor: string;
      },
    ) {
      await withStation(this, async (s) => {
        const pin = await readPin('PIN of the signing token: ', Boolean(o.pinStdin));
        const r = await withProgress((opts) =>
          startSigningRun(
            s,
            {
              declarationId: o.declaration,
              mediaDir: resolve(o.media),
              outDir: resolve(o.out),
              quorumSessionId: o.quorumSession,
              pin,
              moduleId: o.module,
              again: o.again === true,
              actor: o.actor,
            },
            { ...opts, gate, ...(o.chunk ? { chunk: o.chunk } : {}) },
          ),
        );
        printResult(out, r);
      });
    });

  sign
    .command('resume')
    .description('take up the open run of a declaration after a crash (the journal says what is left)')
    .requiredOption('--declaration <id>', 'continuity declaration id')
    .option('--quorum-session <id>', 'a new quorum session for the same operation, if the run’s own expired')
    .option('--module <id>', 'module holding the signing token')
    .option('--pin-stdin', 'read the signing token PIN from stdin')
    .option('--chunk <n>', 'artifacts per journal append', positiveInt('--chunk'))
    .option('--actor <actor>', 'who signs', 'operator:cli')
    .action(async function (
      this: Command,
      o: {
        declaration: string;
        quorumSession?: string;
        module?: string;
        pinStdin?: boolean;
        chunk?: number;
        actor: string;
      },
    ) {
      await withStation(this, async (s) => {
        const pin = await readPin('PIN of the signing token: ', Boolean(o.pinStdin));
        const r = await withProgress((opts) =>
          resumeSigningRun(
            s,
            {
              declarationId: o.declaration,
              pin,
              quorumSessionId: o.quorumSession,
              moduleId: o.module,
              actor: o.actor,
            },
            { ...opts, gate, ...(o.chunk ? { chunk: o.chunk } : {}) },
          ),
        );
        printResult(out, r);
      });
    });

  sign
    .command('cancel')
    .description('end the open run of a declaration that no process is running (counted signatures stay)')
    .requiredOption('--declaration <id>', 'continuity declaration id')
    .option('--actor <actor>', 'who cancels', 'operator:cli')
    .action(async function (this: Command, o: { declaration: string; actor: string }) {
      await withStation(this, (s) => {
        const r = cancelSigningRun(s, { declarationId: o.declaration, actor: o.actor });
        out(`cancelled run ${r.runId}: ${r.signed} signed, ${r.pending} not signed\n`);
      });
    });

  sign
    .command('status')
    .description('the runs of a declaration as the journal records them, and quarantined media files')
    .requiredOption('--declaration <id>', 'continuity declaration id')
    .option('--json', 'the signingStatus view as JSON')
    .action(async function (this: Command, o: { declaration: string; json?: boolean }) {
      await withStation(this, (s) => {
        const v = signingStatus(s, { declarationId: o.declaration });
        if (o.json) return out(`${JSON.stringify(v, null, 2)}\n`);
        if (v.runs.length === 0) out(`no signing run of ${o.declaration}\n`);
        for (const r of v.runs)
          out(
            `${r.state.toUpperCase()}  run ${r.runId}  ${r.signed}/${r.total} signed (${r.adopted} adopted, ${r.inDoubt} in doubt)  packet ${r.packetId} v${r.version}  key ${r.keyId}@${r.tokenSerial}${r.envelopeFile ? `  envelope ${r.envelopeFile}` : ''}\n`,
          );
        for (const q of v.quarantined)
          out(
            `QUARANTINED  ${JSON.stringify(q.artifact)}  ${q.reason}  media ${q.mediaSha256}  manifest ${q.manifestSha256 ?? '—'}\n`,
          );
      });
    });
}

/** Runs a batch printing progress to stderr at most once a second; the first Ctrl-C cancels. */
async function withProgress(
  run: (opts: Pick<SigningOptions, 'onProgress' | 'signal'>) => Promise<SigningResult>,
): Promise<SigningResult> {
  const controller = new AbortController();
  const onSigint = () => {
    writeErr('\ncancelling after the current chunk…\n');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  let last = 0;
  const onProgress = (p: SigningProgress) => {
    const now = Date.now();
    if (now - last < 1000 && p.phase === 'signing') return;
    last = now;
    const rate = p.perSecond === null ? '' : `  ${p.perSecond.toFixed(1)}/s`;
    const eta = p.etaSeconds === null ? '' : `  ETA ${Math.ceil(p.etaSeconds)} s`;
    writeErr(`${p.phase}: ${p.done}/${p.total} signed${rate}${eta}\n`);
  };
  try {
    return await run({ onProgress, signal: controller.signal });
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

function printResult(out: Out, r: SigningResult): void {
  out(
    `signed ${r.signed} artifact(s) of ${r.declarationId} (run ${r.runId}; ${r.adopted} adopted after a crash; ${r.quarantined} quarantined)\n`,
  );
  out(`envelope ${r.envelopePath}\n  sha256 ${r.envelopeSha256}\n  statement ${r.statementSha256}\n`);
}
