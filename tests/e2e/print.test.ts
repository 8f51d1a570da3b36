import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, demoSuite, launchChromium, serveStation, signIn, stationCli } from './harness';

/**
 * Page titles, print layouts and the validity runway in real Chromium through the browser-mode host:
 * document.title names the view, what it has open and the station; print media hides the controls,
 * reduces the banner to one header line and keeps every status word; a PDF of a view is written; the
 * runway's labels stay inside its drawing at 1024 px.
 */
let browser: Browser;
let suite: ReturnType<typeof demoSuite>;
let host: Awaited<ReturnType<typeof serveStation>>;
let stationName: string;
/** One page for the file: the launch URL is good for one visit. */
let page: Page;
const errors: string[] = [];

const DEMO_PACKET = 'deferral-rsk-2024';
const RUNWAY_PACKET = 'runway-check';
/** Long enough that a fixed label column would have to cut it. */
const LONG_CN = 'Release Signing Intermediate 2024 Extended Validation SubCA';
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

function certificate(name: string, cn: string, days: number): string {
  const path = join(suite.media, `${name}.pem`);
  const r = spawnSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'],
      ...['-keyout', join(suite.root, `${name}.key`), '-out', path, '-subj', `/CN=${cn}`],
      ...['-days', String(days)],
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  return path;
}

beforeAll(async () => {
  suite = demoSuite();
  const cli = (args: string[]) => {
    const r = stationCli([...args, '--data-dir', suite.dir], undefined, suite.env);
    if (r.status !== 0) throw new Error(`station ${args.join(' ')}: ${r.stdout}${r.stderr}`);
    return r.stdout;
  };
  stationName = (JSON.parse(cli(['info'])) as { name: string }).name;
  // A packet whose runway has something to draw: a requested window, a rotation due date, a certificate
  // that outlives the window by years (its end label sits at the drawing's right edge) and one that
  // expires inside it.
  cli([
    ...['packet', 'new', RUNWAY_PACKET, '--kind', 'rotation-deferral', '--covers', 'runway layout'],
    ...['--subject', 'requestId=DR-2026-117', '--subject', `windowStart=${day(30)}T00:00:00.000Z`],
    ...[
      '--subject',
      `windowEnd=${day(400)}T00:00:00.000Z`,
      '--subject',
      `rotationDue=${day(30)}T00:00:00.000Z`,
    ],
  ]);
  cli([
    'packet',
    'import-evidence',
    RUNWAY_PACKET,
    certificate('long', LONG_CN, 3650),
    '--id',
    'ev-long',
    '--title',
    'long-lived certificate',
  ]);
  cli([
    'packet',
    'import-evidence',
    RUNWAY_PACKET,
    certificate('short', 'svc-short', 200),
    '--id',
    'ev-short',
    '--title',
    'short certificate',
  ]);
  host = await serveStation(suite.dir, suite.env);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(host.url);
  await signIn(page);
});
afterAll(async () => {
  await browser?.close();
  await host?.stop();
  suite?.remove();
});

async function open(label: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Workflows' })
    .getByRole('button', { name: label, exact: true })
    .click();
}

