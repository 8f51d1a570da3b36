import AxeBuilder from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, demoSuite, launchChromium, serveStation, signIn } from './harness';

/**
 * Every view of the navigation, at the smallest supported screen and a common desktop one, in real
 * Chromium against the demo station: a full-page screenshot for a reviewer, axe-core's WCAG 2.1 A/AA
 * rules (no serious or critical violation), and the layout promises of ../shared/UI.md — nothing
 * scrolls sideways, the banner is one line of one fixed height, the key table columns are on screen at
 * 1024×700, and an empty detail pane gives its width to the work.
 *
 * One station, one page: the views are opened through the navigation as a person does.
 */

type ViewName =
  | 'decisions'
  | 'station'
  | 'devices'
  | 'custodians'
  | 'custody'
  | 'deferral'
  | 'attestation'
  | 'authority'
  | 'authority-packets'
  | 'activation'
  | 'activation-packets'
  | 'findings'
  | 'bundles'
  | 'ceremonies'
  | 'journal';

interface ViewSpec {
  view: ViewName;
  /** The navigation button's name (App.tsx NAV). */
  nav: string;
  /** The view's heading: the view is drawn when it shows. */
  heading: RegExp;
  /** Drawn last: the view is settled when it shows. */
  ready?: (page: Page) => Locator;
  /** The table (by accessible name) and the columns an operator needs without scrolling, at 1024×700. */
  columns?: { table: string | RegExp; names: string[] };
}

const VIEWS: ViewSpec[] = [
  {
    view: 'decisions',
    nav: 'Decisions pending',
    heading: /^Decisions pending/,
    columns: { table: 'Pending decisions', names: ['Decision', 'Who', 'By', 'What', 'Where'] },
  },
  { view: 'station', nav: 'Station', heading: /^Station$/ },
  {
    view: 'devices',
    nav: 'Devices',
    heading: /^Devices/,
    columns: { table: /^Tokens of /, names: ['Label', 'Serial', 'State'] },
  },
  {
    view: 'custodians',
    nav: 'Custodians & Quorum',
    heading: /^Custodians/,
    columns: { table: 'Approved roster', names: ['Custodian', 'Roles', 'Valid', 'Status'] },
  },
  {
    view: 'custody',
    nav: 'Custody',
    heading: /^Custody/,
    columns: { table: 'Custody items', names: ['Item', 'Status', 'Seal', 'Inspection'] },
  },
  {
    view: 'deferral',
    nav: 'Rotation deferral',
    heading: /^Rotation deferral packets$/,
    ready: (p) => p.getByRole('article', { name: /^Packet / }),
    columns: { table: 'Packets', names: ['Packet', 'Gate', 'Versions'] },
  },
  {
    view: 'attestation',
    nav: 'Custody attestation',
    heading: /^Custody attestation packets$/,
    ready: (p) => p.getByRole('article', { name: /^Packet / }),
    columns: { table: 'Packets', names: ['Packet', 'Gate', 'Versions'] },
  },
  {
    // The demo incident (INC-2026-0502) opens with its evaluation's lanes.
    view: 'authority',
    nav: 'Compromise authority',
    heading: /^Compromise authority$/,
    ready: (p) => p.getByRole('heading', { name: 'Lanes in rank order' }),
  },
  {
    view: 'authority-packets',
    nav: 'Compromise packets',
    heading: /^Compromise authority packets$/,
    ready: (p) => p.getByRole('article', { name: /^Packet / }),
    columns: { table: 'Packets', names: ['Packet', 'Gate', 'Versions'] },
  },
  {
    // The demo gate (DECL-2026-0611) opens with its state, hold register and ledger.
    view: 'activation',
    nav: 'Activation gate',
    heading: /^Activation gate$/,
    ready: (p) => p.getByRole('figure', { name: 'Shift coverage' }),
    columns: { table: 'Activation gate packets', names: ['Packet', 'Declaration', 'Gate', 'Versions'] },
  },
  {
    view: 'activation-packets',
    nav: 'Activation packets',
    heading: /^Activation gate packets$/,
    ready: (p) => p.getByRole('article', { name: /^Packet / }),
    columns: { table: 'Packets', names: ['Packet', 'Gate', 'Versions'] },
  },
  {
    view: 'findings',
    nav: 'Findings',
    heading: /^Findings/,
    columns: { table: 'Record families', names: ['Family', 'Records'] },
  },
  // The demo has exported nothing yet: no Approvals table to measure, the layout and axe checks stand.
  { view: 'bundles', nav: 'Bundles & Approvals', heading: /^Bundles/ },
  { view: 'ceremonies', nav: 'Ceremonies', heading: /^Ceremonies$/ },
  { view: 'journal', nav: 'Journal', heading: /^Journal/ },
];

