import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ceremonyScript, scriptText, type CeremonyErrorCode, type LoadedCeremony } from '../core/ceremony';
import { CodedError } from '../core/errors';
import type { ErrorCode } from '../shared/errors';
import { loadCeremonyFile } from '../main/adapters/ceremony';
import {
  actStep,
  checkStep,
  decideDeviation,
  listRuns,
  prepareRehearsal,
  printCeremonyScript,
  printTranscript,
  reportDeviation,
  runView,
  startRun,
  witnessStep,
  type RunView,
} from '../main/services/ceremonies';
import { exportCeremonyTranscript } from '../main/services/bundles';
import { stderrProgress } from './bundles';
import { collect, configOf, moduleOf, withStation, type Out } from './context';
import { readPin, readPins } from './pin';

/**
 * `station ceremony check|script FILE` (docs/ceremony-format.md): a ceremony file read strictly and
 * checked without touching a token or the station's data; the digest is printed as hex and words so the
 * witnesses compare it with the copy they reviewed.
 * `station ceremony run FILE` and `station ceremony step status|check|act|witness|deviation|decide RUN`
 * (docs/ceremonies.md): the same runner the console drives, for headless stations.
 */

// Compile-time check: every code the ceremony model raises is in the catalogue (src/shared/errors.ts).
type Uncatalogued = Exclude<CeremonyErrorCode, ErrorCode>;
const ceremonyCodesCatalogued: [Uncatalogued] extends [never] ? true : Uncatalogued = true;
void ceremonyCodesCatalogued;

/** What `ceremony check --json` prints for a file that loads. */
export function ceremonySummary(c: LoadedCeremony) {
  const f = c.file;
  return {
    ok: true as const,
    source: c.source,
    size: c.size,
    sha256: c.digest.sha256,
    words: c.digest.words,
    ceremony: f.ceremony,
    id: f.id,
    title: f.title,
    type: f.type,
    planned: f.planned,
    participants: f.participants.map((p) => ({ id: p.id, name: p.name, role: p.role })),
    steps: f.steps.map((s) => ({ id: s.id, title: s.title, act: s.act.kind })),
  };
}

/** Loads the file; with --json a refusal is also printed as JSON on stdout (the error still exits non-zero). */
function load(file: string, out: Out, json: boolean): LoadedCeremony {
  try {
    return loadCeremonyFile(resolve(file));
  } catch (e) {
    if (json && e instanceof CodedError) out(`${JSON.stringify({ ok: false, error: e.toJSON() })}\n`);
    throw e;
  }
}

/** Adds `check` and `script` to the `ceremony` group (after registerCustodianCommands, which opens it). */
export function registerCeremonyCommands(program: Command, out: Out): void {
  // Into the ceremony group src/cli/custodians.ts opens (keygen, sign on a share-activated token).
  const ceremony =
    program.commands.find((c) => c.name() === 'ceremony') ??
    program.command('ceremony').description('key ceremonies');

  ceremony
    .command('check')
    .description(
      'decode and validate a ceremony file; print its digest (hex and words), type, participants and steps',
    )
    .argument('<file>', 'the ceremony file (YAML)')
    .option('--json', 'machine-readable output')
    .action(function (file: string, o: { json?: boolean }) {
      const c = load(file, out, Boolean(o.json));
      const s = ceremonySummary(c);
      if (o.json) return out(`${JSON.stringify(s)}\n`);
      out(`OK ${s.type} ceremony ${s.id}: ${s.title}\n`);
      out(`file ${s.source} (${s.size} bytes)\n`);
      out(`SHA-256 ${s.sha256}\n  words: ${s.words.join(' ')}\n`);
      out(`planned ${s.planned.date} at ${s.planned.location}\n`);
      out(`participants (${s.participants.length}):\n`);
      for (const p of s.participants) out(`  ${p.role.padEnd(20)} ${p.name} (${p.id})\n`);
      out(`steps (${s.steps.length}):\n`);
      s.steps.forEach((st, i) => out(`  ${String(i + 1).padStart(2)}. ${st.title} [${st.act}]\n`));
    });

  ceremony
    .command('script')
    .description('print the ceremony script as plain text: the same content the printed script carries')
    .argument('<file>', 'the ceremony file (YAML)')
    .option('--json', 'print the script model as JSON')
    .action(function (file: string, o: { json?: boolean }) {
      const script = ceremonyScript(load(file, out, Boolean(o.json)));
      out(o.json ? `${JSON.stringify(script)}\n` : scriptText(script));
    });

  // `ceremony print`: the same script as a PDF (src/main/services/ceremonies/print.ts).
  ceremony
    .command('print')
    .description(
      'print the ceremony script to a new PDF (A4): steps with checkboxes, participants, bags, the digest, exception sheets',
    )
    .argument('<file>', 'the ceremony file (YAML)')
    .requiredOption('--out <file>', 'new file for the PDF (never overwritten; 0600)')
    .action(async function (this: Command, file: string, o: { out: string }) {
      const loaded = load(file, out, false);
      const r = await printCeremonyScript(loaded, { out: resolve(o.out), chromium: configOf(this).chromium });
      out(`wrote ${r.path} (${r.pages ?? '?'} pages) for ceremony ${loaded.file.id}\n`);
      out(`file SHA-256 ${loaded.digest.sha256}\n  words: ${loaded.digest.words.join(' ')}\n`);
      out(`PDF SHA-256 ${r.sha256}\n`);
    });
  registerRunCommands(ceremony, out);
  registerTranscriptCommands(ceremony, out);
}