describe('Page titles', () => {
  it('document.title follows the view, what it has open and the station', async () => {
    const station = `Ceremony Station (${stationName})`;
    for (const [nav, title] of [
      ['Decisions pending', 'Decisions pending'],
      ['Station', 'Station'],
      ['Devices', 'Devices'],
      ['Custodians & Quorum', 'Custodians & Quorum'],
      ['Custody', 'Custody'],
      ['Findings', 'Findings'],
      ['Bundles & Approvals', 'Bundles & Approvals'],
      ['Journal', 'Journal'],
    ] as const) {
      await open(nav);
      await expect.poll(() => page.title()).toBe(`${title} — ${station}`);
    }
    // A selected journal entry is named.
    await page
      .getByRole('listbox', { name: /^Journal entries/ })
      .getByRole('option')
      .first()
      .click();
    await expect.poll(() => page.title()).toMatch(new RegExp(`^Journal — entry \\d+ — ${escape(station)}$`));

    // A packet view names the packet it has open, and follows the selection.
    await open('Rotation deferral');
    const packets = page.getByRole('table', { name: 'Packets' });
    await packets.getByRole('button', { name: DEMO_PACKET, exact: true }).click();
    await expect.poll(() => page.title()).toBe(`Deferral — packet ${DEMO_PACKET} — ${station}`);
    await packets.getByRole('button', { name: RUNWAY_PACKET, exact: true }).click();
    await expect.poll(() => page.title()).toBe(`Deferral — packet ${RUNWAY_PACKET} — ${station}`);
    await open('Custody attestation');
    await expect.poll(() => page.title()).toMatch(/^Custody attestation — packet attest-[\w.-]+ — Ceremony/);
  });
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What every printed view shares: no navigation or controls, one header line, status words kept. */
async function expectPrintLayout(): Promise<void> {
  expect(await page.getByRole('navigation', { name: 'Workflows' }).isVisible()).toBe(false);
  // No control is on paper: every visible button is a name printed as text (a packet id, a check ID).
  // (Strings are evaluated in the page: this file is type-checked without the DOM library.)
  const controls = await page.evaluate(
    `[...document.querySelectorAll('button, input, select, textarea, form')].filter((e) => e.getClientRects().length > 0 && !e.matches('button.link, button.check-link, button.chip')).map((e) => e.outerHTML.slice(0, 80))`,
  );
  expect(controls).toEqual([]);
  const banner = page.getByRole('banner', { name: 'Station status' });
  const text = await banner.innerText();
  expect(text).toContain(stationName);
  expect(text).toMatch(/OFFLINE/);
  expect(text).toMatch(/Journal\s*(VERIFIED|UNANCHORED|HOLD|TAMPERED|NOT CHECKED)/i);
  expect(text).toMatch(/SIGNED IN\s*Alice/);
  // The header line ends with when it was printed (print.css shows it after the banner's cells).
  const printedAt = await page.evaluate(
    `getComputedStyle(document.querySelector('header.banner'), '::after').content`,
  );
  expect(printedAt).toMatch(/printed \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
  // One line: no taller than its tallest cell plus its rule.
  const lineHeight = Number(
    await page.evaluate(
      `Math.max(...[...document.querySelector('header.banner').children].map((c) => c.getBoundingClientRect().height))`,
    ),
  );
  const box = await banner.boundingBox();
  expect(box!.height).toBeLessThan(lineHeight + 16);
}

describe('Print layouts', () => {
  it('journal, findings and deferral print without controls, with the header line and their status words; a view prints to PDF', async () => {
    // Journal: each row keeps its chain word; the line above the rows says which entries are printed.
    await open('Journal');
    const list = page.getByRole('listbox', { name: /^Journal entries, \d+ in all$/ });
    await list.getByRole('option').first().waitFor();
    const total = Number(/(\d+) in all/.exec((await list.getAttribute('aria-label')) ?? '')?.[1]);
    await page.emulateMedia({ media: 'print' });
    await expectPrintLayout();
    await expect.poll(() => list.getAttribute('data-print-note')).toMatch(/printed/);
    mkdirSync(join(ARTIFACTS, 'print'), { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'print', 'journal-print-media.png'), fullPage: true });
    const printedNote = (await list.getAttribute('data-print-note')) ?? '';
    const options = list.getByRole('option');
    const rows = (await options.evaluateAll((rs) => rs.map((r) => r.id))).map((id, i) => ({
      seq: Number(id.replace('journal-row-', '')),
      i,
    }));
    const texts = await options.allInnerTexts();
    const seqs = rows.map((r) => r.seq);
    if (/^all /.test(printedNote)) {
      expect(printedNote).toBe(`all ${total} entries printed`);
      expect(rows.length).toBe(total);
    } else {
      expect(printedNote).toContain(`entries ${Math.min(...seqs)}–${Math.max(...seqs)} of ${total} printed`);
      expect(printedNote).toContain('print the journal from the CLI for all');
    }
    // Rows are in flow (none overlaps the next) and every one carries its chain word.
    for (const t of texts) expect(t).toMatch(/VERIFIED|UNANCHORED|TAMPERED|NOT CHECKED/);
    const boxes = [];
    for (let i = 0; i < Math.min(rows.length, 30); i++) boxes.push((await options.nth(i).boundingBox())!);
    for (let i = 1; i < boxes.length; i++)
      expect(boxes[i]!.y).toBeGreaterThanOrEqual(boxes[i - 1]!.y + boxes[i - 1]!.height - 1);
    await page.emulateMedia({ media: 'screen' });
    expect(await page.getByRole('navigation', { name: 'Workflows' }).isVisible()).toBe(true);

    // Findings: the demo's evaluation, its outcome and each finding's check ID and words.
    await open('Findings');
    // An evaluation of the demo's deferral request (an act, as an operator makes it).
    const evaluate = page.getByRole('form', { name: 'Evaluate' });
    await evaluate.getByLabel(/^Subject/).fill('DR-2026-117');
    await evaluate.getByLabel(/^As of/).fill('2026-12-01T12:00:00.000Z');
    await evaluate.getByRole('button', { name: 'Evaluate' }).click();
    const findings = page.getByRole('list', { name: /^Findings, \d+$/ });
    await findings.getByRole('listitem').first().waitFor();
    await page.emulateMedia({ media: 'print' });
    await expectPrintLayout();
    const findingsText = await findings.innerText();
    expect(findingsText).toMatch(/DEF-[A-Z-]+/);
    expect(findingsText).toMatch(/BLOCKING|NOT BLOCKING/);
    await expect.poll(() => findings.getAttribute('data-print-note')).toMatch(/printed/);
    const n = Number(/Findings, (\d+)/.exec((await findings.getAttribute('aria-label')) ?? '')?.[1]);
    const printedRows = await findings.locator('.finding-row').count();
    const findingsNote = (await findings.getAttribute('data-print-note')) ?? '';
    expect(findingsNote).toEqual(
      printedRows >= n ? `all ${n} printed` : expect.stringContaining(`${printedRows} of ${n} printed`),
    );
    await page.emulateMedia({ media: 'screen' });

    // Deferral: the packet's gate word and its findings; then the whole view as a PDF.
    await open('Rotation deferral');
    await page
      .getByRole('table', { name: 'Packets' })
      .getByRole('button', { name: DEMO_PACKET, exact: true })
      .click();
    const packet = page.getByRole('article', { name: `Packet ${DEMO_PACKET}` });
    await packet.getByRole('table', { name: 'Findings' }).waitFor();
    await page.emulateMedia({ media: 'print' });
    await expectPrintLayout();
    const packetText = await packet.innerText();
    expect(packetText).toMatch(/HOLD/);
    expect(packetText).toMatch(/DEF-HSM-ATTEST/);
    expect(await packet.getByRole('table', { name: 'Findings' }).isVisible()).toBe(true);

    const dir = join(ARTIFACTS, 'print');
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, 'deferral-print-media.png'), fullPage: true });
    const path = join(dir, 'deferral-view.pdf');
    await page.pdf({ path, format: 'A4', printBackground: true });
    const bytes = readFileSync(path);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), isEvalSupported: false }).promise;
    expect(doc.numPages).toBeGreaterThan(0);
    let pdfText = '';
    for (let i = 1; i <= doc.numPages; i++)
      pdfText += (await (await doc.getPage(i)).getTextContent()).items
        .map((t) => ('str' in t ? t.str : ''))
        .join(' ');
    await doc.destroy();
    const flat = pdfText.replace(/\s+/g, '');
    expect(flat).toContain(DEMO_PACKET);
    expect(flat).toContain('DEF-HSM-ATTEST');
    expect(flat).toMatch(/printed\d{4}-\d{2}-\d{2}/);
    expect(flat).not.toContain('Decisionspending');
    expect(errors).toEqual([]);
  });
});

