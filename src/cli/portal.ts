import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CodedError } from '../core/errors';
import {
  assertOnline,
  browserPortal,
  exportPortalEvidence,
  portalProfilesView,
  portalRunView,
  portalStatus,
  probePortal,
  reconcileRun,
  submitIssuance,
  type PortalAdapter,
} from '../main/services/portal';
import type { View } from '../shared/contract';
import { stderrProgress } from './bundles';
import { withStation, type Out } from './context';
import { EXIT } from './exit-codes';
import { readPin } from './pin';

/**
 * `station portal profiles|probe|submit|reconcile|status` (online stations, docs/portal-submission.md).
 * Portal credentials: `--username` and the password typed at a terminal without echo, or its first line
 * on stdin (`--password-stdin`), or a 0600 JSON file `{"username","password"}` (`--credentials-file`).
 * They are used for the portal's sign-in page only and never printed, journaled or kept.
 */
interface CredentialFlags {
  username?: string;
  passwordStdin?: boolean;
  credentialsFile?: string;
}

function credentialsOf(o: CredentialFlags): (() => Promise<{ username: string; password: string }>) | null {
  if (o.credentialsFile) {
    const path = o.credentialsFile;
    return () => {
      const st = statSync(path);
      if ((st.mode & 0o077) !== 0)
        throw new CodedError(
          'INVALID_INPUT',
          `${path} is readable by others (mode ${(st.mode & 0o777).toString(8)}): chmod 600 it`,
          { field: 'credentialsFile' },
        );
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(path, 'utf8'));
      } catch {
        throw new CodedError('INVALID_INPUT', `${path} is not JSON {"username","password"}`, {
          field: 'credentialsFile',
        });
      }
      const c = parsed as { username?: unknown; password?: unknown };
      if (typeof c.username !== 'string' || typeof c.password !== 'string' || !c.username || !c.password)
        throw new CodedError('INVALID_INPUT', `${path} needs "username" and "password" strings`, {
          field: 'credentialsFile',
        });
      return Promise.resolve({ username: c.username, password: c.password });
    };
  }
  if (!o.username) return null;
  const username = o.username;
  return async () => ({
    username,
    password: await readPin(`portal password for ${username}: `, Boolean(o.passwordStdin)),
  });
}

const credentialOptions = (c: Command) =>
  c
    .option('--username <name>', 'portal user name (the password is asked without echo)')
    .option('--password-stdin', 'read the portal password from the first line of stdin')
    .option('--credentials-file <path>', 'a 0600 JSON file {"username","password"}');

export function printRun(out: Out, r: View<'portalReconcile'>): void {
  out(`portal run ${r.runId} — request ${r.requestId} via ${r.profile} at ${r.origin}\n`);
  out(`  ${r.state}: ${r.sentence}\n`);
  out(
    `  started ${r.startedAt} by ${r.actor}, pre-check evaluation ${r.evaluationSeq}, entry ${r.entryDigest.slice(0, 16)}…\n`,
  );
  if (r.stopped) {
    out(`  stopped ${r.stopped.stage} (${r.stopped.outcome}); owner: ${r.stopped.owner ?? '—'}\n`);
    for (const b of r.stopped.blockers) out(`    ${b.checkId}: ${b.sentence}\n`);
  }
  if (r.halt)
    out(
      `  halt ${r.halt.kind}${r.halt.tab ? ` on ${r.halt.tab}` : ''}${r.halt.field ? ` (${r.halt.field})` : ''}: ${r.halt.detail}\n  draft: ${r.halt.disposition}${r.halt.draftId ? ` ${r.halt.draftId}` : ''}\n`,
    );
  if (r.readBack.length > 0)
    out(
      `  read back: ${r.readBack.filter((x) => x.match).length} of ${r.readBack.length} fields match${
        r.readBack.some((x) => !x.match)
          ? ` (differs: ${r.readBack
              .filter((x) => !x.match)
              .map((x) => `${x.tab}/${x.take}`)
              .join(', ')})`
          : ''
      }\n`,
    );
  if (r.intentSeq !== null) out(`  submit intent at journal seq ${r.intentSeq}\n`);
  if (r.ambiguousReason) out(`  outcome unknown: ${r.ambiguousReason}\n`);
  if (r.portalRequestId) out(`  portal request id: ${r.portalRequestId}\n`);
  for (const c of r.reconciliations)
    out(
      `  reconciliation seq ${c.seq} by ${c.actor}: ${c.result}${c.portalRequestId ? ` ${c.portalRequestId}` : ''} (${c.rows} rows)\n`,
    );
  for (const s of r.screenshots) out(`  screenshot ${s.name}.png sha256 ${s.sha256}\n`);
  out(`  next: ${r.next}\n`);
}

