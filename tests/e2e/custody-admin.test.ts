import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifactPath,
  confirmPreview,
  demoSuite,
  journalLength,
  launchChromium,
  openWorkflow,
  serveStation,
  stationCli,
} from './harness';

let browser: Browser;
const suite = demoSuite();
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  suite.remove();
});

type Line = { seq: number; kind: string; actor: string; body: Record<string, unknown> };
const journal = (): Line[] =>
  stationCli(['journal', 'export', '--data-dir', suite.dir])
    .stdout.trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Omit<Line, 'body'> & { body: unknown })
    .map((l) => ({
      ...l,
      body: (typeof l.body === 'string' ? JSON.parse(l.body) : l.body) as Record<string, unknown>,
    }));

describe('custody administration in Chromium (demo station, Alice signed in with her own token)', () => {
  it('registers an item with its first seal: limits refused at the field, a duplicate id refused at the field with its code, the act recorded under Alice', async () => {
    const host = await serveStation(suite.dir, suite.env);
    const page = await browser.newPage({ viewport: { width: 1360, height: 1100 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await openWorkflow(page, host.url, 'Custody');
      const form = page.getByRole('form', { name: 'Register custody item' });
      // Each field says its limits before anything is typed.
      expect(await form.innerText()).toContain('3 to 40 letters, digits and dashes, such as TB-104233');
      await form.getByLabel('Item id').fill('share-media-7');
      await form.getByLabel('Kind').selectOption('share-media');
      await form.getByLabel('Description').fill('Share media, custodian set B');
      await form.getByLabel('Bag serial').fill('TB');
      await form.getByLabel('Location').fill('Safe 2, drawer 4');
      await form.getByLabel('Holder').fill('Carol Chen');
      await form.getByLabel('Witnesses').fill('Bob Brandt\nDan Diaz\n');
      const before = journalLength(suite.dir);
      await form.getByRole('button', { name: 'Preview the registration…' }).click();
      // Refused at the field, in words with the limit, before any preview; nothing is written.
      const bag = form.getByLabel('Bag serial');
      await expect.poll(() => bag.getAttribute('aria-invalid')).toBe('true');
      expect(await form.getByRole('alert').innerText()).toBe(
        'Bag serial is not accepted: 3 to 40 letters, digits and dashes, such as TB-104233.',
      );
      expect(await page.getByRole('region', { name: /^Preview:/ }).count()).toBe(0);
      await form.screenshot({ path: artifactPath('custody-register-refused.png') });
      expect(journalLength(suite.dir)).toBe(before);

      await bag.fill('TB-300007');
      expect(await bag.getAttribute('aria-invalid')).toBeNull();
      await form.getByRole('button', { name: 'Preview the registration…' }).click();
      const text = await confirmPreview(page, 'Register a custody item and its first seal');
      expect(text).toMatch(/seal\.witnesses\[1\]\s+"Dan Diaz"/);
      // Recorded: the item is listed, sealed in its bag; the form is empty again.
      const items = page.getByRole('table', { name: 'Custody items' });
      await expect.poll(() => items.innerText()).toMatch(/share-media-7[\s\S]*TB-300007/);
      expect(await form.getByLabel('Item id').inputValue()).toBe('');
      expect(await form.getByLabel('Witnesses').inputValue()).toBe('');
      const recorded = journal().slice(-2);
      expect(recorded.map((l) => [l.seq, l.kind, l.actor])).toEqual([
        [before + 1, 'custody.item-registered', 'operator:alice'],
        [before + 2, 'custody.sealed', 'operator:alice'],
      ]);
      expect(recorded[1]!.body).toEqual({
        itemId: 'share-media-7',
        bagSerial: 'TB-300007',
        location: 'Safe 2, drawer 4',
        holder: 'Carol Chen',
        witnesses: ['Bob Brandt', 'Dan Diaz'],
      });

      // An id already registered: the station refuses the act with its code, shown at the Item id field.
      await form.getByLabel('Item id').fill('share-media-7');
      await form.getByLabel('Kind').selectOption('other');
      await form.getByLabel('Description').fill('Another one');
      await form.getByLabel('Bag serial').fill('TB-300008');
      await form.getByLabel('Location').fill('Safe 2');
      await form.getByLabel('Holder').fill('Carol Chen');
      await form.getByRole('button', { name: 'Preview the registration…' }).click();
      await confirmPreview(page, 'Register a custody item and its first seal');
      const id = form.getByLabel('Item id');
      await expect.poll(() => id.getAttribute('aria-invalid')).toBe('true');
      expect(await form.getByRole('alert').innerText()).toMatch(
        /^CUSTODY_ITEM_EXISTS: custody item share-media-7 is already registered/,
      );
      expect(journalLength(suite.dir)).toBe(before + 2);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await host.stop();
    }
  });

  it('edits a coverage cell: the grid redraws from the station, SHORT once the shift falls below quorum, each statement under Alice and named in the cell', async () => {
    const host = await serveStation(suite.dir, suite.env);
    const page = await browser.newPage({ viewport: { width: 1360, height: 1100 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await openWorkflow(page, host.url, 'Custodians & Quorum');
      const grid = page.getByRole('table', { name: 'Signer coverage by shift' });
      await grid.waitFor();
      const date = (await grid.getByRole('rowheader').first().innerText()).trim();
      const setName = `Set availability for ${date} day`;
      const setButton = grid.getByRole('button', { name: setName });
      // `has` is matched inside each cell: a locator from the page, not from the table.
      const cell = grid.getByRole('cell').filter({ has: page.getByRole('button', { name: setName }) });
      // The demo's own statements for today: Alice and Bob available for the day shift.
      await expect.poll(() => cell.innerText()).toMatch(/^COVERED 2\/2\s+alice, bob/);
      expect(await cell.getAttribute('title')).toMatch(
        /^alice: available — set by demo, .*\nbob: available — set by demo, /,
      );

      const set = async (custodianId: string, available: boolean) => {
        await setButton.click();
        const editor = page.getByRole('form', { name: 'Set availability' });
        await editor.getByLabel('Custodian').selectOption(custodianId);
        await editor.getByLabel(available ? 'Available' : 'Not available', { exact: true }).check();
        await editor.getByRole('button', { name: 'Preview the record…' }).click();
        await page
          .getByRole('region', { name: 'Signer coverage' })
          .screenshot({ path: artifactPath(`coverage-set-${custodianId}.png`) });
        const text = await confirmPreview(page, "Set a signer's availability for a shift");
        expect(text).toMatch(new RegExp(`custodianId\\s+"${custodianId}"[\\s\\S]*date\\s+"${date}"`));
      };
      const before = journalLength(suite.dir);
      // Alice states that Bob is not available (the station, like `station coverage set`, lets any
      // operator state anyone's availability, and says who did): the shift falls below quorum, SHORT.
      await set('bob', false);
      await expect.poll(() => cell.innerText()).toMatch(/^SHORT 1\/2\s+alice\s/);
      expect(await page.getByRole('status').filter({ hasText: 'Recorded.' }).innerText()).toBe(
        `Recorded. ${date} day: SHORT 1/2`,
      );
      expect(await cell.getAttribute('title')).toMatch(
        /^alice: available — set by demo, .*\nbob: not available — set by operator:alice, .* \(entry \d+\)$/,
      );
      // Carol stated available: back at quorum.
      await set('carol', true);
      await expect.poll(() => cell.innerText()).toMatch(/^COVERED 2\/2\s+alice, carol/);
      expect(await cell.getAttribute('title')).toContain('carol: available — set by operator:alice');

      const recorded = journal().slice(before);
      expect(recorded.map((l) => [l.kind, l.actor, l.body])).toEqual([
        [
          'coverage.availability-set',
          'operator:alice',
          { custodianId: 'bob', date, shift: 'day', available: false },
        ],
        [
          'coverage.availability-set',
          'operator:alice',
          { custodianId: 'carol', date, shift: 'day', available: true },
        ],
      ]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await host.stop();
    }
  });
});
