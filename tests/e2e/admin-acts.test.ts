import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addToken,
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
  await expect.poll(() => form.innerText()).toMatch(/OPEN\s+0 of 2 checked in/);
  // The act waits for the quorum: it cannot be asked before the custodians have checked in.
  expect(await form.getByRole('button', { name: /^Preview the / }).isDisabled()).toBe(true);
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
      await expect.poll(() => add.innerText()).toMatch(/REACHED\s+2 of 2 checked in/);
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

  it('splits a ceremony token’s PIN to the volume, then signs a file from it under a quorum bound to exactly that signing', async () => {
    const ceremony = addToken(suite.dir, 'Ceremony HSM', '654321');
    const data = Buffer.from('{"release":"2027.1"}\n');
    writeFileSync(join(suite.media, 'release.json'), data);
    const dataSha256 = createHash('sha256').update(data).digest('hex');
    const host = await serveStation(suite.dir, suite.env);
    const page = await browser.newPage({ viewport: { width: 1360, height: 1400 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await openWorkflow(page, host.url, 'Custodians & Quorum');
      const split = page.getByRole('form', { name: 'Split activation PIN' });
      const option = await split
        .getByLabel('Ceremony token')
        .locator('option')
        .filter({ hasText: 'Ceremony HSM' })
        .first()
        .getAttribute('value');
      await split.getByLabel('Ceremony token').selectOption(option!);
      for (const who of ['Alice Adams (alice)', 'Bob Brandt (bob)', 'Carol Chen (carol)'])
        await split.getByLabel(who).check();
      await expect.poll(() => split.getByLabel('Share sheets go to').inputValue()).toBe(suite.media);
      await split.getByRole('button', { name: 'Preview the split…' }).click();
      const title = 'Set a random PIN on a ceremony token and split it among custodians';
      const preview = await confirmPreview(page, title, { typed: ceremony, pin: '654321' });
      expect(preview).not.toContain('654321');
      const sheets = [
        'alice-share-1-of-3.pdf',
        'alice-share-1-of-3.txt',
        'bob-share-2-of-3.pdf',
        'bob-share-2-of-3.txt',
        'carol-share-3-of-3.pdf',
        'carol-share-3-of-3.txt',
      ];
      // What the page says was written is what is on the volume.
      await expect
        .poll(async () =>
          (await split.getByRole('list', { name: 'Share files written' }).innerText()).split('\n').sort(),
        )
        .toEqual(sheets);
      expect(
        readdirSync(suite.media)
          .filter((n) => n.includes('-share-'))
          .sort(),
      ).toEqual(sheets);
      const share = (who: string, pos: number) =>
        readFileSync(join(suite.media, `${who}-share-${pos}-of-3.txt`), 'utf8');

      // A key on the ceremony token, as the activation panel makes it.
      const activation = page.getByRole('region', { name: 'M-of-N activation' });
      const gen = activation.getByRole('form', { name: 'Generate on the ceremony token' });
      await gen.getByLabel('Label').fill('release-2027');
      await gen.getByRole('button', { name: 'Show the operation to authorise' }).click();
      await gen.getByRole('button', { name: 'Preview a quorum session for it…' }).click();
      await confirmPreview(page, 'Open a quorum session for one operation');
      await checkIn(page, ['Alice', 'Bob']);
      await gen.getByLabel('Share 1 entered by').selectOption('alice');
      await gen.getByLabel('Share 1', { exact: true }).fill(share('alice', 1));
      await gen.getByLabel('Share 2 entered by').selectOption('bob');
      await gen.getByLabel('Share 2', { exact: true }).fill(share('bob', 2));
      await gen.getByRole('button', { name: 'Rebuild the PIN in memory and generate' }).click();
      await expect.poll(() => gen.getByRole('status').innerText()).toMatch(/release-2027/);

      const sign = activation.getByRole('form', { name: 'Sign a file with a ceremony key' });
      const keyOption = sign.getByLabel('Ceremony key').locator('option').filter({ hasText: 'release-2027' });
      await keyOption.waitFor({ state: 'attached' });
      await sign.getByLabel('Ceremony key').selectOption((await keyOption.getAttribute('value'))!);
      await sign.getByLabel('File on the removable volume').selectOption(join(suite.media, 'release.json'));
      const operation = await bindQuorum(page, sign);
      expect(operation).toMatch(new RegExp(`^ceremony-sign:${ceremony}:[0-9a-f]+:${dataSha256}$`));
      await expect
        .poll(() => sign.getByRole('figure', { name: /^SHA-256 of release\.json/ }).innerText())
        .toContain(dataSha256.match(/.{4}/g)!.join(' '));
      await checkIn(page, ['Bob', 'Carol']);
      await sign.getByLabel('Signing share 1 entered by').selectOption('bob');
      await sign.getByLabel('Signing share 1', { exact: true }).fill(share('bob', 2));
      await sign.getByLabel('Signing share 2 entered by').selectOption('carol');
      await sign.getByLabel('Signing share 2', { exact: true }).fill(share('carol', 3));
      await sign.getByRole('button', { name: 'Preview the signing…' }).click();
      const signPreview = await confirmPreview(page, 'Sign a file with a ceremony key (under quorum)');
      expect(signPreview).toContain(dataSha256);
      expect(signPreview).not.toContain(share('bob', 2).trim().slice(0, 20));
      const keyId = operation.split(':')[2]!;
      const sigPath = join(suite.media, `release.json.${keyId}.sig`);
      await expect
        .poll(() => sign.getByRole('status').innerText())
        .toContain(`signature written to ${sigPath}`);
      const sig = readFileSync(sigPath);
      const sigSha256 = createHash('sha256').update(sig).digest('hex');
      await expect
        .poll(() => sign.getByRole('figure', { name: 'SHA-256 of the signature file' }).innerText())
        .toContain(sigSha256.match(/.{4}/g)!.join(' '));
      // Anyone can check the signature with the public key the journal recorded at generation.
      const generated = cli(['journal', 'export'])
        .stdout.trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { kind: string; body: string })
        .filter((e) => e.kind === 'hsm.key-generated')
        .map((e) => JSON.parse(e.body) as { spki: string; key: { id: string } })
        .find((b) => b.key.id === keyId)!;
      const pub = createPublicKey({
        key: Buffer.from(generated.spki, 'base64'),
        format: 'der',
        type: 'spki',
      });
      expect(verify('sha256', data, { key: pub, dsaEncoding: 'ieee-p1363' }, sig)).toBe(true);
      await page.screenshot({ path: artifactPath('admin-ceremony-signed.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await host.stop();
    }
  });
});