function printStatus(out: Out, v: View<'portalStatus'>): void {
  out(`station mode: ${v.mode.toUpperCase()}\n`);
  for (const s of v.stops) {
    out(
      `pre-check stop seq ${s.seq} ${s.at} — request ${s.requestId}: ${s.outcome}; owner ${s.owner ?? '—'}\n`,
    );
    for (const b of s.blockers) out(`  ${b.checkId}: ${b.sentence}\n`);
  }
  if (v.runs.length === 0) out('no portal run yet\n');
  for (const r of v.runs) printRun(out, r);
}

/** Exit status of a submission: 0 only when the portal holds the request. */
function exitFor(r: View<'portalReconcile'> | null): number {
  if (!r) return EXIT.STATE;
  return r.state === 'SUBMITTED' ? 0 : EXIT.STATE;
}

export function registerPortalCommands(
  program: Command,
  out: Out,
  adapter: () => PortalAdapter = browserPortal,
): void {
  const portal = program
    .command('portal')
    .description('online mode: submit an approved issuance request through a browser-only PKI portal');

  portal
    .command('profiles')
    .description('the portal profiles this station knows (resources/portals/*.yaml)')
    .option('--json', 'machine-readable output')
    .action(function (o: { json?: boolean }) {
      const v = portalProfilesView(adapter());
      if (o.json) return out(`${JSON.stringify(v)}\n`);
      for (const p of v) out(`${p.name}  ${p.title}  sha256 ${p.sha256}\n  takes: ${p.takes.join(', ')}\n`);
    });

  credentialOptions(
    portal
      .command('probe')
      .description('walk a portal with a profile without typing or submitting; report every mismatch')
      .requiredOption('--profile <name>', 'portal profile')
      .requiredOption('--url <url>', 'the portal base URL')
      .option('--headed', 'show the browser window')
      .option('--json', 'machine-readable output'),
  ).action(async function (
    this: Command,
    o: CredentialFlags & { profile: string; url: string; headed?: boolean; json?: boolean },
  ) {
    // Only an online station drives a browser to a portal (an offline ceremony machine never does).
    await withStation(this, (s) => assertOnline(s));
    const report = await probePortal(adapter(), {
      profile: o.profile,
      baseUrl: o.url,
      headless: !o.headed,
      credentials: credentialsOf(o),
    });
    if (o.json) out(`${JSON.stringify(report)}\n`);
    else {
      out(
        `probe of ${o.url} with ${o.profile}: ${report.ok ? 'every locator and label matches' : `${report.mismatches.length} mismatch(es)`}\n`,
      );
      for (const m of report.mismatches) out(`  ${m}\n`);
    }
    if (!report.ok) process.exitCode = EXIT.STATE;
  });

  credentialOptions(
    portal
      .command('submit')
      .description(
        'pre-check, enter and read back every tab, pre-check again, journal the submit intent, submit once',
      )
      .requiredOption('--request <id>', 'issuance-request record id')
      .requiredOption('--profile <name>', 'portal profile')
      .requiredOption('--url <url>', 'the portal base URL (inside the profile’s allowlist)')
      .option('--headless', 'no window (default: a window the operator can watch and take over)')
      .option('--json', 'machine-readable output')
      .option('--actor <actor>', 'who submits', 'operator:cli'),
  ).action(async function (
    this: Command,
    o: CredentialFlags & {
      request: string;
      profile: string;
      url: string;
      headless?: boolean;
      json?: boolean;
      actor: string;
    },
  ) {
    await withStation(this, async (s) => {
      const r = await submitIssuance(
        s,
        {
          requestId: o.request,
          profile: o.profile,
          baseUrl: o.url,
          headless: Boolean(o.headless),
          credentials: credentialsOf(o),
          actor: o.actor,
        },
        adapter(),
      );
      const run = r.run ? portalRunView(r.run) : null;
      if (o.json)
        out(
          `${JSON.stringify({ run, windowOpen: r.windowOpen, preCheck: { seq: r.preCheck.seq, outcome: r.preCheck.outcome, blockers: r.preCheck.blockers } })}\n`,
        );
      else if (run) {
        printRun(out, run);
        if (r.windowOpen)
          out(
            `  the browser window stays open for a person to take over (draft: ${run.halt?.disposition ?? run.stopped?.stage ?? 'as left'}); nothing more is done by the station, and no other portal act starts on this station until the window is closed. Submitting there makes a request the next run's duplicate check will see.\n`,
          );
      } else {
        out(
          `STOPPED before entry: pre-check evaluation ${r.preCheck.seq} gave ${r.preCheck.outcome}; nothing was entered\n`,
        );
        for (const b of r.preCheck.blockers) out(`  ${b.checkId}: ${b.sentence}\n`);
      }
      process.exitCode = exitFor(run);
    });
  });

  credentialOptions(
    portal
      .command('reconcile')
      .description('search the portal for a HALTED-AMBIGUOUS run’s request (never submits) and record it')
      .requiredOption('--run <id>', 'the portal run')
      .requiredOption('--url <url>', 'the portal base URL')
      .option('--headless', 'no window')
      .option('--json', 'machine-readable output')
      .option('--actor <actor>', 'who reconciles', 'operator:cli'),
  ).action(async function (
    this: Command,
    o: CredentialFlags & { run: string; url: string; headless?: boolean; json?: boolean; actor: string },
  ) {
    await withStation(this, async (s) => {
      const r = portalRunView(
        await reconcileRun(
          s,
          {
            runId: o.run,
            baseUrl: o.url,
            headless: Boolean(o.headless),
            credentials: credentialsOf(o),
            actor: o.actor,
          },
          adapter(),
        ),
      );
      if (o.json) out(`${JSON.stringify(r)}\n`);
      else printRun(out, r);
      process.exitCode = exitFor(r);
    });
  });

  portal
    .command('evidence')
    .description(
      'export one run’s signed evidence bundle (run, approval trace, masked screenshots, journal) to a volume',
    )
    .requiredOption('--run <id>', 'the portal run')
    .option('--volume <path>', 'the volume (default: the only ready one)')
    .option('--pin-stdin', 'read the station token PIN from the first line of stdin')
    .option('--actor <actor>', 'who exports', 'operator:cli')
    .option('--json', 'machine-readable result')
    .action(async function (
      this: Command,
      o: { run: string; volume?: string; pinStdin?: boolean; actor: string; json?: boolean },
    ) {
      await withStation(this, async (s) => {
        const pin = await readPin('Station token PIN: ', o.pinStdin === true);
        const r = await exportPortalEvidence(
          s,
          { runId: o.run, volume: o.volume ? resolve(o.volume) : undefined, pin, actor: o.actor },
          stderrProgress(),
        );
        if (o.json) return out(`${JSON.stringify(r)}\n`);
        out(
          `exported the evidence of run ${o.run} to ${r.path} (${r.sizeBytes} bytes), read back and verified\n`,
        );
        out(
          `  packet ${r.packetId} version ${r.version}\n  digest ${r.digest}\n  words  ${r.words.join(' ')}\n`,
        );
        for (const f of r.files) out(`  ${f.sha256}  ${f.name}\n`);
      });
    });

  portal
    .command('status')
    .description('portal runs and pre-check stops, from the journal')
    .option('--request <id>', 'one issuance request')
    .option('--json', 'machine-readable output (the portalStatus view)')
    .action(async function (this: Command, o: { request?: string; json?: boolean }) {
      const v = await withStation(this, (s) => portalStatus(s, { requestId: o.request }));
      if (o.json) return out(`${JSON.stringify(v)}\n`);
      printStatus(out, v);
    });
}
