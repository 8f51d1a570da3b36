import AxeBuilder from '@axe-core/playwright';
import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifactPath,
  confirmPreview,
  demoSuite,
  launchChromium,
  openWorkflow,
  registerTrust,
  serveStation,
  stationCli,
} from './harness';

/**
 * Packets → Compromise authority in real Chromium through the browser-mode host. The scenario
 * (fixtures/authority): INC-2026-0417, sev1, custody suspected, three desktop-agent builds shipped to
 * customers (impact estimate, register reviewed, no notice), Daniel Mercer unavailable (ED-030) and
 * succession invoked for Hannah Lindqvist (ED-031) in executive cyber command, and a valid delegation of
 * platform security command to Lena Fischer (ED-029). The station recommends executive cyber command;
 * a later register entry (a contractual notice) makes the evaluation STALE, and evaluating again moves
 * the recommendation to the legal and trust office.
 */
const FIXTURES = join(import.meta.dirname, 'fixtures', 'authority');
const LATER = '11-disclosure-contractual.json';
const INCIDENT = 'INC-2026-0417';
const AS_OF = '2026-12-01T06:00:00.000Z';
/** How long a poll waits for the view to catch up (the station recomputes evaluations on a shared CPU). */
const SLOW = { timeout: 15_000 };
/** Restricted values of the fixtures: a custody record's location, and the customers' high estimate. */
const RESTRICTED_LOCATION = 'vault B, shelf 4';
const RESTRICTED_CUSTOMERS = /\b340\b/;
const PASSPHRASE = 'correct horse battery staple';
const REASON = 'Platform security runs the first hours by agreement; legal joins at the morning call.';
const NOTE = 'RESTRICTED-NOTE-CANARY: backup token BT-7 last handled by the night custodian';

