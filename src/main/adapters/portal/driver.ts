import { PORTAL_HALT_KINDS } from '../../../core/portal/model';
import { createHash } from 'node:crypto';
import type { Browser, BrowserContext, Locator, Page, Response } from 'playwright-core';
import { CHROMIUM_BASE_FLAGS, findChromium } from '../../platform/chromium';
import {
  HALT_GROUPS,
  LINE_TAKES,
  PORTAL_TAKES,
  originAllowed,
  portalError,
  portalUrl,
  type HaltGroup,
  type PortalField,
  type PortalProfile,
  type PortalTab,
  type PortalTake,
} from './profile';

/**
 * The portal driver: fills one approved issuance request into a browser-only PKI portal, as the
 * portal's profile (profile.ts) describes it, and halts safely on any doubt. It never decides: it
 * types what the packet says, reads every field back, and stops at the first thing that is not exactly
 * as expected, leaving the draft saved (where the portal allows) for a person to take over.
 *
 * What it guarantees, whoever calls it:
 *  - a fresh browser context per run, no trace, video or HAR, downloads refused, service workers
 *    blocked, and every request to an origin outside the profile's `allow` aborted (reported as the
 *    halt `navigation-blocked`);
 *  - credentials come from a callback at sign-in and appear in no result, error or screenshot (every
 *    screenshot masks the profile's `mask` selectors and every password input);
 *  - field values appear in results only as SHA-256 digests and masked previews;
 *  - submit clicks at most once per session, only after `beforeClick` resolved; after the click only a
 *    confirmation that yields an id is `confirmed`, everything else is `ambiguous` with the reason, and
 *    nothing is ever retried.
 */

/** Every reason a page halts a run (core/portal/model; docs/portal-profiles.md describes each). */
export const HALT_KINDS = PORTAL_HALT_KINDS;
export type HaltKind = (typeof PORTAL_HALT_KINDS)[number];

export interface Halt {
  readonly kind: HaltKind;
  readonly tab?: string;
  /** The field's take (or the control's locator). */
  readonly field?: string;
  /** A masked preview (value halts) or the expected label/text (layout halts). */
  readonly expected?: string;
  readonly found?: string;
  readonly detail: string;
}

/** The packet's values, by take; list takes (sans, approvalRefs) are arrays. */
export type PortalValues = Partial<Record<PortalTake, string | readonly string[]>>;

export interface ReadBack {
  readonly tab: string;
  readonly take: PortalTake;
  readonly expectedSha256: string;
  readonly foundSha256: string;
  readonly match: boolean;
}

export interface Screenshot {
  readonly name: string;
  /** PNG, taken with Playwright's `mask` over the profile's mask selectors and every password input. */
  readonly png: Buffer;
}

export interface FillResult {
  readonly state: 'ready-to-submit' | 'halted';
  readonly halt?: Halt;
  /** The portal's draft id, from the tab URL or the draft-saved message (null if never seen). */
  readonly draftId: string | null;
  /** True when the draft was saved on halt (otherwise it was abandoned as it stood). */
  readonly draftSaved: boolean;
  readonly readBack: readonly ReadBack[];
  readonly screenshots: readonly Screenshot[];
}

export type SubmitResult =
  | {
      readonly state: 'confirmed';
      readonly requestId: string;
      /** The confirmation text the pattern matched (the station journals its digest). */
      readonly confirmation: string;
      readonly screenshots: readonly Screenshot[];
    }
  | { readonly state: 'ambiguous'; readonly reason: string; readonly screenshots: readonly Screenshot[] };

export interface SearchRow {
  readonly requestId: string;
  readonly subject: string | null;
  readonly fingerprint: string | null;
  readonly state: string | null;
}

export interface PortalTimeouts {
  /** One page load (after a click or a navigation). */
  readonly navigationMs: number;
  /** One action on one element (fill, click, read). */
  readonly actionMs: number;
  /** From the submit click to a confirmation, before the outcome is ambiguous. */
  readonly submitMs: number;
}
const DEFAULT_TIMEOUTS: PortalTimeouts = { navigationMs: 30_000, actionMs: 10_000, submitMs: 60_000 };

export interface PortalCredentials {
  readonly username: string;
  readonly password: string;
}

export interface OpenPortalOptions {
  readonly profile: PortalProfile;
  /** The portal's base URL; the profile's paths are joined under it. Its origin must be allowed. */
  readonly baseUrl: string;
  /** Headed (a window the operator can watch and take over) unless asked. */
  readonly headless?: boolean;
  readonly chromiumPath?: string | null;
  /** Asked once, when the portal shows its sign-in page; never stored, logged or returned. */
  readonly login?: () => Promise<PortalCredentials>;
  readonly timeouts?: Partial<PortalTimeouts>;
}

