import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp';
import {
  artifactPath,
  exportStationPem,
  launchChromium,
  openWorkflow,
  registerTrust,
  serveStation,
  signInCli,
  stationCli,
  confirmPreview,
} from './harness';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const PASS = 'correct horse battery staple\n';

describe('Bundles & Approvals in Chromium (demo station, a temp folder as the removable volume)', () => {
  it('exports a custody report verified by read-back, registers reviewers, imports their approvals and shows the roles satisfied', async () => {
    const root = tempDir();
    const dataDir = join(root, 'station');
    const media = join(root, 'usb');
    const reviewers = join(root, 'reviewers');
    mkdirSync(media);
    mkdirSync(reviewers);
    const env = { STATION_MEDIA_DIRS: media };
    expect(stationCli(['demo', '--data-dir', dataDir], undefined, env).status).toBe(0);
    signInCli(dataDir, 'Alice', env);
    const host = await serveStation(dataDir, env);
    const page = await browser.newPage({ viewport: { width: 1360, height: 1100 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await openWorkflow(page, host.url, 'Bundles & Approvals');
      const mediaRegion = page.getByRole('region', { name: 'Removable media' });
      await expect.poll(() => mediaRegion.innerText()).toMatch(/READY[\s\S]*one writable volume/);
      await expect.poll(() => mediaRegion.innerText()).toContain(media);

      // Export: the preview names the files, one PIN entry signs, success only after read-back.
      const exportForm = page.getByRole('form', { name: 'Export' });
      await exportForm.getByLabel('What to export').selectOption('custody-report');
      await expect
        .poll(() => exportForm.getByLabel('What will be written').innerText())
        .toMatch(
          /custody-report-v1\.bundle\.zip[\s\S]*report\/custody-report\.json[\s\S]*bundle\.dsse\.json/,
        );
      await exportForm.getByLabel('Station token PIN').fill('123456');
      await exportForm.getByRole('button', { name: 'Sign, write and verify' }).click();
      const progress = exportForm.getByRole('status', { name: 'Export progress' });
      await expect.poll(() => progress.innerText(), { timeout: 20_000 }).toMatch(/VERIFIED/);
      const digestFigure = progress.getByRole('figure', { name: 'Bundle digest (what reviewers approve)' });
      const shownHex = (await digestFigure.locator('.digest-hex').innerText()).replace(/\s+/g, '');
      expect(shownHex).toMatch(/^[0-9a-f]{64}$/);
      expect(readdirSync(media)).toEqual(['custody-report-v1.bundle.zip']);
      const bundle = join(media, 'custody-report-v1.bundle.zip');
      // The digest on screen is what the CLI verifier computes from the media, independently.
      const verified = stationCli(['bundle', 'verify', bundle, '--data-dir', dataDir], undefined, env);
      expect(verified.status).toBe(0);
      expect(verified.stdout).toContain(`digest ${shownHex}`);
      await page.screenshot({ path: artifactPath('bundle-exported.png'), fullPage: true });

      const issued = page.getByRole('article', { name: 'custody-report version 1' });
      await expect
        .poll(() => issued.getByRole('list', { name: 'Required roles' }).innerText())
        .toMatch(/MISSING[\s\S]*release-integrity-owner[\s\S]*MISSING[\s\S]*board-reviewer/);

      // Reviewers on their connected workstation: key files and registration requests on the stick.
      const words: Record<string, string> = {};
      for (const [who, name] of [
        ['alice', 'Alice Reviewer'],
        ['bob', 'Bob Board'],
      ] as const) {
        const key = join(reviewers, `${who}.key`);
        expect(stationCli(['reviewer', 'keygen', '--out', key, '--passphrase-stdin'], PASS).status).toBe(0);
        const req = stationCli(
          ['reviewer', 'request', '--key', key, '--name', name, '--out-dir', media, '--passphrase-stdin'],
          PASS,
        );
        expect(req.status).toBe(0);
        words[who] = /read these to the station operator: (.+)$/m.exec(req.stdout)![1]!;
      }

      // Alice is registered in the UI: inspect, type back the words she reads out, give her a role.
      await mediaRegion.getByRole('button', { name: 'Look again' }).click();
      const trust = page.getByRole('region', { name: 'Trust store' });
      const aliceFile = readdirSync(media).find((n) => /alice/i.test(n))!;
      await trust.getByRole('button', { name: `Inspect ${aliceFile}` }).click();
      const register = trust.getByRole('form', { name: 'Register key' });
      await expect.poll(() => register.innerText()).toContain('Alice Reviewer');
      // A mistyped word is refused and nothing is registered.
      await register.getByLabel('Words read back by the key holder').fill('abandon '.repeat(8).trim());
      await register.getByLabel('Trust id').fill('alice');
      await register.getByLabel('release-integrity-owner').check();
      await register.getByLabel('Valid until').fill('2099-01-01');
      await register.getByRole('button', { name: 'Preview the registration…' }).click();
      await confirmPreview(page, 'Register a key in the trust store');
      await expect.poll(() => page.getByRole('alert').innerText()).toContain('TRUST_FINGERPRINT_MISMATCH');
      expect(
        await trust
          .getByRole('table', { name: 'Trusted keys' })
          .filter({ hasText: 'Alice Reviewer' })
          .count(),
      ).toBe(0);
      await register.getByLabel('Words read back by the key holder').fill(words.alice!);
      await register.getByRole('button', { name: 'Preview the registration…' }).click();
      await confirmPreview(page, 'Register a key in the trust store');
      await expect
        .poll(() => trust.getByRole('table', { name: 'Trusted keys' }).innerText())
        .toMatch(/Alice Reviewer[\s\S]*release-integrity-owner[\s\S]*VALID/);
      expect(await page.getByRole('alert').count()).toBe(0);
      // Bob through the CLI (the same service).
      const bobFile = readdirSync(media).find((n) => /bob/i.test(n))!;
      const bobReg = registerTrust(
        dataDir,
        join(media, bobFile),
        { id: 'bob', roles: 'board-reviewer', words: words.bob! },
        env,
      );
      expect(bobReg.stderr).toBe('');
      expect(bobReg.status).toBe(0);

      // The reviewers learn the station's certificate from its identity bundle, then approve.
      const stationPem = join(reviewers, 'station.pem');
      exportStationPem(dataDir, stationPem, env);
      for (const [who, name, role] of [
        ['alice', 'Alice Reviewer', 'release-integrity-owner'],
        ['bob', 'Bob Board', 'board-reviewer'],
      ] as const) {
        const r = stationCli(
          [
            'approve',
            bundle,
            '--key',
            join(reviewers, `${who}.key`),
            '--trust',
            stationPem,
            '--name',
            name,
            '--role',
            role,
            '--comment',
            `${name} checked the custody report`,
            '--out-dir',
            media,
            '--passphrase-stdin',
          ],
          PASS,
        );
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
      }

      // Back at the station: the approvals appear on the media; importing each one is verified.
      await mediaRegion.getByRole('button', { name: 'Look again' }).click();
      const filesOnMedia = page.getByRole('list', { name: 'Files on media' });
      await expect.poll(() => filesOnMedia.innerText()).toMatch(/approval\.json[\s\S]*approval\.json/);
      const approvalFiles = readdirSync(media).filter((n) => n.endsWith('.approval.json'));
      expect(approvalFiles).toHaveLength(2);
      for (const f of approvalFiles) {
        await filesOnMedia.getByRole('button', { name: `Import ${f}` }).click();
        await expect
          .poll(() => page.getByRole('region', { name: 'Import from media' }).getByRole('status').innerText())
          .toMatch(new RegExp(`VERIFIED[\\s\\S]*${f.replace(/\./g, '\\.')}: approval by`));
      }
      await expect
        .poll(() => issued.getByRole('list', { name: 'Required roles' }).innerText())
        .toMatch(/SATISFIED[\s\S]*release-integrity-owner[\s\S]*SATISFIED[\s\S]*board-reviewer/);
      await expect
        .poll(() => issued.getByRole('table', { name: 'Approvals' }).innerText())
        .toMatch(/Alice Reviewer[\s\S]*APPROVE[\s\S]*Bob Board[\s\S]*APPROVE|Bob Board[\s\S]*Alice Reviewer/);
      // Importing the same approval again is a replay: refused, listed, counted once.
      await filesOnMedia.getByRole('button', { name: `Import ${approvalFiles[0]}` }).click();
      await expect
        .poll(() => page.getByRole('region', { name: 'Import from media' }).getByRole('status').innerText())
        .toMatch(/REFUSED[\s\S]*\(APPROVAL_REPLAYED\)/);
      expect(await issued.getByRole('table', { name: 'Approvals' }).locator('tbody tr').count()).toBe(2);
      await page.screenshot({ path: artifactPath('bundle-approvals-satisfied.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await host.stop();
    }
  }, 120_000);
});
