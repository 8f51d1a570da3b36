/**
 * The portal driver against the PKI-portal test app (tests/fixtures/pki-portal), in real headless
 * Chromium: a clean fill and submit, every fault to its halt or to an ambiguous outcome, the server's
 * own audit showing no duplicate request, the probe, the allow list, and a password canary that must
 * never come back in a result or an error.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  bundledPortalProfile,
  openPortal,
  probe,
  type FillResult,
  type HaltKind,
  type PortalSession,
  type PortalValues,
} from '../../../src/main/adapters/portal';
import { CodedError } from '../../../src/core/errors';
import { startPortal, type FaultName, type Portal } from '../../fixtures/pki-portal/server.mjs';

const CANARY_USER = 'canary.operator';
const CANARY_PASSWORD = 'pw-CANARY-5d1f0e7a9b';
const FINGERPRINT = '3b9f1c0de4a27788c1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6f708192';
const CSR = [
  '-----BEGIN CERTIFICATE REQUEST-----',
  'MIIBWTCCAQACAQAwJzElMCMGA1UEAwwccmVsZWFzZS1zaWduaW5nLmV4YW1wbGUu',
  'Y29tMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE0ZpQy7n3fGZk3PZ0wO2V9h7s',
  '-----END CERTIFICATE REQUEST-----',
].join('\n');
const VALUES: PortalValues = {
  subscriberService: 'Release signing service',
  organization: 'Example Corp',
  commonName: 'release-signing.example.com',
  environment: 'production',
  profile: 'Production code signing (HSM)',
  sans: ['dns:release-signing.example.com', 'uri:https://release.example.com/signing'],
  custodyAttestation: 'CUST-ATT-2026-0412 (HSM-A, slot 3)',
  keyFingerprint: FINGERPRINT,
  csrPem: CSR,
  justification: 'Annual rotation of the release signing key, approved under ISR-2026-0412.',
  issuanceWindow: '2026-04-12T00:00:00Z/2026-04-19T00:00:00Z',
  approvalRefs: ['APR-RIO-0412', 'APR-CEM-0412', 'APR-CAD-0412'],
};

const profile = bundledPortalProfile('test-portal');
let portal: Portal;
const sessions: PortalSession[] = [];

beforeAll(async () => {
  portal = await startPortal({ users: [{ username: CANARY_USER, password: CANARY_PASSWORD }] });
});
afterAll(async () => {
  await portal.close();
});
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close();
});

async function open(opts: { baseUrl?: string; submitMs?: number } = {}): Promise<PortalSession> {
  const s = await openPortal({
    profile,
    baseUrl: opts.baseUrl ?? portal.url,
    headless: true,
    login: async () => ({ username: CANARY_USER, password: CANARY_PASSWORD }),
    timeouts: { navigationMs: 10_000, actionMs: 5_000, submitMs: opts.submitMs ?? 10_000 },
  });
  sessions.push(s);
  return s;
}

const created = (): number => portal.audit().filter((a) => a.kind === 'request-created').length;

/** Everything a result says, as text, to look for what must never be in it (screenshots are pixels). */
function words(result: unknown): string {
  return JSON.stringify(result, (k, v: unknown) => (k === 'png' ? undefined : v));
}

function expectNoSecrets(text: string): void {
  expect(text).not.toContain(CANARY_PASSWORD);
  expect(text).not.toContain(FINGERPRINT);
  expect(text).not.toContain('MIIBWTCCAQACAQAw');
  expect(text).not.toContain('Annual rotation of the release signing key');
}

function expectPngs(result: FillResult): void {
  expect(result.screenshots.length).toBeGreaterThan(0);
  for (const s of result.screenshots) expect(s.png.subarray(1, 4).toString('latin1')).toBe('PNG');
}