export interface PortalSession {
  /** Signs in (if asked), fills and reads back every tab, then the review. Once per session. */
  fill(values: PortalValues): Promise<FillResult>;
  /** Re-checks the review, awaits `beforeClick` (the intent), clicks submit once. Never retries. */
  submit(beforeClick: () => Promise<void>): Promise<SubmitResult>;
  /** Saves the draft where allowed (a stop found after the fill); the session never submits after it. */
  saveDraft(): Promise<{ saved: boolean; draftId: string | null }>;
  /** Reconciliation: the portal's search, parsed. Never submits. */
  search(query: string): Promise<SearchRow[]>;
  /** Every request aborted so far for leaving `allow` (origin and path, no query). */
  readonly blocked: readonly string[];
  close(): Promise<void>;
  /** Settles when the browser has gone: closed by the station, or its window closed by a person. */
  closed(): Promise<void>;
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** First and last four characters of a value, never the whole of a value longer than eight. */
export function maskedPreview(value: string): string {
  if (value.length === 0) return '(empty)';
  if (value.length <= 8) return `${'•'.repeat(value.length)} (${value.length} chars)`;
  return `${value.slice(0, 4)}…${value.slice(-4)} (${value.length} chars)`;
}

const eol = (s: string): string => s.replace(/\r\n?/g, '\n');
const splitLines = (s: string): string[] =>
  eol(s)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** A read-back's verdict: a match, or the halt kind that the difference is. */
export type Comparison =
  { readonly match: true } | { readonly match: false; readonly kind: HaltKind; readonly detail: string };

/**
 * Compares one value typed (or expected on the review) with the one read back. Text is compared
 * exactly (line endings aside): a read-back that is a shorter start of the expected is a truncation.
 * Lines are compared as multisets (order kept in what is reported): a line more, or a line repeated, is
 * an extra value.
 * A select matches its option's value or label.
 */
export function compareValue(
  kind: PortalField['kind'],
  expected: string | readonly string[],
  found: string | readonly string[],
  alsoAccepted: readonly string[] = [],
): Comparison {
  if (kind === 'lines') {
    const want = typeof expected === 'string' ? splitLines(expected) : expected.map((l) => l.trim());
    const got = typeof found === 'string' ? splitLines(found) : found.map((l) => l.trim());
    const extra = got.filter((l) => !want.includes(l));
    const missing = want.filter((l) => !got.includes(l));
    // The same lines, each as many times (a SAN the portal shows twice is a line more, not a match).
    const count = (ls: readonly string[]) =>
      ls.reduce((m, l) => m.set(l, (m.get(l) ?? 0) + 1), new Map<string, number>());
    const [w, g] = [count(want), count(got)];
    const repeated = [...g].filter(([l, n]) => w.has(l) && n > (w.get(l) ?? 0)).map(([l]) => l);
    if (extra.length === 0 && missing.length === 0 && repeated.length === 0) return { match: true };
    if (extra.length === 0 && missing.length === 0)
      return {
        match: false,
        kind: 'extra-value',
        detail: `${repeated.length} line(s) shown more often than the packet holds them`,
      };
    const cut = missing.find((m) => extra.some((e) => e.length < m.length && m.startsWith(e)));
    if (cut !== undefined) {
      return { match: false, kind: 'truncation', detail: 'a line was shortened by the portal' };
    }
    if (extra.length > 0) {
      return {
        match: false,
        kind: 'extra-value',
        detail: `${extra.length} line(s) more than the packet holds${missing.length ? `, ${missing.length} missing` : ''}`,
      };
    }
    return {
      match: false,
      kind: 'different-value',
      detail: `${missing.length} line(s) of the packet missing`,
    };
  }
  const want = eol(typeof expected === 'string' ? expected : expected.join('\n'));
  const got = eol(typeof found === 'string' ? found : found.join('\n'));
  if (got === want || alsoAccepted.includes(got)) return { match: true };
  if (kind === 'text' && got.length < want.length && want.startsWith(got)) {
    return {
      match: false,
      kind: 'truncation',
      detail: `the portal kept ${got.length} of ${want.length} characters`,
    };
  }
  return { match: false, kind: 'different-value', detail: 'the portal holds another value' };
}

/** The canonical text of a value for its digest: lines joined by a line feed. */
export const valueText = (v: string | readonly string[]): string =>
  typeof v === 'string' ? eol(v) : v.map((l) => l.trim()).join('\n');

/** Checks the packet values against the profile before anything is typed. */
export function checkValues(profile: PortalProfile, values: PortalValues): void {
  for (const key of Object.keys(values)) {
    if (!(PORTAL_TAKES as readonly string[]).includes(key)) {
      throw portalError('PORTAL_VALUES_INVALID', `${key} is not a packet value a profile can take`, {
        field: key,
      });
    }
  }
  for (const tab of profile.tabs) {
    for (const f of tab.fields) {
      const v = values[f.take];
      const where = { field: f.take, tab: tab.id };
      if (v === undefined) {
        throw portalError(
          'PORTAL_VALUES_INVALID',
          `The packet holds no ${f.take}, which tab ${tab.id} needs`,
          where,
        );
      }
      if (LINE_TAKES.has(f.take)) {
        if (typeof v === 'string' || v.length === 0 || v.some((l) => l.trim() === '' || /[\r\n]/.test(l))) {
          throw portalError(
            'PORTAL_VALUES_INVALID',
            `${f.take} must be a non-empty list of one-line values`,
            where,
          );
        }
      } else if (typeof v !== 'string' || v === '') {
        throw portalError('PORTAL_VALUES_INVALID', `${f.take} must be one non-empty value`, where);
      } else if (f.options && !f.options.includes(v)) {
        throw portalError(
          'PORTAL_VALUES_INVALID',
          `${f.take} is not one of the options the profile lists for tab ${tab.id}`,
          where,
        );
      }
    }
  }
}

/** The control states a field is read as. */
interface ControlState {
  readonly tag: string;
  readonly type: string;
  readonly labels: string[];
  readonly value: string;
  /** For a select: the selected option's label, and whether the page itself preselected one. */
  readonly selectedLabel: string | null;
  readonly preselected: boolean;
  readonly options: { value: string; label: string }[];
  readonly visible: boolean;
}

/**
 * Page-side scripts, as source text: they run in the portal's page (where the DOM is), not here. Plain
 * JavaScript, so no build step can add helpers the page does not have.
 */
const READ_CONTROL_SOURCE = `(el) => {
  const words = (s) => (s || '').replace(/\\s+/g, ' ').trim();
  const labels = el.labels ? [...el.labels].map((l) => words(l.textContent)) : [];
  const aria = el.getAttribute('aria-label');
  if (aria) labels.push(words(aria));
  const rect = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  const visible = rect.width > 0 && rect.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
  if (el instanceof HTMLSelectElement) {
    const selected = el.selectedOptions[0] || null;
    return {
      tag: 'select', type: 'select', labels, value: el.value,
      selectedLabel: selected ? words(selected.label || selected.text) : null,
      preselected: [...el.options].some((o) => o.defaultSelected),
      options: [...el.options].map((o) => ({ value: o.value, label: words(o.label || o.text) })),
      visible,
    };
  }
  return {
    tag: el.tagName.toLowerCase(), type: String(el.type || '').toLowerCase(), labels,
    value: 'value' in el ? String(el.value) : '', selectedLabel: null, preselected: false, options: [], visible,
  };
}`;

/** Visible controls of the form holding `anchor` that none of `known` selects. */
const UNKNOWN_CONTROLS_SOURCE = `({ anchor, known }) => {
  const words = (s) => (s || '').replace(/\\s+/g, ' ').trim();
  const first = document.querySelector(anchor);
  const form = first ? first.form || first.closest('form') : null;
  if (!form) return [];
  const mine = new Set();
  for (const s of known) {
    try { document.querySelectorAll(s).forEach((e) => mine.add(e)); } catch { /* not CSS: names nothing */ }
  }
  const out = [];
  for (const el of Array.from(form.elements)) {
    if (mine.has(el) || el.type === 'hidden') continue;
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
    const label = (el.labels && el.labels[0] && el.labels[0].textContent) || el.getAttribute('aria-label') || el.textContent;
    const checked = el.type === 'checkbox' || el.type === 'radio' ? (el.checked ? ' (checked)' : ' (unchecked)') : '';
    const id = el.id ? '#' + el.id : el.name ? '[name="' + el.name + '"]' : '';
    out.push({ what: el.tagName.toLowerCase() + (el.type ? '[type=' + el.type + ']' : '') + id + checked, label: words(label) });
  }
  return out;
}`;

/**
 * A page-side script as a function value: Playwright sends its source text to the page and calls it
 * there with the element (or argument). A string alone would be evaluated as an expression, not called.
 */
function pageFunction<A, R>(source: string): (arg: A) => R {
  return new Function(`return ${source}`)() as (arg: A) => R;
}
// The element is typed unknown here: DOM types are not in this project's Node build.
const READ_CONTROL = pageFunction<unknown, ControlState>(READ_CONTROL_SOURCE);
const UNKNOWN_CONTROLS = pageFunction<{ anchor: string; known: string[] }, { what: string; label: string }[]>(
  UNKNOWN_CONTROLS_SOURCE,
);

const isTimeout = (e: unknown): boolean => e instanceof Error && e.name === 'TimeoutError';

/**
 * One run against one portal: a browser, one fresh context, one page. Exported for probe.ts; callers
 * outside the adapter use openPortal's PortalSession.
 */
export class PortalRun {
  readonly screenshots: Screenshot[] = [];
  readonly timeouts: PortalTimeouts;
  get blocked(): string[] {
    return this.wire.blocked;
  }
  draftId: string | null = null;
  private signedIn = false;
  /** Every value that must never leave in a message: the password and what was typed. */
  private readonly secrets = new Set<string>();
  /** Main-frame document status since the last reset (null: none arrived). */
  private lastStatus: number | null = null;
  /** How many of wire.blocked and wire.unanswered were already reported as halts. */
  private reportedBlocked = 0;
  private reportedUnanswered = 0;

