/**
 * The printed ceremony script is the file: every example in resources/ceremonies printed by the built
 * CLI (`station ceremony print`) with the system Chromium, rendered to PNG with poppler's pdftoppm, and
 * its text read back with pdf.js. Every line of the script model —
 * each step's number, title, who acts, witnesses, quorum, bags, say, check, conditions, act and witness
 * lines — is found in the PDF's text in the model's order; the digest is there as hex and words; every
 * page carries the ceremony id, the short digest and "page X of Y"; the exception sheets close it. A file
 * with one word of one step's `say` changed prints a PDF that fails the comparison with the original.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ceremonyScript, type CeremonyScript, type LoadedCeremony } from '../../../src/core/ceremony';
import { loadCeremonyFile } from '../../../src/main/adapters/ceremony';
import { EXCEPTION_SHEETS } from '../../../src/main/services/ceremonies/print';
import { stationCli } from '../../e2e/harness';
import { suiteTempDir } from '../../helpers/temp';

const DIR = join(import.meta.dirname, '..', '..', '..', 'resources', 'ceremonies');
const EXAMPLES = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));

/**
 * pdf.js splits runs at line ends and table cells: compare with whitespace removed, ligatures unfolded
 * (NFKC), and colons dropped (the print sets a caption as "Say:", a table cell as "Say").
 */
const norm = (t: string) => t.normalize('NFKC').replace(/[\s:]+/g, '');

/** Each page's text, in pdf.js's reading order. */
async function pageTexts(path: string): Promise<string[]> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(readFileSync(path)), isEvalSupported: false })
    .promise;
  const pages: string[] = [];
  for (let n = 1; n <= doc.numPages; n++)
    pages.push(
      (await (await doc.getPage(n)).getTextContent()).items.map((i) => ('str' in i ? i.str : '')).join(' '),
    );
  await doc.destroy();
  return pages;
}

/** The footer every page carries (the same words the print's footer sets). */
const footer = (c: LoadedCeremony, page: number, of: number) =>
  norm(
    `${c.file.id} · ${c.digest.words.join(' ')} · ${c.digest.sha256.slice(0, 16)}… page ${page} of ${of} · Initials ________`,
  );

/** The PDF's body text: each page's text with its footer taken out (checked there), pages joined. */
function bodyText(pages: readonly string[], c: LoadedCeremony): string {
  return pages
    .map((text, i) => {
      const flat = norm(text);
      const f = footer(c, i + 1, pages.length);
      expect(flat, `page ${i + 1} of ${c.file.id} carries its footer`).toContain(f);
      return flat.replace(f, '');
    })
    .join('');
}

/**
 * The lines of a script (section titles too) that are not found in `body` in the script's order: each
 * is looked for after the previous one found. Empty when the PDF shows the whole script, in order.
 */
function missingInOrder(body: string, script: CeremonyScript): string[] {
  const missing: string[] = [];
  let at = 0;
  for (const s of script.sections) {
    const needles = [
      { what: `${s.id} title`, text: s.title },
      ...s.lines.map((l) => ({ what: `${s.id} ${l.source ?? '-'} ${l.label}`, text: `${l.label}${l.text}` })),
    ];
    for (const n of needles) {
      const found = body.indexOf(norm(n.text), at);
      if (found < 0) missing.push(n.what);
      else at = found + norm(n.text).length;
    }
  }
  return missing;
}

/** The share of dark pixels in a binary greyscale PGM (P5, 8-bit): a printed page has some, and is mostly white paper. */
function ink(pgm: Buffer): number {
  // Header: "P5" width height maxval, separated by whitespace, then one byte per pixel.
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(pgm.subarray(0, 64).toString('latin1'));
  expect(header, 'a binary PGM').not.toBeNull();
  const [, w, h, max] = header!.map(Number) as [number, number, number, number];
  expect(max).toBe(255);
  const pixels = pgm.subarray(pgm.length - w * h);
  let dark = 0;
  for (const v of pixels) if (v < 128) dark++;
  return dark / (w * h);
}

/**
 * Each page at 50 dpi, rendered by poppler's `pdftoppm` (apt package poppler-utils, installed by
 * scripts/setup.mjs): as PNG, and as greyscale PGM to measure the ink on it.
 */
function renderedPages(pdf: string, dir: string): { png: Buffer; pgm: Buffer }[] {
  const render = (args: string[], prefix: string) => {
    const r = spawnSync('pdftoppm', [...args, '-r', '50', pdf, join(dir, prefix)], { encoding: 'utf8' });
    expect(r.error, 'pdftoppm (poppler-utils) is installed by scripts/setup.mjs').toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    return readdirSync(dir)
      .filter((f) => f.startsWith(`${prefix}-`))
      .sort()
      .map((f) => readFileSync(join(dir, f)));
  };
  const pngs = render(['-png'], 'png');
  const pgms = render(['-gray'], 'gray');
  expect(pgms).toHaveLength(pngs.length);
  return pngs.map((png, k) => ({ png, pgm: pgms[k]! }));
}

