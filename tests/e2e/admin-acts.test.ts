import { createHash, generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifactPath,
  confirmPreview,
  demoSuite,
  launchChromium,
  openWorkflow,
  serveStation,
  stationCli,
} from './harness';

/**
 * Roster changes at the console, in Chromium against the demo station (custodians Alice, Bob and Carol
 * on their own SoftHSM2 tokens, quorum 2): a custodian is added — their public key read from a file in
 * the page — and then revoked, each under a quorum session opened for exactly that change, with the
 * custodians checking in on their own tokens and the change recorded through its preview.
 */
let browser: Browser;
let suite: ReturnType<typeof demoSuite>;
beforeAll(async () => {
  browser = await launchChromium();
  suite = demoSuite();
});
afterAll(async () => {
  await browser?.close();
  suite?.remove();
});

const cli = (args: string[]) => stationCli([...args, '--data-dir', suite.dir], undefined, suite.env);

/** The custodians check in on the session panel with their own demo tokens (PIN 123456). */
async function checkIn(page: Page, who: readonly string[]): Promise<void> {
  const session = page.getByRole('region', { name: 'Quorum session', exact: true });
  for (const name of who) {
    const form = session.getByRole('form', { name: 'Check in' });
    const option = await form
      .getByLabel('Your token')
      .locator('option')
      .filter({ hasText: `Custodian ${name}` })
      .first()
      .getAttribute('value');
    await form.getByLabel('Your token').selectOption(option!);
    await form.getByLabel('Token PIN').fill('123456');
    await form.getByRole('button', { name: 'Sign challenge and check in' }).click();
    await expect
      .poll(() => session.getByRole('list', { name: 'Checked in' }).innerText())
      .toContain(name.toLowerCase());
  }
  await expect.poll(() => session.innerText()).toMatch(/quorum reached/i);
}

/** Shows the form's operation, opens a quorum session for it through its preview, and returns the text. */
async function bindQuorum(page: Page, form: Locator): Promise<string> {
  await form.getByRole('button', { name: 'Show the operation to authorise' }).click();
  const operation = form.locator('code.operation-text');
  await operation.waitFor();
  const text = await operation.innerText();
  await form.getByRole('button', { name: 'Preview a quorum session for it…' }).click();
  const preview = await confirmPreview(page, 'Open a quorum session for one operation');
  expect(preview).toContain(text);
  await expect.poll(() => form.innerText()).toMatch(/READY\s+session open/);
  const session = page.getByRole('region', { name: 'Quorum session', exact: true });
  await expect.poll(() => session.innerText()).toContain(`Authorises ${text}`);
  return text;
}