  private constructor(
    /** The network state the context's route handler keeps. */
    readonly wire: Wire,
    readonly profile: PortalProfile,
    readonly baseUrl: string,
    private readonly browser: Browser,
    private readonly context: BrowserContext,
    readonly page: Page,
    private readonly login: (() => Promise<PortalCredentials>) | undefined,
    timeouts: Partial<PortalTimeouts> | undefined,
  ) {
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...timeouts };
    wire.sendTimeoutMs = this.timeouts.navigationMs;
    page.setDefaultTimeout(this.timeouts.actionMs);
    page.setDefaultNavigationTimeout(this.timeouts.navigationMs);
    page.on('response', (r: Response) => {
      if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) this.lastStatus = r.status();
    });
  }

  static async open(opts: OpenPortalOptions): Promise<PortalRun> {
    const { profile } = opts;
    let base: URL;
    try {
      base = new URL(opts.baseUrl);
    } catch {
      throw portalError('PORTAL_URL_NOT_ALLOWED', `${opts.baseUrl} is not a URL`, { field: 'baseUrl' });
    }
    if (base.search || base.hash || !originAllowed(base.href, profile.origins)) {
      throw portalError(
        'PORTAL_URL_NOT_ALLOWED',
        `${base.origin} is not an origin profile ${profile.profile} allows (${profile.allow.join(', ')}), or the URL carries a query`,
        { field: 'baseUrl', allowed: profile.allow },
      );
    }
    const executablePath = findChromium(opts.chromiumPath ?? null);
    if (!executablePath) {
      throw portalError(
        'PORTAL_BROWSER_UNAVAILABLE',
        'Chromium is needed to drive the portal (apt package chromium)',
      );
    }
    // Loaded on first use: playwright-core is large, and most station commands never drive a portal.
    const { chromium } = await import('playwright-core');
    let browser: Browser;
    try {
      browser = await chromium.launch({
        executablePath,
        headless: opts.headless ?? false,
        args: [...CHROMIUM_BASE_FLAGS, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
      });
    } catch (e) {
      throw portalError(
        'PORTAL_BROWSER_UNAVAILABLE',
        `Chromium did not start${opts.headless ? '' : ' (a headed window needs a display; run headless where there is none)'}: ${(e as Error).message.split('\n')[0]}`,
      );
    }
    try {
      const context = await browser.newContext({
        acceptDownloads: false,
        serviceWorkers: 'block',
        bypassCSP: false,
        javaScriptEnabled: true,
      });
      const wire: Wire = { blocked: [], sendTimeoutMs: DEFAULT_TIMEOUTS.navigationMs, unanswered: [] };
      const { blocked } = wire;
      await context.route('**/*', async (route) => {
        const request = route.request();
        const url = request.url();
        if (!originAllowed(url, profile.origins)) {
          blocked.push(describeUrl(url));
          return route.abort('blockedbyclient');
        }
        if (['GET', 'HEAD'].includes(request.method())) return route.fallback();
        // Anything that changes the portal is sent exactly once, from here: Chromium resends a request
        // whose reused connection was reset before an answer, and a resent submit is a second request.
        try {
          const response = await route.fetch({ maxRedirects: 0, maxRetries: 0, timeout: wire.sendTimeoutMs });
          return await route.fulfill({ response });
        } catch (e) {
          const why = isTimeout(e) ? 'timeout' : 'connection';
          wire.unanswered.push({ url: describeUrl(url), why });
          return route.abort(why === 'timeout' ? 'timedout' : 'connectionreset').catch(() => undefined);
        }
      });
      await context.routeWebSocket(
        (url) => !originAllowed(url.href, profile.origins),
        (ws) => {
          blocked.push(describeUrl(ws.url()));
          return ws.close({ code: 1008, reason: 'not allowed by the portal profile' });
        },
      );
      const page = await context.newPage();
      // Anything that opens another window is closed at once: the run has one page the operator watches.
      context.on('page', (p) => {
        if (p !== page) {
          blocked.push(`a new window (${describeUrl(p.url())})`);
          void p.close();
        }
      });
      return new PortalRun(wire, profile, base.href, browser, context, page, opts.login, opts.timeouts);
    } catch (e) {
      await browser.close();
      throw e;
    }
  }

  url(path: string, vars: Record<string, string> = {}): string {
    let p = path;
    for (const [k, v] of Object.entries(vars)) p = p.replaceAll(`{${k}}`, encodeURIComponent(v));
    return portalUrl(this.baseUrl, p);
  }

  addSecret(value: string): void {
    if (value.length >= 4) this.secrets.add(value);
    for (const line of value.split('\n')) if (line.trim().length >= 4) this.secrets.add(line.trim());
  }

  /** A message with every secret and typed value taken out. */
  redact(text: string): string {
    let out = text;
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length))
      out = out.split(s).join('[redacted]');
    return out;
  }

  async screenshot(name: string): Promise<Screenshot | null> {
    try {
      const mask = [...this.profile.mask, 'input[type="password" i]'].map((s) => this.page.locator(s));
      const png = await this.page.screenshot({
        fullPage: true,
        mask,
        maskColor: '#1b2430',
        animations: 'disabled',
        caret: 'hide',
        timeout: this.timeouts.actionMs,
      });
      const shot = { name, png };
      this.screenshots.push(shot);
      return shot;
    } catch {
      // A page that cannot be drawn (closed, mid-navigation) leaves no picture rather than an unmasked one.
      return null;
    }
  }

  async goto(url: string): Promise<Halt | null> {
    this.lastStatus = null;
    try {
      await this.page.goto(url, { waitUntil: 'load' });
    } catch (e) {
      return this.failure(e);
    }
    return null;
  }

  /** Clicks a control that navigates and waits for the next page to load. */
  async clickAndLoad(control: Locator): Promise<Halt | null> {
    this.lastStatus = null;
    try {
      await control.click();
      await this.page.waitForLoadState('load');
    } catch (e) {
      return this.failure(e);
    }
    return null;
  }

  /** A Playwright failure as a halt: blocked, timed out, or the portal did not answer. */
  failure(e: unknown, tab?: string): Halt {
    const blocked = this.blockedHalt(tab);
    if (blocked) return blocked;
    if (isTimeout(e)) return { kind: 'timeout', tab, detail: 'the portal did not answer in time' };
    const first = e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e);
    const net = /net::(ERR_[A-Z_]+)/.exec(first)?.[1];
    if (net) return { kind: 'error-page', tab, detail: `the portal could not be reached (${net})` };
    throw new Error(this.redact(`portal driver: ${first}`));
  }

  /**
   * A request outside `allow` since the last look, else a request that changes the portal and got no
   * answer (timed out or cut) since the last look.
   */
  blockedHalt(tab?: string): Halt | null {
    const lost = this.wire.unanswered[this.reportedUnanswered];
    if (this.blocked.length <= this.reportedBlocked && lost) {
      this.reportedUnanswered = this.wire.unanswered.length;
      return lost.why === 'timeout'
        ? { kind: 'timeout', tab, detail: `the portal did not answer ${lost.url} in time` }
        : {
            kind: 'error-page',
            tab,
            detail: `the connection was cut before the portal answered ${lost.url}`,
          };
    }
    if (this.blocked.length <= this.reportedBlocked) return null;
    const fresh = this.blocked.slice(this.reportedBlocked);
    this.reportedBlocked = this.blocked.length;
    return {
      kind: 'navigation-blocked',
      tab,
      found: fresh[0],
      detail: `the page asked for ${fresh.length} resource(s) outside the profile's allow list, first ${fresh[0]}`,
    };
  }

  private path(): string {
    try {
      return new URL(this.page.url()).pathname;
    } catch {
      return '';
    }
  }

  async visible(selector: string): Promise<boolean> {
    try {
      const all = await this.page.locator(selector).all();
      for (const l of all) if (await l.isVisible()) return true;
      return false;
    } catch {
      return false;
    }
  }

  async onLoginPage(): Promise<boolean> {
    const loginPath = new URL(this.url(this.profile.login.page)).pathname;
    return this.path() === loginPath || (await this.visible(this.profile.login.form));
  }

  /**
   * What on this page stops the run, in order: a blocked request, the sign-in page, an expired
   * session, a halt selector, an error status.
   */
  async pageHalt(tab?: string): Promise<Halt | null> {
    const blocked = this.blockedHalt(tab);
    if (blocked) return blocked;
    if (await this.onLoginPage()) {
      return { kind: 'login-required', tab, detail: 'the portal shows its sign-in page (a login redirect)' };
    }
    for (const s of this.profile.sessionExpired) {
      if (await this.visible(s))
        return { kind: 'session-expired', tab, found: s, detail: 'the portal says the session expired' };
    }
    for (const group of Object.keys(HALT_GROUPS) as HaltGroup[]) {
      for (const s of this.profile.halt[group] ?? []) {
        if (await this.visible(s)) {
          const text = squash((await this.page.locator(s).first().textContent()) ?? '').slice(0, 300);
          return { kind: HALT_GROUPS[group], tab, found: s, detail: this.redact(text) || `${s} is shown` };
        }
      }
    }
    if (this.lastStatus !== null && this.lastStatus >= 400) {
      return { kind: 'error-page', tab, detail: `the portal answered HTTP ${this.lastStatus}` };
    }
    return null;
  }

  /** Signs in at the sign-in page if the portal shows it (once per run), then checks the page. */
  async signIn(): Promise<Halt | null> {
    if (!(await this.onLoginPage())) return null;
    if (this.signedIn) {
      return { kind: 'login-required', detail: 'the portal asks to sign in again (a login redirect)' };
    }
    if (!this.login) {
      return { kind: 'login-required', detail: 'the portal asks to sign in and no credentials were given' };
    }
    const { login } = this.profile;
    {
      // Credentials live only in this block; the password is kept only to redact it from messages.
      const creds = await this.login();
      this.addSecret(creds.password);
      try {
        await this.page.locator(login.username).fill(creds.username);
        await this.page.locator(login.password).fill(creds.password);
      } catch (e) {
        return this.failure(e);
      }
    }
    const halt = await this.clickAndLoad(this.page.locator(login.submit));
    if (halt) return halt;
    this.signedIn = true;
    if (await this.onLoginPage()) {
      return { kind: 'login-required', detail: 'the portal refused the sign-in' };
    }
    return null;
  }

  /** The tab's URL check (its path, `{draft}` capturing the draft id). */
  tabPathHalt(tabId: string, path: string | undefined): Halt | null {
    if (!path) return null;
    // A token that survives URL parsing unchanged stands for the draft id while the path is resolved.
    const token = 'draftplaceholder7f3a';
    const want = new URL(this.url(path.replace('{draft}', token))).pathname;
    const re = new RegExp(`^${want.split(token).map(escapeRegex).join('([^/?#]+)')}$`);
    const m = this.path().match(re);
    if (!m) {
      return {
        kind: 'layout-changed',
        tab: tabId,
        expected: path,
        found: this.path(),
        detail: `tab ${tabId} is not at its path`,
      };
    }
    if (m[1]) this.draftId = decodeURIComponent(m[1]);
    return null;
  }

  /** Finds a field's one control and its state; a missing, repeated or hidden control is a changed layout. */
  async fieldControl(tab: string, f: PortalField): Promise<{ loc: Locator; state: ControlState } | Halt> {
    const loc = this.page.locator(f.locator);
    const n = await loc.count();
    if (n !== 1) {
      return {
        kind: 'layout-changed',
        tab,
        field: f.take,
        expected: f.locator,
        found: n === 0 ? '(missing)' : `${n} elements`,
        detail: `${f.locator} ${n === 0 ? 'is not on the page' : `matches ${n} elements`}`,
      };
    }
    const state = await loc.evaluate(READ_CONTROL);
    if (!state.visible) {
      return {
        kind: 'layout-changed',
        tab,
        field: f.take,
        expected: f.locator,
        found: '(hidden)',
        detail: `${f.locator} is hidden`,
      };
    }
    return { loc, state };
  }

  labelHalt(tab: string, f: PortalField, state: ControlState): Halt | null {
    if (state.labels.includes(squash(f.label))) return null;
    return {
      kind: 'layout-changed',
      tab,
      field: f.take,
      expected: f.label,
      found: state.labels.join(' | ') || '(no label)',
      detail: `the label next to ${f.locator} changed`,
    };
  }

  /** Visible form controls the profile does not name. */
  async unexpectedControls(tab: PortalTab): Promise<{ what: string; label: string }[]> {
    const known = [
      ...tab.fields.map((f) => f.locator),
      tab.next,
      ...(this.profile.saveDraft ? [this.profile.saveDraft.control] : []),
      ...(tab.allowControls ?? []),
    ];
    const anchor = tab.fields[0]?.locator;
    if (!anchor) return [];
    return this.page.evaluate(UNKNOWN_CONTROLS, { anchor, known });
  }

  /** Saves the draft where the profile and the page allow; returns the draft id it confirms. */
  async saveDraft(): Promise<boolean> {
    const sd = this.profile.saveDraft;
    if (!sd || this.page.isClosed() || (await this.onLoginPage())) return false;
    const control = this.page.locator(sd.control);
    if ((await control.count()) !== 1 || !(await control.isVisible())) return false;
    if (await this.clickAndLoad(control)) return false;
    try {
      const saved = this.page.locator(sd.saved).first();
      await saved.waitFor({ state: 'visible' });
      const m = squash((await saved.textContent()) ?? '').match(new RegExp(sd.idPattern));
      if (!m?.[1]) return false;
      this.draftId = m[1];
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.secrets.clear();
    try {
      await this.context.close();
    } finally {
      await this.browser.close();
    }
  }

  /** Settles when the browser disconnects (a person closing a window left open ends it too). */
  closed(): Promise<void> {
    if (!this.browser.isConnected()) return Promise.resolve();
    return new Promise((resolve) => this.browser.once('disconnected', () => resolve()));
  }
}