describe('portal driver against the test portal', () => {
  it('fills every tab, reads every field back, submits once and is confirmed; search finds the request', async () => {
    portal.setFaults([]);
    const before = created();
    const s = await open();
    const fill = await s.fill(VALUES);
    expect(fill.halt).toBeUndefined();
    expect(fill.state).toBe('ready-to-submit');
    expect(fill.draftId).toMatch(/^D-\d{6}$/);
    // Twelve fields on their tabs, twelve again on the review, every one matching.
    expect(fill.readBack).toHaveLength(24);
    expect(fill.readBack.every((r) => r.match && r.expectedSha256 === r.foundSha256)).toBe(true);
    expect(fill.screenshots.map((x) => x.name)).toEqual([
      ...profile.tabs.map((t) => `tab-${t.id}`),
      'review',
    ]);
    expectPngs(fill);
    expectNoSecrets(words(fill));

    const order: string[] = [];
    const submitted = await s.submit(async () => {
      order.push(`intent with ${created() - before} request(s) on the server`);
    });
    expect(order).toEqual(['intent with 0 request(s) on the server']);
    expect(submitted.state).toBe('confirmed');
    const id = submitted.state === 'confirmed' ? submitted.requestId : '';
    expect(id).toMatch(/^PKI-REQ-\d{6}$/);
    expect(created() - before).toBe(1);
    const server = portal.requests().find((r) => r.id === id)!;
    expect(server.fields.commonName).toBe(VALUES.commonName);
    expect(server.sans).toEqual(VALUES.sans);
    expect(server.fields.keyFingerprint).toBe(FINGERPRINT);
    expect(server.fields.csrPem).toBe(CSR);
    expectNoSecrets(words(submitted));

    await expect(s.submit(async () => undefined)).rejects.toMatchObject({ code: 'PORTAL_NOT_READY' });
    const rows = await s.search(FINGERPRINT);
    expect(rows).toEqual([
      { requestId: id, subject: VALUES.commonName, fingerprint: FINGERPRINT, state: 'pending' },
    ]);
    expect(created() - before).toBe(1);
  });

  it('clicks nothing when the intent cannot be written, and can submit once it is', async () => {
    portal.setFaults([]);
    const before = created();
    const s = await open();
    expect((await s.fill(VALUES)).state).toBe('ready-to-submit');
    await expect(
      s.submit(async () => {
        throw new Error('journal refused the intent');
      }),
    ).rejects.toThrow('journal refused the intent');
    expect(created() - before).toBe(0);
    expect((await s.submit(async () => undefined)).state).toBe('confirmed');
    expect(created() - before).toBe(1);
  });

  const FILL_HALTS: [FaultName[], HaltKind, string][] = [
    [['prefill'], 'prefill', 'subscriber'],
    [['truncate'], 'truncation', 'custody'],
    [['extra-san'], 'extra-value', 'review'],
    [['different-profile'], 'different-value', 'review'],
    [['unexpected-option'], 'unexpected-control', 'sans'],
    [['layout-change'], 'layout-changed', 'subscriber'],
    [['warning-banner'], 'warning-banner', 'custody'],
    [['duplicate-notice'], 'duplicate-notice', 'profile'],
    [['captcha'], 'captcha', 'review'],
    [['login-redirect'], 'login-required', 'custody'],
    [['session-expired'], 'session-expired', 'justification'],
  ];

  it.each(FILL_HALTS)(
    '%j halts the fill with %s on tab %s, creating no request',
    async (faults, kind, tab) => {
      portal.setFaults(faults);
      const before = created();
      const s = await open();
      const fill = await s.fill(VALUES);
      expect(fill.state).toBe('halted');
      expect(fill.halt).toMatchObject({ kind, tab });
      expect(fill.screenshots.some((x) => x.name === `halt-${tab}`)).toBe(true);
      expectPngs(fill);
      expectNoSecrets(words(fill));
      // A halted session never submits.
      await expect(s.submit(async () => undefined)).rejects.toMatchObject({ code: 'PORTAL_NOT_READY' });
      expect(created() - before).toBe(0);
      // Where the page still offers it, the draft is saved for the person who takes over.
      const savable = !['login-redirect', 'session-expired'].includes(faults[0]!);
      expect(fill.draftSaved).toBe(savable);
      if (savable) {
        const draft = portal.drafts().find((d) => d.id === fill.draftId);
        expect(draft).toBeDefined();
        expect(portal.audit().some((a) => a.kind === 'draft-saved' && a.draftId === fill.draftId)).toBe(true);
      }
    },
  );

  it('names the truncated field and shows only previews of it', async () => {
    portal.setFaults(['truncate']);
    const fill = await (await open()).fill(VALUES);
    expect(fill.halt).toMatchObject({
      kind: 'truncation',
      field: 'keyFingerprint',
      expected: `${FINGERPRINT.slice(0, 4)}…${FINGERPRINT.slice(-4)} (64 chars)`,
      found: `${FINGERPRINT.slice(0, 4)}…${FINGERPRINT.slice(36, 40)} (40 chars)`,
    });
    const mismatch = fill.readBack.find((r) => !r.match)!;
    expect(mismatch).toMatchObject({ tab: 'custody', take: 'keyFingerprint' });
    expect(mismatch.foundSha256).not.toBe(mismatch.expectedSha256);
  });

  it('abandons the draft where the portal offers no save (draft-unavailable)', async () => {
    portal.setFaults(['draft-unavailable', 'warning-banner']);
    const savedBefore = portal.audit().filter((a) => a.kind === 'draft-saved').length;
    const fill = await (await open()).fill(VALUES);
    expect(fill.halt?.kind).toBe('warning-banner');
    expect(fill.draftSaved).toBe(false);
    expect(fill.draftId).toMatch(/^D-\d{6}$/);
    expect(portal.audit().filter((a) => a.kind === 'draft-saved').length).toBe(savedBefore);
  });

  const AMBIGUOUS: [FaultName, RegExp, number][] = [
    ['error-page', /error page after the click \(HTTP 500\)/, 0],
    ['commit-then-error', /error page after the click \(HTTP 500\)/, 1],
    ['hang-after-commit', /^timeout: no (answer|confirmation) within 3 s of the click/, 1],
    ['no-id', /confirmation names no request id/, 1],
    ['reset-after-commit', /connection failed after the click/, 1],
  ];

  it.each(AMBIGUOUS)('%s after the click is ambiguous (%s), never retried', async (fault, reason, made) => {
    portal.setFaults([fault]);
    const before = created();
    const s = await open({ submitMs: 3_000 });
    expect((await s.fill(VALUES)).state).toBe('ready-to-submit');
    let intents = 0;
    const result = await s.submit(async () => {
      intents++;
    });
    expect(intents).toBe(1);
    expect(result.state).toBe('ambiguous');
    expect(result.state === 'ambiguous' ? result.reason : '').toMatch(reason);
    expectNoSecrets(words(result));
    await expect(s.submit(async () => undefined)).rejects.toMatchObject({ code: 'PORTAL_NOT_READY' });
    // The server holds exactly what one click made: 0 duplicate requests.
    expect(created() - before).toBe(made);
    const byDraft = new Map<string, number>();
    for (const a of portal.audit().filter((x) => x.kind === 'request-created')) {
      byDraft.set(a.draftId!, (byDraft.get(a.draftId!) ?? 0) + 1);
    }
    expect([...byDraft.values()].every((n) => n === 1)).toBe(true);
    // Reconciliation, from a fresh session as after a restart: the search tells whether it exists.
    portal.setFaults([]);
    const madeNow = portal
      .audit()
      .filter((x) => x.kind === 'request-created')
      .slice(before);
    const rows = await (await open()).search(FINGERPRINT);
    for (const a of madeNow) expect(rows.map((r) => r.requestId)).toContain(a.requestId);
  });

  it('reconciles a hang after commit: the request the click made is found by its fingerprint', async () => {
    portal.setFaults(['hang-after-commit']);
    const s = await open({ submitMs: 2_000 });
    await s.fill({ ...VALUES, keyFingerprint: FINGERPRINT.replace(/^3b9f/, 'aaaa') });
    expect((await s.submit(async () => undefined)).state).toBe('ambiguous');
    portal.setFaults([]);
    const rows = await (await open()).search(FINGERPRINT.replace(/^3b9f/, 'aaaa'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ subject: VALUES.commonName, state: 'pending' });
  });
});

