import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ceremonyScript, scriptText, type CeremonyErrorCode, type LoadedCeremony } from '../core/ceremony';
import { CodedError } from '../core/errors';
import type { ErrorCode } from '../shared/errors';
import { loadCeremonyFile } from '../main/adapters/ceremony';
// The ceremonies door (services/ceremonies/index.ts) is being written on another branch; until it
// re-exports printCeremonyScript, the CLI reaches print.ts directly.
// eslint-disable-next-line import-x/no-restricted-paths
import { printCeremonyScript } from '../main/services/ceremonies/print';
import { configOf, type Out } from './context';

/**
 * `station ceremony check|script FILE` (docs/ceremony-format.md): a ceremony file read strictly and
 * checked without touching a token or the station's data; the digest is printed as hex and words so the
 * witnesses compare it with the copy they reviewed.
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
}
