import { createHash } from 'node:crypto';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, demoSuite, launchChromium, openWorkflow, serveStation, stationCli } from './harness';

/**
 * The findings view in real Chromium through the browser-mode host: a scenario's exports imported from
 * a rehearsal media folder, the deferral evaluated, the finding traced to its record's provenance, and
 * the evaluation marked STALE when one more record arrives.
 */
const SCENARIO = join(import.meta.dirname, '..', 'scenarios', 'deferral', '02-seed-firmware-mismatch');
const AS_OF = '2026-12-01T12:00:00.000Z';

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

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const grouped = (hex: string) => (hex.match(/.{1,4}/g) ?? []).join(' ');

describe('Findings view in Chromium', () => {
  it('imports a scenario from media, evaluates DR-2026-117 to HOLD with DEF-HSM-ATTEST, shows the record’s provenance, and goes STALE after one more import', async () => {
    const sources = readdirSync(join(SCENARIO, 'sources')).sort();
    for (const f of sources) copyFileSync(join(SCENARIO, 'sources', f), join(suite.media, f));
    const host = await serveStation(suite.dir, suite.env);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await openWorkflow(page, host.url, 'Findings');
      const evaluate = page.getByRole('form', { name: 'Evaluate' });

      // Every export, picked from the files the station listed on the volume (no path is typed).
      const importForm = page.getByRole('form', { name: 'Import records' });
      const file = importForm.getByLabel('File on the removable volume');
      await expect.poll(() => file.locator('option').count()).toBe(sources.length);
      for (const name of sources) {
        await file.selectOption(join(suite.media, name));
        await importForm.getByRole('button', { name: 'Import records' }).click();
        // The demo station already holds this case's records (its deferral packet stands on them): the
        // same file again is taken as already held, never as new records.
        await expect
          .poll(() => importForm.getByRole('status').innerText())
          .toMatch(new RegExp(`^(Imported ${name}:|${name}: every record already held)`));
      }
      const families = page.getByRole('table', { name: 'Record families' });
      await expect.poll(() => families.innerText()).toMatch(/deferral-request\s+\d+/);
      expect(await families.innerText()).toMatch(/hsm-attestation\s+\d+/);

      // The subject is offered from the records; evaluate as of the scenario's instant.
      await expect.poll(() => page.locator('#findings-subjects option[value="DR-2026-117"]').count()).toBe(1);
      await evaluate.getByLabel(/^Subject/).fill('DR-2026-117');
      await evaluate.getByLabel(/^As of/).fill(AS_OF);
      await evaluate.getByRole('button', { name: 'Evaluate' }).click();
      const outcome = page.getByRole('region', { name: 'Outcome' });
      await expect.poll(() => outcome.innerText()).toMatch(/HOLD\s*for source completion/);
      const text = await outcome.innerText();
      expect(text).toMatch(/hold-source-completion: .*DEF-HSM-ATTEST HSM-LUNA-0412/);
      expect(text).not.toMatch(/READY/);
      expect(text).toMatch(/FRESH/);
      const inputs = outcome.getByRole('definition');
      expect(await outcome.getByLabel('Evaluation inputs').innerText()).toMatch(
        new RegExp(`As of\\s*${AS_OF.replace(/\./g, '\\.')}[\\s\\S]*Policy\\s*deferral v\\d+ \\(default\\)`),
      );
      expect(await inputs.count()).toBeGreaterThan(3);
      const seq = Number(/Evaluation (\d+):/.exec(text)?.[1]);
      expect(seq).toBeGreaterThan(0);

      // The finding row: check ID, subject, sentence, blocking/waivable words; the absent look-alike is absent.
      const findings = page.getByRole('list', { name: /^Findings, \d+$/ });
      const row = findings.getByRole('listitem', { name: 'DEF-HSM-ATTEST HSM-LUNA-0412' });
      await expect.poll(() => row.innerText()).toMatch(/DEF-HSM-ATTEST\s*HSM-LUNA-0412\s*(NOT )?BLOCKING/);
      expect(await row.innerText()).toMatch(/(NOT )?WAIVABLE/);
      expect(await findings.getByRole('listitem', { name: 'DEF-HSM-ATTEST HSM-LUNA-0419' }).count()).toBe(0);
      expect(await findings.innerText()).toMatch(
        /DISPUTED[\s\S]*DEF-HSM-ATTEST[\s\S]*STALE[\s\S]*DEF-CUSTODY-FRESH/i,
      );

      // The check ID links to the rule's title; the record opens with its provenance and content.
      const pane = page.getByRole('complementary', { name: 'Detail' });
      await row.getByRole('button', { name: 'DEF-HSM-ATTEST' }).click();
      await expect.poll(() => pane.innerText()).toMatch(/DEF-HSM-ATTEST[\s\S]*attest/i);
      await row
        .getByRole('button', { name: /^hsm-attestation:/ })
        .first()
        .click();
      const provenance = pane.getByRole('region', { name: 'Provenance' });
      await expect.poll(() => provenance.innerText()).toMatch(/System\s*\S+[\s\S]*Record id[\s\S]*IMPORTED/);
      const digests = ['hsm-attestation.json', 'hsm-attestation-recheck.json'].map((f) =>
        grouped(sha256(join(SCENARIO, 'sources', f))),
      );
      const shown = await pane.getByRole('figure', { name: 'File SHA-256' }).innerText();
      expect(digests.some((d) => shown.includes(d))).toBe(true);
      expect(shown.split('\n').at(-1)?.split(' · ')).toHaveLength(8);
      expect(await pane.innerText()).toMatch(/Current version[\s\S]*"hsmSerial": "HSM-LUNA-0412"/);
      await page.screenshot({ path: artifactPath('findings-1440.png'), fullPage: true });

      await page.setViewportSize({ width: 1024, height: 700 });
      await page.screenshot({ path: artifactPath('findings-1024.png') });
      expect(
        // A string, evaluated in the page: this file is type-checked without the DOM library.
        await page.evaluate('document.scrollingElement.scrollWidth <= window.innerWidth'),
      ).toBe(true);

      // A refused export shows its code, message and field; nothing is imported.
      writeFileSync(
        join(suite.media, 'zz-broken.json'),
        JSON.stringify({
          family: 'seal-inspection',
          system: 'secure-storage',
          exportedAt: '2026-11-28T05:00:00.000Z',
          records: [{ inspectionId: 'SI-BROKEN' }],
        }),
      );
      // One more record, dated before the evaluation's instant: the evaluation did not see it.
      writeFileSync(
        join(suite.media, 'zz-late-inspection.json'),
        JSON.stringify({
          family: 'seal-inspection',
          system: 'secure-storage',
          exportedAt: '2026-11-28T05:00:00.000Z',
          records: [
            {
              inspectionId: 'SI-9001',
              mediaId: 'EM-0412-A',
              bagSerial: 'TEB-448120',
              inspector: 'l.moreau',
              at: '2026-11-28',
              result: 'intact',
            },
          ],
        }),
      );
      await importForm.getByRole('button', { name: 'Rescan media' }).click();
      await expect.poll(() => file.locator('option').count()).toBe(sources.length + 2);
      await file.selectOption(join(suite.media, 'zz-broken.json'));
      await importForm.getByRole('button', { name: 'Import records' }).click();
      await expect
        .poll(() => importForm.getByRole('alert').innerText())
        .toMatch(/RECORD_INVALID[\s\S]*field: zz-broken\.json\.records\.0\.\w+/);
      expect(await outcome.innerText()).not.toMatch(/STALE/);

      await file.selectOption(join(suite.media, 'zz-late-inspection.json'));
      await importForm.getByRole('button', { name: 'Import records' }).click();
      const stale = page.getByRole('alert', { name: 'Evaluation is stale' });
      await expect
        .poll(() => stale.innerText())
        .toMatch(new RegExp(`STALE\\s*facts changed since evaluation ${seq}: records`));
      // Stale hides nothing: the outcome and findings stay on screen, marked.
      expect(await outcome.innerText()).toMatch(/HOLD\s*for source completion[\s\S]*STALE/);
      expect(await row.count()).toBe(1);
      await page.screenshot({ path: artifactPath('findings-stale-1024.png') });

      const recorded = stationCli(['journal', 'export', '--data-dir', suite.dir], undefined, suite.env)
        .stdout.trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { kind: string; actor: string; seq: number })
        .filter((j) => j.kind === 'evaluation.recorded' && j.actor !== 'demo'); // the demo evaluates its attestation
      expect(recorded).toEqual([expect.objectContaining({ seq, actor: 'operator:alice' })]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await host.stop();
    }
  }, 90_000);
});
