import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp';
import {
  artifactPath,
  journalLength,
  launchChromium,
  serveStation,
  stationCli,
  openWorkflow,
} from './harness';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('Devices in Chromium against the browser-mode host (demo SoftHSM2 token)', () => {
  it('lists module and token; shows keys after login; generates a key after showing its template; makes a CSR', async () => {
    const dataDir = join(tempDir(), 'station');
    expect(stationCli(['demo', '--data-dir', dataDir]).status).toBe(0);
    const demoLength = journalLength(dataDir);
    const host = await serveStation(dataDir);
    const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await openWorkflow(page, host.url, 'Devices');
      const module = page.getByRole('region', { name: 'Module demo-softhsm' });
      await expect.poll(() => module.innerText()).toContain('SoftHSM');
      await module.getByRole('button', { name: 'Station HSM (demo)' }).click();

      const panel = page.getByRole('region', { name: /^Token [0-9a-f]{16}$/ });
      await panel.getByRole('button', { name: 'Show keys…' }).click();
      const showKeys = panel.getByRole('form', { name: 'Show keys' });
      await showKeys.getByLabel('Token user PIN').fill('123456');
      await showKeys.getByRole('button', { name: 'Log in and list keys' }).click();
      const keys = panel.getByRole('table', { name: 'Keys' });
      await expect.poll(() => keys.innerText()).toMatch(/station-identity[\s\S]*RESIDENT/);

      await keys.getByRole('button', { name: 'station-identity' }).click();
      const detail = page.getByRole('complementary', { name: 'Key detail' });
      await expect.poll(() => detail.innerText()).toMatch(/Public key \(SPKI\) SHA-256/);
      await expect
        .poll(() => detail.getByRole('table', { name: 'Read-back attributes' }).innerText())
        .toMatch(/neverExtractable\s+true/);

      await panel.getByRole('button', { name: 'Generate key…' }).click();
      const gen = panel.getByRole('form', { name: 'Generate key' });
      await gen.getByLabel('Label (CKA_LABEL)').fill('release-2027');
      await gen.getByLabel('Algorithm').selectOption('ec-p384');
      await gen.getByRole('button', { name: 'Show what will be created' }).click();
      const template = gen.getByLabel('Key template');
      await expect.poll(() => template.innerText()).toMatch(/CKA_EXTRACTABLE\s+false/);
      await expect.poll(() => template.innerText()).toMatch(/CKA_EC_PARAMS\s+06052b81040022/);
      await gen.getByLabel('Token user PIN').fill('123456');
      await gen.getByRole('button', { name: /^Generate on token/ }).click();
      await expect
        .poll(() => panel.getByRole('status').innerText())
        .toContain('Generated EC P-384 key “release-2027” (RESIDENT)');
      await expect.poll(() => keys.innerText()).toContain('release-2027');

      await keys.getByRole('button', { name: 'release-2027' }).click();
      await panel.getByRole('button', { name: 'Make CSR for selected key…' }).click();
      const csr = panel.getByRole('form', { name: 'Make CSR' });
      await csr.getByLabel('Common name').fill('Release Signing 2027');
      await csr.getByLabel('DNS names (comma separated)').fill('sign.example.org');
      await csr.getByLabel('Token user PIN').fill('123456');
      await csr.getByRole('button', { name: 'Sign request on the token' }).click();
      await expect
        .poll(() => csr.getByLabel('Request (PEM)').inputValue())
        .toContain('-----BEGIN CERTIFICATE REQUEST-----');
      await page.screenshot({ path: artifactPath('devices.png'), fullPage: true });

      const kinds = stationCli(['journal', 'export', '--from', String(demoLength + 1), '--data-dir', dataDir])
        .stdout.trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { kind: string; actor: string });
      // Generation and the CSR on the station token each anchor the journal in the same login (the
      // station's own act).
      // Alice signed in with her own token first: every act after is hers (OPS-ACTIVE).
      expect(kinds).toEqual([
        { ...kinds[0], kind: 'operator.signed-in', actor: 'operator:alice' },
        { ...kinds[1], kind: 'hsm.key-generated', actor: 'operator:alice' },
        { ...kinds[2], kind: 'journal.checkpoint', actor: 'station' },
        { ...kinds[3], kind: 'hsm.csr-created', actor: 'operator:alice' },
        { ...kinds[4], kind: 'journal.checkpoint', actor: 'station' },
      ]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await host.stop();
    }
  });
});