describe('roster changes at the console, each under a quorum bound to exactly that change', () => {
  it('adds a custodian (key read from a file) and revokes them, each with 2 of 3 custodians checked in', async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const fingerprint = createHash('sha256')
      .update(pair.publicKey.export({ type: 'spki', format: 'der' }))
      .digest('hex');
    const host = await serveStation(suite.dir, suite.env);
    const page = await browser.newPage({ viewport: { width: 1360, height: 1400 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await openWorkflow(page, host.url, 'Custodians & Quorum');
      const roster = page.getByRole('table', { name: 'Approved roster' });
      await expect.poll(() => roster.innerText()).toMatch(/Alice Adams/);

      // Add Dave: his public key comes from a file chosen in the page.
      const add = page.getByRole('form', { name: 'Add a custodian' });
      await add.getByLabel('Custodian id').fill('dave');
      await add.getByLabel('Name').fill('Dave Dunn');
      await add.getByLabel('Valid until (UTC day)').fill('2030-01-01');
      await add.getByLabel('…or read it from a file').setInputFiles({
        name: 'dave.pem',
        mimeType: 'application/x-pem-file',
        buffer: Buffer.from(pem),
      });
      await expect.poll(() => add.getByLabel('Public key or certificate (PEM)').inputValue()).toBe(pem);
      // Nothing can be recorded before a quorum is bound to the change.
      expect(await add.getByRole('button', { name: 'Preview the addition…' }).isDisabled()).toBe(true);
      const addOperation = await bindQuorum(page, add);
      // The witness compares the fingerprint of the key as the station read it.
      await expect
        .poll(() => add.getByRole('figure', { name: /^Key fingerprint/ }).innerText())
        .toContain(fingerprint.match(/.{4}/g)!.join(' '));
      // The CLI computes the same operation from the same entry (station roster add --print-operation).
      const entryFile = join(suite.root, 'dave.json');
      const validFrom = `${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`;
      writeFileSync(
        entryFile,
        JSON.stringify({
          custodianId: 'dave',
          name: 'Dave Dunn',
          roles: ['custodian'],
          publicKey: pem,
          validFrom,
          validUntil: '2030-01-01T00:00:00.000Z',
        }),
      );
      expect(cli(['roster', 'add', '--file', entryFile, '--print-operation']).stdout.trim()).toBe(
        addOperation,
      );

      await checkIn(page, ['Alice', 'Bob']);
      await add.getByRole('button', { name: 'Preview the addition…' }).click();
      const addPreview = await confirmPreview(page, 'Add a custodian to the roster (under quorum)');
      expect(addPreview).toContain('custodian.custodianId');
      await expect
        .poll(() => add.getByRole('status').innerText())
        .toContain('Dave Dunn (dave) is on the roster: VALID.');
      const daveRow = roster.getByRole('row').filter({ hasText: 'Dave Dunn' });
      await expect.poll(() => daveRow.innerText()).toMatch(/dave[\s\S]*token[\s\S]*READY/);
      // The quorum was spent on the change: its session is closed.
      await expect
        .poll(() => page.getByRole('region', { name: 'Quorum session', exact: true }).innerText())
        .toContain('closed (used)');
      await page.screenshot({ path: artifactPath('admin-roster-added.png'), fullPage: true });

      // Revoke Dave: the quorum binds the reason too, and his id is typed to confirm.
      const revoke = page.getByRole('form', { name: 'Revoke a custodian' });
      await revoke.getByLabel('Custodian to revoke').selectOption('dave');
      await revoke.getByLabel('Reason (recorded)').fill('left the ceremony team');
      const revokeOperation = await bindQuorum(page, revoke);
      expect(revokeOperation).not.toBe(addOperation);
      expect(
        cli([
          'roster',
          'revoke',
          '--custodian',
          'dave',
          '--reason',
          'left the ceremony team',
          '--print-operation',
        ]).stdout.trim(),
      ).toBe(revokeOperation);
      await checkIn(page, ['Alice', 'Carol']);
      await revoke.getByRole('button', { name: 'Preview the revocation…' }).click();
      await confirmPreview(page, 'Revoke a custodian from the roster (under quorum)', { typed: 'dave' });
      await expect.poll(() => revoke.getByRole('status').innerText()).toMatch(/^dave is revoked as of /);
      await expect.poll(() => daveRow.innerText()).toMatch(/BLOCKED[\s\S]*REVOKED/);
      await page.screenshot({ path: artifactPath('admin-roster-revoked.png'), fullPage: true });

      // The journal says who did what, and that each change spent its own quorum.
      const journal = cli(['journal', 'export'])
        .stdout.trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { kind: string; actor: string; body: string })
        .map((e) => ({ ...e, body: JSON.parse(e.body) as Record<string, unknown> }));
      const added = journal.find((e) => e.kind === 'roster.custodian-added');
      const revoked = journal.find((e) => e.kind === 'roster.custodian-revoked');
      expect(added).toMatchObject({
        actor: 'operator:alice',
        body: { custodian: { custodianId: 'dave', fingerprint } },
      });
      expect(revoked).toMatchObject({
        actor: 'operator:alice',
        body: { custodianId: 'dave', reason: 'left the ceremony team' },
      });
      expect(added?.body.quorumSessionId).not.toBe(revoked?.body.quorumSessionId);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await host.stop();
    }
  });
});