/** `ceremony run`, `ceremony runs` and `ceremony step …` (docs/ceremonies.md). */
function registerRunCommands(ceremony: Command, out: Out): void {
  const actor = (cmd: Command) =>
    cmd.option('--actor <actor>', 'who records it (the signed-in operator)', 'operator:cli');
  const pinOf = (o: { pinStdin?: boolean; pin?: boolean }, prompt: string) =>
    o.pinStdin || o.pin ? readPin(prompt, Boolean(o.pinStdin)) : Promise.resolve(undefined);

  actor(
    ceremony
      .command('run')
      .description(
        'start a run of a ceremony file: --rehearsal on a scratch token the station makes, or --production (needs a completed rehearsal of the same bytes)',
      )
      .argument('<file>', 'the ceremony file (YAML)')
      .option('--rehearsal', 'rehearse on a scratch SoftHSM2 token')
      .option('--production', 'act on the tokens the file names')
      .requiredOption('--out-dir <dir>', 'where the run writes its outputs (new files only)')
      .option('--pin-stdin', 'rehearsal: read the scratch token user PIN to set from stdin')
      .option('--json', 'machine-readable output'),
  ).action(async function (
    this: Command,
    file: string,
    o: {
      rehearsal?: boolean;
      production?: boolean;
      outDir: string;
      pinStdin?: boolean;
      json?: boolean;
      actor: string;
    },
  ) {
    if (Boolean(o.rehearsal) === Boolean(o.production))
      throw new CodedError('INVALID_INPUT', 'say --rehearsal or --production', { field: 'mode' });
    const mode = o.rehearsal ? 'rehearsal' : 'production';
    const scratchPin = o.rehearsal
      ? await readPin('user PIN for the scratch token: ', Boolean(o.pinStdin))
      : undefined;
    await withStation(this, async (s) => {
      const r = startRun(s, { file: resolve(file), mode, outDir: o.outDir, scratchPin, actor: o.actor });
      // A rehearsal of a backup or a destruction first makes, on the scratch token, the key the file acts on.
      const prepared =
        scratchPin === undefined
          ? null
          : await prepareRehearsal(s, { runId: r.runId, pin: scratchPin, actor: o.actor });
      if (o.json) return out(`${JSON.stringify({ ...r, prepared })}\n`);
      out(`run ${r.runId} (${mode}) started\nSHA-256 ${r.fileDigest}\n  words: ${r.words.join(' ')}\n`);
      if (r.target)
        out(
          `token ${r.target.tokenLabel} (serial ${r.target.tokenSerial ?? 'found at each step'}) stands for ${r.target.fileToken}\n`,
        );
      if (prepared && 'splitId' in prepared)
        out(
          `rehearsal shares of split ${prepared.splitId} (the scratch token's PIN) written:\n${prepared.shareFiles.map((f) => `  ${f}\n`).join('')}`,
        );
      else if (prepared)
        out(
          `rehearsal key ${prepared.label} (CKA_ID ${prepared.id}${prepared.backup ? ', backup-capable' : ''}) made on the scratch token\n`,
        );
    });
  });

  ceremony
    .command('runs')
    .description('list ceremony runs')
    .option('--json', 'machine-readable output')
    .action(async function (this: Command, o: { json?: boolean }) {
      await withStation(this, (s) => {
        const runs = listRuns(s);
        if (o.json) return out(`${JSON.stringify(runs)}\n`);
        for (const r of runs)
          out(`${r.runId}  ${r.mode.padEnd(10)} ${r.ceremonyId}  ${r.ended ?? 'open'}  ${r.startedAt}\n`);
      });
    });

  const step = ceremony
    .command('step')
    .description("a run's steps: status, check, act, witness, deviation, decide");

  step
    .command('status')
    .description('where the run is, what the current step needs, and every deviation with its decision')
    .argument('<run>', 'run id')
    .option('--json', 'machine-readable output')
    .action(async function (this: Command, runId: string, o: { json?: boolean }) {
      await withStation(this, (s) => {
        const v = runView(s, { runId });
        out(o.json ? `${JSON.stringify(v)}\n` : statusText(v));
      });
    });

  actor(
    step
      .command('check')
      .description(
        "evaluate the current step's preconditions; any that fails is a deviation that halts the run",
      )
      .argument('<run>', 'run id')
      .option('--quorum <session>', "the quorum session proving the step's custodians present")
      .option(
        '--bag <serial=read>',
        'a bag checked: its serial and the serial read aloud (repeatable)',
        collect,
        [],
      )
      .option('--bag-not-intact <serial>', 'a bag found damaged (repeatable)', collect, [])
      .option('--pin', "ask for the token's user PIN (label checks)")
      .option('--escrow-pin', "a backup: ask for the escrow token's user PIN too (label checks there)")
      .option('--pin-stdin', 'read the PINs asked for from stdin, one per line (user, then escrow)')
      .option('--json', 'machine-readable output'),
  ).action(async function (
    this: Command,
    runId: string,
    o: {
      quorum?: string;
      bag: string[];
      bagNotIntact: string[];
      pin?: boolean;
      escrowPin?: boolean;
      pinStdin?: boolean;
      json?: boolean;
      actor: string;
    },
  ) {
    const bags = o.bag.map((b) => {
      const [serial = '', readAloud = ''] = b.split('=');
      return { serial, readAloud, intact: !o.bagNotIntact.includes(serial) };
    });
    const [pin, escrowPin] = o.escrowPin
      ? await readPins(['token user PIN: ', 'escrow token user PIN: '], Boolean(o.pinStdin))
      : [await pinOf(o, 'token user PIN: ')];
    await withStation(this, (s) => {
      const r = checkStep(s, { runId, quorumSessionId: o.quorum, bags, pin, escrowPin, actor: o.actor });
      if (o.json) return out(`${JSON.stringify(r)}\n`);
      for (const p of r.preconditions)
        out(`${p.result === 'pass' ? 'PASS' : 'FAIL'} ${p.kind}: ${p.observed}\n`);
      if (r.deviationSeq !== null)
        out(`DEVIATION ${r.deviationSeq}: the run halts until the master of ceremonies decides\n`);
    });
  });

  actor(
    step
      .command('act')
      .description("perform the current step's act and read its postconditions back")
      .argument('<run>', 'run id')
      .option('--note <text>', 'record-note and manual steps: what was said or done')
      .option('--pin', "ask for the token's user PIN")
      .option(
        '--backup-pins',
        "a key backup: ask for the source token's user PIN, the escrow token's user PIN and the SO PIN",
      )
      .option('--pin-stdin', 'read the PINs asked for from stdin, one per line (user, escrow, SO)')
      .option(
        '--share-file <file>',
        "shares-reissue: a custodian's current share file (repeatable; at least the threshold)",
        collect,
        [],
      )
      .option(
        '--share-out <dir>',
        'shares-reissue: the removable media folder the new shares are written to (production: required, never the station)',
      )
      .option('--json', 'machine-readable output'),
  ).action(async function (
    this: Command,
    runId: string,
    o: {
      note?: string;
      pin?: boolean;
      backupPins?: boolean;
      pinStdin?: boolean;
      shareFile: string[];
      shareOut?: string;
      json?: boolean;
      actor: string;
    },
  ) {
    const [pin, escrowPin, soPin] = o.backupPins
      ? await readPins(
          ['source token user PIN: ', 'escrow token user PIN: ', 'SO PIN (trusted wrap key): '],
          Boolean(o.pinStdin),
        )
      : [await pinOf(o, 'token user PIN: ')];
    await withStation(this, async (s) => {
      const r = await actStep(s, {
        runId,
        note: o.note,
        pin,
        escrowPin,
        soPin,
        shareFiles: o.shareFile.map((f) => resolve(f)),
        shareOut: o.shareOut === undefined ? undefined : resolve(o.shareOut),
        actor: o.actor,
      });
      if (o.json) return out(`${JSON.stringify(r)}\n`);
      out(`${r.act}: ${r.result}\n`);
      for (const p of r.postconditions)
        out(`${p.result === 'pass' ? 'PASS' : 'FAIL'} ${p.kind}: ${p.observed}\n`);
      for (const f of r.outputs) out(`wrote ${f.path} (SHA-256 ${f.sha256})\n`);
      if (r.deviationSeq !== null)
        out(`DEVIATION ${r.deviationSeq}: the run halts until the master of ceremonies decides\n`);
    });
  });

  actor(
    step
      .command('witness')
      .description(
        'a witness checks the current step off: their own token signs the run, step and file digest',
      )
      .argument('<run>', 'run id')
      .requiredOption('--token <serial>', "the witness's own token")
      .option('--module <id>', 'registered module id (default: the only one)')
      .option('--pin-stdin', "read the witness's PIN from stdin"),
  ).action(async function (
    this: Command,
    runId: string,
    o: { token: string; module?: string; pinStdin?: boolean; actor: string },
  ) {
    const pin = await readPin(`PIN of witness token ${o.token}: `, Boolean(o.pinStdin));
    await withStation(this, (s) => {
      const r = witnessStep(s, {
        runId,
        moduleId: moduleOf(s, o.module),
        serial: o.token,
        pin,
        actor: o.actor,
      });
      out(`${r.custodianId} checked off step ${r.stepId}${r.completed ? '; the run is complete' : ''}\n`);
    });
  });

  actor(
    step
      .command('deviation')
      .description('report what happened instead of what the current step expected: the run halts')
      .argument('<run>', 'run id')
      .requiredOption('--expected <text>', 'what the step expected')
      .requiredOption('--happened <text>', 'what happened'),
  ).action(async function (
    this: Command,
    runId: string,
    o: { expected: string; happened: string; actor: string },
  ) {
    await withStation(this, (s) => {
      const r = reportDeviation(s, { runId, expected: o.expected, happened: o.happened, actor: o.actor });
      out(`DEVIATION ${r.seq} at step ${r.stepId}: the run halts until the master of ceremonies decides\n`);
    });
  });

  actor(
    step
      .command('decide')
      .description('the master of ceremonies decides on the open deviation: continue or abort the run')
      .argument('<run>', 'run id')
      .requiredOption('--deviation <seq>', 'the deviation (its journal seq)', Number)
      .option('--continue', 'accept what happened and go on')
      .option('--abort', 'end the run')
      .requiredOption('--reason <text>', 'why'),
  ).action(async function (
    this: Command,
    runId: string,
    o: { deviation: number; continue?: boolean; abort?: boolean; reason: string; actor: string },
  ) {
    if (Boolean(o.continue) === Boolean(o.abort))
      throw new CodedError('INVALID_INPUT', 'say --continue or --abort', { field: 'decision' });
    await withStation(this, (s) => {
      const r = decideDeviation(s, {
        runId,
        deviationSeq: o.deviation,
        decision: o.abort ? 'abort' : 'continue',
        reason: o.reason,
        actor: o.actor,
      });
      out(r.status === 'aborted' ? `run ${runId} aborted\n` : `run ${runId} continues\n`);
    });
  });
}

