import { createHash, createPublicKey, verify } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pae } from '../../src/core/bundle/dsse';
import {
  artifactPath,
  confirmPreview,
  demoSuite,
  exportStationPem,
  launchChromium,
  openWorkflow,
  registerTrust,
  serveStation,
  stationCli,
  tokenSerial,
} from './harness';

/**
 * From the declaration to an approved gate and a signed batch (issue #15), in real Chromium through the
 * browser-mode host on the demo gate (declaration DECL-2026-0611, packet activation-decl-2026-0611,
 * awaiting Dana Whitfield as release-security-owner). The packet's acts run where they live (the CLI):
 * version 1 (which names her as its reviewer) is handed off and exported as a
 * signed bundle to the removable volume; Dana makes a reviewer key, the operator registers it after
 * comparing its words, she verifies the bundle against the station certificate and signs an approval,
 * which is imported. The Activation gate view then shows the gate OPEN; a quorum session is opened from
 * its signing panel for exactly the gated-sign operation, Alice and Bob check in with their own tokens,
 * and the batch is started from the panel (a confirmed act; the station token's PIN in the preview).
 * Afterwards every manifest artifact's `.sig` is verified with node's crypto against the public key read
 * from the token, the DSSE envelope against the same key, and the off-manifest file is quarantined with
 * its digest, never signed.
 */
const PACKET = 'activation-decl-2026-0611';
const DECLARATION = 'DECL-2026-0611';
const OWNER = 'Dana Whitfield';
const ROLE = 'release-security-owner';
const PASS = 'dana passphrase for the e2e\n';
const SLOW = { timeout: 30_000 };

interface GateJson {
  state: string;
  sentence: string;
  versions: { version: number; current: boolean }[];
  ledger: { lines: { area: string; item: string; facts: Record<string, unknown> }[] } | null;
}
interface StatusJson {
  runs: {
    runId: string;
    state: string;
    total: number;
    signed: number;
    outDir: string;
    tokenSerial: string;
    keyId: string;
    envelopeFile: string | null;
  }[];
  quarantined: { artifact: string; mediaSha256: string; manifestSha256: string | null; reason: string }[];
}

let browser: Browser;
let suite: ReturnType<typeof demoSuite>;
beforeAll(async () => {
  suite = demoSuite();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  suite?.remove();
});

function cli(args: string[], input?: string): string {
  const r = stationCli([...args, '--data-dir', suite.dir], input, suite.env);
  expect(r.status, `station ${args.join(' ')}\n${r.stdout}${r.stderr}`).toBe(0);
  return r.stdout;
}

/** The reviewer's own workstation: no station data dir. */
function reviewer(args: string[], input?: string): string {
  const r = stationCli(args, input, suite.env);
  expect(r.status, `station ${args.join(' ')}\n${r.stdout}${r.stderr}`).toBe(0);
  return r.stdout;
}

const gateJson = () => JSON.parse(cli(['gate', 'status', '--packet', PACKET, '--json'])) as GateJson;
const statusJson = () =>
  JSON.parse(cli(['sign', 'status', '--declaration', DECLARATION, '--json'])) as StatusJson;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const gateWord = (page: Page) =>
  page.getByRole('region', { name: 'Gate' }).locator('.gate-word [data-status]').getAttribute('data-status');