const SIZES = [
  { width: 1024, height: 700 },
  { width: 1440, height: 900 },
] as const;

/**
 * axe files some faults under "needs review" rather than "violation" although they are structural and
 * certain (a label ARIA does not allow there, a list with no items, a table with no data cells): those
 * fail the test like violations. Colour contrast it cannot compute (text over a scrolled or overlapped
 * background) stays a review item, listed in the log: the contrast it could compute must pass.
 */
const REVIEW_AS_FAILURE = new Set(['aria-prohibited-attr', 'aria-required-children', 'th-has-data-cells']);

const SHOTS = join(ARTIFACTS, 'views');

let browser: Browser;
let page: Page;
let suite: ReturnType<typeof demoSuite>;
let host: Awaited<ReturnType<typeof serveStation>>;
const pageErrors: string[] = [];
/** Banner height by `<view> <w>x<h>`: one fixed height across views and sizes. */
const bannerHeights = new Map<string, number>();
const review: string[] = [];

beforeAll(async () => {
  suite = demoSuite();
  host = await serveStation(suite.dir, suite.env);
  browser = await launchChromium();
  // AxeBuilder needs a page of a context the test made (not browser.newPage's implicit one).
  page = await (await browser.newContext({ viewport: SIZES[0] })).newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(host.url);
  await signIn(page, 'Alice');
  mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  if (review.length > 0) console.warn(`axe could not decide (review by eye):\n${review.join('\n')}`);
  await browser?.close();
  await host?.stop();
  suite?.remove();
});

async function open(spec: ViewSpec): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Workflows' })
    .getByRole('button', { name: spec.nav, exact: true })
    .click();
  await page.getByRole('main').getByRole('heading', { level: 1, name: spec.heading }).waitFor();
  if (spec.columns)
    await page.getByRole('table', { name: spec.columns.table }).first().waitFor({ state: 'visible' });
  if (spec.ready) await spec.ready(page).waitFor();
  if (spec.view === 'journal')
    await expect
      .poll(() =>
        page
          .getByRole('listbox', { name: /^Journal entries/ })
          .getByRole('option')
          .count(),
      )
      .toBeGreaterThan(0);
  // Fonts and the virtualised lists settle before anything is measured.
  // (A string: this file is type-checked without the DOM library.)
  await page.evaluate('document.fonts.ready.then(() => true)');
}

/** axe-core's WCAG 2.1 A/AA rules; a serious or critical fault fails with what to fix and where. */
async function axeCheck(label: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const grave = (r: { impact?: string | null }) => r.impact === 'serious' || r.impact === 'critical';
  const faults = [
    ...results.violations.filter(grave),
    ...results.incomplete.filter((r) => grave(r) && REVIEW_AS_FAILURE.has(r.id)),
  ];
  const lines: string[] = [];
  for (const v of faults) {
    const nodes = v.nodes;
    lines.push(
      `- ${v.id} [${v.impact}] ${v.help} (${v.helpUrl})`,
      ...nodes
        .slice(0, 8)
        .map((n) => `    at ${n.target.join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ') ?? ''}`),
      ...(nodes.length > 8 ? [`    … and ${nodes.length - 8} more`] : []),
    );
  }
  const unsure = results.incomplete.filter((r) => grave(r) && !REVIEW_AS_FAILURE.has(r.id));
  for (const r of unsure) review.push(`${label}: ${r.id} on ${r.nodes.length} node(s), needs review`);
  expect(lines.join('\n'), `axe: ${label} has serious/critical WCAG faults`).toBe('');
}

interface Layout {
  scrollWidth: number;
  innerWidth: number;
  /** Scrolling panes that scroll sideways: the pane, by how much, and what sticks out. */
  sideways: string[];
  banner: { height: number; rows: number; children: string[] };
  main: { left: number; right: number };
  detail: { width: number; empty: boolean } | null;
}

/**
 * The little of the DOM that measure() reads. This file is type-checked without the DOM library (it runs
 * in Node); the function below runs in the page, where these are the real objects.
 */