function statusText(v: RunView): string {
  const lines = [
    `run ${v.runId} (${v.mode}) of ${v.ceremonyId}: ${v.title}`,
    `SHA-256 ${v.fileDigest}`,
    `status ${v.status.toUpperCase()}${v.current ? `: step ${v.current.stepId} needs ${v.current.needs}` : ''}`,
  ];
  if (v.quorumOperation) lines.push(`quorum: open the session for ${v.quorumOperation}`);
  if (v.quorumOperationRefused)
    lines.push(`quorum: no session can be opened yet: ${v.quorumOperationRefused}`);
  if (v.openDeviation)
    lines.push(
      `open deviation ${v.openDeviation.seq} at ${v.openDeviation.stepId}: expected ${v.openDeviation.expected}; happened ${v.openDeviation.happened}`,
    );
  v.steps.forEach((s, i) => {
    lines.push(
      `  ${String(i + 1).padStart(2)}. ${s.done ? 'DONE' : '    '} ${s.stepId} [${s.actKind ?? '?'}]: check ${s.check}, act ${s.act}, postconditions ${s.post}, ${s.witnesses.length}/${s.witnessesNeeded} witnesses`,
    );
  });
  for (const d of v.deviations)
    lines.push(
      `deviation ${d.seq} at ${d.stepId} (${d.phase}): ${d.decision ? `${d.decision.decision} by ${d.decision.actor}: ${d.decision.reason}` : 'OPEN'}`,
    );
  return `${lines.join('\n')}\n`;
}

