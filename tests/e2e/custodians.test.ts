import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp';
import {
  addToken,
  artifactPath,
  launchChromium,
  serveStation,
  signInCli,
  stationCli,
  openWorkflow,
  confirmPreview,
} from './harness';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('Custodians & Quorum, and Custody, in Chromium (demo station: three custodian SoftHSM2 tokens)', () => {
  it('a quorum session reaches 2 of 3 by custodians signing the challenge on their own tokens; an off-roster token is refused', async () => {
    const dataDir = join(tempDir(), 'station');
    expect(stationCli(['demo', '--data-dir', dataDir]).status).toBe(0);
    const host = await serveStation(dataDir);
    const page = await browser.newPage({ viewport: { width: 1360, height: 1100 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await openWorkflow(page, host.url, 'Custodians & Quorum');
      const roster = page.getByRole('region', { name: 'Approved roster' });
      await expect.poll(() => roster.innerText()).toMatch(/Alice Adams[\s\S]*Bob Brandt[\s\S]*Carol Chen/);
      await expect.poll(() => roster.innerText()).toMatch(/quorum 2/);
      await expect
        .poll(() => page.getByRole('table', { name: 'Signer coverage by shift' }).innerText())
        .toMatch(/SHORT/);

      const open = page.getByRole('form', { name: 'Open quorum session' });
      // A presence purpose is typed as it reads (spaces, a colon): the station encodes it, not the person.
      await open.getByLabel('Bound to').selectOption('presence');
      await open.getByLabel('Purpose').fill('rehearsal step 7: key activation');
      await open.getByLabel('Ceremony').fill('KSK-REHEARSAL');
      await open.getByLabel('Step').fill('7');
      await open.getByRole('button', { name: 'Preview the session…' }).click();
      await confirmPreview(page, 'Open a quorum session for one operation');

      const session = page.getByRole('region', { name: 'Quorum session', exact: true });
      await expect.poll(() => session.innerText()).toMatch(/quorum not reached/i);
      await expect
        .poll(() => session.innerText())
        .toContain('ceremony-presence:rehearsal%20step%207%3A%20key%20activation');
      await expect
        .poll(() => page.getByRole('figure', { name: /Quorum: 0 of 2 needed, 3 seats/ }).count())
        .toBe(1);
      const challenge = page.getByRole('complementary', { name: 'Challenge' });
      await expect.poll(() => challenge.innerText()).toMatch(/[0-9a-f]{4} [0-9a-f]{4}/);

      const checkIn = async (token: RegExp, pin = '123456') => {
        const form = session.getByRole('form', { name: 'Check in' });
        const option = await form
          .getByLabel('Your token')
          .locator('option')
          .filter({ hasText: token })
          .first()
          .getAttribute('value');
        await form.getByLabel('Your token').selectOption(option!);
        await form.getByLabel('Token PIN').fill(pin);
        await form.getByRole('button', { name: 'Sign challenge and check in' }).click();
      };

      await checkIn(/Custodian Alice/);
      await expect.poll(() => page.getByRole('figure', { name: /Quorum: 1 of 2 needed/ }).count()).toBe(1);
      await expect
        .poll(() => page.getByRole('banner', { name: 'Station status' }).getByLabel('Quorum').innerText())
        .toMatch(/2 of 3[\s\S]*OPEN/);
      await page.screenshot({ path: artifactPath('quorum-1-of-2.png'), fullPage: true });
      // The station's own token holds no roster key: refused, and the refusal is listed.
      await checkIn(/Station HSM/);
      await expect
        .poll(() => session.getByRole('list', { name: 'Refused check-ins' }).innerText())
        .toContain('QUORUM_OFF_ROSTER');
      await checkIn(/Custodian Carol/);
      await expect.poll(() => session.innerText()).toMatch(/quorum reached/i);
      await expect
        .poll(() => page.getByRole('figure', { name: /Quorum: 2 of 2 needed, 3 seats/ }).count())
        .toBe(1);
      await expect
        .poll(() => session.getByRole('list', { name: 'Checked in' }).innerText())
        .toMatch(/alice[\s\S]*carol/);
      // The banner says it from two metres: M of N on the roster, and this session REACHED.
      const banner = page.getByRole('banner', { name: 'Station status' }).getByLabel('Quorum');
      await expect.poll(() => banner.innerText()).toMatch(/2 of 3[\s\S]*REACHED/);
      await page.screenshot({ path: artifactPath('quorum-2-of-3.png'), fullPage: true });
      // A third check-in still counts (and is listed) but never reads "3 of 2": it is said as extra.
      await checkIn(/Custodian Bob/);
      await expect
        .poll(() =>
          page
            .getByRole('figure', { name: /Quorum: 2 of 2 needed \(\+1 more checked in\), 3 seats/ })
            .count(),
        )
        .toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await host.stop();
    }
  });

  it('the custody log flags the stale inspection and the bag-serial mismatch; a new inspection clears the stale one', async () => {
    const dataDir = join(tempDir(), 'station');
    expect(stationCli(['demo', '--data-dir', dataDir]).status).toBe(0);
    const host = await serveStation(dataDir);
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    try {
      await openWorkflow(page, host.url, 'Custody');
      const items = page.getByRole('table', { name: 'Custody items' });
      const row = (id: string) => items.getByRole('row').filter({ hasText: id });
      await expect
        .poll(() => row('escrow-envelope-1').innerText())
        .toMatch(/BLOCKED[\s\S]*custody break: bag serial TB-200199 does not match the recorded TB-200100/);
      await expect
        .poll(() => row('backup-token-b').innerText())
        .toMatch(/HOLD[\s\S]*STALE[\s\S]*predates the media replacement/);
      await expect.poll(() => row('hsm-primary').innerText()).toMatch(/READY[\s\S]*SATISFIED/);
      await page.screenshot({ path: artifactPath('custody-flags.png'), fullPage: true });

      await items.getByRole('button', { name: 'backup-token-b' }).click();
      const form = page.getByRole('form', { name: 'Record custody act' });
      await form.getByLabel('Bag serial as read now').fill('TB-104240');
      await form.getByLabel('Inspector').fill('Carol Chen');
      await form.getByLabel('Note').fill('Re-inspected after the card replacement');
      // Nothing is pre-ticked: without saying how the seal was found, the form does not record.
      expect(await form.getByLabel('Seal intact').isChecked()).toBe(false);
      await form.getByRole('button', { name: 'Preview the record…' }).click();
      expect(
        await form
          .getByLabel('Seal intact')
          .evaluate((e) => (e as unknown as { validity: { valueMissing: boolean } }).validity.valueMissing),
      ).toBe(true);
      await form.getByLabel('Seal intact').check();
      await form.getByRole('button', { name: 'Preview the record…' }).click();
      await confirmPreview(page, 'Record a custody event');
      await expect.poll(() => row('backup-token-b').innerText()).toMatch(/READY[\s\S]*SATISFIED/);
      // Recorded: the form is empty again for the next act.
      expect(await form.getByLabel('Bag serial as read now').inputValue()).toBe('');
      expect(await form.getByLabel('Seal intact').isChecked()).toBe(false);
      await expect
        .poll(() => page.getByRole('complementary', { name: 'Custody history' }).innerText())
        .toContain('Re-inspected after the card replacement');
    } finally {
      await page.close();
      await host.stop();
    }
  });

  it('activation: a custodian checks their share; M shares under a quorum bound to the generation make a key on the ceremony token', async () => {
    const root = tempDir();
    const dataDir = join(root, 'station');
    expect(stationCli(['demo', '--data-dir', dataDir]).status).toBe(0);
    signInCli(dataDir);
    const ceremony = addToken(dataDir, 'Ceremony HSM', '654321');
    const media = join(root, 'media');
    mkdirSync(media);
    expect(
      stationCli(
        [
          'shares',
          'split',
          '--token',
          ceremony,
          '--holders',
          'alice,bob,carol',
          '--threshold',
          '2',
          '--out-dir',
          media,
          '--pin-stdin',
          '--data-dir',
          dataDir,
        ],
        '654321\n',
      ).status,
    ).toBe(0);
    const share = (who: string, pos: number) =>
      readFileSync(join(media, `${who}-share-${pos}-of-3.txt`), 'utf8');

    const host = await serveStation(dataDir);
    const page = await browser.newPage({ viewport: { width: 1360, height: 1400 } });
    try {
      await openWorkflow(page, host.url, 'Custodians & Quorum');
      const activation = page.getByRole('region', { name: 'M-of-N activation' });
      const health = activation.getByRole('form', { name: 'Check my share' });
      await health.getByLabel('Custodian').selectOption('bob');
      await health.getByLabel('Share (as printed)').fill(share('bob', 2));
      await health.getByRole('button', { name: 'Check my share' }).click();
      await expect
        .poll(() => health.getByRole('status').innerText())
        .toContain('Share 2 of bob matches its commitment');

      const gen = activation.getByRole('form', { name: 'Generate on the ceremony token' });
      await gen.getByLabel('Label').fill('zsk-2027');
      await gen.getByRole('button', { name: 'Show the operation to authorise' }).click();
      await expect.poll(() => gen.innerText()).toContain(`ceremony-keygen:${ceremony}:zsk-2027:ec-p256`);
      await gen.getByRole('button', { name: 'Preview a quorum session for it…' }).click();
      await confirmPreview(page, 'Open a quorum session for one operation');

      const session = page.getByRole('region', { name: 'Quorum session', exact: true });
      for (const [who, name] of [
        ['Alice', 'alice'],
        ['Bob', 'bob'],
      ] as const) {
        const form = session.getByRole('form', { name: 'Check in' });
        const option = await form
          .getByLabel('Your token')
          .locator('option')
          .filter({ hasText: `Custodian ${who}` })
          .first()
          .getAttribute('value');
        await form.getByLabel('Your token').selectOption(option!);
        await form.getByLabel('Token PIN').fill('123456');
        await form.getByRole('button', { name: 'Sign challenge and check in' }).click();
        await expect
          .poll(() => session.getByRole('list', { name: 'Checked in' }).innerText())
          .toContain(name);
      }
      await gen.getByLabel('Share 1 entered by').selectOption('alice');
      await gen.getByLabel('Share 1', { exact: true }).fill(share('alice', 1));
      await gen.getByLabel('Share 2 entered by').selectOption('bob');
      await gen.getByLabel('Share 2', { exact: true }).fill(share('bob', 2));
      await gen.getByRole('button', { name: 'Rebuild the PIN in memory and generate' }).click();
      await expect
        .poll(() => gen.getByRole('status').innerText())
        .toMatch(/Generated EC P-256 “zsk-2027”\s+RESIDENT/);
      expect(await gen.getByLabel('Share 1', { exact: true }).inputValue()).toBe('');
      await page.screenshot({ path: artifactPath('activation-keygen.png'), fullPage: true });
    } finally {
      await page.close();
      await host.stop();
    }
  });
});
