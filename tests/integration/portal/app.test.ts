/**
 * The PKI-portal test app (tests/fixtures/pki-portal) is honest: a clean submission through every tab,
 * driven by the locators of its profile (resources/portals/test-portal.yaml) in the system Chromium,
 * lands exactly one request in the server-side audit; every profile locator exists with its label; and
 * each fault does what its name says, seen in the page and in the audit (created or not).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { launchChromium, ROOT } from '../../e2e/harness';
import {
  DEFAULT_USERS,
  FAULTS,
  startPortal,
  type FaultName,
  type Portal,
} from '../../fixtures/pki-portal/server.mjs';

interface ProfileField {
  take: string;
  locator: string;
  label: string;
  kind: 'text' | 'select' | 'lines';
  options?: string[];
}
interface TestProfile {
  start: string;
  login: { page: string; form: string; username: string; password: string; submit: string };
  sessionExpired: string[];
  halt: Record<'warning' | 'duplicate' | 'captcha' | 'error', string[]>;
  tabs: { id: string; path: string; fields: ProfileField[]; next: string }[];
  review: { path: string; values: string };
  saveDraft: { control: string; saved: string; idPattern: string };
  submit: { control: string; label: string };
  confirmation: { selector: string; pattern: string };
  search: { path: string; row: string; columns: Record<string, string> };
  mask: string[];
}
const PROFILE = parse(readFileSync(join(ROOT, 'resources/portals/test-portal.yaml'), 'utf8')) as TestProfile;

const PACKET: Record<string, string | string[]> = {
  subscriberService: 'package-signing',
  organization: 'Example Corp Release Engineering',
  commonName: 'package-signing.release.example.com',
  environment: 'production',
  profile: 'Production code signing (HSM)',
  sans: ['dns:package-signing.release.example.com', 'uri:https://release.example.com/signing'],
  custodyAttestation: 'ATT-HSM-2026-0412',
  keyFingerprint: '3f9a0c47d2b18e65a4c3f0e9d8b7a6152433f1e0d9c8b7a6f5e4d3c2b1a09f8e',
  csrPem:
    '-----BEGIN CERTIFICATE REQUEST-----\nMIIBSjCB8QIBADAvMS0wKwYDVQQDDCRwYWNrYWdl\n-----END CERTIFICATE REQUEST-----',
  justification: 'Replacement before the intermediate trust deadline.\nApproved in ISR-2026-0412.',
  issuanceWindow: '2026-04-14T08:00Z/2026-04-16T18:00Z',
  approvalRefs: ['APR-RIO-0412', 'APR-CEM-0412', 'APR-CAD-0412'],
};
const text = (take: string): string => {
  const v = PACKET[take] ?? '';
  return Array.isArray(v) ? v.join('\n') : v;
};
const tab = (id: string) => PROFILE.tabs.find((t) => t.id === id)!;
const draftPath = (path: string, draft: string) => path.replace('{draft}', draft);
const USER = DEFAULT_USERS[0]!;

let browser: Browser;
let context: BrowserContext;
let portal: Portal;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await context?.close();
  await portal?.close();
});

/** A fresh portal (with these faults) and a page signed in on a new draft's first tab. */
async function openDraft(faults: FaultName[] = []): Promise<{ page: Page; draft: string }> {
  portal = await startPortal({ faults });
  context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(portal.url + PROFILE.start);
  expect(new URL(page.url()).pathname).toBe(PROFILE.login.page);
  await page.fill(PROFILE.login.username, USER.username);
  await page.fill(PROFILE.login.password, USER.password);
  await page.click(PROFILE.login.submit);
  await page.waitForURL(/\/requests\/draft\/D-\d{6}\/subscriber$/);
  const draft = /D-\d{6}/.exec(page.url())![0];
  return { page, draft };
}

async function fillTab(page: Page, id: string): Promise<void> {
  for (const f of tab(id).fields) {
    if (f.kind === 'select') await page.selectOption(f.locator, { label: text(f.take) });
    else await page.fill(f.locator, text(f.take));
  }
}

async function readTab(page: Page, id: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of tab(id).fields) {
    out[f.take] =
      f.kind === 'select'
        ? ((await page.textContent(`${f.locator} option:checked`)) ?? '')
        : await page.inputValue(f.locator);
  }
  return out;
}

/** Clicks a control that posts a form and waits for the page it leads to. */
async function clickThrough(page: Page, selector: string): Promise<void> {
  const before = page.url();
  await Promise.all([page.waitForURL((u) => u.href !== before), page.click(selector)]);
}

