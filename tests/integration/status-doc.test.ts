import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { STATUS_WORDS } from '../../src/shared/status';

/**
 * One status vocabulary (docs/status.md, src/shared/status.ts): every status word the station can show —
 * a literal in the renderer, an upper-case value of a contract enum (what `--json` and print carry), or a
 * lower-case status enum the UI shows upper-cased — is in the vocabulary, so it has one colour and one
 * meaning everywhere; a badge never sets the colour of a vocabulary word itself. The doc's table is
 * generated; after changing the vocabulary regenerate it with
 *   STATUS_DOC_WRITE=1 npx vitest run --project integration tests/integration/status-doc.test.ts
 */
const ROOT = join(import.meta.dirname, '..', '..');
const DOC = join(ROOT, 'docs', 'status.md');
const BEGIN = '<!-- status-words:begin (generated from src/shared/status.ts) -->';
const END = '<!-- status-words:end -->';

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return files(p, ext);
    return ext.test(n) && !/\.test\.tsx?$/.test(n) ? [p] : [];
  });
}

/** Check IDs and names of rules are not status words (CUST-SEAL-MATCH, JNL-ANCHOR, …). */
const CHECK_ID = /^(CUST|JNL|NAME|QUORUM|OPS|ROSTER|DEF|PKT|ATT|APR|BND|SIGNIN|REC|ACT|CMP|SIGN)-[A-Z0-9-]+$/;
/** Upper-case literals that are not states: units, formats, key names. */
const NOT_STATUS = new Set(['UTC', 'PIN', 'PEM', 'DER', 'PDF', 'CSV', 'JSON', 'HSM', 'CLI', 'SO', 'PKCS']);

function literalWords(): Map<string, string> {
  const found = new Map<string, string>();
  const sources = [
    ...files(join(ROOT, 'src', 'renderer'), /\.tsx?$/),
    ...files(join(ROOT, 'src', 'shared', 'contract'), /\.ts$/),
  ];
  for (const f of sources) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/'([A-Z][A-Z /-]{2,})'|"([A-Z][A-Z /-]{2,})"/g)) {
      const w = (m[1] ?? m[2]) as string;
      if (CHECK_ID.test(w) || NOT_STATUS.has(w)) continue;
      if (!found.has(w)) found.set(w, relative(ROOT, f));
    }
  }
  return found;
}

/** Lower-case enums the UI shows upper-cased: any enum holding one of these status values. */
const STATUS_ENUM_MARKERS = ['satisfied', 'stale', 'approve', 'approvable', 'supported', 'ready', 'added'];
function upperCasedEnumWords(): Map<string, string> {
  const found = new Map<string, string>();
  const sources = [
    join(ROOT, 'src', 'core', 'journal', 'events.ts'),
    ...files(join(ROOT, 'src', 'core', 'packet'), /\.ts$/),
    join(ROOT, 'src', 'core', 'findings', 'model.ts'),
    ...files(join(ROOT, 'src', 'shared', 'contract'), /\.ts$/),
  ];
  for (const f of sources) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/(?:z\.enum\(|=)\s*\[([^\]]*)\]/g)) {
      const values = [...(m[1] as string).matchAll(/'([a-z][a-z-]*)'/g)].map((v) => v[1] as string);
      if (!values.some((v) => STATUS_ENUM_MARKERS.includes(v))) continue;
      for (const v of values) if (!found.has(v.toUpperCase())) found.set(v.toUpperCase(), relative(ROOT, f));
    }
  }
  return found;
}

function generated(): string {
  const rows = Object.entries(STATUS_WORDS).map(
    ([w, s]) => `| \`${w}\` | ${s.tone} | ${s.meaning.replace(/\|/g, '\\|')} |`,
  );
  return [BEGIN, '', '| Word | Colour | Meaning |', '| --- | --- | --- |', ...rows, '', END].join('\n');
}

describe('docs/status.md: one status vocabulary', () => {
  it('every status word the renderer and the contract can show is in the vocabulary', () => {
    const missing = [...literalWords(), ...upperCasedEnumWords()]
      .filter(([w]) => !Object.hasOwn(STATUS_WORDS, w))
      .map(([w, f]) => `${w} (${f})`);
    expect(missing).toEqual([]);
  });

  it('a badge never colours a vocabulary word itself (the word has one colour everywhere)', () => {
    const overrides: string[] = [];
    for (const f of files(join(ROOT, 'src', 'renderer'), /\.tsx$/)) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/<Badge\s+word="([^"]+)"[^>]*\btone=/g))
        if (Object.hasOwn(STATUS_WORDS, m[1] as string)) overrides.push(`${m[1]} (${relative(ROOT, f)})`);
    }
    expect(overrides).toEqual([]);
  });

  it('the table in docs/status.md is the vocabulary', async () => {
    const doc = readFileSync(DOC, 'utf8');
    const begin = doc.indexOf(BEGIN);
    const end = doc.indexOf(END);
    expect(begin).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(begin);
    const options = { ...(await resolveConfig(DOC)), filepath: DOC };
    const want = await format(doc.slice(0, begin) + generated() + doc.slice(end + END.length), options);
    if (process.env.STATUS_DOC_WRITE === '1') writeFileSync(DOC, want);
    expect(doc).toBe(want);
  });
});
