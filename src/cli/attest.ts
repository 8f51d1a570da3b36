import type { Command } from 'commander';
import { CodedError } from '../core/errors';
import type { View } from '../shared/contract';
import { attestationStatus, decideAttestation, evaluateAttestation } from '../main/services/attest';
import { reviewerKeyOptions, withReviewerSigner, type ReviewerKeyOptions } from './bundles';
import { configOf, withStation, type Out } from './context';

const DECISIONS = ['approve', 'remediate', 'escalate'] as const;

/** One evaluation as text: the same facts the UI's attestation panel shows. */
function printEvaluation(out: Out, e: View<'attestEvaluate'>): void {
  out(
    `evaluation seq ${e.seq} of ${e.subject} as of ${e.asOf} — ${e.status.status}${e.status.status === 'STALE' ? `: ${e.status.sentence}` : ''}\n`,
  );
  out(
    `policy: ${e.policy.library} (${e.policy.policy} v${e.policy.version}, ${e.policy.source}) digest ${e.policy.digest}\n`,
  );
  for (const r of e.requirements)
    out(
      `  ${r.status.toUpperCase().padEnd(17)} ${r.id}${r.waivable ? ' (waivable)' : ''}${r.checks.length > 0 ? `  [${r.checks.join(', ')}]` : ''}\n`,
    );
  for (const f of e.findings) {
    out(
      `  - ${f.checkId} ${f.subject} (${f.category}${f.blocking ? ', blocking' : ''}${f.waivable ? ', waivable' : ''}): ${f.sentence}\n`,
    );
    out(`      records: ${f.records.map((r) => `${r.family}/${r.system}/${r.recordId}`).join(', ')}\n`);
  }
  out(`recommendation: ${e.recommendation.toUpperCase()}\n`);
  for (const line of e.reason.split('\n')) out(`  ${line}\n`);
}

function printStatus(out: Out, v: View<'attestStatus'>): void {
  if (!v.latest) out(`not evaluated yet: station attest evaluate ${v.subject}\n`);
  else printEvaluation(out, v.latest);
  for (const d of v.decisions)
    out(
      `decision ${d.decision.toUpperCase()} by ${d.decidedBy} (${d.trustId}) on evaluation seq ${d.evaluationSeq} at ${d.at}${d.followsRecommendation ? '' : ' — differs from the recommendation'}${d.comment ? `: ${d.comment}` : ''}\n`,
    );
}

export function registerAttestCommands(program: Command, out: Out): void {
  const attest = program
    .command('attest')
    .description(
      'custody attestation: evaluate the attestation workflow over imported and first-hand records; record the owner’s signed decision',
    );

  attest
    .command('evaluate <subject>')
    .description('evaluate the attestation (an attestation-scope id) and record the evaluation')
    .option('--as-of <instant>', 'judge the facts as of this instant (default now)')
    .option('--json', 'machine-readable output (the attestStatus view’s latest evaluation)')
    .option('--actor <actor>', 'who runs it', 'operator:cli')
    .action(async function (
      this: Command,
      subject: string,
      o: { asOf?: string; json?: boolean; actor: string },
    ) {
      await withStation(this, (s) => {
        const e = evaluateAttestation(s, { subject, asOf: o.asOf, actor: o.actor });
        if (o.json) return out(`${JSON.stringify(e)}\n`);
        printEvaluation(out, e);
        out('The release security owner decides: station attest decide …\n');
      });
    });

  attest
    .command('status <subject>')
    .description(
      'the latest evaluation (FRESH or STALE), the owner’s decisions and the records read (what the UI shows)',
    )
    .option('--json', 'machine-readable output')
    .action(async function (this: Command, subject: string, o: { json?: boolean }) {
      await withStation(this, (s) => {
        const v = attestationStatus(s, { subject });
        if (o.json) return out(`${JSON.stringify(v)}\n`);
        printStatus(out, v);
      });
    });

  reviewerKeyOptions(
    attest
      .command('decide <subject>')
      .description(
        'the owner’s decision on the latest evaluation (refused when it is STALE), signed with the owner’s own key',
      )
      .requiredOption('--decision <decision>', DECISIONS.join(' | '))
      .requiredOption('--name <name>', 'your name (the release security owner)')
      .option('--comment <text>', 'rationale for the decision', '')
      .option('--json', 'machine-readable output (the recorded decision)')
      .option('--actor <actor>', 'who records it', 'operator:cli'),
  ).action(async function (
    this: Command,
    subject: string,
    o: ReviewerKeyOptions & {
      decision: string;
      name: string;
      comment: string;
      json?: boolean;
      actor: string;
    },
  ) {
    if (!DECISIONS.includes(o.decision as 'approve'))
      throw new CodedError('INVALID_INPUT', `--decision must be one of ${DECISIONS.join(', ')}`, {
        field: 'decision',
      });
    await withStation(this, (s) =>
      withReviewerSigner(o, configOf(this), async (signer) => {
        const d = await decideAttestation(s, {
          subject,
          decision: o.decision as 'approve',
          comment: o.comment,
          decidedBy: o.name,
          signer,
          actor: o.actor,
        });
        if (o.json) return out(`${JSON.stringify(d)}\n`);
        out(
          `recorded ${d.decision} by ${d.decidedBy} (${d.trustId}) on evaluation seq ${d.evaluationSeq} (${d.recommendation}, as of ${d.asOf})${d.followsRecommendation ? '' : ' — differs from the recommendation'}\n`,
        );
      }),
    );
  });
}
