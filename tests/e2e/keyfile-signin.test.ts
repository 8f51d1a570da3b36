import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addKeyFileCustodian } from '../helpers/keyfile';
import { tempDir } from '../helpers/temp';
import { artifactPath, confirmPreview, launchChromium, serveStation, stationCli } from './harness';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const PASSPHRASE = 'dana: correct horse battery staple';

describe('sign-in with a passphrase-protected key file, in Chromium (demo station)', () => {
  it('Dana chooses her key file and types its passphrase; a wrong passphrase is refused and journaled; her acts are recorded under her', async () => {
    const root = tempDir();
    const dataDir = join(root, 'station');
    expect(stationCli(['demo', '--data-dir', dataDir]).status).toBe(0);
    const keyFile = join(root, 'dana.key.pem');
    // Dana is added to the roster, and allowed a key file, each under a quorum of Alice and Bob.
    addKeyFileCustodian(dataDir, {
      custodianId: 'dana',
      name: 'Dana Diaz',
      keyFile,
      passphrase: PASSPHRASE,
      type: 'ed25519',
    });
    const host = await serveStation(dataDir);
    const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(host.url);
      const cell = page.getByRole('banner', { name: 'Station status' }).getByLabel('Operator');
      const signInWithKeyFile = async (passphrase: string) => {
        await cell.getByRole('button', { name: 'Sign in' }).click();
        const dialog = page.getByRole('dialog', { name: 'Sign in' });
        await dialog.getByRole('radio', { name: /^Key file and passphrase/ }).check();
        const who = dialog.getByLabel('Who you are');
        await who.locator('option', { hasText: 'Dana Diaz' }).waitFor({ state: 'attached' });
        await who.selectOption('dana');
        await dialog.getByLabel('Your key file').setInputFiles(keyFile);
        await dialog.getByLabel('Key file passphrase').fill(passphrase);
        await dialog.getByRole('button', { name: 'Sign in' }).click();
        return dialog;
      };

      const dialog = await signInWithKeyFile('not the passphrase');
      await expect.poll(() => page.getByRole('alert').innerText()).toContain('SIGNIN_PASSPHRASE_REFUSED');
      // The fields were read once and emptied: nothing of the attempt stays in the form.
      expect(await dialog.getByLabel('Key file passphrase').inputValue()).toBe('');
      expect(await dialog.getByLabel('Your key file').inputValue()).toBe('');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await expect.poll(() => cell.innerText()).toMatch(/NOT SIGNED IN/);

      await signInWithKeyFile(PASSPHRASE);
      await cell.getByText('SIGNED IN').waitFor();
      await expect.poll(() => cell.innerText()).toMatch(/Dana Diaz[\s\S]*key file/);
      expect(await cell.locator('.operator-who').getAttribute('title')).toMatch(
        /^operator:dana · .* signed in with a key file at /,
      );
      await page.screenshot({ path: artifactPath('keyfile-signed-in.png') });

      // An act in the UI: recorded under Dana, not a typed name.
      await page
        .getByRole('navigation', { name: 'Workflows' })
        .getByRole('button', { name: 'Custodians & Quorum', exact: true })
        .click();
      const open = page.getByRole('form', { name: 'Open quorum session' });
      await open.getByLabel('Bound to').selectOption('presence');
      await open.getByLabel('Purpose').fill('key-file sign-in check');
      await open.getByLabel('Ceremony').fill('KF-1');
      await open.getByLabel('Step').fill('1');
      await open.getByRole('button', { name: 'Preview the session…' }).click();
      await confirmPreview(page, 'Open a quorum session for one operation', { as: 'dana' });
      await expect
        .poll(() => page.getByRole('region', { name: 'Quorum session', exact: true }).innerText())
        .toMatch(/quorum not reached/i);

      const journal = stationCli(['journal', 'export', '--data-dir', dataDir])
        .stdout.trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { kind: string; actor: string; body: string });
      const refused = journal.filter((e) => e.kind === 'operator.sign-in-refused');
      expect(refused.map((e) => [e.actor, JSON.parse(e.body) as unknown])).toEqual([
        [
          'operator:station',
          expect.objectContaining({ code: 'SIGNIN_PASSPHRASE_REFUSED', custodianId: 'dana' }),
        ],
      ]);
      const signedIn = journal.filter((e) => e.kind === 'operator.signed-in').at(-1)!;
      expect([signedIn.actor, (JSON.parse(signedIn.body) as { credential: string }).credential]).toEqual([
        'operator:dana',
        'key-file',
      ]);
      const opened = journal.filter((e) => e.kind === 'quorum.session-opened').at(-1)!;
      expect(opened.actor).toBe('operator:dana');
      expect(JSON.stringify(journal)).not.toContain(PASSPHRASE);
      expect(JSON.stringify(journal)).not.toContain('not the passphrase');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await host.stop();
    }
  }, 120_000);
});