let tmp: ReturnType<typeof suiteTempDir>;
beforeAll(() => {
  tmp = suiteTempDir('ceremony-print-');
  return () => tmp.remove();
});

/** Prints a file with the built CLI; returns the PDF's path and what the CLI said. */
function print(file: string, out: string) {
  const r = stationCli(['ceremony', 'print', file, '--out', out]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

describe.each(EXAMPLES)('station ceremony print %s', (name) => {
  const file = join(DIR, name);
  const loaded = loadCeremonyFile(file);
  const script = ceremonyScript(loaded);

  it('writes a new 0600 PDF, says its SHA-256, and renders every page to a PNG with print on it', async () => {
    const out = join(tmp.dir, `${name}.pdf`);
    const said = print(file, out);
    const bytes = readFileSync(out);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(said).toContain(`PDF SHA-256 ${createHash('sha256').update(bytes).digest('hex')}`);
    expect(said).toContain(`file SHA-256 ${loaded.digest.sha256}`);
    const pages = Number(/^wrote \S+ \((\d+) pages\)/m.exec(said)?.[1]);

    const pngDir = join(tmp.dir, `${name}-png`);
    mkdirSync(pngDir);
    const rendered = renderedPages(out, pngDir);
    expect(rendered).toHaveLength(pages);
    for (const { png, pgm } of rendered) {
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      // A4 at 50 dpi is about 413 × 585 pixels (IHDR width and height).
      expect(png.readUInt32BE(16)).toBeGreaterThan(400);
      expect(png.readUInt32BE(20)).toBeGreaterThan(570);
      const share = ink(pgm);
      expect(share).toBeGreaterThan(0.002);
      expect(share).toBeLessThan(0.5);
    }
  });

  it('shows every line of the script in order, the digest as hex and words, and the exception sheets', async () => {
    const pages = await pageTexts(join(tmp.dir, `${name}.pdf`));
    const body = bodyText(pages, loaded);
    expect(missingInOrder(body, script)).toEqual([]);
    expect(body).toContain(norm(loaded.digest.sha256));
    expect(body).toContain(norm(loaded.digest.words.join(' ')));
    // The exception sheets come last, one page each, after the closing signatures.
    const sheets = pages.slice(-EXCEPTION_SHEETS).map(norm);
    expect(EXCEPTION_SHEETS).toBeGreaterThanOrEqual(2);
    sheets.forEach((text, i) => {
      expect(text).toContain(norm(`Exception sheet ${i + 1} of ${EXCEPTION_SHEETS}`));
      for (const caption of ['Expected', 'Happened', 'Decision ☐ continue ☐ abort', 'Master of ceremonies'])
        expect(text).toContain(norm(caption));
    });
    expect(pages.slice(0, -EXCEPTION_SHEETS).map(norm).join('')).not.toContain(norm('Exception sheet'));
  });

  it('fails the comparison when one word of a step’s say is changed in the file', async () => {
    // The last step's say: the change sits deep in the script, after every other step.
    const k = loaded.file.steps.length - 1;
    const step = loaded.file.steps[k]!;
    const word = [...step.say.matchAll(/[A-Za-z]{4,}/g)].map((m) => m[0]).at(-1)!;
    const text = readFileSync(file, 'utf8');
    const sayAt = text.indexOf('say:', text.indexOf(`- id: ${step.id}\n`));
    const wordAt = text.slice(sayAt).search(new RegExp(`\\b${word}\\b`)) + sayAt;
    expect(wordAt).toBeGreaterThan(sayAt);
    const replacement = word === 'seventeen' ? 'eighteen' : 'seventeen';
    const mutatedPath = join(tmp.dir, `mutated-${name}`);
    writeFileSync(mutatedPath, text.slice(0, wordAt) + replacement + text.slice(wordAt + word.length));
    const mutated = loadCeremonyFile(mutatedPath);
    expect(mutated.file.steps[k]!.say).toBe(step.say.replace(new RegExp(`\\b${word}\\b`), replacement));
    expect(mutated.file.steps[k]!.say).not.toBe(step.say);

    const out = join(tmp.dir, `mutated-${name}.pdf`);
    print(mutatedPath, out);
    const body = bodyText(await pageTexts(out), mutated);
    // The mutated PDF is its own file's script, and not the original's: the changed say is missing.
    expect(missingInOrder(body, ceremonyScript(mutated))).toEqual([]);
    expect(missingInOrder(body, script)).toContain(`step:${step.id} steps[${k}].say Say`);
  });
});

describe('station ceremony print --out', () => {
  it('never writes over an existing file', () => {
    const file = join(DIR, EXAMPLES[0]!);
    const out = join(tmp.dir, 'taken.pdf');
    writeFileSync(out, 'someone else’s file');
    const r = stationCli(['ceremony', 'print', file, '--out', out]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('OUTPUT_EXISTS');
    expect(readFileSync(out, 'utf8')).toBe('someone else’s file');
  });
});
