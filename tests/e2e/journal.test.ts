import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tamperJournalRow } from '../helpers/tamper';
import { tempDir } from '../helpers/temp';
import { artifactPath, journalLength, launchChromium, serveStation, signInCli, stationCli } from './harness';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('station UI in Chromium against the browser-mode host', () => {
  it('opens VERIFIED on the demo; lists every event; a raw tamper shows TAMPERED AT seq N', async () => {
    const dataDir = join(tempDir(), 'station');
    expect(stationCli(['demo', '--data-dir', dataDir]).status).toBe(0);
    const host = await serveStation(dataDir);
    const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(host.url);
      const banner = page.getByRole('banner', { name: 'Station status' });
      await expect.poll(() => banner.getByLabel('Mode').innerText()).toBe('OFFLINE');
      await expect.poll(() => banner.getByLabel('Station identity').innerText()).toContain('Demo Station');
      await expect
        .poll(() => banner.getByLabel('Station identity').innerText())
        .toMatch(/key \w+ \w+ \w+ \w+/);
      // At this width the banner keeps one line by moving the serial into the badge's title.
      await expect.poll(() => banner.getByLabel('HSM status').innerText()).toMatch(/PRESENT/);
      expect(
        await banner.getByLabel('HSM status').locator('[data-status="PRESENT"]').getAttribute('title'),
      ).toMatch(/^PRESENT [0-9a-f]{16}$/);
      // The token leaves the address bar as soon as the page has it.
      expect(page.url()).toBe(`${host.origin}/`);

      const n = journalLength(dataDir);
      const list = page.getByRole('listbox', { name: `Journal entries, ${n} in all` });
      // The list is virtualised: it renders the rows in view, not all of them.
      await expect.poll(() => list.getByRole('option').count()).toBeGreaterThan(10);
      // It opens at its head: the newest entry is in view.
      await expect.poll(() => list.getByRole('option').last().innerText()).toContain(String(n));
      await list.focus();
      await page.keyboard.press('Home');
      await expect.poll(() => list.getByRole('option').nth(0).innerText()).toContain('station.initialised');
      await expect
        .poll(() => list.getByRole('option').nth(3).innerText())
        .toContain('station.identity-created');
      await expect.poll(() => list.getByRole('option').nth(6).innerText()).toContain('operator.note');
      await page.keyboard.press('End');
      await expect.poll(() => list.getByRole('option').last().innerText()).toContain(String(n));
      // Jump to a seq: it is selected, in view, and its detail shown.
      const jump = page.getByRole('form', { name: 'Jump to entry' });
      await jump.getByLabel(/Jump to seq/).fill('4');
      await jump.getByRole('button', { name: 'Show' }).click();
      await expect
        .poll(() => page.getByRole('complementary', { name: 'Event detail' }).innerText())
        .toContain('seq 4');

      const result = page.getByRole('status', { name: 'Verification result' });
      await page.getByRole('button', { name: 'Verify journal' }).click();
      await expect
        .poll(() => result.innerText())
        .toMatch(new RegExp(`VERIFIED\\s+to checkpoint 3 \\(seq ${n}\\)`));
      await expect.poll(() => banner.getByLabel('Journal state').innerText()).toMatch(/VERIFIED/);
      await page.screenshot({ path: artifactPath('journal-verified.png'), fullPage: true });

      // Keyboard: the list is operable without a mouse and the detail pane shows the stored hashes.
      await list.focus();
      await page.keyboard.press('Home');
      await page.keyboard.press('ArrowDown');
      const detail = page.getByRole('complementary', { name: 'Event detail' });
      await expect.poll(() => detail.innerText()).toContain('seq 2');
      await expect.poll(() => detail.innerText()).toMatch(/[0-9a-f]{64}/);

      tamperJournalRow(join(dataDir, 'station.sqlite'), 3);
      await page.getByRole('button', { name: 'Verify journal' }).click();
      await expect.poll(() => result.innerText()).toMatch(/TAMPERED\s+AT seq 3/);
      await expect.poll(() => result.innerText()).toContain('JNL-HASH');
      await expect.poll(() => banner.getByLabel('Journal state').innerText()).toMatch(/TAMPERED\s+AT seq 3/);
      await page.screenshot({ path: artifactPath('journal-tampered.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await host.stop();
    }
  });

  it('a new entry is UNANCHORED until an operator signs a checkpoint with the token PIN; a wrong PIN is refused', async () => {
    const dataDir = join(tempDir(), 'station');
    expect(stationCli(['demo', '--data-dir', dataDir]).status).toBe(0);
    const host = await serveStation(dataDir);
    const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
    try {
      await page.goto(host.url);
      const result = page.getByRole('status', { name: 'Verification result' });
      await expect.poll(() => result.innerText()).toMatch(/VERIFIED/);

      // One new entry: Bob signs in for the CLI with his own token (operator.signed-in).
      signInCli(dataDir, 'Bob');
      await page.getByRole('button', { name: 'Verify journal' }).click();
      const n = journalLength(dataDir) - 1;
      await expect
        .poll(() => result.innerText())
        .toMatch(new RegExp(`UNANCHORED\\s+after checkpoint 3 \\(seq ${n}\\)`));

      await page.getByRole('button', { name: 'Sign checkpoint…' }).click();
      const form = page.getByRole('form', { name: 'Sign checkpoint' });
      await expect.poll(() => form.innerText()).toContain(`seq ${n + 1}`);
      await form.getByLabel('Station token user PIN').fill('000000');
      await form.getByRole('button', { name: 'Sign checkpoint' }).click();
      const alert = page.getByRole('alert');
      await expect.poll(() => alert.innerText()).toContain('PIN_INCORRECT');
      expect(await form.getByLabel('Station token user PIN').inputValue()).toBe('');

      await page.getByRole('button', { name: 'Dismiss' }).click();
      await form.getByLabel('Station token user PIN').fill('123456');
      await form.getByRole('button', { name: 'Sign checkpoint' }).click();
      await expect
        .poll(() => result.innerText())
        .toMatch(new RegExp(`VERIFIED\\s+to checkpoint 4 \\(seq ${n + 2}\\)`));
    } finally {
      await page.close();
      await host.stop();
    }
  });

  it('a page opened without the launch token cannot reach the station', async () => {
    const dataDir = join(tempDir(), 'station');
    expect(stationCli(['demo', '--data-dir', dataDir]).status).toBe(0);
    const host = await serveStation(dataDir);
    const page = await browser.newPage();
    try {
      await page.goto(`${host.origin}/`);
      await expect.poll(() => page.getByRole('alert').innerText()).toContain('launch token');
      // Forge a token: the host refuses the socket, the page says so, and no data is shown.
      await page.goto(`${host.origin}/#ticket=${'ab'.repeat(32)}`);
      await page.reload();
      await expect.poll(() => page.getByRole('alert').innerText()).toContain('refused');
      expect(await page.getByRole('listbox').count()).toBe(0);
    } finally {
      await page.close();
      await host.stop();
    }
  });
});
