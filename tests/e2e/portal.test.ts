import AxeBuilder from '@axe-core/playwright';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importScenarioSources, readScenario } from '../../src/main/services/findings';
import { systemDeps } from '../../src/main/runtime';
import { Station } from '../../src/main/station/station';
import { DEFAULT_USERS, startPortal, type Portal } from '../fixtures/pki-portal/server.mjs';
import { shiftedScenarioCopy } from '../helpers/shift-scenario';
import { SOFTHSM_PATH } from '../helpers/softhsm';
import { artifactPath, confirmPreview, launchChromium, serveStation, stationCli } from './harness';

/**
 * Portal submissions (docs/portal-submission.md) in real Chromium through the browser-mode host of an
 * ONLINE station, against the PKI-portal test app (tests/fixtures/pki-portal): the approved request of
 * scenario portal-issuance/01-clean-submission moved to the real clock. Journeys: a clean submission
 * (SUBMITTED with the portal's own request id), a safe halt on a warning banner (HALTED, nothing
 * created), and an ambiguous outcome (commit then error: HALTED-AMBIGUOUS, submit disabled until
 * reconciliation finds the one request). The station drives its own headless Chromium for the portal
 * ("Show the portal window" unchecked: no display here).
 *
 * The operator: an online station touches no token but its identity token (HSM_ONLINE_MODE), so a
 * certificate operator's own token elsewhere cannot sign in there, and a key file needs a quorum roster
 * change whose quorum session needs a signed-in person first. What works today is the operator's roster
 * key on the workstation's own token: generated there (pkcs11-tool), its public key exported with
 * `station hsm pubkey`, the roster initialised (witnessed) with it and a second custodian's key, and the
 * operator signs in at the banner with that token and its PIN. Every act is then operator:elena's.
 */
const SCENARIO = join(import.meta.dirname, '..', 'scenarios', 'portal-issuance', '01-clean-submission');
const REQUEST = 'ISR-2026-0412';
const PIN = '135790';
const TOKEN_LABEL = 'Portal workstation';
const USER = DEFAULT_USERS[0]!;
/** The portal run (login, seven tabs read back, two pre-checks, submit) on a shared CPU. */
const RUN = { timeout: 120_000 };
const SLOW = { timeout: 20_000 };

interface OnlineStation {
  root: string;
  dir: string;
  serial: string;
  remove(): void;
}