/** From the tab shown, fills and leaves (with Next) every tab before `until`. */
async function fillUntil(page: Page, until: string): Promise<void> {
  const from = PROFILE.tabs.findIndex((t) => new URL(page.url()).pathname.endsWith(`/${t.id}`));
  for (const t of PROFILE.tabs.slice(from)) {
    if (t.id === until) return;
    await fillTab(page, t.id);
    await clickThrough(page, t.next);
  }
}

async function reviewValues(page: Page): Promise<Record<string, string>> {
  return Object.fromEntries(
    await page.$$eval(PROFILE.review.values, (dds) =>
      dds.map((dd) => [dd.getAttribute('data-field') ?? '', dd.textContent ?? '']),
    ),
  );
}

const haltsVisible = async (page: Page): Promise<string[]> => {
  const all = [...Object.values(PROFILE.halt).flat(), ...PROFILE.sessionExpired];
  const seen: string[] = [];
  for (const s of all) if (await page.locator(s).isVisible()) seen.push(s);
  return seen;
};

/** What a probe would report: every profile locator on its page, with the label the page gives it. */
async function probe(
  page: Page,
  draft: string,
): Promise<{ locator: string; expected: string; found: string }[]> {
  const mismatches: { locator: string; expected: string; found: string }[] = [];
  for (const t of PROFILE.tabs) {
    await page.goto(portal.url + draftPath(t.path, draft));
    for (const f of t.fields) {
      const id = (await page.locator(f.locator).count()) ? await page.getAttribute(f.locator, 'id') : null;
      const label = page.locator(`label[for="${id}"]`);
      const found = !id
        ? '(absent)'
        : (await label.count())
          ? (await label.innerText()).trim()
          : '(no label)';
      if (found !== f.label) mismatches.push({ locator: f.locator, expected: f.label, found });
      if (f.options) {
        const options = await page.$$eval(`${f.locator} option`, (os) => os.map((o) => o.textContent));
        expect(options).toEqual(f.options);
      }
    }
  }
  return mismatches;
}

/** A signed-in HTTP client (cookie kept by hand) for what a browser would hide: resets and hangs. */
async function httpClient(url: string) {
  const login = await fetch(`${url}/login`, {
    method: 'POST',
    body: new URLSearchParams({ username: USER.username, password: USER.password, next: '/' }),
    redirect: 'manual',
  });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const post = (path: string, form: Record<string, string> = {}, signal?: AbortSignal) =>
    fetch(url + path, {
      method: 'POST',
      body: new URLSearchParams(form),
      headers: { cookie },
      redirect: 'manual',
      signal,
    });
  /** A new draft with every tab saved from the packet; returns its id. */
  const fullDraft = async (): Promise<string> => {
    const created = await fetch(`${url}/requests/new`, { headers: { cookie }, redirect: 'manual' });
    const draft = /D-\d{6}/.exec(created.headers.get('location') ?? '')![0];
    for (const t of PROFILE.tabs) {
      const form = Object.fromEntries(t.fields.map((f) => [f.take, text(f.take)]));
      expect((await post(`/requests/draft/${draft}/${t.id}`, { ...form, action: 'next' })).status).toBe(303);
    }
    return draft;
  };
  return { cookie, post, fullDraft };
}
const created = () => portal.audit().filter((e) => e.kind === 'request-created');

