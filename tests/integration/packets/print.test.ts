import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSuite, stationCli } from '../../e2e/harness';
import { DEMO_PACKET, DEMO_SUBJECT } from '../../helpers/deferral-resolve';

/**
 * The printed packet as a board reads it: the demo's deferral packet printed by the built CLI with the
 * system Chromium, then read back with pdf.js page by page — every page says "page i of N" and carries
 * the version digest; the validity runway is drawn with its labels and its numbers; the last section is
 * the decision and signature block with a blank box for each reviewer the version routes to.
 */
let suite: ReturnType<typeof demoSuite>;
const cli = (args: string[]) => stationCli([...args, '--data-dir', suite.dir], undefined, suite.env);

beforeAll(() => {
  suite = demoSuite();
});
afterAll(() => suite?.remove());

/** pdf.js splits lines and ligatures into separate runs: compare without whitespace. */
const squash = (t: string) => t.normalize('NFKC').replace(/\s+/g, '');

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

describe('station packet print', () => {
  it('numbers every page "page i of N" with the digest, draws the runway with its numbers, and ends with a blank decision block per reviewer', async () => {
    const shown = JSON.parse(cli(['packet', 'show', DEMO_PACKET, '--json']).stdout) as {
      versions: { version: number; digest: string }[];
      draft: { routing: { reviewers: { role: string; name: string }[]; requiredRoles: string[] } };
    };
    const latest = shown.versions.at(-1)!;
    const r = cli(['packet', 'print', DEMO_PACKET]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const path = /^wrote (\S+\.pdf) \((\d+) pages\)/m.exec(r.stdout);
    expect(path).not.toBeNull();
    const pages = await pageTexts(path![1]!);
    expect(pages.length).toBe(Number(path![2]));
    expect(pages.length).toBeGreaterThan(1);

    pages.forEach((text, i) => {
      const flat = squash(text);
      expect(flat, `page ${i + 1}`).toContain(squash(`page ${i + 1} of ${pages.length}`));
      expect(flat, `page ${i + 1}`).toContain(latest.digest.slice(0, 16));
      expect(flat, `page ${i + 1}`).toContain(squash(`${DEMO_PACKET} v${latest.version}`));
    });

    const all = squash(pages.join(' '));
    // The runway: drawn from the deferral request's window and its key's certificates, with labels.
    const runwayAt = all.indexOf(squash('Validity runway'));
    expect(runwayAt).toBeGreaterThan(-1);
    expect(all).toContain(squash('rotation due 2026-12-15'));
    expect(all).toContain(squash('deferral window 2026-12-15 → 2027-02-28'));
    expect(all).toContain(squash(`from deferral request ${DEMO_SUBJECT}`));
    expect(all).toContain(squash('Release Signing Intermediate 2024'));
    // Its numbers as a table: the intermediate's dates and its days past the window's end.
    const past = Math.floor((Date.parse('2027-12-16') - Date.parse('2027-02-28')) / 86_400_000);
    expect(all).toContain(squash(`VALID 2024-12-16 2027-12-16 ${past}`));

    // The decision block is the last section, after the runway; one blank box per reviewer.
    const decisionAt = all.lastIndexOf(squash('Decision and signatures'));
    expect(decisionAt).toBeGreaterThan(runwayAt);
    const block = all.slice(decisionAt);
    const reviewers = shown.draft.routing.reviewers;
    expect(reviewers.length).toBeGreaterThan(0);
    for (const rv of reviewers) expect(block).toContain(squash(`Name: ${rv.name} Role: ${rv.role}`));
    const seats = new Set([...reviewers.map((x) => x.role), ...shown.draft.routing.requiredRoles]).size;
    expect(block.split(squash('☐ approve ☐ reject ☐ defer')).length - 1).toBeGreaterThanOrEqual(seats);
    expect(block.split('Signature:').length - 1).toBe(block.split(squash('☐ approve')).length - 1);
    // The station never fills a decision.
    expect(all).not.toMatch(/[☑☒✓✔]/);
    expect(block).not.toContain(squash('Validity runway'));
  });
});