function must(r: { status: number | null; stdout: string; stderr: string }, what: string): string {
  if (r.status !== 0) throw new Error(`${what} failed: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

/**
 * An online station as its people set it up: a workstation token, `station init --mode online`, the
 * approved packet's records imported (before anybody acts on the station), the operator's key made on
 * the workstation token and the roster initialised under a witness.
 */
async function onlineStation(): Promise<OnlineStation> {
  const root = mkdtempSync(join(tmpdir(), 'station-portal-'));
  const dir = join(root, 'station');
  const tokens = join(root, 'softhsm', 'tokens');
  mkdirSync(tokens, { recursive: true });
  const conf = join(root, 'softhsm', 'softhsm2.conf');
  writeFileSync(
    conf,
    `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`,
  );
  const env = { ...process.env, SOFTHSM2_CONF: conf };
  must(
    spawnSync(
      'softhsm2-util',
      ['--init-token', '--free', '--label', TOKEN_LABEL, '--so-pin', '11223344', '--pin', PIN],
      { env, encoding: 'utf8' },
    ),
    'softhsm2-util --init-token',
  );
  const listed = JSON.parse(
    must(
      stationCli(['hsm', 'list', '--profile', 'softhsm2', '--module-env', `SOFTHSM2_CONF=${conf}`, '--json']),
      'station hsm list',
    ),
  ) as { tokens: { label: string; serial: string }[] }[];
  const serial = listed[0]?.tokens.find((t) => t.label === TOKEN_LABEL)?.serial ?? '';
  expect(serial).not.toBe('');
  must(
    stationCli(
      [
        'init',
        '--name',
        'Portal workstation',
        '--token',
        serial,
        '--module-env',
        `SOFTHSM2_CONF=${conf}`,
        '--mode',
        'online',
        '--actor',
        'operator:elena',
        '--pin-stdin',
        '--data-dir',
        dir,
      ],
      `${PIN}\n`,
    ),
    'station init --mode online',
  );
  // The approved packet's records, moved to the real clock (the host judges them now).
  const copy = shiftedScenarioCopy(SCENARIO, new Date());
  const station = Station.open(dir, systemDeps);
  try {
    await importScenarioSources(station, copy, readScenario(copy), { asOf: new Date().toISOString() });
  } finally {
    station.close();
  }
  // The operator's own key pair on the workstation token (the one token an online station touches).
  must(
    spawnSync(
      'pkcs11-tool',
      [
        '--module',
        SOFTHSM_PATH,
        '--token-label',
        TOKEN_LABEL,
        '--login',
        '--pin',
        PIN,
        '--keypairgen',
        '--key-type',
        'EC:prime256v1',
        '--label',
        'elena-operator',
        '--id',
        'e1',
      ],
      { env, encoding: 'utf8' },
    ),
    'pkcs11-tool --keypairgen',
  );
  const elenaPem = join(root, 'elena.pem');
  must(
    stationCli(['hsm', 'pubkey', '--token', serial, '--key', 'e1', '--out', elenaPem, '--data-dir', dir]),
    'station hsm pubkey',
  );
  // The second custodian the roster's quorum needs (their key is theirs, elsewhere).
  const samPem = join(root, 'sam.pem');
  writeFileSync(
    samPem,
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }),
  );
  const entry = (custodianId: string, name: string, publicKeyFile: string) => ({
    custodianId,
    name,
    roles: ['certificate-operator'],
    publicKeyFile,
    validFrom: '2020-01-01T00:00:00.000Z',
    validUntil: '2099-01-01T00:00:00.000Z',
  });
  const rosterFile = join(root, 'roster.json');
  writeFileSync(
    rosterFile,
    JSON.stringify({
      quorum: 2,
      custodians: [entry('elena', 'Elena Park', elenaPem), entry('sam', 'Sam Ortiz', samPem)],
    }),
  );
  must(
    stationCli([
      'roster',
      'init',
      '--file',
      rosterFile,
      '--witness',
      'Ana Kowalski',
      '--actor',
      'operator:elena',
      '--data-dir',
      dir,
    ]),
    'station roster init',
  );
  return { root, dir, serial, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Elena signs in at the banner with the workstation token and its PIN, as a person does. */
async function signInElena(page: Page, serial: string): Promise<void> {
  const cell = page.getByRole('banner', { name: 'Station status' }).getByLabel('Operator');
  await cell.getByRole('button', { name: 'Sign in' }).click();
  const dialog = page.getByRole('dialog', { name: 'Sign in' });
  await dialog.getByRole('option', { name: `${TOKEN_LABEL} (${serial})` }).waitFor({ state: 'attached' });
  await dialog.getByLabel('Your token').selectOption({ label: `${TOKEN_LABEL} (${serial})` });
  await dialog.getByLabel('Token PIN').fill(PIN);
  await dialog.getByRole('button', { name: 'Sign in' }).click();
  await cell.getByText('SIGNED IN').waitFor();
}

async function openPortalView(page: Page): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Workflows' })
    .getByRole('button', { name: 'Portal submissions', exact: true })
    .click();
  await page.getByRole('main').getByRole('heading', { level: 1, name: 'Portal submissions' }).waitFor();
  // The records hold another (withdrawn) request too: the operator picks theirs.
  const pick = page.getByRole('table', { name: 'Issuance requests' }).getByRole('button', { name: REQUEST });
  await pick.click();
  expect(await pick.getAttribute('aria-current')).toBe('true');
  await page.getByRole('heading', { level: 2, name: `Pre-check of ${REQUEST}` }).waitFor();
}

/** The pre-check from the view: READY and the values the run will enter. */
async function preCheck(page: Page): Promise<void> {
  const main = page.getByRole('main');
  await main.getByRole('button', { name: 'Run the pre-check now' }).click();
  const section = page.getByRole('region', { name: `Pre-check of ${REQUEST}` });
  await section.locator('[data-status="READY"]').waitFor(SLOW);
  expect(await section.innerText()).toContain('ready-for-portal');
  const entry = section.getByRole('table', { name: 'Values the run will enter' });
  for (const take of ['commonName', 'csrPem', 'keyFingerprint', 'sans', 'profile', 'approvalRefs'])
    await entry.getByRole('rowheader', { name: take, exact: true }).waitFor();
}

/** Fills the submit form as an operator does, then previews and confirms with the request id typed. */
async function submitFromView(page: Page, portal: Portal): Promise<string> {
  const form = page.getByRole('form', { name: 'Submit through the portal' });
  await form.getByLabel('Portal profile').selectOption('test-portal');
  await form.getByLabel('Portal address').fill(portal.url);
  await form.getByLabel('Portal user name').fill(USER.username);
  await form.getByLabel(/^Portal password/).fill(USER.password);
  // No display here: the portal's window stays hidden (headless).
  const window = form.getByLabel(/^Show the portal window/);
  await window.uncheck();
  expect(await window.isChecked()).toBe(false);
  await form.getByRole('button', { name: 'Preview the submission' }).click();
  const title =
    'Submit the approved issuance request to the PKI portal (pre-check, enter and read back, pre-check again, submit once)';
  const text = await confirmPreview(page, title, { typed: REQUEST, as: 'elena' });
  expect(text).toContain(REQUEST);
  expect(text).toContain(portal.url.replace(/\/$/, ''));
  // The password goes with the act only, never into what the preview shows or records.
  expect(text).not.toContain(USER.password);
  return text;
}

/** The card of the request's newest run once its state is one of `states`. */
async function runCard(page: Page, states: RegExp): Promise<Locator> {
  const runs = page.getByRole('region', { name: `Runs of ${REQUEST}` });
  const card = runs.getByRole('article', { name: /^Run / }).first();
  await expect
    .poll(() => card.locator('[data-status]').first().getAttribute('data-status'), RUN)
    .toMatch(states);
  return card;
}

/** A submitted request is done: the view says with which id, and does not offer to submit it again. */
async function expectDone(page: Page, portalRequestId: string): Promise<void> {
  const submit = page.getByRole('region', { name: 'Submit through the portal' });
  await expect
    .poll(() => submit.getByRole('note').innerText(), SLOW)
    .toMatch(new RegExp(`SUBMITTED\\s*Run [0-9a-f]{8} submitted this request as ${portalRequestId}`));
  expect(await submit.getByRole('button', { name: 'Preview the submission' }).isDisabled()).toBe(true);
}

async function noSideways(page: Page): Promise<void> {
  // A string: this file is type-checked without the DOM library.
  const m = (await page.evaluate(`(() => {
    const main = document.querySelector('main');
    return {
      scroll: document.scrollingElement.scrollWidth,
      inner: window.innerWidth,
      main: main ? main.scrollWidth - main.clientWidth : 0,
    };
  })()`)) as { scroll: number; inner: number; main: number };
  expect(m.scroll).toBeLessThanOrEqual(m.inner);
  expect(m.main).toBeLessThanOrEqual(0);
}

/** axe-core's WCAG 2.1 A/AA rules on the view: no serious or critical fault. */
async function axeClean(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .include('main')
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const grave = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} [${v.impact}] ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(grave.join('\n'), `axe: ${label}`).toBe('');
}

const created = (portal: Portal) => portal.audit().filter((a) => a.kind === 'request-created');

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** One online station served, a portal beside it, a signed-in page at 1440×900. */
async function withOnline(
  body: (page: Page, portal: Portal, station: OnlineStation) => Promise<void>,
): Promise<void> {
  const portal = await startPortal();
  const station = await onlineStation();
  const host = await serveStation(station.dir);
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  page.setDefaultTimeout(60_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(host.url);
    await signInElena(page, station.serial);
    await body(page, portal, station);
    expect(errors).toEqual([]);
  } finally {
    await page.context().close();
    await host.stop();
    await portal.close();
    station.remove();
  }
}

describe('Portal submissions view in Chromium (online station, test PKI portal)', () => {
  it('a clean submission: pre-check READY, the form, the preview with the id typed → SUBMITTED with the portal’s request id; axe clean, no sideways scroll', async () => {
    await withOnline(async (page, portal) => {
      // The banner says ONLINE; the nav lists the view.
      expect(await page.getByRole('banner', { name: 'Station status' }).innerText()).toMatch(/ONLINE/);
      await openPortalView(page);
      await preCheck(page);
      await axeClean(page, 'pre-check 1440');

      await submitFromView(page, portal);
      const card = await runCard(page, /^(SUBMITTED|HALTED|HALTED-AMBIGUOUS|STOPPED|NOT-FOUND)$/);
      expect(await card.locator('[data-status]').first().getAttribute('data-status')).toBe('SUBMITTED');
      const made = created(portal);
      expect(made).toHaveLength(1);
      expect(portal.requests().map((r) => r.id)).toEqual([made[0]?.requestId]);
      const text = await card.innerText();
      expect(text).toContain(`Portal request id: ${made[0]?.requestId}`);
      expect(text).toMatch(/Read back: (\d+) of \1 fields as entered/);
      expect(text).toMatch(/Submit intent journaled at seq \d+/);
      expect(text).toContain('operator:elena');
      expect(text).not.toContain(USER.password);
      // The request's row says it too, and the form offers no second submission.
      await expectDone(page, made[0]?.requestId ?? '?');
      expect(
        await page
          .getByRole('table', { name: 'Issuance requests' })
          .getByRole('row', { name: new RegExp(REQUEST) })
          .locator('[data-status]')
          .getAttribute('data-status'),
      ).toBe('SUBMITTED');

      await card.scrollIntoViewIfNeeded();
      await page.screenshot({ path: artifactPath('portal-submitted-1440.png') });
      await axeClean(page, 'submitted 1440');
      await page.setViewportSize({ width: 1024, height: 700 });
      await noSideways(page);
      await card.scrollIntoViewIfNeeded();
      await page.screenshot({ path: artifactPath('portal-submitted-1024.png') });
      await axeClean(page, 'submitted 1024');
    });
  }, 300_000);

  it('a warning banner in the portal: HALTED with the halt kind and the saved draft, 0 requests; then commit-then-error: HALTED-AMBIGUOUS, submit disabled, reconciliation finds the one request', async () => {
    await withOnline(async (page, portal) => {
      await openPortalView(page);
      await preCheck(page);

      // Journey 2: a safe halt before anything is submitted.
      portal.setFaults(['warning-banner']);
      await submitFromView(page, portal);
      const halted = await runCard(page, /^(SUBMITTED|HALTED|HALTED-AMBIGUOUS|STOPPED|NOT-FOUND)$/);
      expect(await halted.locator('[data-status]').first().getAttribute('data-status')).toBe('HALTED');
      const draft = portal.drafts()[0];
      const haltText = await halted.innerText();
      expect(haltText).toMatch(/Halt\s*warning-banner/);
      expect(haltText).toMatch(new RegExp(`Draft\\s*draft-saved ${draft?.id ?? '?'}`));
      // The portal holds that draft as saved (server side), and no request.
      expect(portal.audit().some((a) => a.kind === 'draft-saved' && a.draftId === draft?.id)).toBe(true);
      expect(haltText).toMatch(/masked screenshots? in the evidence/);
      expect(haltText).not.toContain(USER.password);
      expect(created(portal)).toHaveLength(0);
      expect(portal.requests()).toHaveLength(0);
      await halted.scrollIntoViewIfNeeded();
      await page.screenshot({ path: artifactPath('portal-halt-1440.png') });
      await axeClean(page, 'halted 1440');
      await page.setViewportSize({ width: 1024, height: 700 });
      await noSideways(page);
      await axeClean(page, 'halted 1024');
      await page.setViewportSize({ width: 1440, height: 900 });

      // Journey 3: the portal creates the request, then answers 500. A HALTED run does not block a new one.
      portal.setFaults(['commit-then-error']);
      await submitFromView(page, portal);
      const ambiguous = await runCard(page, /^(SUBMITTED|HALTED-AMBIGUOUS|STOPPED|NOT-FOUND)$/);
      expect(await ambiguous.locator('[data-status]').first().getAttribute('data-status')).toBe(
        'HALTED-AMBIGUOUS',
      );
      expect(created(portal)).toHaveLength(1);
      portal.setFaults([]);
      // Nothing may be submitted again until the run is reconciled; the note says so.
      const submit = page.getByRole('region', { name: 'Submit through the portal' });
      expect(await submit.getByRole('note').innerText()).toMatch(
        /HALTED-AMBIGUOUS\s*Run [0-9a-f]{8} may already have submitted this request: reconcile it below/,
      );
      expect(await submit.getByRole('button', { name: 'Preview the submission' }).isDisabled()).toBe(true);
      expect(await ambiguous.innerText()).toMatch(/Submit intent journaled at seq \d+/);

      const reconcile = ambiguous.getByRole('form', { name: /^Reconcile run / });
      expect(await reconcile.getByLabel('Portal address').inputValue()).toBe(new URL(portal.url).origin);
      await reconcile.getByLabel('Portal user name').fill(USER.username);
      await reconcile.getByLabel(/^Portal password/).fill(USER.password);
      await reconcile.getByRole('button', { name: /^Reconcile/ }).click();
      await confirmPreview(
        page,
        'Search the portal for the run’s request and record what is found (never submits)',
        { as: 'elena' },
      );
      const settled = page
        .getByRole('region', { name: `Runs of ${REQUEST}` })
        .getByRole('article')
        .filter({
          hasText: /Submit intent journaled/,
        });
      await expect
        .poll(() => settled.locator('[data-status]').first().getAttribute('data-status'), RUN)
        .toBe('SUBMITTED');
      const made = created(portal);
      expect(made).toHaveLength(1);
      expect(portal.requests()).toHaveLength(1);
      const settledText = await settled.innerText();
      expect(settledText).toContain(`Portal request id: ${made[0]?.requestId}`);
      expect(settledText).toMatch(
        new RegExp(`Reconciliation seq \\d+ by operator:elena: found ${made[0]?.requestId ?? '?'}`),
      );
      await expectDone(page, made[0]?.requestId ?? '?');
    });
  }, 300_000);

  it('an offline demo station does not list Portal submissions in its nav', async () => {
    const root = mkdtempSync(join(tmpdir(), 'station-offline-'));
    const dir = join(root, 'station');
    must(stationCli(['demo', '--data-dir', dir]), 'station demo');
    expect(
      (JSON.parse(must(stationCli(['info', '--data-dir', dir]), 'station info')) as { mode: string }).mode,
    ).toBe('offline');
    const host = await serveStation(dir);
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    try {
      await page.goto(host.url);
      const nav = page.getByRole('navigation', { name: 'Workflows' });
      await nav.getByRole('button', { name: 'Journal', exact: true }).waitFor();
      // The banner's mode arrives with the station info: wait for it, then the nav is the one it decides.
      const banner = page.getByRole('banner', { name: 'Station status' });
      await banner.getByText('OFFLINE', { exact: true }).waitFor();
      expect(await banner.innerText()).toMatch(/OFFLINE/);
      expect(await nav.getByRole('button', { name: 'Portal submissions' }).count()).toBe(0);
    } finally {
      await page.context().close();
      await host.stop();
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);
});