describe('declaration → approved gate → signed batch', () => {
  it('the approval owner’s approval opens the gate; the panel signs exactly the manifest under a quorum; every .sig verifies, the off-manifest file is quarantined', async () => {
    const signing = (page: Page) => page.getByRole('region', { name: 'Offline signing' });

    // The demo's version 1 names the approval owner as its reviewer; recording another version of the
    // same ledger is refused (nothing in it changed).
    const again = stationCli(
      ['gate', 'version', '--packet', PACKET, '--data-dir', suite.dir],
      undefined,
      suite.env,
    );
    expect(again.status).not.toBe(0);
    expect(again.stderr).toMatch(/already binds this ledger/);
    const versioned = gateJson();
    expect(versioned.state).toBe('AWAITING-APPROVAL');
    const current = versioned.versions.find((v) => v.current)?.version;
    expect(current).toBe(1);
    cli(['packet', 'handoff', PACKET]);
    const bundle = JSON.parse(
      cli(['bundle', 'export', '--kind', 'packet', '--packet', PACKET, '--pin-stdin', '--json'], '123456\n'),
    ) as { path: string; version: number };
    expect(bundle.version).toBe(current);

    // Dana: her key, its registration (the operator compares the words she reads out), her approval of
    // exactly the bundle she verified against the station certificate; the approval is imported.
    const pem = join(suite.root, 'station.pem');
    exportStationPem(suite.dir, pem, suite.env);
    const key = join(suite.root, 'dana.key');
    reviewer(['reviewer', 'keygen', '--out', key, '--passphrase-stdin'], PASS);
    const req = reviewer(
      [
        ...['reviewer', 'request', '--key', key, '--name', OWNER, '--organisation', 'Example Corp'],
        ...['--out-dir', suite.media, '--passphrase-stdin'],
      ],
      PASS,
    );
    const registration = /^wrote (.+)$/m.exec(req)?.[1] ?? '';
    const words = /read these to the station operator: (.+)$/m.exec(req)?.[1] ?? '';
    const reg = registerTrust(suite.dir, registration, { id: 'dana', roles: ROLE, words }, suite.env);
    expect(reg.status, reg.stderr).toBe(0);
    const approved = reviewer(
      [
        ...['approve', bundle.path, '--key', key, '--trust', pem, '--name', OWNER, '--role', ROLE],
        ...['--out-dir', suite.media, '--passphrase-stdin'],
      ],
      PASS,
    );
    const approval = /^wrote (.+\.approval\.json):/m.exec(approved)?.[1] ?? '';
    expect(cli(['bundle', 'import', approval])).toMatch(/ACCEPTED approval by Dana Whitfield/);
    const opened = gateJson();
    expect(opened.state, opened.sentence).toBe('OPEN');

    // The rehearsal USB stick: the demo's artifacts (three in the manifest, one not) in a folder, and an
    // empty folder for the signatures.
    const artifacts = join(suite.dir, 'rehearsal-media', 'activation', 'artifacts');
    const onMedia = readdirSync(artifacts);
    const manifest = (opened.ledger?.lines ?? [])
      .filter((l) => l.area === 'manifest')
      .map((l) => ({ artifact: l.item, sha256: String(l.facts.sha256) }));
    expect(manifest.length).toBeGreaterThan(0);
    const offManifest = onMedia.filter((n) => !manifest.some((m) => m.artifact === n));
    expect(offManifest.length).toBeGreaterThan(0);
    const mediaDir = join(suite.media, 'patch-train');
    const outDir = join(suite.media, 'signed');
    mkdirSync(mediaDir);
    mkdirSync(outDir);
    for (const n of onMedia) copyFileSync(join(artifacts, n), join(mediaDir, n));

    const host = await serveStation(suite.dir, suite.env);
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await openWorkflow(page, host.url, 'Activation gate');
      await expect.poll(() => gateWord(page), SLOW).toBe('OPEN');
      const gate = page.getByRole('region', { name: 'Gate' });
      expect(await gate.innerText()).toContain(`${OWNER} (${ROLE}) approved version ${current}`);
      const panel = signing(page);
      await panel.waitFor();
      // What will be signed: exactly the manifest, each with its digest.
      const table = panel.getByRole('table', { name: 'Artifacts to sign' });
      await expect.poll(() => table.getByRole('row').count(), SLOW).toBe(manifest.length + 1);
      for (const m of manifest)
        expect(
          await table.getByRole('row', { name: new RegExp(m.artifact.replace(/\./g, '\\.')) }).innerText(),
        ).toContain(m.sha256);
      await page.getByRole('heading', { level: 1, name: 'Activation gate' }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: artifactPath('activation-open-1440.png') });

      // The quorum operation the station computes; no session yet: Start waits for one.
      const operation = cli(['sign', 'operation', '--declaration', DECLARATION]).trim();
      const start = panel.getByRole('form', { name: 'Start signing' });
      await expect.poll(() => start.innerText(), SLOW).toContain(operation);
      const startButton = start.getByRole('button', { name: 'Start signing…' });
      expect(await startButton.isDisabled()).toBe(true);
      expect(await start.innerText()).toContain('No open quorum session is bound to this operation');

      // A session for exactly this operation, opened from the panel (a confirmed act)…
      await start.getByRole('button', { name: 'Preview a quorum session for it…' }).click();
      await confirmPreview(page, 'Open a quorum session for one operation');
      const listed = cli(['quorum', 'list'])
        .split('\n')
        .find((l) => l.includes(operation) && /\bopen\b/.test(l));
      const sessionId = listed?.split(/\s+/)[0] ?? '';
      expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
      // …and the custodians check in with their own tokens.
      for (const who of ['Alice', 'Bob'])
        cli(
          [
            ...['quorum', 'checkin', '--session', sessionId],
            ...['--token', tokenSerial(suite.dir, `Custodian ${who}`, suite.env), '--pin-stdin'],
          ],
          '123456\n',
        );
      await start.getByRole('button', { name: 'Look again' }).click();
      await expect.poll(() => start.getByLabel('Quorum session').inputValue(), SLOW).toBe(sessionId);
      await start.locator('[data-status="REACHED"]').waitFor(SLOW);

      // The folders on the volume, then Start: the preview names what will be recorded; the PIN there.
      expect(await start.getByLabel('Media volume').inputValue()).toBe(suite.media);
      await start.getByLabel('Media folder on it').fill('patch-train');
      await start.getByLabel('Output folder on it (it must exist)').fill('signed');
      const folders = await start.getByRole('definition').allInnerTexts();
      expect(folders[0]).toContain(mediaDir);
      expect(folders[1]).toContain(outDir);
      expect(await startButton.isDisabled()).toBe(false);
      await startButton.click();
      const shown = await confirmPreview(
        page,
        'Sign exactly the frozen manifest on the HSM (claims the quorum session)',
        { pin: '123456' },
      );
      expect(shown).toContain(mediaDir);
      expect(shown).toContain(sessionId);
      expect(shown).not.toContain('123456');

      // Progress: caught while running if the batch is slow enough, then the result as journaled.
      const progress = panel.getByRole('status', { name: 'Signing progress' });
      await progress.waitFor(SLOW);
      // One read of the panel (the batch may finish between two reads): while it says RUNNING, it shows
      // counts, rate and ETA, or the checking phase.
      const seen = await progress.innerText();
      if (seen.startsWith('RUNNING')) {
        expect(seen).toMatch(/\d+ of \d+ signed · .* · ETA|checking the gate, the quorum and the media/);
        await progress.scrollIntoViewIfNeeded();
        await page.screenshot({ path: artifactPath('activation-signing-1440.png') });
      }
      const result = panel.getByRole('region', { name: 'Batch result' });
      await expect
        .poll(() => result.locator('[data-status]').first().getAttribute('data-status'), SLOW)
        .toBe('COMPLETED');
      await expect
        .poll(() => progress.locator('[data-status]').first().getAttribute('data-status'), SLOW)
        .toBe('COMPLETED');
      const status = statusJson();
      const run = status.runs.at(-1);
      expect(run).toMatchObject({ state: 'completed', total: manifest.length, signed: manifest.length });
      const resultText = await result.innerText();
      expect(resultText).toContain(`Signed ${manifest.length} of ${manifest.length} manifest artifacts`);
      expect(resultText).toContain(run?.runId ?? '?');
      expect(resultText).toContain(join(outDir, run?.envelopeFile ?? '?'));
      // The off-manifest file: quarantined with the digest of its bytes on the media.
      const quarantine = panel.getByRole('table', { name: 'Quarantined files' });
      for (const n of offManifest) {
        const row = quarantine.getByRole('row', { name: new RegExp(n.replace(/\./g, '\\.')) });
        const text = await row.innerText();
        expect(text).toContain(sha256(readFileSync(join(mediaDir, n))));
        expect(text).toMatch(/QUARANTINED[\s\S]*not in the manifest/);
        expect(text).toContain('not in the frozen manifest');
        expect(status.quarantined.find((q) => q.artifact === n)).toMatchObject({
          reason: 'off-manifest',
          mediaSha256: sha256(readFileSync(join(mediaDir, n))),
          manifestSha256: null,
        });
      }
      // Nothing more to start: the gate's batch is done.
      expect(await panel.getByRole('button', { name: /^Resume/ }).count()).toBe(0);
      await result.scrollIntoViewIfNeeded();
      await page.screenshot({ path: artifactPath('activation-signed-1440.png') });
      // Nothing in the panel pushes the pane sideways at the smallest size (digests and paths wrap).
      // (The banner is not checked here: with a REACHED quorum and unsigned entries it is wider than
      // 1024 px — reported, not this panel's.)
      await page.setViewportSize({ width: 1024, height: 700 });
      const wide = (await page.evaluate(`(() => {
        const main = document.querySelector('main');
        const panel = main.querySelector('section.signing');
        const beyond = [...panel.querySelectorAll('*')].filter(
          (e) => e.getBoundingClientRect().right > window.innerWidth,
        );
        return [main.scrollWidth - main.clientWidth, beyond.length];
      })()`)) as number[];
      expect(wide).toEqual([0, 0]);
      await page.setViewportSize({ width: 1440, height: 900 });

      // From the output folder alone: each manifest artifact's signature verifies against the key the
      // token holds; nothing else was signed; the DSSE envelope names exactly the manifest.
      const pub = join(suite.root, 'signer.pem');
      cli(['hsm', 'pubkey', '--token', run?.tokenSerial ?? '?', '--key', run?.keyId ?? '?', '--out', pub]);
      const signer = createPublicKey(readFileSync(pub));
      expect(signer.asymmetricKeyType).toBe('ec');
      for (const m of manifest) {
        const bytes = readFileSync(join(mediaDir, m.artifact));
        expect(sha256(bytes)).toBe(m.sha256);
        const sig = readFileSync(join(outDir, `${m.artifact}.sig`));
        expect(verify('sha256', bytes, { key: signer, dsaEncoding: 'der' }, sig), m.artifact).toBe(true);
        // …and not over other bytes.
        expect(
          verify(
            'sha256',
            Buffer.concat([bytes, Buffer.from('x')]),
            { key: signer, dsaEncoding: 'der' },
            sig,
          ),
        ).toBe(false);
      }
      for (const n of offManifest) expect(existsSync(join(outDir, `${n}.sig`))).toBe(false);
      expect(readdirSync(outDir).sort()).toEqual(
        [...manifest.map((m) => `${m.artifact}.sig`), run?.envelopeFile ?? '?'].sort(),
      );
      const envelope = JSON.parse(readFileSync(join(outDir, run?.envelopeFile ?? '?'), 'utf8')) as {
        payload: string;
        payloadType: string;
        signatures: { sig: string }[];
      };
      const payload = Buffer.from(envelope.payload, 'base64');
      expect(
        verify(
          'sha256',
          pae(envelope.payloadType, payload),
          { key: signer, dsaEncoding: 'der' },
          Buffer.from(envelope.signatures[0]?.sig ?? '', 'base64'),
        ),
      ).toBe(true);
      const statement = JSON.parse(payload.toString('utf8')) as {
        subject: { name: string; digest: { sha256: string } }[];
        predicate: { declarationId: string; packet: { version: number } };
      };
      expect(statement.subject.map((s) => [s.name, s.digest.sha256]).sort()).toEqual(
        manifest.map((m) => [m.artifact, m.sha256]).sort(),
      );
      expect(statement.predicate).toMatchObject({ declarationId: DECLARATION, packet: { version: current } });
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
      await host.stop();
    }
  }, 240_000);
});