/** A reviewer key of `name`, registered in the trust store with `roles`; answers with its key file path. */
function reviewer(file: string, name: string, id: string, roles: string): string {
  const key = join(suite.root, file);
  const gen = stationCli(['reviewer', 'keygen', '--out', key, '--passphrase-stdin'], `${PASSPHRASE}\n`);
  expect(gen.status, gen.stderr).toBe(0);
  const req = stationCli(
    ['reviewer', 'request', '--key', key, '--name', name, '--out-dir', suite.media, '--passphrase-stdin'],
    `${PASSPHRASE}\n`,
  );
  const path = /^wrote (.+)$/m.exec(req.stdout)?.[1];
  const words = /read these to the station operator: (.+)$/m.exec(req.stdout)?.[1];
  expect(path && words, req.stdout + req.stderr).toBeTruthy();
  const reg = registerTrust(suite.dir, path ?? '', { id, roles, words: words ?? '' }, suite.env);
  expect(reg.stderr).toBe('');
  return key;
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

const lane = (lanes: Locator, title: string) => lanes.getByRole('article', { name: `Lane ${title}` });
const statusOf = (card: Locator) => card.locator('header .badge').getAttribute('data-status');
const holderOf = (card: Locator) => card.getByRole('definition').innerText();

describe('Compromise authority view in Chromium', () => {
  it('evaluates an incident to lanes in rank order with holders, blocks and options, goes STALE on a later notice, and re-routes to the legal and trust office', async () => {
    // The incident's exports, imported with the CLI as the operator (Alice) does it.
    for (const f of readdirSync(FIXTURES)
      .filter((n) => n.endsWith('.json'))
      .sort()) {
      const r = stationCli(
        ['records', 'import', join(FIXTURES, f), '--data-dir', suite.dir],
        undefined,
        suite.env,
      );
      expect(r.status, `${f}: ${r.stdout}${r.stderr}`).toBe(0);
    }
    // The later register entry waits on the removable volume, for the import form.
    copyFileSync(join(FIXTURES, 'later', LATER), join(suite.media, LATER));
    // Hannah Lindqvist holds security-leadership (the matrix's redirect role) with her own key file.
    const leadKey = reviewer('lead.key', 'Hannah Lindqvist', 'hannah-lead', 'security-leadership');

    const host = await serveStation(suite.dir, suite.env);
    // AxeBuilder needs a page of a context the test made.
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    const errors: string[] = [];
    const graveViolations = async () => {
      const axe = await new AxeBuilder({ page })
        .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
        .analyze();
      return axe.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    };
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await openWorkflow(page, host.url, 'Compromise authority');
      await page.getByRole('main').getByRole('heading', { level: 1, name: 'Compromise authority' }).waitFor();
      const evaluate = page.getByRole('form', { name: 'Evaluate' });
      await evaluate.getByLabel('Incident id').fill(INCIDENT);
      await evaluate.getByLabel(/^As of/).fill(AS_OF);
      await evaluate.getByRole('button', { name: 'Evaluate' }).click();

      // The header: incident, outcome with its reason, FRESH, window end, matrix and its digest in hex and words.
      const outcome = page.getByRole('region', { name: 'Outcome' });
      await expect.poll(() => outcome.innerText(), SLOW).toMatch(/RECOMMENDED\s*executive-cyber-command/);
      const head = await outcome.innerText();
      expect(head).toMatch(/INC-2026-0417 — Release signing key K-REL-7 may have left its HSM/);
      expect(head).toMatch(/recommend: executive-cyber-command is recommended, held by Hannah Lindqvist/);
      expect(head).toMatch(/FRESH/);
      expect(head).not.toMatch(/STALE|READY|SATISFIED/);
      expect(head).toMatch(/Critical window ends\s*2026-12-04 00:00 UTC/);
      expect(head).toMatch(/Matrix\s*Example authority matrix/);
      const digest = await outcome.getByRole('figure', { name: 'Matrix (policy) digest' }).innerText();
      expect(digest).toMatch(/\b[0-9a-f]{4}( [0-9a-f]{4}){15}\b/);
      expect(digest.split('\n').at(-1)?.split(' · ')).toHaveLength(8);
      // RECOMMENDED is info-toned, never green.
      const recBadge = outcome.locator('[data-status="RECOMMENDED"]').first();
      expect(await recBadge.getAttribute('class')).toMatch(/badge-info/);

      // Lanes in rank order, with the status and holder the user reads.
      const lanes = page.getByRole('region', { name: 'Lanes' });
      expect(
        await lanes.getByRole('article').evaluateAll((as) => as.map((a) => a.getAttribute('aria-label'))),
      ).toEqual([
        'Lane Platform security command',
        'Lane Executive cyber command',
        'Lane Legal and trust office',
      ]);
      const psc = lane(lanes, 'Platform security command');
      const ecc = lane(lanes, 'Executive cyber command');
      const lto = lane(lanes, 'Legal and trust office');
      expect([await statusOf(psc), await statusOf(ecc), await statusOf(lto)]).toEqual([
        'BLOCKED',
        'RECOMMENDED',
        'NOT REQUIRED',
      ]);
      expect(await holderOf(ecc)).toBe(
        'Hannah Lindqvist — acting by succession ED-031 until 2026-12-03 00:00 UTC; Daniel Mercer unavailable (ED-030)',
      );
      expect(await holderOf(psc)).toBe(
        'Lena Fischer — acting by delegation ED-029 until 2026-12-02 12:00 UTC, for release-freeze',
      );
      expect(await holderOf(lto)).toBe('Ines Carvalho — holder');

      // Triggers and limits in words with rule ids; the blocks as check IDs.
      const eccText = await ecc.innerText();
      expect(eccText).toMatch(/HOLDS\s*ECC-T1/);
      expect(eccText).toMatch(/DOES NOT HOLD\s*ECC-T3/);
      expect(eccText).toMatch(/WITHIN\s*ECC-L1 A legal hold/);
      const pscText = await psc.innerText();
      expect(pscText).toMatch(/EXCEEDED\s*PSC-L1 Artifacts signed by the key reached customers/);
      expect(pscText).toMatch(/WITHIN\s*PSC-L2/);
      const blocks = psc.getByRole('region', { name: 'Blocked by' });
      expect(await blocks.getByRole('button').allInnerTexts()).toEqual([
        'CMP-FLOOR',
        'CMP-LIMIT',
        'CMP-COVER',
        'CMP-COVER',
      ]);
      expect(await ecc.getByRole('region', { name: 'Blocked by' }).count()).toBe(0);

      // Option tables for the recommended lane only here (PSC blocked, LTO not required); none highlighted.
      expect(await psc.getByRole('table').count()).toBe(0);
      expect(await lto.getByRole('table').count()).toBe(0);
      const options = ecc.getByRole('table', { name: 'Options for Executive cyber command' });
      const rows = options.getByRole('row');
      expect(await rows.count()).toBe(5); // header + four options, in optionId order
      expect(await options.getByRole('rowheader').allInnerTexts()).toEqual([
        expect.stringMatching(/^OPT-FREEZE/),
        expect.stringMatching(/^OPT-INVALIDATE/),
        expect.stringMatching(/^OPT-NOTIFY/),
        expect.stringMatching(/^OPT-REVOKE/),
      ]);
      const invalidate = await rows.filter({ hasText: 'OPT-INVALIDATE' }).innerText();
      expect(invalidate).toMatch(/artifact-invalidation \(external\)\s*IRREVERSIBLE/);
      expect(invalidate).toMatch(/key-rotation \(all\)\s*PARTLY REVERSIBLE/);
      expect(invalidate).toMatch(/inside this lane/);
      expect(await rows.filter({ hasText: 'OPT-NOTIFY' }).innerText()).toMatch(
        /outside this lane\s*Legal and trust office/,
      );
      expect(await rows.filter({ hasText: 'OPT-FREEZE' }).innerText()).toMatch(
        /release-freeze \(internal\)\s*REVERSIBLE/,
      );
      expect(await options.locator('.selected, [aria-selected="true"], [aria-current]').count()).toBe(0);

      // Requirements with their state.
      const reqs = await page.getByRole('region', { name: 'Requirements' }).innerText();
      expect(reqs).toMatch(/HOLDS\s*REQ-1[^\n]*limited-revocation is required/);
      expect(reqs).toMatch(/HOLDS\s*REQ-2[^\n]*broad-invalidation is required/);
      expect(reqs).toMatch(/DOES NOT HOLD\s*REQ-3[^\n]*contractual-disclosure is not required/);

      // Facts: values, RESTRICTED on custody/exposure/disclosure, records one click away.
      const facts = page.getByRole('table', { name: 'Facts the matrix reads' });
      const exposure = facts.getByRole('row', { name: 'Custody exposure' });
      expect(await exposure.innerText()).toMatch(/suspected\s*RESTRICTED/);
      expect(await facts.getByRole('row', { name: 'Severity' }).innerText()).not.toMatch(/RESTRICTED/);
      expect(
        await facts.getByRole('row', { name: 'Customers affected (high estimate)' }).innerText(),
      ).toMatch(/340\s*RESTRICTED/);
      expect(await facts.innerText()).not.toMatch(/UNKNOWN/); // every fact is known in this scenario
      const pane = page.getByRole('complementary', { name: 'Detail' });
      await exposure.getByRole('button', { name: /^custody-evidence:custody-registry\/CE-0417-1$/ }).click();
      await expect
        .poll(() => pane.getByRole('region', { name: 'Provenance' }).innerText(), SLOW)
        .toMatch(/System\s*custody-registry[\s\S]*IMPORTED/);
      expect(await pane.innerText()).toMatch(/RESTRICTED[\s\S]*Record CE-0417-1/);
      // The full view holds the restricted values (the broad preview below must not).
      expect(await pane.innerText()).toContain(RESTRICTED_LOCATION);
      expect(await facts.innerText()).toMatch(RESTRICTED_CUSTOMERS);
      // The check-ID badge leads to the rule and what it found.
      await blocks.getByRole('button', { name: 'CMP-LIMIT' }).click();
      await expect
        .poll(() => pane.innerText(), SLOW)
        .toMatch(/CMP-LIMIT[\s\S]*platform-security-command\/PSC-L1/);

      // The work pane scrolls on its own: the screenshots show the lanes from their heading.
      const showLanes = () =>
        page.evaluate(
          'document.querySelector("section[aria-label=Lanes]").scrollIntoView({ block: "start" })',
        );
      await showLanes();
      await page.screenshot({ path: artifactPath('authority-lanes-1440.png') });
      expect(await graveViolations()).toEqual([]);

      // 1024×700: cards wrap, nothing scrolls sideways (the page nor the work pane).
      await page.setViewportSize({ width: 1024, height: 700 });
      await showLanes();
      await page.screenshot({ path: artifactPath('authority-lanes-1024.png') });
      expect(await page.evaluate('document.scrollingElement.scrollWidth <= window.innerWidth')).toBe(true);
      expect(
        await page.evaluate(
          '(() => { const m = document.querySelector("main"); return m.scrollWidth <= m.clientWidth; })()',
        ),
      ).toBe(true);

      // A later register entry (a contractual notice) arrives: the evaluation turns STALE, nothing hides.
      const importForm = page.getByRole('form', { name: 'Import records' });
      await importForm.getByLabel('File on the removable volume').selectOption(join(suite.media, LATER));
      await importForm.getByRole('button', { name: 'Import records' }).click();
      await expect
        .poll(() => importForm.getByRole('status').innerText(), SLOW)
        .toMatch(new RegExp(`^Imported ${LATER}:`));
      const stale = page.getByRole('alert', { name: 'Evaluation is stale' });
      await expect
        .poll(() => stale.innerText(), SLOW)
        .toMatch(/STALE\s*facts changed since evaluation \d+: records/);
      expect(await outcome.innerText()).toMatch(/RECOMMENDED\s*executive-cyber-command[\s\S]*STALE/);
      expect(await outcome.innerText()).not.toMatch(/FRESH/);
      expect(await statusOf(ecc)).toBe('RECOMMENDED'); // still the computed view, marked stale
      // What the new notice changes, against the facts now at the evaluation's instant.
      const since = page.getByRole('region', { name: /^Since evaluation \d+: facts now$/ });
      await expect
        .poll(() => since.innerText(), SLOW)
        .toMatch(/Executive cyber command\s*RECOMMENDED\s*→\s*BLOCKED/);
      expect(await since.innerText()).toMatch(/to facts now/);

      // Decisions pending names the incident whose evaluation went STALE, and opens that incident.
      await page
        .getByRole('navigation', { name: 'Workflows' })
        .getByRole('button', { name: 'Decisions pending', exact: true })
        .click();
      const row = page
        .getByRole('table', { name: 'Pending decisions' })
        .getByRole('row')
        .filter({ hasText: new RegExp(`Incident ${INCIDENT}: evaluation \\d+ is STALE`) });
      await expect.poll(() => row.count(), SLOW).toBe(1);
      await row.getByRole('button', { name: /^Open / }).click();
      await page.getByRole('heading', { name: 'Compromise authority', level: 1 }).waitFor();
      await expect.poll(() => page.getByLabel('Incident id').inputValue(), SLOW).toBe(INCIDENT);
      await expect.poll(() => stale.innerText(), SLOW).toMatch(/STALE/);
      // The form opened afresh: its instant is now again; the case is judged at its own instant.
      await evaluate.getByLabel(/^As of/).fill(AS_OF);
      // No redirect on a STALE evaluation: the form is gone and says why.
      expect(await page.getByRole('form', { name: 'Redirect to another lane' }).count()).toBe(0);

      // Evaluate again: the notice moves the decision to the legal and trust office.
      await evaluate.getByRole('button', { name: 'Evaluate' }).click();
      await expect.poll(() => statusOf(lto), SLOW).toBe('RECOMMENDED');
      expect(await statusOf(ecc)).toBe('BLOCKED');
      expect(await statusOf(psc)).toBe('BLOCKED');
      const eccBlocks = await ecc.getByRole('region', { name: 'Blocked by' }).innerText();
      expect(eccBlocks).toMatch(/CMP-FLOOR/);
      expect(eccBlocks).toMatch(/CMP-COVER\s*REQ-3/);
      expect(await lto.innerText()).toMatch(/HOLDS\s*LTO-T1 A contractual notice is open/);
      expect(await outcome.innerText()).toMatch(/FRESH/);
      expect(await stale.count()).toBe(0);
      expect(await page.getByRole('region', { name: 'Requirements' }).innerText()).toMatch(
        /HOLDS\s*REQ-3[^\n]*contractual-disclosure is required/,
      );

      // Changes panel: the latest evaluation against the one before, each lane's why, in the window.
      const changes = page.getByRole('region', { name: /^Changes from evaluation \d+ to \d+$/ });
      await expect
        .poll(() => changes.innerText(), SLOW)
        .toMatch(/Executive cyber command\s*RECOMMENDED\s*→\s*BLOCKED/);
      const changed = await changes.innerText();
      expect(changed).toMatch(/Legal and trust office\s*NOT REQUIRED\s*→\s*RECOMMENDED/);
      expect(changed).toMatch(/trigger LTO-T1[^→]*DOES NOT HOLD\s*→\s*HOLDS/);
      expect(changed).toMatch(/requirement REQ-3[^→]*DOES NOT HOLD\s*→\s*HOLDS/);
      expect(changed).toMatch(/Recommended lane: executive-cyber-command → legal-trust-office/);
      expect(changed).toMatch(/IN CRITICAL WINDOW/);
      expect(await page.getByRole('region', { name: /^Since evaluation/ }).count()).toBe(0);

      // Redirect to a blocked lane: every lane offered with its computed status, none refused.
      await page.setViewportSize({ width: 1440, height: 900 });
      const redirect = page.getByRole('form', { name: 'Redirect to another lane' });
      const target = redirect.getByLabel('Target lane');
      expect(await target.locator('option').allInnerTexts()).toEqual([
        '— choose —',
        'Platform security command — computed BLOCKED',
        'Executive cyber command — computed BLOCKED',
        'Legal and trust office — computed RECOMMENDED',
      ]);
      await target.selectOption('platform-security-command');
      // A blank reason is refused at the field, before anything is signed or recorded.
      await redirect.getByLabel(/^Reason/).fill('   ');
      await redirect.getByLabel(/Restricted note/).fill(NOTE);
      await redirect.getByLabel('Your reviewer key file').setInputFiles(leadKey);
      await redirect.getByLabel('Key file passphrase').fill(PASSPHRASE);
      await redirect.getByRole('button', { name: 'Preview the redirect…' }).click();
      await expect
        .poll(() => redirect.locator('.field-error[data-field="reason"]').innerText(), SLOW)
        .toMatch(/Too small|say why/);
      await redirect.getByLabel(/^Reason/).fill(REASON);
      await redirect.getByLabel('Your reviewer key file').setInputFiles(leadKey);
      await redirect.getByLabel('Key file passphrase').fill(PASSPHRASE);
      await redirect.getByRole('button', { name: 'Preview the redirect…' }).click();
      const preview = await confirmPreview(
        page,
        'Sign and record a redirect of the authority recommendation (key file)',
      );
      expect(preview).toMatch(/targetComputedStatus\s*"blocked"/);
      expect(preview).toMatch(/computedLane\s*"legal-trust-office"/);
      expect(preview).toMatch(/toLane\s*"platform-security-command"/);
      expect(preview).not.toMatch(/PRIVATE KEY|correct horse/);

      // The strip: the redirect in force, the station's computed lane beside it, never replaced.
      const strip = page.getByRole('region', { name: 'Redirect in force' });
      await expect
        .poll(() => strip.innerText(), SLOW)
        .toMatch(
          /REDIRECTED\s*to Platform security command\s*by Hannah Lindqvist \(security-leadership\)\s*· station computes Legal and trust office\s*RECOMMENDED/,
        );
      const stripText = await strip.innerText();
      expect(stripText).toMatch(/Target computed as\s*BLOCKED/);
      expect(stripText).toContain(REASON);
      expect(stripText).toMatch(/RESTRICTED[\s\S]*only its SHA-256 is journaled: [0-9a-f]{64}/);
      expect(stripText).not.toContain('RESTRICTED-NOTE-CANARY');
      expect(await statusOf(lto)).toBe('RECOMMENDED');
      expect(await statusOf(psc)).toBe('BLOCKED');
      // The lineage keeps the evaluations and the redirect in journal order.
      // It opens at its newest entries; it is virtualised, so the oldest imports are not drawn.
      const lineageRegion = page.getByRole('region', { name: 'Lineage', exact: true });
      await expect.poll(() => lineageRegion.innerText(), SLOW).toMatch(/REDIRECTED/);
      const lineage = await lineageRegion.innerText();
      expect(lineage).toMatch(/Lineage \(\d+ entries, journal order\)/);
      expect(lineage).toMatch(
        /EVALUATION[\s\S]*RECORDS\s*disclosure-register[\s\S]*EVALUATION[\s\S]*REDIRECTED\s*to platform-security-command \(BLOCKED\) by Hannah Lindqvist/,
      );
      await page.evaluate(
        'document.querySelector("section[aria-label=\'Redirect in force\']").scrollIntoView({ block: "start" })',
      );
      await page.screenshot({ path: artifactPath('authority-redirect-1440.png') });
      expect(await graveViolations()).toEqual([]);

      // Broad preview at 1024: what a broader audience receives, no restricted value in it.
      await page.setViewportSize({ width: 1024, height: 700 });
      await page.getByRole('button', { name: /^Broad preview/ }).click();
      const broadPanel = page.getByRole('region', { name: 'Broad preview' });
      await broadPanel.waitFor();
      const broadText = await broadPanel.innerText();
      expect(broadText).toMatch(
        /WITHHELD\s*Custody, exposure and disclosure detail is withheld from this view: it is in the full packet of evaluation \d+/,
      );
      expect(broadText).toMatch(/Legal and trust office/);
      expect(broadText).toMatch(/Customers affected \(high estimate\):\s*WITHHELD/);
      // All of the panel's text, the closed record list included.
      const broadAll = (await broadPanel.textContent()) ?? '';
      expect(broadAll).toMatch(/Records \(\d+, by digest and broad title\)/);
      for (const text of [broadText, broadAll]) {
        expect(text).not.toContain(RESTRICTED_LOCATION);
        expect(text).not.toMatch(RESTRICTED_CUSTOMERS);
        expect(text).not.toContain('RESTRICTED-NOTE-CANARY');
      }
      // Nothing of the full view stays on screen beside it (nor in the detail pane).
      expect(await page.getByRole('main').innerText()).not.toContain(RESTRICTED_LOCATION);
      expect(await page.getByRole('complementary', { name: 'Detail' }).innerText()).not.toContain(
        RESTRICTED_LOCATION,
      );
      await page.evaluate(
        'document.querySelector("section[aria-label=\'Audience\']").scrollIntoView({ block: "start" })',
      );
      await page.screenshot({ path: artifactPath('authority-broad-1024.png') });
      expect(await page.evaluate('document.scrollingElement.scrollWidth <= window.innerWidth')).toBe(true);
      expect(await graveViolations()).toEqual([]);
      // Back to the full view: the restricted values are there again, labelled.
      await page.getByRole('button', { name: 'Back to the full view' }).click();
      expect(
        await facts.getByRole('row', { name: 'Customers affected (high estimate)' }).innerText(),
      ).toMatch(/340\s*RESTRICTED/);

      // The incident's compromise-authority packet: opened from here, evaluated, its register shown.
      await page.getByRole('button', { name: `Packets for ${INCIDENT}…` }).click();
      await page.getByRole('heading', { level: 1, name: 'Compromise authority packets' }).waitFor();
      const open = page.getByRole('form', { name: 'Open a packet' });
      expect(await open.getByLabel('Incident (incident-scope record id)').inputValue()).toBe(INCIDENT);
      await open.getByLabel('Packet id').fill('inc-2026-0417');
      await open.getByLabel('What it covers').fill('Who owns the decision after INC-2026-0417');
      await open.getByRole('button', { name: 'Open packet' }).click();
      const packet = page.getByRole('article', { name: 'Packet inc-2026-0417' });
      await packet.waitFor();
      // The packet reads the incident's latest evaluation: its claims follow the CMP checks, its register
      // the findings; evaluating it again (as of the same instant) records a new evaluation it reads.
      expect(await packet.innerText()).toMatch(/c-authority[\s\S]*supported: CMP-ROUTE, CMP-MATRIX/);
      const register = packet.getByRole('region', { name: 'Exception register' });
      const before = /evaluation (\d+) as of 2026-12-01T06:00:00.000Z/.exec(await register.innerText());
      expect(before, await register.innerText()).not.toBeNull();
      expect(await register.innerText()).toMatch(/outcome recommend/);
      await register.getByRole('button', { name: `Evaluate again as of ${AS_OF}` }).click();
      await expect
        .poll(async () => /evaluation (\d+) as of/.exec(await register.innerText())?.[1], SLOW)
        .not.toBe(before?.[1]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await host.stop();
    }
  }, 240_000);
});
