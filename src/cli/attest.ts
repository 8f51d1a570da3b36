import type { Command } from 'commander';
import { CodedError } from '../core/errors';
import { attestationStatus, decideAttestation, evaluateAttestation } from '../main/services/attest';
import { reviewerKeyOptions, withReviewerSigner, type ReviewerKeyOptions } from './bundles';
import { configOf, withStation, type Out } from './context';

const DECISIONS = ['approve', 'remediate', 'escalate'] as const;

export function registerAttestCommands(program: Command, out: Out): void {
  const attest = program
    .command('attest')
    .description('custody attestation: evaluate the control library; record the owner’s signed decision');

  attest
    .command('evaluate <packetId>')
    .description('evaluate every requirement against first-hand data and the packet’s imported records')
    .option('--json', 'machine-readable output')
    .option('--actor <actor>', 'who runs it', 'operator:cli')
    .action(async function (this: Command, packetId: string, o: { json?: boolean; actor: string }) {
      await withStation(this, (s) => {
        const e = evaluateAttestation(s, packetId, o.actor);
        if (o.json) return out(`${JSON.stringify(e)}\n`);
        out(`${e.library} v${e.libraryVersion} at ${e.at} (journal seq ${e.seq})\n`);
        for (const r of e.requirements) {
          out(`  ${r.status.toUpperCase().padEnd(17)} ${r.id}${r.waivable ? ' (waivable)' : ''}\n`);
          out(`      ${r.rationale}\n`);
          for (const f of r.findings) out(`      - ${f.kind}: ${f.text}  [${f.refs.join(', ')}]\n`);
        }
        out(`recommendation: ${e.recommendation.toUpperCase()}\n`);
        for (const b of e.because) out(`  because ${b}\n`);
        out('The release security owner decides: station attest decide …\n');
      });
    });

  attest
    .command('status <packetId>')
    .description('the latest evaluation as recorded, and the owner’s decisions on it (what the UI shows)')
    .option('--json', 'machine-readable output')
    .action(async function (this: Command, packetId: string, o: { json?: boolean }) {
      await withStation(this, (s) => {
        const v = attestationStatus(s, { packetId });
        if (o.json) return out(`${JSON.stringify(v)}\n`);
        const e = v.latest;
        if (!e) out('not evaluated yet: station attest evaluate …\n');
        else {
          out(`evaluation at seq ${e.seq} (${e.at}), library v${e.libraryVersion}\n`);
          for (const r of e.requirements)
            out(
              `  ${r.status.toUpperCase().padEnd(17)} ${r.id}${r.waivable ? ' (waivable)' : ''}  ${r.text}\n`,
            );
          out(`recommendation: ${e.recommendation.toUpperCase()}\n`);
          for (const b of e.because) out(`  because ${b}\n`);
        }
        for (const d of v.decisions)
          out(
            `decision ${d.decision.toUpperCase()} by ${d.decidedBy} (${d.trustId}) on evaluation seq ${d.evaluationSeq} at ${d.at}${d.followsRecommendation ? '' : ' — differs from the recommendation'}${d.comment ? `: ${d.comment}` : ''}\n`,
          );
      });
    });

  reviewerKeyOptions(
    attest
      .command('decide <packetId>')
      .description('the owner’s decision on the latest evaluation, signed with the owner’s own key')
      .requiredOption('--decision <decision>', DECISIONS.join(' | '))
      .requiredOption('--name <name>', 'your name (the release security owner)')
      .option('--comment <text>', 'rationale for the decision', '')
      .option('--actor <actor>', 'who records it', 'operator:cli'),
  ).action(async function (
    this: Command,
    packetId: string,
    o: ReviewerKeyOptions & { decision: string; name: string; comment: string; actor: string },
  ) {
    if (!DECISIONS.includes(o.decision as 'approve'))
      throw new CodedError('INVALID_INPUT', `--decision must be one of ${DECISIONS.join(', ')}`, {
        field: 'decision',
      });
    await withStation(this, (s) =>
      withReviewerSigner(o, configOf(this), async (signer) => {
        const d = await decideAttestation(s, {
          packetId,
          decision: o.decision as 'approve',
          comment: o.comment,
          decidedBy: o.name,
          signer,
          actor: o.actor,
        });
        out(
          `recorded ${d.decision} by ${d.decidedBy} (${d.trustId}) on evaluation seq ${d.evaluationSeq}${d.followsRecommendation ? '' : ' — differs from the recommendation'}\n`,
        );
      }),
    );
  });
}