describe('the PKI-portal test app', () => {
  it('takes a clean submission through every tab, driven by its profile, and creates exactly one request', async () => {
    const { page, draft } = await openDraft();
    for (const t of PROFILE.tabs) {
      expect(await page.getAttribute('nav.tabs a[aria-current="page"]', 'href')).toBe(
        draftPath(t.path, draft),
      );
      expect(await haltsVisible(page)).toEqual([]);
      await fillTab(page, t.id);
      const expected = Object.fromEntries(t.fields.map((f) => [f.take, text(f.take)]));
      expect(await readTab(page, t.id)).toEqual(expected);
      if (t.id === 'custody') {
        await clickThrough(page, PROFILE.saveDraft.control);
        const saved = await page.textContent(PROFILE.saveDraft.saved);
        expect(new RegExp(PROFILE.saveDraft.idPattern).exec(saved ?? '')?.[1]).toBe(draft);
        expect(await readTab(page, t.id)).toEqual(expected); // what the server kept, shown again
      }
      await clickThrough(page, t.next);
    }
    expect(page.url()).toBe(portal.url + draftPath(PROFILE.review.path, draft));
    expect(await haltsVisible(page)).toEqual([]);
    const takes = PROFILE.tabs.flatMap((t) => t.fields.map((f) => f.take));
    expect(await reviewValues(page)).toEqual(Object.fromEntries(takes.map((k) => [k, text(k)])));
    expect((await page.textContent(PROFILE.submit.control))?.trim()).toBe(PROFILE.submit.label);
    expect(portal.requests()).toEqual([]);

    await clickThrough(page, PROFILE.submit.control);
    const confirmation = await page.textContent(PROFILE.confirmation.selector);
    const requestId = new RegExp(PROFILE.confirmation.pattern).exec(confirmation ?? '')?.[1];
    expect(requestId).toBe('PKI-REQ-000001');
    expect(portal.audit().map((e) => e.kind)).toEqual(['draft-created', 'draft-saved', 'request-created']);
    const [request] = portal.requests();
    expect(request).toMatchObject({
      id: requestId,
      draftId: draft,
      subject: PACKET.commonName,
      fingerprint: PACKET.keyFingerprint,
      profile: PACKET.profile,
      sans: PACKET.sans,
      state: 'pending',
      submittedBy: USER.username,
    });

    // Reconciliation finds it by fingerprint, through the profile's search page and columns.
    await page.goto(portal.url + PROFILE.search.path.replace('{query}', text('keyFingerprint')));
    const rows = await page.locator(PROFILE.search.row).all();
    expect(rows).toHaveLength(1);
    const row: Record<string, string> = {};
    for (const [k, sel] of Object.entries(PROFILE.search.columns))
      row[k] = (await rows[0]!.locator(sel).textContent())?.trim() ?? '';
    expect(row).toEqual({
      requestId,
      subject: PACKET.commonName,
      fingerprint: PACKET.keyFingerprint,
      state: 'pending',
    });
  });

  it('has every profile locator on its page with the label the profile expects, and every mask target', async () => {
    const { page, draft } = await openDraft();
    expect(await probe(page, draft)).toEqual([]);
    await page.goto(portal.url + draftPath(PROFILE.review.path, draft));
    for (const s of [PROFILE.submit.control, PROFILE.saveDraft.control, PROFILE.review.values])
      expect(await page.locator(s).count()).toBeGreaterThan(0);
    await page.goto(portal.url + PROFILE.login.page);
    for (const s of Object.values(PROFILE.login)) if (s.startsWith('#')) await page.waitForSelector(s);
    expect(PROFILE.mask).toEqual(
      expect.arrayContaining([PROFILE.login.password, '#csr-pem', '#key-fingerprint']),
    );
  });

  it('sends a page without a session to the login with where to go back, and refuses a wrong password', async () => {
    portal = await startPortal();
    const r = await fetch(`${portal.url}/requests/search?q=x`, { redirect: 'manual' });
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe(`/login?next=${encodeURIComponent('/requests/search?q=x')}`);
    const bad = await fetch(`${portal.url}/login`, {
      method: 'POST',
      body: new URLSearchParams({ username: USER.username, password: 'wrong', next: '/' }),
      redirect: 'manual',
    });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('set-cookie')).toBeNull();
    const good = await httpClient(portal.url);
    expect(good.cookie).toMatch(/^portal_session=[0-9a-f]{48}$/);
  });

  it('accepts the same draft twice (as a real portal would), so a duplicate shows in the audit', async () => {
    portal = await startPortal();
    const client = await httpClient(portal.url);
    const draft = await client.fullDraft();
    for (const n of [1, 2]) {
      const r = await client.post(`/requests/draft/${draft}/submit`);
      expect(r.status).toBe(303);
      expect(r.headers.get('location')).toBe(`/requests/PKI-REQ-00000${n}`);
    }
    expect(created().map((e) => [e.requestId, e.draftId, e.subject])).toEqual([
      ['PKI-REQ-000001', draft, PACKET.commonName],
      ['PKI-REQ-000002', draft, PACKET.commonName],
    ]);
  });

  it('seeds pending requests (API and /__seed) that search finds by subject, fingerprint or id', async () => {
    const { page } = await openDraft();
    const seeded = portal.seedRequest({ subject: 'a.example.com', fingerprint: 'ab'.repeat(32) });
    const viaHttp = await fetch(`${portal.url}/__seed`, {
      method: 'POST',
      body: JSON.stringify({ subject: 'b.example.com', fingerprint: 'cd'.repeat(32), state: 'issued' }),
    });
    expect(viaHttp.status).toBe(201);
    expect([seeded.id, ((await viaHttp.json()) as { id: string }).id]).toEqual([
      'PKI-REQ-000001',
      'PKI-REQ-000002',
    ]);
    const search = async (q: string) => {
      await page.goto(portal.url + PROFILE.search.path.replace('{query}', encodeURIComponent(q)));
      return page.$$eval(`${PROFILE.search.row} ${PROFILE.search.columns.requestId}`, (tds) =>
        tds.map((td) => td.textContent),
      );
    };
    expect(await search('a.example.com')).toEqual(['PKI-REQ-000001']);
    expect(await search('CDCD')).toEqual(['PKI-REQ-000002']);
    expect(await search('PKI-REQ-00000')).toEqual(['PKI-REQ-000001', 'PKI-REQ-000002']);
    expect(await search('nothing-like-it')).toEqual([]);
    expect(portal.audit().map((e) => e.kind)).toEqual(['draft-created', 'request-seeded', 'request-seeded']);
    expect(created()).toEqual([]);
  });

  it('switches faults over HTTP and refuses an unknown one', async () => {
    portal = await startPortal();
    const set = (body: unknown) =>
      fetch(`${portal.url}/__faults`, { method: 'POST', body: JSON.stringify(body) });
    expect((await set(['captcha', 'no-id'])).status).toBe(200);
    expect(portal.faults()).toEqual(['captcha', 'no-id']);
    expect((await set(['captcha', 'no-such-fault'])).status).toBe(400);
    expect(portal.faults()).toEqual(['captcha', 'no-id']);
    expect(() => portal.setFaults(['nope' as FaultName])).toThrow(/unknown portal fault/);
  });
});

