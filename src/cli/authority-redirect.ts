import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CodedError } from '../core/errors';
import { RESTRICTED_NOTE_MAX, type View } from '../shared/contract';
import { listRedirects, recordRedirect, redirectFacts } from '../main/services/authority';
import { reviewerKeyOptions, withReviewerSigner, type ReviewerKeyOptions } from './bundles';
import { configOf, positiveInt, withStation, type Out } from './context';

/**
 * `station authority redirect` and `station authority redirects`: a person's signed redirect of a
 * compromise-authority recommendation, and the redirects recorded for an incident (what the UI shows).
 * They join the `authority` command group whoever creates it first (src/cli/authority.ts holds the
 * group's other commands): `authorityGroup` finds it or makes it.
 */

/** The program's `authority` group: the one already registered, or a new one. */
export function authorityGroup(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'authority') ??
    program
      .command('authority')
      .description('compromise authority (workflow 002): lanes, lineage, and people’s signed redirects')
  );
}

/** One redirect as a line: what the person decided, beside what the station computed. */
export function redirectLine(r: View<'authorityRedirects'>['redirects'][number]): string {
  const computed = r.computedLane === null ? 'no lane' : `${r.computedLane} RECOMMENDED`;
  return (
    `REDIRECTED to ${r.toLane} (station computes it ${r.targetComputedStatus.toUpperCase().replace('_', ' ')}) ` +
    `by ${r.redirectedBy} (${r.trustId}, ${r.role}) at ${r.at}, seq ${r.seq}, on evaluation seq ${r.evaluationSeq} · ` +
    `station computes ${computed}\n  reason: ${r.reason}\n` +
    (r.restrictedNoteSha256 ? `  restricted note: SHA-256 ${r.restrictedNoteSha256} (kept, not shown)\n` : '')
  );
}

/** Reads a restricted note file: a regular file, bounded, UTF-8 text. */
function readNote(path: string): string {
  const fd = openSync(resolve(path), 'r');
  try {
    const st = fstatSync(fd);
    // UTF-8 takes at most 4 bytes a character: anything larger cannot be a note within the limit.
    if (!st.isFile() || st.size > RESTRICTED_NOTE_MAX * 4)
      throw new CodedError(
        'INVALID_INPUT',
        `--restricted-note ${path}: a regular text file of at most ${RESTRICTED_NOTE_MAX} characters`,
        { field: 'restrictedNote' },
      );
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

export function registerAuthorityRedirectCommands(program: Command, out: Out): void {
  const authority = authorityGroup(program);

  reviewerKeyOptions(
    authority
      .command('redirect <incident>')
      .description(
        'redirect the compromise-authority recommendation of a FRESH evaluation to a lane, signed with your own key; the station records what it computed beside it',
      )
      .requiredOption(
        '--evaluation <seq>',
        'the evaluation redirected (its journal seq)',
        positiveInt('--evaluation'),
      )
      .requiredOption('--to <lane>', 'the lane the case goes to (a lane id of the matrix)')
      .requiredOption('--reason <text>', 'why, in plain words for a broad audience (≤ 2000 characters)')
      .option('--restricted-note <file>', 'detail for the approved channel only: kept, never journaled')
      .option('--json', 'machine-readable output (the recorded redirect)')
      .option('--actor <actor>', 'who records it', 'operator:cli'),
  ).action(async function (
    this: Command,
    incidentId: string,
    o: ReviewerKeyOptions & {
      evaluation: number;
      to: string;
      reason: string;
      restrictedNote?: string;
      json?: boolean;
      actor: string;
    },
  ) {
    const restrictedNote = o.restrictedNote === undefined ? undefined : readNote(o.restrictedNote);
    const request = {
      incidentId,
      evaluationSeq: o.evaluation,
      toLane: o.to,
      reason: o.reason,
      restrictedNote,
    };
    await withStation(this, (s) => {
      // Refused before the key is asked for: no passphrase or PIN is typed for an act that cannot be recorded.
      redirectFacts(s, request);
      return withReviewerSigner(o, configOf(this), async (signer) => {
        const r = await recordRedirect(s, { ...request, signer, actor: o.actor });
        if (o.json) return out(`${JSON.stringify(r)}\n`);
        out(`recorded: ${redirectLine(r)}`);
      });
    });
  });

  authority
    .command('redirects <incident>')
    .description('the redirects recorded for an incident, in journal order; the last is in force')
    .option('--json', 'machine-readable output (the authorityRedirects view)')
    .action(async function (this: Command, incidentId: string, o: { json?: boolean }) {
      await withStation(this, (s) => {
        const v = listRedirects(s, incidentId);
        if (o.json) return out(`${JSON.stringify(v)}\n`);
        if (v.redirects.length === 0) return out(`${incidentId}: no redirect recorded\n`);
        for (const r of v.redirects)
          out(`${r.seq === v.inForce?.seq ? 'IN FORCE  ' : 'earlier   '}${redirectLine(r)}`);
      });
    });
}
