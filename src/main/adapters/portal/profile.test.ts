import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { CodedError } from '../../../core/errors';
import {
  bundledPortalProfileIds,
  bundledPortalProfile,
  loadPortalProfileFile,
  originAllowed,
  parseAllowedOrigin,
  parsePortalProfile,
  portalUrl,
  type AllowedOrigin,
} from './profile';

/** A complete profile in the design's shape; each test changes one thing in it. */
const VALID = `profile: sample
title: Sample portal
version: 1
allow: ['http://127.0.0.1:*', 'https://pki.example.com']
start: /requests/new
login: { page: /login, form: '#login-form', username: '#username', password: '#password', submit: '#login-submit' }
sessionExpired: ['.session-expired']
halt:
  warning: ['.alert-warning']
  duplicate: ['.duplicate-notice']
  captcha: ['.captcha', 'iframe[src*="captcha"]']
  error: ['.error-page']
tabs:
  - id: subscriber
    path: /requests/draft/{draft}/subscriber
    fields:
      - { take: subscriberService, locator: '#subscriber-service', label: Subscriber service, kind: text }
      - { take: environment, locator: '#environment', label: Environment, kind: select, options: [production, staging] }
    next: '#next'
  - id: sans
    fields:
      - { take: sans, locator: '#san-list', label: Subject alternative names, kind: lines }
    next: '#next'
review: { path: '/requests/draft/{draft}/review', values: 'dl.review dd[data-field]' }
saveDraft: { control: '#save-draft', saved: '.draft-saved', idPattern: 'Draft (D-\\d+) saved' }
submit: { control: '#submit-request', label: Submit request }
confirmation: { selector: .confirmation, pattern: 'Request (PKI-REQ-\\d{6}) submitted' }
search:
  path: '/requests/search?q={query}'
  row: tr.request-row
  columns: { requestId: td.request-id, subject: td.subject, fingerprint: td.fingerprint, state: td.state }
mask: ['#password', '#csr-pem']
`;

/** VALID with the value at `path` replaced (or, with `undefined`, removed). */
function edit(path: (string | number)[], value: unknown): string {
  const doc = parseDocument(VALID);
  if (value === undefined) doc.deleteIn(path);
  else doc.setIn(path, value);
  return doc.toString();
}

/** The coded error a profile text is refused with. */
function refusal(text: string): CodedError {
  try {
    parsePortalProfile(text, 'sample.yaml');
  } catch (e) {
    if (e instanceof CodedError) return e;
    throw e;
  }
  throw new Error('the profile was accepted');
}