/** Submits a full draft over HTTP under one fault; the status seen, or what happened to the connection. */
async function submitUnder(fault: FaultName): Promise<{ status: number | 'reset'; body: string }> {
  portal = await startPortal({ faults: [fault] });
  const client = await httpClient(portal.url);
  const draft = await client.fullDraft();
  try {
    const r = await client.post(`/requests/draft/${draft}/submit`);
    return { status: r.status, body: await r.text() };
  } catch {
    return { status: 'reset', body: '' };
  }
}

/** One check per fault; the Record's type makes leaving a fault out a type error. */
const FAULT_CHECKS: Record<FaultName, () => Promise<void>> = {
  prefill: async () => {
    const { page } = await openDraft(['prefill']);
    expect(await page.inputValue('#common-name')).toBe('legacy-signing.example.net');
  },
  truncate: async () => {
    const { page } = await openDraft(['truncate']);
    await fillUntil(page, 'custody');
    await fillTab(page, 'custody');
    expect(await page.inputValue('#key-fingerprint')).toBe(text('keyFingerprint').slice(0, 40));
    await clickThrough(page, '#next');
    expect(portal.drafts()[0]!.fields.keyFingerprint).toHaveLength(40);
  },
  'extra-san': async () => {
    const { page } = await openDraft(['extra-san']);
    await fillUntil(page, 'review');
    expect((await reviewValues(page)).sans!.split('\n')).toEqual([
      ...(PACKET.sans as string[]),
      'dns:*.release.example.com',
    ]);
  },
  'different-profile': async () => {
    const { page } = await openDraft(['different-profile']);
    await fillUntil(page, 'review');
    expect((await reviewValues(page)).profile).toBe('Staging code signing');
  },
  'unexpected-option': async () => {
    const { page } = await openDraft(['unexpected-option']);
    await fillUntil(page, 'sans');
    expect(await page.isChecked('#allow-wildcard')).toBe(true);
    expect(await page.textContent('label[for="allow-wildcard"]')).toBe('Allow wildcard SANs');
    await fillUntil(page, 'review');
    expect((await reviewValues(page)).allowWildcard).toBe('Yes');
  },
  'layout-change': async () => {
    const { page, draft } = await openDraft(['layout-change']);
    expect(await probe(page, draft)).toEqual([
      { locator: '#organization', expected: 'Organization', found: '(absent)' },
      { locator: '#common-name', expected: 'Common name', found: 'Subject common name (CN)' },
    ]);
  },
  'warning-banner': async () => {
    const { page } = await openDraft(['warning-banner']);
    await fillUntil(page, 'custody');
    expect(await haltsVisible(page)).toEqual(PROFILE.halt.warning);
    expect(await page.textContent(PROFILE.halt.warning[0]!)).toMatch(/revocation investigation/);
  },
  'duplicate-notice': async () => {
    const { page } = await openDraft(['duplicate-notice']);
    portal.seedRequest({ subject: text('commonName'), fingerprint: 'ee'.repeat(32) });
    await fillUntil(page, 'profile');
    expect(await haltsVisible(page)).toEqual(PROFILE.halt.duplicate);
    expect(await page.textContent(PROFILE.halt.duplicate[0]!)).toMatch(/PKI-REQ-000001/);
  },
  captcha: async () => {
    const { page } = await openDraft(['captcha']);
    await fillUntil(page, 'review');
    expect(await haltsVisible(page)).toEqual([PROFILE.halt.captcha[0]]);
  },
  'login-redirect': async () => {
    const { page, draft } = await openDraft(['login-redirect']);
    await fillUntil(page, 'custody');
    const next = `/requests/draft/${draft}/custody`;
    expect(page.url()).toBe(`${portal.url}${PROFILE.login.page}?next=${encodeURIComponent(next)}`);
    await page.fill(PROFILE.login.username, USER.username);
    await page.fill(PROFILE.login.password, USER.password);
    await page.click(PROFILE.login.submit);
    await page.waitForURL(portal.url + next); // once per switch: signed in again, the wizard goes on
  },
  'session-expired': async () => {
    const { page, draft } = await openDraft(['session-expired']);
    await fillUntil(page, 'justification');
    expect(await haltsVisible(page)).toEqual(PROFILE.sessionExpired);
    expect(await page.textContent(PROFILE.sessionExpired[0]!)).toBe('Your session has expired');
    await page.goto(portal.url + draftPath(tab('subscriber').path, draft));
    expect(new URL(page.url()).pathname).toBe(PROFILE.login.page);
  },
  'draft-unavailable': async () => {
    const { page, draft } = await openDraft(['draft-unavailable']);
    for (const path of [...PROFILE.tabs.map((t) => t.path), PROFILE.review.path]) {
      await page.goto(portal.url + draftPath(path, draft));
      expect(await page.locator(PROFILE.saveDraft.control).count()).toBe(0);
    }
  },
  'error-page': async () => {
    const { page } = await openDraft(['error-page']);
    await fillUntil(page, 'review');
    const [response] = await Promise.all([
      page.waitForResponse(/\/submit$/),
      page.click(PROFILE.submit.control),
    ]);
    expect(response.status()).toBe(500);
    expect(await haltsVisible(page)).toEqual(PROFILE.halt.error);
    expect(created()).toEqual([]);
  },
  'commit-then-error': async () => {
    const { status, body } = await submitUnder('commit-then-error');
    expect(status).toBe(500);
    expect(body).toContain('class="error-page"');
    expect(created()).toHaveLength(1);
  },
  'no-id': async () => {
    const { status, body } = await submitUnder('no-id');
    expect(status).toBe(200);
    expect(body).toContain('class="confirmation"');
    expect(body).not.toMatch(/PKI-REQ-/);
    expect(body).not.toMatch(new RegExp(PROFILE.confirmation.pattern));
    expect(created()).toHaveLength(1);
  },
  'reset-after-commit': async () => {
    const { status } = await submitUnder('reset-after-commit');
    expect(status).toBe('reset');
    expect(created()).toHaveLength(1);
  },
  'hang-after-commit': async () => {
    portal = await startPortal({ faults: ['hang-after-commit'] });
    const client = await httpClient(portal.url);
    const draft = await client.fullDraft();
    const outcome = client.post(`/requests/draft/${draft}/submit`).then(
      () => 'answered',
      () => 'connection closed',
    );
    await expect.poll(() => created().length).toBe(1);
    const waited = await Promise.race([
      outcome,
      new Promise((r) => setTimeout(() => r('still waiting'), 1_000)),
    ]);
    expect(waited).toBe('still waiting');
    await portal.close();
    expect(await outcome).toBe('connection closed');
  },
};

describe('each fault of the test app does what it says', () => {
  it('has one check per fault', () => {
    expect(Object.keys(FAULT_CHECKS).sort()).toEqual([...FAULTS].sort());
  });
  it.each([...FAULTS])('%s', async (fault) => {
    await FAULT_CHECKS[fault]();
  });
});