describe('probe', () => {
  it('walks a matching portal without typing or submitting and reports nothing', async () => {
    portal.setFaults([]);
    const before = created();
    const result = await probe(profile, portal.url, {
      headless: true,
      login: async () => ({ username: CANARY_USER, password: CANARY_PASSWORD }),
    });
    expect(result.mismatches).toEqual([]);
    expect(result.halts).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.screenshots.map((x) => x.name)).toContain('probe-review');
    expect(created() - before).toBe(0);
  });

  it('reports a changed label and a moved locator, and the halts shown', async () => {
    portal.setFaults(['layout-change', 'warning-banner', 'unexpected-option']);
    const before = created();
    const result = await probe(profile, portal.url, {
      headless: true,
      login: async () => ({ username: CANARY_USER, password: CANARY_PASSWORD }),
    });
    expect(result.ok).toBe(false);
    expect(result.mismatches).toEqual(
      expect.arrayContaining([
        {
          tab: 'subscriber',
          locator: '#common-name',
          expectedLabel: 'Common name',
          found: 'Subject common name (CN)',
        },
        { tab: 'subscriber', locator: '#organization', expectedLabel: 'Organization', found: '(missing)' },
        expect.objectContaining({
          tab: 'subscriber',
          expectedLabel: '(not in the profile)',
          found: 'Organization',
        }),
        expect.objectContaining({ tab: 'sans', found: 'Allow wildcard SANs' }),
      ]),
    );
    expect(result.halts.map((h) => [h.kind, h.tab])).toEqual([['warning-banner', 'custody']]);
    expect(created() - before).toBe(0);
    expectNoSecrets(words(result));
  });
});