describe('Validity runway at 1024 px', () => {
  it('scales with its pane and keeps every label inside the drawing, whole', async () => {
    await page.emulateMedia({ media: 'screen' });
    await page.setViewportSize({ width: 1024, height: 768 });
    await open('Rotation deferral');
    await page
      .getByRole('table', { name: 'Packets' })
      .getByRole('button', { name: RUNWAY_PACKET, exact: true })
      .click();
    const figure = page.getByRole('figure', {
      name: /^Validity runway: \d+ certificates, [1-9]\d* expires? before/,
    });
    const svg = figure.locator('svg');
    await svg.waitFor();
    const box = (await svg.boundingBox())!;
    const pane = (await figure.boundingBox())!;
    expect(await svg.getAttribute('viewBox')).toMatch(/^0 0 \d+ \d+$/);
    // It fills its pane, rather than a fixed pixel width.
    expect(box.width).toBeGreaterThan(0);
    expect(Math.abs(box.width - pane.width)).toBeLessThan(2);
    const texts = svg.locator('text');
    const labels: { text: string; x: number; y: number; width: number; height: number }[] = [];
    for (let i = 0; i < (await texts.count()); i++)
      labels.push({ text: (await texts.nth(i).textContent()) ?? '', ...(await texts.nth(i).boundingBox())! });
    expect(labels.length).toBeGreaterThan(6);
    for (const l of labels) {
      expect.soft(l.x, l.text).toBeGreaterThanOrEqual(box.x - 0.5);
      expect.soft(l.x + l.width, l.text).toBeLessThanOrEqual(box.x + box.width + 0.5);
      expect.soft(l.y, l.text).toBeGreaterThanOrEqual(box.y - 0.5);
      expect.soft(l.y + l.height, l.text).toBeLessThanOrEqual(box.y + box.height + 0.5);
    }
    const all = labels.map((l) => l.text).join(' ');
    // The long subject is wrapped, not cut; the short certificate is named in words.
    for (const word of LONG_CN.split(' ')) expect(all).toContain(word);
    expect(all).toMatch(/EXPIRES IN WINDOW/);
    expect(all).toMatch(/rotation due/);
    expect(all).toMatch(/today/);
    await figure.screenshot({ path: join(ARTIFACTS, 'print', 'runway-1024.png') });
  });

  it('the demo deferral draws on screen what its print draws: the request window and the key’s inventory certificates', async () => {
    await page.emulateMedia({ media: 'screen' });
    await open('Rotation deferral');
    await page
      .getByRole('table', { name: 'Packets' })
      .getByRole('button', { name: 'deferral-rsk-2024', exact: true })
      .click();
    const section = page.getByRole('region', { name: 'Validity runway' });
    await expect
      .poll(() => section.innerText())
      .toMatch(/from the certificate inventory[\s\S]*deferral request/);
    expect(await section.getByRole('figure').count()).toBe(1);
    expect(await section.getByRole('list', { name: 'Runway facts' }).innerText()).toMatch(
      /Requested window \d{4}-/,
    );
  });
});