interface PageBox {
  left: number;
  right: number;
  top: number;
  bottom: number;
  width: number;
  height: number;
}
interface PageElement {
  tagName: string;
  id: string;
  className: unknown;
  children: Iterable<PageElement>;
  scrollWidth: number;
  clientWidth: number;
  offsetWidth: number;
  getBoundingClientRect(): PageBox;
  getAttribute(name: string): string | null;
  matches(selector: string): boolean;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
}
interface PageGlobals {
  document: PageElement & { scrollingElement: PageElement };
  innerWidth: number;
  getComputedStyle(e: PageElement): { overflowX: string };
}

async function measure(): Promise<Layout> {
  return page.evaluate(() => {
    const { document, innerWidth, getComputedStyle } = globalThis as unknown as PageGlobals;
    const banner = document.querySelector('header[role="banner"]')!;
    // One line: every cell's middle falls within the vertical band of a cell already seen.
    const bands: [number, number][] = [];
    for (const c of banner.children) {
      const r = c.getBoundingClientRect();
      const mid = r.top + r.height / 2;
      if (!bands.some(([t, b]) => mid >= t && mid <= b)) bands.push([r.top, r.bottom]);
    }
    const name = (e: PageElement) => {
      const cls = typeof e.className === 'string' ? e.className.trim().split(/\s+/).filter(Boolean) : [];
      const label = e.getAttribute('aria-label');
      return `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${cls.map((c) => `.${c}`).join('')}${label ? `[aria-label="${label}"]` : ''}`;
    };
    // How far an element reaches right: its box, or its own content overflowing it (a long unbroken word).
    const reach = (e: PageElement) => {
      const r = e.getBoundingClientRect();
      return Math.max(r.right, r.left + e.scrollWidth);
    };
    // What sticks out, named as a reviewer finds it: the innermost elements past the pane's right edge.
    const offenders = (p: PageElement) => {
      const edge = p.getBoundingClientRect().right - (p.offsetWidth - p.clientWidth) + 1;
      const out: string[] = [];
      for (const e of p.querySelectorAll('*')) {
        if (reach(e) <= edge || [...e.children].some((c) => reach(c) > edge)) continue;
        out.push(`${name(e)} (${Math.round(reach(e) - edge)}px)`);
      }
      return out.slice(0, 4).join(', ');
    };
    // Every pane that scrolls (main, detail, and the lists inside them) and scrolls sideways.
    const sideways = [...document.querySelectorAll('.shell *')]
      .filter((p) => /auto|scroll/.test(getComputedStyle(p).overflowX) && p.scrollWidth > p.clientWidth + 1)
      .map((p) => `${name(p)} by ${p.scrollWidth - p.clientWidth}px: ${offenders(p)}`);
    const main = document.querySelector('main')!.getBoundingClientRect();
    const detail = document.querySelector('aside.detail');
    const children = detail ? [...detail.children] : [];
    return {
      scrollWidth: document.scrollingElement.scrollWidth,
      innerWidth,
      sideways,
      banner: {
        height: banner.getBoundingClientRect().height,
        rows: bands.length,
        children: [...banner.children].map((c) => `${name(c)}@${Math.round(c.getBoundingClientRect().top)}`),
      },
      main: { left: main.left, right: main.right },
      detail: detail
        ? {
            width: detail.getBoundingClientRect().width,
            // Empty: nothing selected, only the pane's hint.
            empty: children.length <= 1 && children.every((c) => c.matches('p.hint, p.muted')),
          }
        : null,
    };
  });
}

/** Nothing scrolls sideways, the page or any pane in it. Soft: one run lists every layout fault. */
function expectNoSideways(label: string, l: Layout): void {
  expect.soft(l.scrollWidth, `${label}: the page scrolls sideways`).toBeLessThanOrEqual(l.innerWidth);
  expect.soft(l.sideways.join('; '), `${label}: a pane scrolls sideways`).toBe('');
}

/** The columns an operator needs are drawn, with room, inside the window. */
async function expectKeyColumns(label: string, spec: ViewSpec, width: number): Promise<void> {
  const headers: { name: string; header: Locator }[] = [];
  if (spec.columns) {
    const table = page.getByRole('table', { name: spec.columns.table }).first();
    for (const name of spec.columns.names)
      headers.push({ name, header: table.getByRole('columnheader', { name, exact: true }) });
  }
  if (spec.view === 'journal')
    // The journal's header row is drawn above its listbox (whose rows are options), hidden from the tree.
    for (const name of ['seq', 'actor', 'kind', 'chain'])
      headers.push({
        name,
        header: page.locator('.journal-header > span', { hasText: new RegExp(`^${name}$`) }),
      });
  for (const { name, header } of headers) {
    await expect.poll(() => header.isVisible(), { message: `${label}: column ${name} visible` }).toBe(true);
    const box = await header.boundingBox();
    expect(box, `${label}: column ${name} laid out`).not.toBeNull();
    expect.soft(box!.width, `${label}: column ${name} has room`).toBeGreaterThan(24);
    expect.soft(box!.x + box!.width, `${label}: column ${name} inside the window`).toBeLessThanOrEqual(width);
  }
}