describe('the allow list', () => {
  let beacon: Server;
  let proxy: Server;
  let hits = 0;

  beforeAll(async () => {
    // A server outside the profile's allow list (localhost is not 127.0.0.1), counting what reaches it.
    beacon = createServer((_req, res) => {
      hits++;
      res.end('x');
    });
    await new Promise<void>((r) => beacon.listen(0, '127.0.0.1', r));
    const beaconUrl = `http://localhost:${(beacon.address() as AddressInfo).port}/beacon.png`;
    // The portal, through a proxy that makes its custody tab load an image from that server.
    const target = new URL(portal.url);
    proxy = createServer((req, res) => {
      const up = request(`${portal.url}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
        const { 'content-length': _length, ...headers } = r.headers;
        res.writeHead(r.statusCode ?? 502, headers);
        if (!req.url?.endsWith('/custody')) return void r.pipe(res);
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () =>
          res.end(
            Buffer.concat(chunks)
              .toString('utf8')
              .replace('</main>', `<img src="${beaconUrl}" alt=""></main>`),
          ),
        );
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, target.hostname, r));
  });
  afterAll(async () => {
    await new Promise((r) => proxy.close(r));
    await new Promise((r) => beacon.close(r));
  });

  it('aborts a request outside allow and halts navigation-blocked; nothing reaches the outside server', async () => {
    portal.setFaults([]);
    const s = await open({ baseUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
    const fill = await s.fill(VALUES);
    expect(fill.halt).toMatchObject({ kind: 'navigation-blocked', tab: 'custody' });
    expect(fill.halt?.found).toMatch(/^http:\/\/localhost:\d+\/beacon\.png$/);
    expect(s.blocked).toHaveLength(1);
    expect(hits).toBe(0);
  });

  it('refuses a base URL whose origin the profile does not allow', async () => {
    await expect(
      openPortal({ profile, baseUrl: portal.url.replace('127.0.0.1', 'localhost'), headless: true }),
    ).rejects.toMatchObject({ code: 'PORTAL_URL_NOT_ALLOWED' });
  });
});

describe('credentials', () => {
  it('a refused sign-in halts login-required, and the password is in no result or error', async () => {
    portal.setFaults([]);
    const s = await openPortal({
      profile,
      baseUrl: portal.url,
      headless: true,
      login: async () => ({ username: CANARY_USER, password: `${CANARY_PASSWORD}-wrong` }),
      timeouts: { navigationMs: 10_000, actionMs: 5_000 },
    });
    sessions.push(s);
    const fill = await s.fill(VALUES);
    expect(fill.halt).toMatchObject({ kind: 'login-required', detail: 'the portal refused the sign-in' });
    expectNoSecrets(words(fill));
    const err = await s.search('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodedError);
    expectNoSecrets(`${(err as Error).message} ${JSON.stringify(err)}`);
  });

  it('without credentials the sign-in page is a halt, not a guess', async () => {
    const s = await openPortal({ profile, baseUrl: portal.url, headless: true });
    sessions.push(s);
    const fill = await s.fill(VALUES);
    expect(fill.halt).toMatchObject({ kind: 'login-required' });
    expect(fill.draftSaved).toBe(false);
  });
});
