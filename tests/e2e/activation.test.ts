import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, demoSuite, launchChromium, openWorkflow, serveStation, stationCli } from './harness';

/**
 * Activation gate (workflow 003) in real Chromium through the browser-mode host, on the demo's gate
 * (src/main/demo/activation.ts: declaration DECL-2026-0611, packet activation-decl-2026-0611, version 1
 * recorded, awaiting the approval owner). The test then withdraws a night-shift signer's commitment
 * (the shift falls short of its quorum: a non-waivable signer-quorum hold), evaluates in the view, fixes
 * the fact with another signer's commitment, evaluates again (the ledger changed: VERSION-NEEDED) and
 * records version 2 from the view (AWAITING-APPROVAL again). What the view shows is compared with what
 * `station gate status --json` answers for the same packet.
 */
const PACKET = 'activation-decl-2026-0611';
const DECLARATION = 'DECL-2026-0611';
const NIGHT = 'SH-1201-NIGHT';
const DAY = 'SH-1201-DAY';
/** How long a poll waits for the view to catch up (evaluations recompute on a shared CPU). */
const SLOW = { timeout: 20_000 };

interface GateJson {
  state: string;
  evaluation: { seq: number; ledgerDigest: string } | null;
  holds: { checkId: string; kind: string; waivable: boolean; subject: string }[];
  ledger: { lines: { area: string; item: string; state: string; facts: Record<string, unknown> }[] } | null;
  versions: { version: number; digest: string; ledgerDigest: string | null; current: boolean }[];
  approvalOwner: string | null;
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

function gateJson(): GateJson {
  const r = stationCli(
    ['gate', 'status', '--packet', PACKET, '--json', '--data-dir', suite.dir],
    undefined,
    suite.env,
  );
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as GateJson;
}

/** Imports one signer-commitment record (as the dual-custody schedule would export it), recorded now. */
function importCommitment(file: string, record: Record<string, string>): void {
  const at = new Date(Date.now() - 2_000).toISOString();
  const path = join(suite.root, file);
  writeFileSync(
    path,
    JSON.stringify({
      family: 'signer-commitment',
      familyVersion: 1,
      system: 'dual-custody-schedule',
      exportedAt: at,
      records: [{ ...record, role: 'release-signer', recordedAt: at }],
    }),
  );
  const r = stationCli(['records', 'import', path, '--data-dir', suite.dir], undefined, suite.env);
  expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
}

const gateWord = (page: Page) =>
  page.getByRole('region', { name: 'Gate' }).locator('.gate-word [data-status]').getAttribute('data-status');

async function noSideways(page: Page): Promise<void> {
  // A string: this file is type-checked without the DOM library.
  const m = (await page.evaluate(`(() => {
    const main = document.querySelector('main');
    return {
      scroll: document.scrollingElement.scrollWidth,
      inner: window.innerWidth,
      main: main ? main.scrollWidth - main.clientWidth : 0,
    };
  })()`)) as { scroll: number; inner: number; main: number };
  expect(m.scroll).toBeLessThanOrEqual(m.inner);
  expect(m.main).toBeLessThanOrEqual(0);
}

describe('Activation gate view in Chromium', () => {
  it('shows the gate, ledger and shift coverage; a withdrawn signer is a NON-WAIVABLE hold; the fix needs a version, recorded from the view', async () => {
    const host = await serveStation(suite.dir, suite.env);
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      const before = gateJson();
      expect(before.state).toBe('AWAITING-APPROVAL');
      await openWorkflow(page, host.url, 'Activation gate');
      await page.getByRole('main').getByRole('heading', { level: 1, name: 'Activation gate' }).waitFor();

      // The packet list: the demo's packet, its declaration and its gate.
      const row = page
        .getByRole('table', { name: 'Activation gate packets' })
        .getByRole('row', { name: new RegExp(PACKET) });
      await expect
        .poll(() => row.innerText(), SLOW)
        .toMatch(new RegExp(`${DECLARATION}\\s*AWAITING-APPROVAL`));

      // The gate as one large word with its sentence, the owner named.
      const gate = page.getByRole('region', { name: 'Gate' });
      await expect.poll(() => gateWord(page), SLOW).toBe('AWAITING-APPROVAL');
      const gateText = await gate.innerText();
      expect(gateText).toContain(`Version 1 awaits the approval of ${before.approvalOwner ?? '?'}`);
      expect(gateText).toContain(`#${before.evaluation?.seq ?? '?'}`);
      const ledgerDigest = await gate.getByRole('figure', { name: /^Ledger digest/ }).innerText();
      expect(ledgerDigest.replace(/\s/g, '')).toContain(before.evaluation?.ledgerDigest ?? '?');
      // A version binds this ledger already: nothing to record.
      expect(await gate.getByRole('button', { name: /^Record version 2/ }).isDisabled()).toBe(true);

      // The ledger, area by area, each line with its state as the station derived it.
      const ledger = page.getByRole('region', { name: 'Readiness ledger' });
      for (const area of [
        'Declaration',
        'Frozen manifest',
        'Digest confirmations',
        'Enclave',
        'Signers by shift',
        'Rollback custody',
        'Publication safeguards',
        'Quarantine',
      ])
        await ledger.getByRole('region', { name: `Ledger: ${area}` }).waitFor();
      for (const l of before.ledger?.lines ?? []) {
        const r = ledger
          .locator(`[data-area="${l.area}"]`)
          .getByRole('row')
          .filter({ has: page.getByRole('rowheader', { name: l.item, exact: true }) });
        expect(
          await r.locator('[data-status]').first().getAttribute('data-status'),
          `${l.area} ${l.item}`,
        ).toBe(l.state.toUpperCase());
      }
      expect(before.ledger?.lines.some((l) => l.state === 'quarantined')).toBe(true);

      // The shift timeline: both shifts drawn, quorum met, each with its word and count.
      const timeline = page.getByRole('figure', { name: 'Shift coverage' });
      const shifts = timeline.getByRole('listitem');
      expect(await shifts.evaluateAll((ls) => ls.map((l) => l.getAttribute('aria-label')))).toEqual([
        expect.stringMatching(
          new RegExp(`^Shift ${DAY} \\(Day shift\\).*: COVERED, committed 2 of 2 release-signer$`),
        ),
        expect.stringMatching(new RegExp(`^Shift ${NIGHT} .*: COVERED, committed 2 of 2 release-signer$`)),
      ]);
      expect(await timeline.locator('rect.shift-bar-met').count()).toBe(2);
      expect(await timeline.locator('rect.shift-bar-short').count()).toBe(0);

      // Quarantine: the off-manifest candidate with both digests as the station holds them.
      const q = before.ledger?.lines.find((l) => l.area === 'quarantine');
      const quarantine = await page.getByRole('region', { name: 'Quarantined candidates' }).innerText();
      expect(quarantine).toContain(String(q?.facts.candidateSha256));
      expect(quarantine).toContain(
        q?.facts.manifestSha256 ? String(q.facts.manifestSha256) : 'not in the frozen manifest',
      );
      expect(quarantine).toMatch(/QUARANTINED/);

      await timeline.scrollIntoViewIfNeeded();
      await page.screenshot({ path: artifactPath('activation-shifts-1440.png') });
      await page.getByRole('heading', { level: 1, name: 'Activation gate' }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: artifactPath('activation-gate-1440.png') });
      await page.setViewportSize({ width: 1024, height: 700 });
      await noSideways(page);
      await page.screenshot({ path: artifactPath('activation-gate-1024.png') });
      await page.setViewportSize({ width: 1440, height: 900 });

      // A night-shift signer withdraws: the shift falls short; evaluated from the view, the gate holds.
      importCommitment('withdrawn.json', {
        commitmentId: 'SC-E2E-1',
        shiftId: NIGHT,
        person: 'Dev Patel',
        status: 'withdrawn',
      });
      await gate.getByRole('button', { name: 'Evaluate now' }).click();
      await expect.poll(() => gateWord(page), SLOW).toBe('HOLD');
      const held = gateJson();
      expect(held.state).toBe('HOLD');
      const register = page.getByRole('region', { name: 'Hold register' });
      expect(await register.getByRole('note').innerText()).toMatch(
        /NON-WAIVABLE\s*No act clears a non-waivable hold/,
      );
      const holdRow = register.getByRole('row', { name: /^signer-quorum/ });
      const holdText = await holdRow.innerText();
      expect(holdText).toMatch(/NON-WAIVABLE/);
      expect(holdText).toContain('ACT-QUORUM-SHIFT');
      expect(holdText).toContain(NIGHT);
      expect(holdText).toMatch(/has 1 of 2 release-signer signers committed/);
      expect(await holdRow.locator('[data-status="NON-WAIVABLE"]').getAttribute('class')).toMatch(
        /badge-bad/,
      );
      expect(held.holds.find((h) => h.subject === NIGHT)?.waivable).toBe(false);
      // No act in the register or the gate clears it.
      expect(
        await page
          .getByRole('main')
          .getByRole('button', { name: /waive|clear|override/i })
          .count(),
      ).toBe(0);
      expect(await gate.getByRole('button', { name: /^Record version/ }).isDisabled()).toBe(true);
      // The timeline draws the night shift short.
      const night = timeline.getByRole('listitem', { name: new RegExp(`^Shift ${NIGHT} `) });
      expect(await night.getAttribute('aria-label')).toMatch(/: SHORT, committed 1 of 2 release-signer$/);
      expect(await night.locator('rect.shift-bar-short').count()).toBe(1);
      expect(await night.innerText()).toMatch(/SHORT\s*1 of 2/);

      // The gate's word at the top of the pane, the register under it.
      await gate.locator('.gate-word').evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await page.screenshot({ path: artifactPath('activation-holds-1440.png') });

      // The fact is fixed by a record (another rostered signer commits to the night shift), not an act.
      importCommitment('committed.json', {
        commitmentId: 'SC-E2E-2',
        shiftId: NIGHT,
        person: 'Ana Kowalski',
        status: 'committed',
      });
      await gate.getByRole('button', { name: 'Evaluate now' }).click();
      await expect.poll(() => gateWord(page), SLOW).toBe('VERSION-NEEDED');
      expect(await register.innerText()).toMatch(/No hold/);
      const fixed = gateJson();
      expect(fixed.state).toBe('VERSION-NEEDED');
      expect(fixed.evaluation?.ledgerDigest).not.toBe(before.evaluation?.ledgerDigest);

      // Record version 2 from the view: it says what it binds first, then records it.
      const record = gate.getByRole('button', { name: /^Record version 2/ });
      expect(await record.isDisabled()).toBe(false);
      await record.click();
      const preview = page.getByRole('region', { name: 'Record version: what will happen' });
      const previewText = await preview.innerText();
      expect(previewText.replace(/\s/g, '')).toContain(fixed.evaluation?.ledgerDigest ?? '?');
      expect(previewText).toMatch(/Every approval of version 1 or earlier stops counting/);
      expect(previewText).toContain('operator:alice');
      // The station's own preview of the confirmed act (person, journal head, digest), then confirm.
      const confirm = page.getByRole('region', {
        name: /^Preview: Record a version of the activation-gate packet/,
      });
      expect(await confirm.innerText()).toContain('operator:alice');
      await confirm.getByRole('button', { name: 'Confirm and record' }).click();
      await expect.poll(() => gateWord(page), SLOW).toBe('AWAITING-APPROVAL');
      const after = gateJson();
      expect(after.state).toBe('AWAITING-APPROVAL');
      expect(after.versions.map((v) => [v.version, v.current])).toEqual([
        [1, false],
        [2, true],
      ]);
      expect(after.versions[1]?.ledgerDigest).toBe(fixed.evaluation?.ledgerDigest);
      const versions = page.getByRole('table', { name: 'Packet versions' });
      await expect.poll(() => versions.getByRole('row').count(), SLOW).toBe(3);
      expect(await versions.getByRole('row', { name: /^2 CURRENT/ }).innerText()).toContain(
        after.versions[1]?.digest ?? '?',
      );

      // The lineage says what changed between the versions: the night shift's commitments.
      const lineage = page.getByRole('region', { name: 'Lineage' });
      const v2 = lineage.getByRole('listitem', { name: 'Version 2' });
      await expect.poll(() => v2.innerText(), SLOW).toMatch(new RegExp(`CHANGED\\s*signers ${NIGHT}`));
      expect(await v2.innerText()).toMatch(/Ana Kowalski/);
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
      await host.stop();
    }
  }, 180_000);
});
