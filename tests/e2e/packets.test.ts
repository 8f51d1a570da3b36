import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp';
import { DEMO_AS_OF, RESOLVING_RECORDS } from '../helpers/deferral-resolve';
import { SOFTHSM_PATH } from '../helpers/softhsm';
import {
  addToken,
  artifactPath,
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

describe('Rotation deferral packet in Chromium (the demo packet)', () => {
  it('shows the findings that hold it; refuses the handoff naming the outcome; after the resolving records are imported and evaluated, hands off with each exception acknowledged; prints and exports for the board', async () => {
    const root = tempDir();
    const dataDir = join(root, 'station');
    const media = join(root, 'usb');
    mkdirSync(media);
    const env = { STATION_MEDIA_DIRS: media };
    expect(stationCli(['demo', '--data-dir', dataDir], undefined, env).status).toBe(0);
    signInCli(dataDir, 'Alice', env);
    const host = await serveStation(dataDir, env);
    const page = await browser.newPage({ viewport: { width: 1500, height: 1100 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await openWorkflow(page, host.url, 'Rotation deferral');
      const list = page.getByRole('table', { name: 'Packets' });
      await expect
        .poll(() => list.innerText())
        .toMatch(/deferral-rsk-2024[\s\S]*HOLD[\s\S]*for source completion/);
      const packet = page.getByRole('article', { name: 'Packet deferral-rsk-2024' });

      // The gate is the workflow outcome; the register is the evaluation's findings, found by the rules.
      const checks = packet.getByRole('list', { name: 'Completeness checks' });
      await expect
        .poll(() => checks.innerText())
        .toMatch(/HOLD\s*PKT-OUTCOME[\s\S]*hold-source-completion[\s\S]*DEF-HSM-ATTEST HSM-LUNA-0412/);
      expect(await packet.innerText()).not.toMatch(/READY\s*for handoff/);
      const register = packet.getByRole('table', { name: 'Findings' });
      const reg = await register.innerText();
      expect(reg).toMatch(/DEF-HSM-ATTEST\s*HSM-LUNA-0412[\s\S]*DISPUTED/);
      expect(reg).toMatch(/DEF-CUSTODY-FRESH\s*BT-0412-3[\s\S]*STALE/);
      expect(reg).toMatch(/DEF-SIGNERS\s*CER-ROT-2027-02\/key-operator[\s\S]*PARTIAL/);
      // Claims by the checks they are bound to; a claim bound to none is shown as asserted, not checked.
      const claims = await packet.getByRole('table', { name: 'Claims' }).innerText();
      expect(claims).toMatch(
        /c-hsm-audit[^\n]*\n?[\s\S]*?HOLD[\s\S]*?disputed: DEF-AUDIT-CHAIN, DEF-AUDIT-SIGN, DEF-HSM-ATTEST/,
      );
      expect(claims).toMatch(/c-monitoring[\s\S]*?ASSERTED[\s\S]*?not checked/);

      // The handoff form: a checkbox only for the findings the policy lets a handoff carry.
      const handoff = packet.getByRole('form', { name: 'Record handoff' });
      const findings = handoff.getByRole('group', { name: 'Blocking findings to acknowledge' });
      expect(await findings.innerText()).toMatch(
        /REFUSES HANDOFF[\s\S]*DEF-HSM-ATTEST HSM-LUNA-0412 \(disputed\): import the record that resolves it/,
      );
      expect(await findings.getByRole('checkbox').count()).toBe(2);
      await findings.getByLabel(/I acknowledge DEF-CUSTODY-FRESH BT-0412-3 \(stale\)/).check();
      await findings
        .getByLabel(/I acknowledge DEF-SIGNERS CER-ROT-2027-02\/key-operator \(partial\)/)
        .check();
      await handoff.getByRole('button', { name: 'Preview the handoff…' }).click();
      // The preview shows what will be recorded; the station refuses the act itself (it is not ready).
      await confirmPreview(page, 'Record the handoff of a version to its reviewers');
      await expect
        .poll(() => page.getByRole('alert').innerText())
        .toMatch(/outcome hold-source-completion[\s\S]*DEF-HSM-ATTEST HSM-LUNA-0412/);
      expect(await page.getByRole('alert').innerText()).toContain('PACKET_NOT_READY');
      await page.screenshot({ path: artifactPath('deferral-packet.png'), fullPage: true });

      // The hold is resolved only by records: a later passing attestation and a ready re-check.
      for (const path of RESOLVING_RECORDS)
        expect(stationCli(['records', 'import', path, '--data-dir', dataDir], undefined, env).status).toBe(0);
      // A new page load reads the packet again (the launch URL's fragment alone would not reload it).
      await page.reload();
      await page
        .getByRole('navigation', { name: 'Workflows' })
        .getByRole('button', { name: 'Rotation deferral', exact: true })
        .click();
      await expect.poll(() => packet.innerText()).toMatch(/STALE[\s\S]*Evaluate again before handing off/);
      // An evaluation is an act: it is recorded under the signed-in operator, never the station.
      await packet.getByRole('button', { name: `Evaluate again as of ${DEMO_AS_OF}` }).click();
      await expect
        .poll(() => packet.getByRole('region', { name: 'Exception register' }).innerText())
        .toMatch(/2 open findings\) — outcome handoff-with-exceptions/);
      expect(await register.innerText()).not.toMatch(/DEF-HSM-ATTEST/);

      await findings.getByLabel(/I acknowledge DEF-CUSTODY-FRESH BT-0412-3/).check();
      // One acknowledgement missing: refused, naming the other finding.
      await handoff.getByRole('button', { name: 'Preview the handoff…' }).click();
      await confirmPreview(page, 'Record the handoff of a version to its reviewers');
      await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/not acknowledged: DEF-SIGNERS/);
      expect(await page.getByRole('alert').innerText()).toContain('PACKET_ACKNOWLEDGEMENT_REFUSED');
      await findings.getByLabel(/I acknowledge DEF-SIGNERS CER-ROT-2027-02\/key-operator/).check();
      await handoff.getByRole('button', { name: 'Preview the handoff…' }).click();
      const previewed = await confirmPreview(page, 'Record the handoff of a version to its reviewers');
      // The handoff is recorded under the signed-in person: nobody types a name for it.
      expect(previewed).toMatch(/acknowledge\[0\]\.checkId/);
      const record = packet.getByRole('article', { name: 'Handoff record v1' });
      await expect.poll(() => record.innerText()).toMatch(/READY[\s\S]*v1 handed off by operator:alice/);
      const recordText = await record.innerText();
      expect(recordText).toMatch(
        /board-reviewer: Dana Board[\s\S]*cryptography-engineering-manager: Casey Manager/,
      );
      expect(recordText).toMatch(
        /On evaluation \d+ as of 2026-12-01T12:00:00.000Z: outcome handoff-with-exceptions/,
      );
      const acknowledged = await record.getByRole('list', { name: 'Acknowledged findings' }).innerText();
      expect(acknowledged).toMatch(/DEF-CUSTODY-FRESH BT-0412-3 \(stale\)/);
      expect(acknowledged).toMatch(/DEF-SIGNERS CER-ROT-2027-02\/key-operator \(partial\)/);
      expect(recordText).toMatch(/does not recommend granting or refusing the deferral/);

      // Print: a PDF of the version, written beside the station.
      await packet.getByRole('button', { name: 'Print packet (PDF)' }).click();
      const printed = packet.getByRole('region', { name: 'Print and export' }).getByRole('status');
      await expect
        .poll(() => printed.innerText(), { timeout: 30_000 })
        .toMatch(/PDF written: .*deferral-rsk-2024-v1-.*\.pdf \(\d+ pages\)/);
      const pdf = /PDF written: (\S+\.pdf)/.exec(await printed.innerText())![1]!;
      expect(existsSync(pdf)).toBe(true);

      // Export for the board: what will be written first, then one PIN entry; verified by reading back.
      const exportForm = packet.getByRole('form', { name: 'Export' });
      await expect
        .poll(() => exportForm.getByLabel('What will be written').innerText())
        .toMatch(/deferral-rsk-2024-v1\.bundle\.zip[\s\S]*packet\/packet\.json[\s\S]*packet\/handoff\.json/);
      await exportForm.getByLabel('Station token PIN').fill('123456');
      await exportForm.getByRole('button', { name: 'Sign, write and verify' }).click();
      await expect
        .poll(() => exportForm.getByRole('status', { name: 'Export progress' }).innerText(), {
          timeout: 30_000,
        })
        .toMatch(/VERIFIED/);
      expect(readdirSync(media)).toContain('deferral-rsk-2024-v1.bundle.zip');
      const verify = stationCli(
        ['bundle', 'verify', join(media, 'deferral-rsk-2024-v1.bundle.zip'), '--data-dir', dataDir],
        undefined,
        env,
      );
      expect(verify.status).toBe(0);
      expect(verify.stdout).toContain('packet/handoff.json');
      await page.screenshot({ path: artifactPath('deferral-handoff-export.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await host.stop();
    }
  }, 120_000);

  it('custody attestation: requirement-by-requirement status with links to the records, and a recommendation the owner decides on', async () => {
    const root = tempDir();
    const dataDir = join(root, 'station');
    expect(stationCli(['demo', '--data-dir', dataDir]).status).toBe(0);
    signInCli(dataDir);
    // The release security owner's own card: a token with a key made by OpenSC's pkcs11-tool, registered
    // in the trust store (self-signed registration, words compared) with the role release-security-owner.
    const softhsm = { SOFTHSM2_CONF: join(dataDir, 'softhsm', 'softhsm2.conf') };
    const serial = addToken(dataDir, 'Riley owner card', '24681357');
    const gen = spawnSync(
      'pkcs11-tool',
      [
        '--module',
        SOFTHSM_PATH,
        '--token-label',
        'Riley owner card',
        '--login',
        '--pin',
        '24681357',
        '--keypairgen',
        '--key-type',
        'EC:prime256v1',
        '--id',
        '0b',
        '--label',
        'attestation key',
      ],
      { encoding: 'utf8', env: { ...process.env, ...softhsm } },
    );
    expect(gen.status, gen.stderr).toBe(0);
    const req = stationCli(
      [
        'reviewer',
        'request',
        '--token',
        serial,
        '--key-id',
        '0b',
        '--pkcs11',
        'softhsm2',
        '--pin-stdin',
        '--name',
        'Riley Shah',
        '--out-dir',
        root,
      ],
      '24681357\n',
      softhsm,
    );
    expect(req.stderr).toBe('');
    const words = /read these to the station operator: (.+)$/m.exec(req.stdout)![1]!;
    const registration = /^wrote (.+)$/m.exec(req.stdout)![1]!;
    expect(
      registerTrust(dataDir, registration, { id: 'riley-owner', roles: 'release-security-owner', words })
        .status,
    ).toBe(0);
    const host = await serveStation(dataDir);
    const page = await browser.newPage({ viewport: { width: 1500, height: 1100 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await openWorkflow(page, host.url, 'Decisions pending');
      // What waits for whom: the owner's decision on the demo attestation, one click from its view.
      const table = page.getByRole('table', { name: 'Pending decisions' });
      await expect
        .poll(() => table.innerText())
        .toMatch(
          /OWNER DECIDES[\s\S]*release-security-owner[\s\S]*Attestation ATT-2026-H1-REL: decide on evaluation/,
        );
      await page.screenshot({ path: artifactPath('decisions-pending.png'), fullPage: true });
      await table.getByRole('button', { name: 'Open attestation' }).first().click();
      const panel = page.getByRole('region', { name: 'Attestation recommendation' });
      await expect.poll(() => panel.innerText()).toMatch(/REMEDIATE\s*recommend targeted remediation/);
      // The policy (control library) version and digest, the as-of instant and the evaluation seq.
      expect(await panel.innerText()).toMatch(
        /evaluation seq \d+, as of 2026-07-08 09:00:00; policy release-signing-custody-controls v1 \(default\), digest/,
      );
      const rows = panel.getByRole('table', { name: 'Requirements' });
      const text = await rows.innerText();
      expect(text).toMatch(/ATT-ROSTER-MATCH[\s\S]*ATT-ROSTER-ROLE[\s\S]*Kwame Asante/);
      expect(text).toMatch(/ATT-ESCROW-SEALED[\s\S]*STALE[\s\S]*ESC-MED-02/);
      expect(text).toMatch(/ATT-EXCEPTION-BOUNDARY[\s\S]*ATT-EXCEPTION-NEW-PATH[\s\S]*SP-HOTFIX-NOTARIZE/);
      // A finding links to the exact record: the ceremony log, with its provenance and content.
      await rows.getByRole('button', { name: 'ceremony-log/CER-2026-021' }).first().click();
      await expect
        .poll(() => panel.getByLabel('Record', { exact: true }).first().innerText())
        .toMatch(/ceremony-log CER-2026-021 from [\s\S]*"recordId": "CER-2026-021"/);
      // No decision yet: the station says who decides and how, and never signs.
      expect(await panel.innerText()).toMatch(/No decision recorded[\s\S]*never signs the attestation/);
      const before = await panel.innerText();
      const evaluateNow = panel.getByRole('button', { name: 'Evaluate now' });
      await evaluateNow.click();
      await expect.poll(async () => (await panel.innerText()) !== before).toBe(true);
      // Evaluated now, the in-scope keys' inventory is old: still remediate, the decision form is there.
      await expect.poll(() => panel.innerText()).toMatch(/REMEDIATE/);

      // The owner decides with their own card: a wrong PIN records nothing; the right one signs.
      const decide = panel.getByRole('form', { name: "Record the owner's decision" });
      const option = await decide
        .getByLabel('Your token')
        .locator('option')
        .filter({ hasText: 'Riley owner card' })
        .getAttribute('value');
      const fill = async (pinValue: string) => {
        await decide.getByLabel('Your token').selectOption(option!);
        await decide.getByLabel('Key id on the token (CKA_ID, hex)').fill('0b');
        await decide.getByLabel('Decision').selectOption('remediate');
        await decide.getByLabel('Rationale').fill('fix the roster and re-inspect escrow first');
        await decide.getByLabel(/^Your name/).fill('Riley Shah');
        await decide.getByRole('button', { name: 'Preview my decision…' }).click();
        // The PIN is asked on the preview, after the operator has read what will be signed and recorded.
        await confirmPreview(page, "Sign and record the owner's decision", { pin: pinValue });
      };
      await fill('00000000');
      await expect.poll(() => page.getByRole('alert').innerText()).toContain('PIN_INCORRECT');
      expect(await panel.getByRole('list', { name: 'Decisions' }).count()).toBe(0);
      await fill('24681357');
      await expect
        .poll(() => panel.getByRole('list', { name: 'Decisions' }).innerText())
        .toMatch(/REMEDIATE\s*by Riley Shah \(riley-owner\), signed with their own key, on evaluation \d+/);
      const decided = stationCli(['journal', 'export', '--data-dir', dataDir])
        .stdout.trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { kind: string; body: string })
        .filter((j) => j.kind === 'attestation.decision-recorded');
      expect(decided).toHaveLength(1);
      expect(JSON.parse(decided[0]!.body)).toMatchObject({
        decision: 'remediate',
        trustId: 'riley-owner',
        followsRecommendation: true,
      });
      await page.screenshot({ path: artifactPath('custody-attestation.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await host.stop();
    }
  }, 120_000);
});
