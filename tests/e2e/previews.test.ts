import { createHash } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  confirmPreview,
  demoSuite,
  journalLength,
  launchChromium,
  openWorkflow,
  serveStation,
  signInCli,
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

type Line = { seq: number; kind: string; actor: string; body: string };
const journal = (): Line[] =>
  stationCli(['journal', 'export', '--data-dir', suite.dir])
    .stdout.trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);

describe('previews before irreversible acts (contract/acts.ts), in Chromium', () => {
  it('an unseal is previewed with its digest, refused when the journal moved since, needs the item id typed, and lands where the preview said', async () => {
    const host = await serveStation(suite.dir, suite.env);
    const page = await browser.newPage({ viewport: { width: 1024, height: 700 } });
    try {
      await openWorkflow(page, host.url, 'Custody');
      const items = page.getByRole('table', { name: 'Custody items' });
      await items.getByRole('button', { name: 'hsm-primary' }).click();
      const form = page.getByRole('form', { name: 'Record custody act' });
      await form.getByRole('combobox', { name: /^Act/ }).selectOption('unsealed');
      // A refused field says so at the field, in plain words, and the message goes once it is fixed.
      await form.getByLabel('Bag serial as read now').fill('TB 100001');
      await form.getByLabel('Holder').fill('Carol Chen');
      await form.getByLabel('Reason').fill('planned key activation, step 4');
      await form.getByRole('button', { name: 'Preview the record…' }).click();
      await expect
        .poll(() => form.locator('.field-error').innerText())
        .toContain('a tamper-bag serial such as TB-104233');
      expect(await page.getByRole('alert').innerText()).toContain('INVALID_INPUT');
      await form.getByLabel('Bag serial as read now').fill('TB-100001');
      await form.getByLabel('Holder').fill('Carol Chen');
      await form.getByLabel('Reason').fill('planned key activation, step 4');
      await form.getByRole('button', { name: 'Preview the record…' }).click();

      const preview = page.getByRole('region', { name: 'Preview: Record a custody event' });
      await preview.waitFor();
      expect(await form.locator('.field-error').count()).toBe(0);
      expect(await page.getByRole('alert').count()).toBe(0);
      const first = await preview.innerText();
      // Exactly what will be recorded: the act's fields, the signed-in person, the entry it becomes.
      expect(first).toMatch(/act\.reason\s+"planned key activation, step 4"/);
      expect(first).toMatch(/itemId\s+"hsm-primary"/);
      const before = journalLength(suite.dir);
      expect(first).toContain(`Will be recorded under operator:alice as journal entry ${before + 1}`);
      expect(first).toMatch(/This cannot be undone\. Type the item id hsm-primary/);

      // Something is recorded elsewhere (the CLI signs in again): the preview no longer holds, and says
      // so by itself, before anybody tries to confirm it (the station would refuse: PREVIEW_STALE).
      signInCli(suite.dir, 'Alice', suite.env);
      const moved = journalLength(suite.dir);
      expect(moved).toBeGreaterThan(before);
      await expect.poll(() => preview.innerText()).toMatch(/STALE[\s\S]*cannot be confirmed/);
      expect(await preview.getByRole('button', { name: 'Confirm and record' }).count()).toBe(0);
      expect(journalLength(suite.dir)).toBe(moved);

      // Previewed again: a mistyped id records nothing; the exact id records it, where it said.
      await preview.getByRole('button', { name: 'Preview again' }).click();
      await expect.poll(() => preview.innerText()).toContain(`as journal entry ${moved + 1}`);
      await preview.getByLabel(/^This cannot be undone/).fill('hsm-primar');
      await preview.getByRole('button', { name: 'Confirm and record' }).click();
      await expect.poll(() => page.getByRole('alert').innerText()).toContain('CONFIRM_TYPED_MISMATCH');
      expect(journalLength(suite.dir)).toBe(moved);
      // The digest shown is the SHA-256 of the statement shown (anyone can recompute it).
      await preview.getByText('The statement, exactly as digested').click();
      const statement = await preview.locator('pre').innerText();
      expect(JSON.parse(statement)).toMatchObject({
        act: 'custodyRecord',
        actor: 'operator:alice',
        basedOn: { seq: moved },
        input: { itemId: 'hsm-primary', act: { type: 'unsealed' } },
      });
      const shown = /([0-9a-f]{4}(?: [0-9a-f]{4}){15})/
        .exec(await preview.innerText())![1]!
        .replace(/ /g, '');
      expect(shown).toBe(createHash('sha256').update(statement, 'utf8').digest('hex'));
      await confirmPreview(page, 'Record a custody event', { typed: 'hsm-primary' });
      await expect.poll(() => journalLength(suite.dir)).toBe(moved + 1);
      const last = journal().at(-1)!;
      expect(last).toMatchObject({ seq: moved + 1, kind: 'custody.unsealed', actor: 'operator:alice' });
      expect(JSON.parse(last.body)).toMatchObject({
        itemId: 'hsm-primary',
        reason: 'planned key activation, step 4',
      });
      expect(await preview.count()).toBe(0);
      // The form is empty for the next act.
      expect(await form.getByLabel('Bag serial as read now').inputValue()).toBe('');
    } finally {
      await page.close();
      await host.stop();
    }
  });

  it('editing an existing claim or annotation starts from what it says now; a derived claim has no typed status', async () => {
    const host = await serveStation(suite.dir, suite.env);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await openWorkflow(page, host.url, 'Rotation deferral');
      const packet = page.getByRole('article', { name: 'Packet deferral-rsk-2024' });
      await packet.waitFor();
      const claims = packet.getByRole('table', { name: 'Claims' });
      const before = await claims.innerText();
      expect(before).toContain('c-monitoring');

      // The claim form, for an existing id, is filled with that claim's text and checks.
      await packet.getByText('Set or edit a claim').click();
      const form = packet.getByRole('form', { name: 'Set claim' });
      await form.getByLabel(/^Claim id/).fill('c-monitoring');
      await expect.poll(() => form.innerText()).toContain('Editing claim c-monitoring');
      const text = form.getByLabel(/^Claim text/);
      const current = await text.inputValue();
      expect(current.length).toBeGreaterThan(0);
      expect(before).toContain(current);
      // A rotation deferral's claims take their status from their checks: nothing to type.
      expect(await form.getByLabel(/^Status/).count()).toBe(0);
      await text.fill(`${current} (confirmed at the weekly review)`);
      await form.getByRole('button', { name: 'Preview the claim…' }).click();
      const shown = await confirmPreview(page, 'Set a claim of the packet');
      expect(shown).toMatch(/claim\.text\s+".*weekly review\)"/);
      await expect.poll(() => claims.innerText()).toContain('(confirmed at the weekly review)');
      expect(await text.inputValue()).toBe('');

      // An annotation: choosing a finding brings its owner and due date as they stand.
      await packet.getByText('Annotate a finding').click();
      const annotate = packet.getByRole('form', { name: 'Annotate finding' });
      const finding = annotate.getByLabel('Finding');
      const first = (await finding.locator('option').nth(1).getAttribute('value'))!;
      await finding.selectOption(first);
      await annotate.getByLabel(/^Owner/).fill('Pat Morgan');
      await annotate.getByLabel('Due').fill('2099-01-31');
      await annotate.getByRole('button', { name: 'Preview the annotation…' }).click();
      await confirmPreview(page, 'Record a decision on a finding');
      await expect
        .poll(() => packet.getByRole('table', { name: 'Findings' }).innerText())
        .toContain('Pat Morgan');
      await finding.selectOption(first);
      expect(await annotate.getByLabel(/^Owner/).inputValue()).toBe('Pat Morgan');
      expect(await annotate.getByLabel('Due').inputValue()).toBe('2099-01-31');

      // A check ID in the register leads to its rule and the exact records it rests on.
      const register = packet.getByRole('table', { name: 'Findings' });
      await register.getByRole('button', { name: 'DEF-CUSTODY-FRESH' }).first().click();
      const detail = page.getByText(/^Rule DEF-CUSTODY-FRESH:/);
      await expect.poll(() => detail.innerText()).not.toContain('loading');
      const records = page.getByRole('list', { name: 'Records of DEF-CUSTODY-FRESH' });
      expect(await records.getByRole('button').count()).toBeGreaterThan(0);
      await records.getByRole('button').first().click();
      await expect
        .poll(() => page.getByRole('group', { name: 'Record content' }).innerText())
        .toMatch(/^\{[\s\S]*\}$/);
    } finally {
      await page.close();
      await host.stop();
    }
  });
});
