import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unescapeHtml } from '../../../core/html';
import { ceremonyScript } from '../../../core/ceremony';
import { parseCeremonyBytes } from '../../adapters/ceremony';
import { EXCEPTION_SHEETS, ceremonyScriptFooter, ceremonyScriptHtml } from './print';

const EXAMPLE = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  '..',
  'resources',
  'ceremonies',
  'key-generation.yaml',
);
const TEXT = readFileSync(EXAMPLE, 'utf8');

/** The example with text of its own in the title and the first step's say. */
function withText(title: string, say: string) {
  const from = ['title: Intermediate signing key rotation 2027\n', '      This is the intermediate'];
  for (const f of from) expect(TEXT.split(f).length - 1).toBe(1);
  const text = TEXT.replace(from[0]!, `title: '${title.replace(/'/g, "''")}'\n`).replace(
    from[1]!,
    `      ${say} This is the intermediate`,
  );
  return parseCeremonyBytes(new TextEncoder().encode(text), 'hostile.yaml');
}

const PAGE_TAGS = new Set(
  'html head meta title style body h1 h2 p span div table colgroup col tr th td section strong'.split(' '),
);

describe('ceremonyScriptHtml', () => {
  it('escapes every text of the file: a ceremony file cannot put markup or script on the page', () => {
    const loaded = withText(
      `Rotation <b>"bold"</b> & 'quoted'`,
      '<script>alert(1)</script><img src=x onerror=alert(2)>',
    );
    const html = ceremonyScriptHtml(loaded);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(html).toContain('Rotation &lt;b&gt;&quot;bold&quot;&lt;/b&gt; &amp; &#39;quoted&#39;');
    // The page's own tags only, none with a handler, a link or a source: nothing runs or is fetched.
    const tags = [...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)([^>]*)>/g)];
    const names = new Set(tags.map((t) => t[1]!.toLowerCase()));
    expect([...names].filter((n) => !PAGE_TAGS.has(n))).toEqual([]);
    expect(tags.filter((t) => /\b(on\w+|src|href)\s*=/i.test(t[2]!)).map((t) => t[0])).toEqual([]);
    expect(html).not.toMatch(/url\(|@import/i);
    expect(ceremonyScriptFooter(loaded)).not.toMatch(/<script|<b>/i);
  });

  it('carries every line of the script model, in order, and the blank exception sheets after them', () => {
    const loaded = parseCeremonyBytes(new Uint8Array(readFileSync(EXAMPLE)), EXAMPLE);
    const html = ceremonyScriptHtml(loaded);
    const text = unescapeHtml(html.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ');
    let at = 0;
    for (const l of ceremonyScript(loaded).sections.flatMap((s) => s.lines)) {
      const found = text.indexOf(l.text, at);
      expect(found, `${l.source} ${l.label}`).toBeGreaterThanOrEqual(at);
      at = found + l.text.length;
    }
    const sheets = [...text.matchAll(/Exception sheet (\d+) of (\d+)/g)];
    expect(EXCEPTION_SHEETS).toBeGreaterThanOrEqual(2);
    expect(sheets.map((m) => m.slice(1))).toEqual(
      Array.from({ length: EXCEPTION_SHEETS }, (_, i) => [String(i + 1), String(EXCEPTION_SHEETS)]),
    );
    expect(text.indexOf('Exception sheet 1')).toBeGreaterThan(at);
    expect(text).toContain('Master of ceremonies: Ana Ruiz (ana-ruiz)');
  });

  it('puts the ceremony id, the digest (words and short hex) and page X of Y on every page', () => {
    const loaded = parseCeremonyBytes(new Uint8Array(readFileSync(EXAMPLE)), EXAMPLE);
    const footer = ceremonyScriptFooter(loaded);
    expect(footer).toContain('intermediate-2027-rotation');
    expect(footer).toContain(loaded.digest.words.join(' '));
    expect(footer).toContain(loaded.digest.sha256.slice(0, 16));
    expect(footer).toMatch(/page <span class="pageNumber"><\/span> of <span class="totalPages"><\/span>/);
  });
});