describe('portal profile schema', () => {
  it('accepts the design shape, parsing origins and defaults', () => {
    const p = parsePortalProfile(VALID, 'sample.yaml');
    expect(p.profile).toBe('sample');
    expect(p.tabs.map((t) => t.id)).toEqual(['subscriber', 'sans']);
    expect(p.origins).toEqual([
      { scheme: 'http', host: '127.0.0.1', port: null },
      { scheme: 'https', host: 'pki.example.com', port: 443 },
    ]);
    expect(p.review.key).toBe('data-field');
    expect(p.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    [['colour'], 'red', 'colour', 'is not a profile key'],
    [['login', 'remember'], true, 'login.remember', 'is not a profile key'],
    [['tabs', 0, 'fields', 1, 'placeholder'], 'x', 'tabs.0.fields.1.placeholder', 'is not a profile key'],
    [['search', 'columns', 'owner'], 'td.owner', 'search.columns.owner', 'is not a profile key'],
    [['halt', 'maintenance'], ['.maint'], 'halt.maintenance', 'is not a profile key'],
  ])('refuses an unknown key at %j, naming its path', (path, value, field, words) => {
    const e = refusal(edit(path, value));
    expect(e.code).toBe('PORTAL_PROFILE_INVALID');
    expect(e.data.field).toBe(field);
    expect(e.message).toContain(`${field} ${words}`);
  });

  it('names the YAML line of the refused key', () => {
    const text = VALID.replace("next: '#next'\n  - id: sans", "next: '#next'\n    nxet: '#x'\n  - id: sans");
    const e = refusal(text);
    expect(e.data.field).toBe('tabs.0.nxet');
    const line = text.split('\n').findIndex((l) => l.includes('nxet')) + 1;
    expect(e.data.line).toBe(line);
    expect(e.message).toContain(`sample.yaml line ${line}: tabs.0.nxet`);
  });

  it.each([
    [['tabs', 0, 'fields', 0, 'locator'], '  ', 'tabs.0.fields.0.locator', 'must not be empty'],
    [['tabs', 0, 'next'], '', 'tabs.0.next', 'must not be empty'],
    [['login', 'password'], '', 'login.password', 'must not be empty'],
    [['sessionExpired'], [], 'sessionExpired', 'at least one selector'],
    [['halt', 'captcha', 1], '', 'halt.captcha.1', 'must not be empty'],
    [['mask', 0], '', 'mask.0', 'must not be empty'],
    [['tabs', 0, 'fields', 0, 'label'], '', 'tabs.0.fields.0.label', 'must not be empty'],
  ])('refuses an empty locator or label at %j', (path, value, field, words) => {
    const e = refusal(edit(path, value));
    expect(e.data.field).toBe(field);
    expect(e.message).toContain(words);
  });

  it.each([
    ['Request PKI-REQ-\\d{6} submitted', 'exactly one capture group (it holds 0)'],
    ['Request (PKI)-(REQ-\\d{6}) submitted', 'exactly one capture group (it holds 2)'],
    ['Request (PKI-REQ-\\d{6} submitted', 'does not compile'],
  ])('refuses the confirmation pattern %s', (pattern, words) => {
    const e = refusal(edit(['confirmation', 'pattern'], pattern));
    expect(e.data.field).toBe('confirmation.pattern');
    expect(e.message).toContain(words);
  });

  it('accepts a pattern whose other groups do not capture, and checks the draft pattern too', () => {
    expect(() =>
      parsePortalProfile(edit(['confirmation', 'pattern'], '(?:Request|Req) (PKI-REQ-\\d{6})'), 's'),
    ).not.toThrow();
    expect(refusal(edit(['saveDraft', 'idPattern'], 'Draft saved')).data.field).toBe('saveDraft.idPattern');
  });

  it.each([
    ['http://portal.example.com', 'plain http is allowed only for 127.0.0.1'],
    ['http://10.0.0.5:8080', 'plain http is allowed only for 127.0.0.1'],
    ['https://*.example.com', 'must be an origin'],
    ['https://pki.example.com:8*', 'must be an origin'],
    ['https://pki.example.com/portal', 'must be an origin'],
    ['ftp://127.0.0.1', 'must be an origin'],
    ['https://pki.example.com:70000', 'outside 1–65535'],
    ['*', 'must be an origin'],
  ])('refuses the allow entry %s', (origin, words) => {
    const e = refusal(edit(['allow', 1], origin));
    expect(e.data.field).toBe('allow.1');
    expect(e.message).toContain(words);
  });

  it.each([
    [['start'], 'https://pki.example.com/requests/new', 'start', 'relative to the base URL'],
    [['start'], 'requests/new', 'start', 'relative to the base URL'],
    [['start'], '//evil.example/requests', 'start', 'relative to the base URL'],
    [['start'], '/requests/../admin', 'start', 'must not climb out'],
    [['login', 'page'], 'http://127.0.0.1/login', 'login.page', 'relative to the base URL'],
    [['tabs', 0, 'path'], '/requests/{id}/subscriber', 'tabs.0.path', 'placeholder {id}'],
    [['search', 'path'], '/requests/search?q=', 'search.path', 'must hold {query}'],
    [['start'], '/requests/{draft}', 'start', 'placeholder {draft}'],
  ])('refuses the path at %j = %s', (path, value, field, words) => {
    const e = refusal(edit(path, value));
    expect(e.data.field).toBe(field);
    expect(e.message).toContain(words);
  });

  it('refuses a take twice, a list take not of kind lines, options off a select, and unknown takes', () => {
    const twice = refusal(edit(['tabs', 0, 'fields', 1, 'take'], 'subscriberService'));
    expect(twice.data.field).toBe('tabs.0.fields.1.take');
    expect(twice.message).toContain('already at tabs.0.fields.0');
    expect(refusal(edit(['tabs', 1, 'fields', 0, 'kind'], 'text')).data.field).toBe('tabs.1.fields.0.kind');
    expect(refusal(edit(['tabs', 0, 'fields', 0, 'kind'], 'lines')).data.field).toBe('tabs.0.fields.0.kind');
    expect(refusal(edit(['tabs', 0, 'fields', 0, 'options'], ['a'])).data.field).toBe(
      'tabs.0.fields.0.options',
    );
    expect(refusal(edit(['tabs', 0, 'fields', 0, 'take'], 'password')).data.field).toBe(
      'tabs.0.fields.0.take',
    );
  });

  it('refuses repeated tab ids, a review key mapped to no field, and missing required parts', () => {
    expect(refusal(edit(['tabs', 1, 'id'], 'subscriber')).data.field).toBe('tabs.1.id');
    expect(refusal(edit(['review', 'fields'], { cn: 'commonName' })).data.field).toBe('review.fields.cn');
    expect(refusal(edit(['submit'], undefined)).data.field).toBe('submit');
    expect(refusal(edit(['tabs'], [])).data.field).toBe('tabs');
    expect(refusal(edit(['version'], 0)).data.field).toBe('version');
  });

  it('refuses YAML with a repeated key or a syntax error, with its line', () => {
    const repeated = refusal(`${VALID}title: again\n`);
    expect(repeated.message).toMatch(/line \d+: not a YAML profile: Map keys must be unique/);
    expect(refusal('profile: [unclosed\n').data.field).toBe('(profile)');
    expect(refusal('- a list\n').data.field).toBe('(profile)');
  });

  it('requires the file name to be the profile id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'portal-profile-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'sample.yaml'), VALID);
    writeFileSync(join(dir, 'other.yaml'), VALID);
    expect(loadPortalProfileFile(join(dir, 'sample.yaml')).profile).toBe('sample');
    expect(() => loadPortalProfileFile(join(dir, 'other.yaml'))).toThrow(
      /profile sample must be named other/,
    );
  });

  it('validates every bundled profile, and names the known ones for an unknown id', () => {
    for (const id of bundledPortalProfileIds()) expect(bundledPortalProfile(id).profile).toBe(id);
    expect(() => bundledPortalProfile('no-such-portal')).toThrow(
      expect.objectContaining({ code: 'PORTAL_PROFILE_UNKNOWN' }),
    );
  });
});

describe('allowed origins', () => {
  const allow = ['http://127.0.0.1:*', 'https://pki.example.com', 'http://[::1]:8080'].map(
    (o) => parseAllowedOrigin(o) as AllowedOrigin,
  );

  it.each([
    ['http://127.0.0.1:43117/requests/new', true],
    ['ws://127.0.0.1:43117/live', true],
    ['https://pki.example.com/x', true],
    ['https://pki.example.com:443/x', true],
    ['https://PKI.example.com/x', true],
    ['http://[::1]:8080/', true],
    ['http://[::1]:8081/', false],
    ['https://pki.example.com:8443/x', false],
    ['http://pki.example.com/x', false],
    ['https://127.0.0.1:43117/', false],
    ['http://localhost:43117/', false],
    ['https://pki.example.com.evil.test/', false],
    ['https://evil.test/?pki.example.com', false],
    ['data:text/html,hi', false],
    ['not a url', false],
  ])('%s → %s', (url, allowed) => {
    expect(originAllowed(url, allow)).toBe(allowed);
  });

  it('joins a profile path under a base URL that has a path prefix', () => {
    expect(portalUrl('https://pki.example.com/portal/', '/requests/new')).toBe(
      'https://pki.example.com/portal/requests/new',
    );
  });
});