/**
 * `ceremony transcript RUN --out PDF` and `ceremony bundle RUN` (docs/ceremonies.md, "Transcript"): the
 * run's annotated transcript as a PDF, and its signed `ceremony-transcript` bundle for reviewers.
 */
function registerTranscriptCommands(ceremony: Command, out: Out): void {
  ceremony
    .command('transcript')
    .description(
      "print a run's transcript to a new PDF: the script annotated from the journal, deviations and decisions on filled exception sheets",
    )
    .argument('<run>', 'run id')
    .requiredOption('--out <file>', 'new file for the PDF (never overwritten; 0600)')
    .option('--json', 'machine-readable output')
    .action(async function (this: Command, runId: string, o: { out: string; json?: boolean }) {
      await withStation(this, async (s) => {
        const r = await printTranscript(s, runId, { out: resolve(o.out) });
        if (o.json) return out(`${JSON.stringify(r)}\n`);
        out(`wrote ${r.path} (${r.pages ?? '?'} pages): transcript of run ${runId}, ${r.marking}\n`);
        out(`outcome: ${r.outcome}\nfile SHA-256 ${r.fileDigest}\nPDF SHA-256 ${r.sha256}\n`);
      });
    });

  ceremony
    .command('bundle')
    .description(
      "export a run's signed transcript bundle (journal entries, the ceremony file, its outputs re-hashed, the transcript PDF, the journal and checkpoint) to a volume",
    )
    .argument('<run>', 'run id')
    .option('--volume <path>', 'the volume (default: the only ready one)')
    .option('--no-pdf', 'leave the transcript PDF out (a station without Chromium)')
    .option('--pin-stdin', 'read the station token PIN from the first line of stdin')
    .option('--actor <actor>', 'who exports (the signed-in operator)', 'operator:cli')
    .option('--json', 'machine-readable result')
    .action(async function (
      this: Command,
      runId: string,
      o: { volume?: string; pdf: boolean; pinStdin?: boolean; actor: string; json?: boolean },
    ) {
      await withStation(this, async (s) => {
        const pin = await readPin('Station token PIN: ', o.pinStdin === true);
        const r = await exportCeremonyTranscript(
          s,
          {
            runId,
            volume: o.volume ? resolve(o.volume) : undefined,
            pdf: o.pdf,
            pin,
            actor: o.actor,
          },
          stderrProgress(),
        );
        if (o.json) return out(`${JSON.stringify(r)}\n`);
        out(
          `exported the transcript of run ${runId} to ${r.path} (${r.sizeBytes} bytes), read back and verified\n`,
        );
        out(
          `  packet ${r.packetId} version ${r.version}\n  digest ${r.digest}\n  words  ${r.words.join(' ')}\n`,
        );
        for (const f of r.files) out(`  ${f.sha256}  ${f.name}\n`);
      });
    });
}
