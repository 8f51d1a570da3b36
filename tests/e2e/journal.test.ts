import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemDeps } from '../../src/main/runtime';
import { Station } from '../../src/main/station/station';
import { tamperJournalRow } from '../helpers/tamper';
import { tempDir } from '../helpers/temp';
import { artifactPath, journalLength, launchChromium, serveStation, signInCli, stationCli } from './harness';

let browser: Browser;
/** Entries added for the cancel test: enough that verifying them takes seconds, not milliseconds. */
const BIG = 200_000;
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

  it('filters the list by kind and actor, refuses a backwards range at its field, and clears back to the head', async () => {
    const dataDir = join(tempDir(), 'station');
    expect(stationCli(['demo', '--data-dir', dataDir]).status).toBe(0);
    // The reference, read apart from the list's SQL: every entry as exported.
    const all = stationCli(['journal', 'export', '--data-dir', dataDir])
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; kind: string; actor: string });
    const n = all.length;
    const notes = all.filter((e) => e.kind === 'operator.note');
    const actor = notes[0]!.actor;
    const both = notes.filter((e) => e.actor === actor);
    expect(notes.length).toBeGreaterThan(1);
    expect(notes.length).toBeLessThan(n);
    const host = await serveStation(dataDir);
    const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(host.url);
      // The filter is folded until it is used (the list keeps the room at 700 px); its count shows folded.
      const count = page.getByRole('status', { name: 'Matching entries' });
      await page.getByText('Filter entries by kind, actor or seq range').click();
      const form = page.getByRole('form', { name: 'Filter entries' });
      await expect.poll(() => count.innerText()).toBe(`all ${n} entries`);

      // By kind: the choices are the kinds present, each with its count.
      await form.getByRole('checkbox', { name: `operator.note (${notes.length})` }).check();
      await form.getByRole('button', { name: 'Apply filter' }).click();
      await expect.poll(() => count.innerText()).toBe(`${notes.length} of ${n} entries match`);
      const list = page.getByRole('listbox', { name: `Journal entries, ${notes.length} of ${n} match` });
      await expect.poll(() => list.getByRole('option').count()).toBeGreaterThan(0);
      const shown = await list.getByRole('option').allInnerTexts();
      for (const row of shown) expect(row).toContain('operator.note');
      // It opens at the head of the filtered list: the newest note is in view.
      await expect
        .poll(() => list.getByRole('option').last().innerText())
        .toContain(String(notes.at(-1)!.seq));

      // And by actor, chosen from the actors present.
      const actors = await form.getByLabel('Actor').locator('option').allInnerTexts();
      expect(actors).toContain(`${actor} (${all.filter((e) => e.actor === actor).length})`);
      await form.getByLabel('Actor').selectOption(actor);
      await form.getByRole('button', { name: 'Apply filter' }).click();
      await expect.poll(() => count.innerText()).toBe(`${both.length} of ${n} entries match`);
      const rows = page.getByRole('listbox', { name: `Journal entries, ${both.length} of ${n} match` });
      for (const row of await rows.getByRole('option').allInnerTexts()) {
        expect(row).toContain(actor);
        expect(row).toContain('operator.note');
      }

      // Jump to a seq still works under a filter: the entry is selected and its detail shown.
      const target = both[0]!.seq;
      const jump = page.getByRole('form', { name: 'Jump to entry' });
      await jump.getByLabel(/Jump to seq/).fill(String(target));
      await jump.getByRole('button', { name: 'Show' }).click();
      await expect
        .poll(() => page.getByRole('complementary', { name: 'Event detail' }).innerText())
        .toContain(`seq ${target}`);
      await expect
        .poll(() => rows.getByRole('option', { selected: true }).innerText())
        .toContain(String(target));

      // A range that runs backwards is refused by the station, in words, at the To field.
      await form.getByLabel('From seq').fill('30');
      await form.getByLabel('To seq').fill('4');
      await form.getByRole('button', { name: 'Apply filter' }).click();
      await expect
        .poll(() => form.getByRole('alert').innerText())
        .toContain('To seq 4 is before from seq 30');
      expect(await form.getByLabel('To seq').getAttribute('aria-invalid')).toBe('true');
      // The list still shows the last filter that held.
      expect(await count.innerText()).toBe(`${both.length} of ${n} entries match`);
      await form.getByLabel('To seq').fill(String(n + 1));
      await form.getByRole('button', { name: 'Apply filter' }).click();
      await expect
        .poll(() => form.getByRole('alert').innerText())
        .toContain(`the journal's last entry is seq ${n}`);
      await page.screenshot({ path: artifactPath('journal-filtered.png'), fullPage: true });

      // Clearing returns the whole journal, at its head.
      await form.getByRole('button', { name: 'Clear filters' }).click();
      await expect.poll(() => count.innerText()).toBe(`all ${n} entries`);
      expect(await form.getByRole('alert').count()).toBe(0);
      const whole = page.getByRole('listbox', { name: `Journal entries, ${n} in all` });
      await expect.poll(() => whole.getByRole('option').last().innerText()).toContain(String(n));
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await host.stop();
    }
  });

  it('a verify of a large journal shows entries checked of total and, cancelled, is never VERIFIED', async () => {
    const dataDir = join(tempDir(), 'station');
    expect(stationCli(['demo', '--data-dir', dataDir]).status).toBe(0);
    // A journal large enough that its verification takes a while (notes, recorded as the station does).
    const station = Station.open(dataDir, systemDeps);
    let n: number;
    try {
      for (let batch = 0; batch < BIG / 10_000; batch++)
        station.record(
          Array.from({ length: 10_000 }, (_, i) => ({
            kind: 'operator.note' as const,
            actor: 'operator:witness-1',
            body: { text: `bulk note ${batch * 10_000 + i}` },
          })),
        );
      n = station.journal.head().seq;
    } finally {
      station.close();
    }
    const host = await serveStation(dataDir);
    const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
    try {
      await page.goto(host.url);
      const panel = page.getByRole('region', { name: 'Journal verification' });
      const result = page.getByRole('status', { name: 'Verification result' });
      const banner = page.getByRole('banner', { name: 'Station status' });
      // The view opens with a verification under way: entries checked of the total, and a cancel.
      const progress = panel.getByRole('progressbar', { name: 'Entries checked' });
      await expect
        .poll(() => progress.getAttribute('aria-valuetext'))
        .toMatch(new RegExp(`^[1-9]\\d* of ${n} entries checked$`));
      // The station keeps answering while it verifies: the list reads its pages meanwhile.
      await expect
        .poll(() => page.getByRole('listbox').getByRole('option').last().innerText())
        .toContain(String(n));
      await panel.getByRole('button', { name: 'Cancel verification' }).click();
      await expect
        .poll(() => result.innerText())
        .toMatch(/NOT CHECKED\s+not verified — cancelled at seq \d+/);
      const at = Number(/cancelled at seq (\d+)/.exec(await result.innerText())![1]);
      expect(at).toBeGreaterThan(1);
      expect(at).toBeLessThan(n);
      expect(await result.innerText()).toContain(`${at - 1} of ${n} entries checked`);
      expect(await result.innerText()).not.toMatch(/VERIFIED/);
      // The banner says the same: grey NOT CHECKED, the detail in its title where the line is narrow.
      const journalBadge = banner.getByLabel('Journal state').locator('[data-status]');
      await expect
        .poll(() => journalBadge.getAttribute('title'))
        .toBe(`NOT CHECKED not verified — cancelled at seq ${at}`);
      expect(await banner.getByLabel('Journal state').innerText()).not.toMatch(/VERIFIED/);
      expect(await progress.count()).toBe(0);
      await page.screenshot({ path: artifactPath('journal-verify-cancelled.png'), fullPage: true });

      // Run to the end, it judges the whole chain: the bulk notes after the demo's last checkpoint.
      await panel.getByRole('button', { name: 'Verify journal' }).click();
      await expect
        .poll(() => result.innerText(), { timeout: 60_000 })
        .toMatch(/UNANCHORED\s+after checkpoint 3/);
      await expect.poll(() => result.innerText()).toContain(`${n} entries checked`);
    } finally {
      await page.close();
      await host.stop();
    }
  });
});