/** The detail states that matter most: the view with something selected and its detail pane filled. */
const DETAIL_STATES: { name: string; view: ViewName; select(): Promise<void> }[] = [
  {
    // A deferral packet (the first is selected on opening) with one of its claims, its evidence beside it.
    name: 'deferral-packet',
    view: 'deferral',
    async select() {
      const packet = page.getByRole('article', { name: /^Packet / });
      await packet.getByRole('table', { name: 'Claims' }).getByRole('button').first().click();
      await page
        .getByRole('complementary', { name: 'Evidence' })
        .getByRole('heading', { level: 2 })
        .waitFor();
    },
  },
  {
    // The demo gate with the declaration record behind its ledger line, its provenance beside it.
    name: 'activation-record',
    view: 'activation',
    async select() {
      await page
        .getByRole('region', { name: 'Ledger: Declaration' })
        .getByRole('button', { name: /^continuity-declaration:/ })
        .first()
        .click();
      await page.getByRole('complementary', { name: 'Detail' }).getByRole('heading', { level: 2 }).waitFor();
    },
  },
  {
    // A journal event with its stored bytes and hashes beside the list.
    name: 'journal-event',
    view: 'journal',
    async select() {
      await page
        .getByRole('listbox', { name: /^Journal entries/ })
        .getByRole('option')
        .last()
        .click();
      await page
        .getByRole('complementary', { name: 'Event detail' })
        .getByRole('heading', { level: 2 })
        .waitFor();
    },
  },
];

for (const size of SIZES) {
  const tag = `${size.width}x${size.height}`;
  describe(`Every view at ${tag} in Chromium`, () => {
    beforeAll(async () => {
      await page.setViewportSize(size);
    });

    for (const spec of VIEWS) {
      it(`${spec.view}: screenshot, no serious/critical axe fault, no sideways scroll, one-line banner${size.width === 1024 ? ', key columns on screen, no empty detail pane taking width' : ''}`, async () => {
        await open(spec);
        await page.screenshot({ path: join(SHOTS, `${spec.view}-${tag}.png`), fullPage: true });
        const label = `${spec.view} at ${tag}`;

        const l = await measure();
        bannerHeights.set(label, l.banner.height);
        expectNoSideways(label, l);
        expect
          .soft(
            l.banner.rows,
            `${label}: banner cells on more than one line: ${l.banner.children.join(', ')}`,
          )
          .toBe(1);

        if (size.width === 1024) {
          await expectKeyColumns(label, spec, size.width);
          if (l.detail === null || l.detail.empty)
            // No detail pane, or an empty one (only its hint): the work gets the width.
            expect
              .soft(l.main.right, `${label}: ${l.detail ? 'an empty' : 'an absent'} detail pane takes width`)
              .toBeGreaterThanOrEqual(l.innerWidth - 1);
        }

        await axeCheck(label);
      });
    }

    for (const state of DETAIL_STATES) {
      it(`${state.name}: screenshot, no serious/critical axe fault, no sideways scroll${size.width === 1024 ? ', key columns on screen' : ''}`, async () => {
        const spec = VIEWS.find((v) => v.view === state.view)!;
        await open(spec);
        await state.select();
        await page.screenshot({ path: join(SHOTS, `${state.name}-${tag}.png`), fullPage: true });
        const label = `${state.name} at ${tag}`;
        const l = await measure();
        expectNoSideways(label, l);
        expect(l.detail?.empty, `${label}: the detail pane shows the selection`).toBe(false);
        if (size.width === 1024) await expectKeyColumns(label, spec, size.width);
        await axeCheck(label);
      });
    }
  });
}

describe('Across views and sizes', () => {
  it('keeps one fixed height everywhere, and nothing failed in the page', () => {
    const heights = [...bannerHeights.values()];
    expect(heights.length).toBe(VIEWS.length * SIZES.length);
    expect(
      new Set(heights.map((h) => Math.round(h))).size,
      `banner heights differ: ${JSON.stringify(Object.fromEntries(bannerHeights))}`,
    ).toBe(1);
    expect(pageErrors).toEqual([]);
  });
});