/** A promise's value, or null if it has not settled within `ms` (it is left to settle unobserved). */
async function within<T>(p: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  p.catch(() => undefined);
  try {
    return await Promise.race([p, new Promise<null>((r) => (timer = setTimeout(() => r(null), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** A button's words: its text, or an input button's value. */
export async function controlText(control: Locator): Promise<string> {
  return squash((await control.textContent()) || ((await control.getAttribute('value')) ?? ''));
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A URL as reported: origin and path, never its query (it could carry what a page tried to leak). */
function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return u.origin === 'null' ? `${u.protocol}…` : `${u.origin}${u.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}

/** What the context's route handler shares with the run. */
interface Wire {
  /** Every request aborted for leaving `allow` (origin and path). */
  readonly blocked: string[];
  /** How long one request that changes the portal (not GET/HEAD) may take; submit raises it. */
  sendTimeoutMs: number;
  /** Requests that change the portal and got no answer: they may or may not have taken effect. */
  readonly unanswered: { url: string; why: 'timeout' | 'connection' }[];
}

type SessionState = 'new' | 'filling' | 'ready' | 'halted' | 'submitting' | 'submitted' | 'closed';

class Session implements PortalSession {
  private state: SessionState = 'new';
  private readBack: ReadBack[] = [];
  /** Per select take: the option chosen, whose label the review may show. */
  private readonly chosen = new Map<PortalTake, string[]>();

  constructor(private readonly run: PortalRun) {}

  get blocked(): readonly string[] {
    return this.run.blocked;
  }

  async fill(values: PortalValues): Promise<FillResult> {
    if (this.state !== 'new') {
      throw portalError('PORTAL_NOT_READY', `fill runs once per session (this one is ${this.state})`);
    }
    checkValues(this.run.profile, values);
    this.state = 'filling';
    const halt = await this.fillAll(values).catch(async (e: unknown) => {
      this.state = 'halted';
      await this.run.screenshot('halt-fault');
      throw e;
    });
    if (!halt) {
      this.state = 'ready';
      return this.result('ready-to-submit', undefined, false);
    }
    this.state = 'halted';
    await this.run.screenshot(`halt-${halt.tab ?? 'start'}`);
    const saved = await this.run.saveDraft();
    return this.result('halted', halt, saved);
  }

  /**
   * A stop found after a clean fill (the station's pre-check before submit): saves the draft where the
   * profile and the page allow, and ends the session's chance to submit.
   */
  async saveDraft(): Promise<{ saved: boolean; draftId: string | null }> {
    if (this.state === 'submitting' || this.state === 'submitted')
      throw portalError('PORTAL_NOT_READY', 'this session already clicked submit: nothing to save', {
        state: this.state,
      });
    this.state = 'halted';
    const saved = await this.run.saveDraft();
    await this.run.screenshot('draft-saved');
    return { saved, draftId: this.run.draftId };
  }

  private result(state: FillResult['state'], halt: Halt | undefined, draftSaved: boolean): FillResult {
    return {
      state,
      ...(halt ? { halt } : {}),
      draftId: this.run.draftId,
      draftSaved,
      readBack: [...this.readBack],
      screenshots: [...this.run.screenshots],
    };
  }

  private async fillAll(values: PortalValues): Promise<Halt | null> {
    const { run } = this;
    const { profile } = run;
    for (const v of Object.values(values)) run.addSecret(typeof v === 'string' ? v : v.join('\n'));
    const start = (await run.goto(run.url(profile.start))) ?? (await run.signIn());
    if (start) return start;
    for (const tab of profile.tabs) {
      const halt = await this.fillTab(tab, values);
      if (halt) return halt;
    }
    return this.checkReview(values);
  }

  private async fillTab(tab: PortalTab, values: PortalValues): Promise<Halt | null> {
    const { run } = this;
    try {
      const before = (await run.pageHalt(tab.id)) ?? run.tabPathHalt(tab.id, tab.path);
      if (before) return before;
      const controls: { f: PortalField; loc: Locator; state: ControlState }[] = [];
      for (const f of tab.fields) {
        const c = await run.fieldControl(tab.id, f);
        if ('kind' in c) return c;
        const label = run.labelHalt(tab.id, f, c.state);
        if (label) return label;
        controls.push({ f, ...c });
      }
      const extra = await run.unexpectedControls(tab);
      if (extra[0]) {
        return {
          kind: 'unexpected-control',
          tab: tab.id,
          found: `${extra[0].what} "${extra[0].label}"`,
          detail: `the form holds ${extra.length} control(s) the profile does not name: ${extra.map((x) => `${x.what} "${x.label}"`).join(', ')}`,
        };
      }
      for (const { f, state } of controls) {
        const prefilled =
          state.tag === 'select' ? state.preselected && state.value !== '' : state.value !== '';
        if (prefilled) {
          return {
            kind: 'prefill',
            tab: tab.id,
            field: f.take,
            found: maskedPreview(state.selectedLabel ?? state.value),
            detail: `${f.locator} arrived holding a value before anything was typed`,
          };
        }
      }
      for (const { f, loc, state } of controls) {
        const v = values[f.take] as string | readonly string[];
        if (f.kind === 'select') {
          const want = v as string;
          const option =
            state.options.find((o) => o.value === want) ?? state.options.find((o) => o.label === want);
          if (!option) {
            return {
              kind: 'layout-changed',
              tab: tab.id,
              field: f.take,
              expected: want,
              found: state.options.map((o) => o.label).join(' | '),
              detail: `${f.locator} does not offer the packet's option`,
            };
          }
          this.chosen.set(f.take, [option.value, option.label]);
          await loc.selectOption({ value: option.value });
        } else {
          await loc.fill(valueText(v));
        }
      }
      let mismatch: Halt | null = null;
      for (const { f, loc } of controls) {
        const expected = values[f.take] as string | readonly string[];
        const state = await loc.evaluate(READ_CONTROL);
        const found = f.kind === 'select' ? (state.selectedLabel ?? state.value) : state.value;
        const verdict = compareValue(
          f.kind,
          expected,
          f.kind === 'select' ? state.value : found,
          this.chosen.get(f.take),
        );
        this.record(tab.id, f.take, expected, found, verdict.match);
        if (!verdict.match && !mismatch) {
          mismatch = {
            kind: verdict.kind,
            tab: tab.id,
            field: f.take,
            expected: maskedPreview(valueText(expected)),
            found: maskedPreview(eol(found)),
            detail: `${f.locator}: ${verdict.detail}`,
          };
        }
      }
      if (mismatch) return mismatch;
      const after = await run.pageHalt(tab.id);
      if (after) return after;
      await run.screenshot(`tab-${tab.id}`);
      const next = run.page.locator(tab.next);
      if ((await next.count()) !== 1) {
        return {
          kind: 'layout-changed',
          tab: tab.id,
          expected: tab.next,
          found: '(missing)',
          detail: `${tab.next} is not on the page`,
        };
      }
      return await run.clickAndLoad(next);
    } catch (e) {
      return run.failure(e, tab.id);
    }
  }

  private record(
    tab: string,
    take: PortalTake,
    expected: string | readonly string[],
    found: string,
    match: boolean,
  ): void {
    this.readBack.push({
      tab,
      take,
      expectedSha256: sha256Hex(valueText(expected)),
      foundSha256: sha256Hex(LINE_TAKES.has(take) ? splitLines(found).join('\n') : eol(found)),
      match,
    });
  }

  /** The review read back against the packet, then the submit control checked (never clicked). */
  private async checkReview(values: PortalValues): Promise<Halt | null> {
    const { run } = this;
    const { profile } = run;
    const { review } = profile;
    try {
      const before = (await run.pageHalt('review')) ?? run.tabPathHalt('review', review.path);
      if (before) return before;
      const fields = new Map(profile.tabs.flatMap((t) => t.fields.map((f) => [f.take, f] as const)));
      const entries = await run.page
        .locator(review.values)
        .evaluateAll(
          (els, key) => els.map((e) => ({ key: e.getAttribute(key) ?? '', text: e.textContent ?? '' })),
          review.key,
        );
      const seen = new Set<PortalTake>();
      let mismatch: Halt | null = null;
      for (const { key, text } of entries) {
        if (review.ignore?.includes(key)) continue;
        const take = reviewTake(profile, key);
        const f = take ? fields.get(take) : undefined;
        if (!take || !f) {
          mismatch ??= {
            kind: 'extra-value',
            tab: 'review',
            field: key,
            found: maskedPreview(squash(text)),
            detail: `the review shows ${key || 'an entry'}, which the packet does not hold`,
          };
          continue;
        }
        seen.add(take);
        const expected = values[take] as string | readonly string[];
        const found = f.kind === 'lines' ? text : eol(text).trim();
        const want = f.kind === 'lines' ? expected : valueText(expected).trim();
        const verdict = compareValue(f.kind, want, found, this.chosen.get(take));
        this.record('review', take, expected, found, verdict.match);
        if (!verdict.match) {
          mismatch ??= {
            kind: verdict.kind,
            tab: 'review',
            field: take,
            expected: maskedPreview(valueText(expected)),
            found: maskedPreview(eol(found)),
            detail: `the review's ${key}: ${verdict.detail}`,
          };
        }
      }
      if (mismatch) return mismatch;
      const unseen = [...fields.keys()].filter((t) => !seen.has(t));
      if (unseen.length) {
        return {
          kind: 'layout-changed',
          tab: 'review',
          field: unseen[0],
          detail: `the review does not show ${unseen.join(', ')}`,
        };
      }
      const control = await this.submitControlHalt();
      if (control) return control;
      await run.screenshot('review');
      return null;
    } catch (e) {
      return run.failure(e, 'review');
    }
  }

  private async submitControlHalt(): Promise<Halt | null> {
    const { submit } = this.run.profile;
    const control = this.run.page.locator(submit.control);
    const n = await control.count();
    const text = n === 1 ? await controlText(control) : '';
    if (n !== 1 || text !== squash(submit.label) || !(await control.isVisible())) {
      return {
        kind: 'layout-changed',
        tab: 'review',
        expected: `${submit.control} "${submit.label}"`,
        found: n === 1 ? `"${text}"` : n === 0 ? '(missing)' : `${n} elements`,
        detail: 'the submit control is not as the profile describes it',
      };
    }
    // The form the submit control posts: any visible control the profile does not name (a wildcard
    // option checked on the review page) would go with the request.
    const known = [
      submit.control,
      ...(this.run.profile.saveDraft ? [this.run.profile.saveDraft.control] : []),
    ];
    const extra = await this.run.page.evaluate(UNKNOWN_CONTROLS, { anchor: submit.control, known });
    const first = extra[0];
    if (first)
      return {
        kind: 'unexpected-control',
        tab: 'review',
        field: first.what,
        found: extra.map((x) => `${x.what} "${x.label}"`).join(', '),
        detail: `the review form carries ${extra.length === 1 ? 'a control' : `${extra.length} controls`} the profile does not name: ${first.what} "${first.label}"`,
      };
    return null;
  }

  async submit(beforeClick: () => Promise<void>): Promise<SubmitResult> {
    if (this.state !== 'ready') {
      throw portalError(
        'PORTAL_NOT_READY',
        this.state === 'submitted' || this.state === 'submitting'
          ? 'This session already clicked submit; it never clicks twice. Reconcile with search.'
          : `Nothing to submit: the fill is ${this.state === 'new' ? 'not done' : this.state}`,
        { state: this.state },
      );
    }
    const { run } = this;
    // The page is checked again right before the intent: nothing is written or clicked on a changed page.
    const halt =
      (await run.pageHalt('review').catch((e: unknown) => run.failure(e, 'review'))) ??
      (await this.submitControlHalt());
    if (halt) {
      this.state = 'halted';
      await run.screenshot('halt-before-submit');
      throw portalError('PORTAL_HALTED', `Not submitted: ${halt.kind}: ${halt.detail}`, {
        kind: halt.kind,
        tab: halt.tab ?? null,
      });
    }
    this.state = 'submitting';
    try {
      await beforeClick();
    } catch (e) {
      this.state = 'ready';
      throw e;
    }
    this.state = 'submitted';
    return this.clickSubmit();
  }

  private async clickSubmit(): Promise<SubmitResult> {
    const { run } = this;
    const outcome = await this.watchSubmit();
    // The page may still be loading (a hung answer): the picture is bounded like everything else.
    await within(
      run.screenshot('requestId' in outcome ? 'confirmation' : 'ambiguous'),
      run.timeouts.actionMs,
    );
    const screenshots = run.screenshots.filter((s) => s.name === 'confirmation' || s.name === 'ambiguous');
    return 'requestId' in outcome
      ? { state: 'confirmed', requestId: outcome.requestId, confirmation: outcome.confirmation, screenshots }
      : { state: 'ambiguous', reason: run.redact(outcome.reason), screenshots };
  }

  /**
   * Clicks submit once and watches what follows until submitMs: only the confirmation pattern with an
   * id is a request id; a blocked or unanswered request, an error status, a halt or the deadline is a
   * reason to reconcile. Every look at the page is bounded: while a navigation hangs, Playwright's own
   * queries wait for the next document.
   */
  private async watchSubmit(): Promise<{ requestId: string; confirmation: string } | { reason: string }> {
    const { run } = this;
    const { profile, page, wire } = run;
    const blockedBefore = wire.blocked.length;
    const unansweredBefore = wire.unanswered.length;
    let statusAfter: number | null = null;
    const onResponse = (r: Response): void => {
      if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) statusAfter = r.status();
    };
    page.on('response', onResponse);
    wire.sendTimeoutMs = run.timeouts.submitMs;
    try {
      // The review document is marked: nothing on it (a leftover banner) is ever read as the outcome;
      // only a document the click led to is.
      const mark = `cs-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
      await page.evaluate(
        (m) => ((globalThis as unknown as Record<string, unknown>).__stationReview = m),
        mark,
      );
      const freshDocument = async () =>
        (await page.evaluate(
          () => (globalThis as unknown as Record<string, unknown>).__stationReview ?? null,
        )) !== mark;
      try {
        await page.locator(profile.submit.control).click({ noWaitAfter: true });
      } catch (e) {
        return {
          reason: `the click may or may not have reached the portal (${isTimeout(e) ? 'timeout' : 'error'})`,
        };
      }
      const deadline = Date.now() + run.timeouts.submitMs;
      const pattern = new RegExp(profile.confirmation.pattern);
      const look = async (): Promise<
        { requestId: string; confirmation: string } | { reason: string } | null
      > => {
        // An error answer is never a confirmation, whatever banner the page also carries.
        if (statusAfter !== null && statusAfter >= 400)
          return { reason: `error page after the click (HTTP ${statusAfter})` };
        if (!(await freshDocument())) return null;
        const conf = page.locator(profile.confirmation.selector);
        if ((await conf.count()) > 0) {
          const text = squash((await conf.first().textContent()) ?? '');
          const m = text.match(pattern);
          return m?.[1]
            ? { requestId: m[1], confirmation: text }
            : { reason: 'the confirmation names no request id' };
        }
        if (statusAfter === null) return null;
        const halt = await run.pageHalt('submit');
        return halt ? { reason: `${halt.kind} after the click: ${halt.detail}` } : null;
      };
      while (Date.now() < deadline) {
        const blocked = wire.blocked[blockedBefore];
        if (blocked) return { reason: `navigation blocked after the click: ${blocked}` };
        const lost = wire.unanswered[unansweredBefore];
        if (lost) {
          return {
            reason:
              lost.why === 'timeout'
                ? `timeout: no answer within ${Math.round(run.timeouts.submitMs / 1000)} s of the click`
                : 'the connection failed after the click (reset before an answer)',
          };
        }
        const seen = await within(
          look().catch(() => null),
          Math.min(run.timeouts.actionMs, Math.max(deadline - Date.now(), 1)),
        );
        if (seen) return seen;
        await new Promise((r) => setTimeout(r, 100));
      }
      return {
        reason: `timeout: no confirmation within ${Math.round(run.timeouts.submitMs / 1000)} s of the click`,
      };
    } finally {
      page.off('response', onResponse);
      wire.sendTimeoutMs = run.timeouts.navigationMs;
    }
  }

  async search(query: string): Promise<SearchRow[]> {
    if (this.state === 'filling' || this.state === 'ready' || this.state === 'submitting') {
      throw portalError(
        'PORTAL_NOT_READY',
        `Search would leave the ${this.state} request: submit or close first`,
        {
          state: this.state,
        },
      );
    }
    const { run } = this;
    const { search } = run.profile;
    const url = run.url(search.path, { query });
    const halt =
      (await run.goto(url)) ??
      (await run.signIn()) ??
      (new URL(run.page.url()).pathname === new URL(url).pathname ? null : await run.goto(url)) ??
      (await run.pageHalt('search'));
    if (halt) {
      throw portalError('PORTAL_HALTED', `The search stopped: ${halt.kind}: ${halt.detail}`, {
        kind: halt.kind,
      });
    }
    const rows = await run.page.locator(search.row).all();
    const cell = async (row: Locator, sel: string | undefined): Promise<string | null> => {
      if (!sel) return null;
      const c = row.locator(sel);
      return (await c.count()) ? squash((await c.first().textContent()) ?? '') : null;
    };
    const out: SearchRow[] = [];
    for (const row of rows) {
      const requestId = await cell(row, search.columns.requestId);
      if (!requestId) continue;
      out.push({
        requestId,
        subject: await cell(row, search.columns.subject),
        fingerprint: await cell(row, search.columns.fingerprint),
        state: await cell(row, search.columns.state),
      });
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    await this.run.close();
  }

  closed(): Promise<void> {
    return this.run.closed();
  }
}

/** The take a review entry shows: mapped by the profile, else the key itself, else the field whose locator is #key. */
function reviewTake(profile: PortalProfile, key: string): PortalTake | null {
  const mapped = profile.review.fields?.[key];
  if (mapped) return mapped;
  if ((PORTAL_TAKES as readonly string[]).includes(key)) return key as PortalTake;
  for (const t of profile.tabs) for (const f of t.fields) if (f.locator === `#${key}`) return f.take;
  return null;
}

/** Opens the portal in a fresh browser context; nothing is loaded until fill or search. */
export async function openPortal(opts: OpenPortalOptions): Promise<PortalSession> {
  return new Session(await PortalRun.open(opts));
}
