import AxeBuilder from '@axe-core/playwright';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
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
  ROOT,
  serveStation,
  signIn,
  stationCli,
  tokenSerial,
} from './harness';

/**
 * The Ceremonies view (issue #17, docs/ceremonies.md) driven in Chromium against `station serve`:
 * resources/ceremonies/key-generation.yaml loaded from media with its digest words, refused at start
 * because the demo's roster does not hold its people, then the same script cast with people the station
 * has (the demo's Alice, Bob and Carol, and Dave, Erin, Frank and Gina enrolled under quorum) rehearsed on a
 * scratch SoftHSM2 token through the runner: record-note and manual steps acted and witnessed with the
 * witnesses' own tokens, the bag check, and the firmware check failing on the scratch token — a
 * deviation the master of ceremonies decides to continue.
 */

const SLOW = { timeout: 20_000 };
const FILE = join(ROOT, 'resources', 'ceremonies', 'key-generation.yaml');
let suite: ReturnType<typeof demoSuite>;
let browser: Browser;

const cli = (args: string[], input?: string) => {
  const r = stationCli([...args, '--data-dir', suite.dir], input, suite.env);
  if (r.status !== 0) throw new Error(`station ${args.join(' ')} failed: ${r.stdout}${r.stderr}`);
  return r.stdout;
};

/** Adds a custodian to the roster as a station does it: under a quorum of Alice and Bob bound to the change. */
function enrol(custodianId: string, name: string, publicKey: string): void {
  const entry = join(suite.root, `${custodianId}.json`);
  writeFileSync(
    entry,
    JSON.stringify({
      custodianId,
      name,
      roles: ['custodian'],
      publicKey,
      validFrom: `${new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)}T00:00:00.000Z`,
      validUntil: '2030-01-01T00:00:00.000Z',
    }),
  );
  const operation = cli(['roster', 'add', '--file', entry, '--print-operation']).trim();
  const opened = cli([
    'quorum',
    'open',
    '--operation',
    operation,
    '--ceremony',
    'roster',
    '--step',
    custodianId,
  ]);
  const session = /session (\S+)/.exec(opened)?.[1] as string;
  for (const who of ['Alice', 'Bob'])
    cli(
      [
        'quorum',
        'checkin',
        '--session',
        session,
        '--token',
        tokenSerial(suite.dir, `Custodian ${who}`, suite.env),
        '--pin-stdin',
      ],
      '123456\n',
    );
  cli(['roster', 'add', '--file', entry, '--quorum', session]);
}

/** Dave witnesses with his own token: a SoftHSM2 token whose key pair is generated on it (pkcs11-tool). */
function enrolWithToken(custodianId: string, name: string): void {
  const label = `Custodian ${name.split(' ')[0] as string}`;
  const serial = addToken(suite.dir, label, '123456');
  const env = { ...process.env, SOFTHSM2_CONF: join(suite.dir, 'softhsm', 'softhsm2.conf') };
  const gen = spawnSync(
    'pkcs11-tool',
    [
      '--module',
      '/usr/lib/softhsm/libsofthsm2.so',
      '--token-label',
      label,
      '--login',
      '--pin',
      '123456',
      '--keypairgen',
      '--key-type',
      'EC:prime256v1',
      '--label',
      `${custodianId}-custodian`,
      '--id',
      'd0',
    ],
    { env, encoding: 'utf8' },
  );
  if (gen.status !== 0) throw new Error(`pkcs11-tool --keypairgen failed: ${gen.stderr}`);
  const pem = join(suite.root, `${custodianId}.pem`);
  cli(['hsm', 'pubkey', '--token', serial, '--key', 'd0', '--out', pem]);
  enrol(custodianId, name, readFileSync(pem, 'utf8'));
}

/** The example file, its people replaced by ones on this station's roster; every step as written. */
function demoCast(yaml: string): string {
  const start = yaml.indexOf('participants:\n');
  const end = yaml.indexOf('hsm:\n');
  const cast = [
    ['alice', 'Alice Adams', 'master-of-ceremonies'],
    ['bob', 'Bob Brandt', 'operator'],
    ['carol', 'Carol Chen', 'witness'],
    ['dave', 'Dave Dunn', 'witness'],
    ['erin', 'Erin Early', 'custodian'],
    ['frank', 'Frank Fox', 'custodian'],
    ['gina', 'Gina Gold', 'auditor'],
  ];
  const people = cast
    .map(([id, name, role]) => `  - id: ${id}\n    name: ${name}\n    role: ${role}\n`)
    .join('');
  return `${yaml.slice(0, start)}participants:\n${people}${yaml.slice(end)}`.replace(
    'id: intermediate-2027-rotation',
    'id: intermediate-2027-rotation-demo-cast',
  );
}

beforeAll(async () => {
  suite = demoSuite();
  browser = await launchChromium();
  enrolWithToken('dave', 'Dave Dunn');
  for (const [id, name] of [
    ['erin', 'Erin Early'],
    ['frank', 'Frank Fox'],
    ['gina', 'Gina Gold'],
  ] as const) {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    enrol(id, name, pair.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  }
  const yaml = readFileSync(FILE, 'utf8');
  writeFileSync(join(suite.media, 'key-generation.yaml'), yaml);
  writeFileSync(join(suite.media, 'key-generation-demo-cast.yaml'), demoCast(yaml));
}, 180_000);
afterAll(async () => {
  await browser?.close();
  suite?.remove();
});

/** axe-core's WCAG 2.1 A/AA rules on the view: no serious or critical fault. */
async function axeClean(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .include('main')
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const grave = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} [${v.impact}] ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(grave.join('\n'), `axe: ${label}`).toBe('');
}

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

/** Picks an option by the start of its text (a token is listed as "<label> (<serial>)"). */
async function choose(select: Locator, prefix: string): Promise<void> {
  const option = select.locator('option', { hasText: prefix }).first();
  await option.waitFor({ state: 'attached' });
  await select.selectOption({ label: (await option.textContent()) ?? '' });
}

/** The station refused the act with an error the person reads, then dismisses (so the next act's outcome is its own). */
async function refused(page: Page, pattern: RegExp): Promise<void> {
  const alert = page.getByRole('alert').first();
  await expect.poll(() => alert.innerText()).toMatch(pattern);
  await alert.getByRole('button', { name: 'Dismiss' }).click();
  await alert.waitFor({ state: 'hidden' });
}

async function switchTo(page: Page, who: string): Promise<void> {
  const cell = page.getByRole('banner', { name: 'Station status' }).getByLabel('Operator');
  await cell.getByRole('button', { name: 'Sign out' }).click();
  await cell.getByRole('button', { name: 'Sign in' }).waitFor();
  await signIn(page, who);
}

const stepRegion = (page: Page, n: number) => page.getByRole('region', { name: new RegExp(`^Step ${n}: `) });

/** Acts a record-note or manual step as the signed-in person, then Carol and Dave check it off. */
async function actAndWitness(page: Page, n: number, note: string, as: string): Promise<void> {
  const step = stepRegion(page, n);
  await step
    .getByRole('form', { name: 'Perform the act' })
    .getByLabel('What was said or done (recorded)')
    .fill(note);
  await step.getByRole('button', { name: 'Preview the act…' }).click();
  await confirmPreview(page, "Perform the step's act and record it", { as });
  for (const witness of ['Carol', 'Dave']) {
    const form = stepRegion(page, n).getByRole('form', { name: 'Check the step off' });
    await choose(form.getByLabel('Witness token'), `Custodian ${witness} (`);
    await form.getByRole('button', { name: 'Preview the check-off…' }).click();
    await confirmPreview(page, 'Check the step off as a witness (your token signs)', { as, pin: '123456' });
    if (witness === 'Carol')
      await expect
        .poll(() => stepRegion(page, n).getByRole('region', { name: 'Witnesses' }).innerText(), SLOW)
        .toMatch(/1 of 2 checked off[\s\S]*VERIFIED[\s\S]*Carol Chen/);
  }
  await stepRegion(page, n + 1).waitFor(SLOW);
}

describe('the Ceremonies view: one step at a time', () => {
  it('loads the example from media with its digest words, refuses its unknown people, and rehearses a demo cast up to the firmware deviation and the decision', async () => {
    const host = await serveStation(suite.dir, suite.env);
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await openWorkflow(page, host.url, 'Ceremonies');
      const main = page.getByRole('main');
      await expect.poll(() => main.innerText()).toContain('No ceremony run yet');

      // The example as written: the same digest as `station ceremony check`, read as words.
      const checked = JSON.parse(
        stationCli(['ceremony', 'check', join(suite.media, 'key-generation.yaml'), '--json']).stdout,
      ) as { sha256: string; words: string[] };
      const loadForm = page.getByRole('form', { name: 'Load a ceremony file' });
      await choose(loadForm.getByLabel('Ceremony file on a listed volume'), 'key-generation.yaml');
      await loadForm.getByRole('button', { name: 'Load and check' }).click();
      const file = page.getByRole('article', { name: 'Ceremony file intermediate-2027-rotation' });
      const digest = file.getByRole('figure', { name: /^Ceremony file digest/ });
      await expect.poll(() => digest.innerText()).toContain(checked.sha256.match(/.{4}/g)!.join(' '));
      expect(await digest.innerText()).toContain(checked.words.join(' · '));
      expect(await file.innerText()).toMatch(/Ana Ruiz[\s\S]*MISSING/);
      expect(await file.getByRole('note').innerText()).toMatch(/BLOCKED[\s\S]*ana-ruiz/);
      // Its people are not this station's: even the signed-in Alice holds no seat in it, so the start is
      // refused before anything is made.
      await file.getByRole('button', { name: 'Preview the start…' }).click();
      await confirmPreview(page, 'Start a run of the ceremony file', { pin: '654321' });
      await refused(page, /operator:alice is not a participant of this ceremony[\s\S]*CEREMONY_SEAT_REFUSED/);
      expect(JSON.parse(stationCli(['ceremony', 'runs', '--json', '--data-dir', suite.dir]).stdout)).toEqual(
        [],
      );

      // The same steps cast with the station's people: a rehearsal starts on a scratch token.
      await choose(loadForm.getByLabel('Ceremony file on a listed volume'), 'key-generation-demo-cast.yaml');
      await loadForm.getByRole('button', { name: 'Load and check' }).click();
      const cast = page.getByRole('article', { name: 'Ceremony file intermediate-2027-rotation-demo-cast' });
      await expect.poll(() => cast.innerText()).toMatch(/Dave Dunn[\s\S]*VALID/);
      expect(await cast.innerText()).toContain('Not rehearsed at these bytes yet');
      await axeClean(page, 'ceremony file loaded');
      await cast.getByRole('button', { name: 'Preview the start…' }).click();
      await confirmPreview(page, 'Start a run of the ceremony file', { pin: '654321' });

      // The runner: a REHEARSAL banner, step 1 of 8, what to say and check aloud, who acts.
      await page.getByRole('note', { name: 'Rehearsal' }).waitFor(SLOW);
      expect(await page.getByRole('note', { name: 'Rehearsal' }).innerText()).toMatch(
        /REHEARSAL[\s\S]*Scratch token rehearsal-[0-9a-f]{8} stands for prod-ca-1/,
      );
      const step1 = stepRegion(page, 1);
      await expect
        .poll(() => step1.innerText())
        .toMatch(/Say:\s*This is the intermediate signing key rotation/);
      expect(await step1.innerText()).toMatch(
        /Check:\s*Every participant named on the script is in the room/,
      );
      expect(await step1.getByRole('region', { name: 'Who must act' }).innerText()).toMatch(
        /master-of-ceremonies: Alice Adams[\s\S]*perform the act/,
      );
      expect(await page.getByText('Step 1 of 8').count()).toBe(1);
      // Nothing to check is not shown green: no badge without evidence.
      expect(await step1.getByRole('region', { name: 'Step checklist' }).innerText()).toMatch(
        /Preconditions\s*None for this step/,
      );
      expect(await page.getByRole('progressbar').getAttribute('value')).toBe('0');
      await axeClean(page, 'runner, step 1');
      await page.screenshot({ path: artifactPath('ceremony-runner-1440.png') });
      await page.setViewportSize({ width: 1024, height: 768 });
      await noSideways(page);
      await page.screenshot({ path: artifactPath('ceremony-runner-1024.png') });
      await page.setViewportSize({ width: 1440, height: 900 });

      // Steps 1 and 2: the master of ceremonies records them; the witnesses sign with their own tokens.
      await actAndWitness(page, 1, 'All eight participants answered present and were identified.', 'alice');
      expect(await page.getByRole('progressbar').getAttribute('value')).toBe('1');
      await actAndWitness(page, 2, 'The words on screen match every reviewed copy.', 'alice');

      // Step 3: the bag is checked (its serial read aloud) by the MC; the act is the operator's.
      const step3 = stepRegion(page, 3);
      const check3 = step3.getByRole('form', { name: 'Check the preconditions' });
      await check3.getByLabel('Serial read aloud from bag TB-104233').fill('TB-104233');
      await check3.getByLabel('Bag TB-104233 is intact').check();
      await check3.getByRole('button', { name: 'Preview the check…' }).click();
      await confirmPreview(page, "Check the step's preconditions and record them");
      await expect
        .poll(() => stepRegion(page, 3).getByRole('list', { name: 'Preconditions' }).innerText(), SLOW)
        .toMatch(/SATISFIED[\s\S]*TB-104233/);
      // The act is the operator's seat: Alice is refused, Bob performs it.
      const form3 = stepRegion(page, 3).getByRole('form', { name: 'Perform the act' });
      await form3.getByLabel('What was said or done (recorded)').fill('Bag opened, HSM taken out.');
      await form3.getByRole('button', { name: 'Preview the act…' }).click();
      await confirmPreview(page, "Perform the step's act and record it");
      await refused(page, /CEREMONY_SEAT_REFUSED/);
      await page.getByRole('button', { name: 'Back to the form' }).click();
      await switchTo(page, 'Bob');
      await actAndWitness(page, 3, 'Bag TB-104233 opened intact; HSM taken out of safe 1.', 'bob');

      // Step 4: the scratch token is present, but SoftHSM2 is not the attested firmware 7.8.4: it halts.
      const step4 = stepRegion(page, 4);
      await step4.getByRole('button', { name: 'Preview the check…' }).click();
      await confirmPreview(page, "Check the step's preconditions and record them", { as: 'bob' });
      const open = page.getByRole('region', { name: 'Open deviation' });
      await open.waitFor(SLOW);
      expect(await open.innerText()).toMatch(
        /HALTED[\s\S]*RUN-HALT[\s\S]*Expected\s*firmware-equals prod-ca-1 7\.8\.4[\s\S]*Happened\s*token \S+ reports firmware (?!7\.8\.4)\S+; attested 7\.8\.4/,
      );
      expect(await stepRegion(page, 4).getByRole('list', { name: 'Preconditions' }).innerText()).toMatch(
        /SATISFIED[\s\S]*token-present[\s\S]*FAILED[\s\S]*firmware-equals/,
      );
      expect(await page.getByText('Step 4 of 8').count()).toBe(1);
      await axeClean(page, 'runner, open deviation');
      await open.scrollIntoViewIfNeeded();
      await page.screenshot({ path: artifactPath('ceremony-deviation-1440.png') });

      // Only the master of ceremonies decides: Bob is refused, Alice continues.
      const decide = open.getByRole('form', { name: 'Decide on the deviation' });
      await decide.getByLabel('Reason (recorded)').fill('Rehearsal on SoftHSM2: firmware differs by design.');
      await decide.getByRole('button', { name: 'Preview the decision…' }).click();
      await confirmPreview(page, 'Decide on the deviation as master of ceremonies', { as: 'bob' });
      await refused(page, /CEREMONY_SEAT_REFUSED/);
      await page.getByRole('button', { name: 'Back to the form' }).click();
      await switchTo(page, 'Alice');
      const decide2 = page.getByRole('form', { name: 'Decide on the deviation' });
      await decide2
        .getByLabel('Reason (recorded)')
        .fill('Rehearsal on SoftHSM2: firmware differs by design.');
      await decide2.getByRole('button', { name: 'Preview the decision…' }).click();
      await confirmPreview(page, 'Decide on the deviation as master of ceremonies');
      await expect
        .poll(() => stepRegion(page, 4).innerText(), SLOW)
        .toMatch(
          /Now: perform the act[\s\S]*Preconditions\s*EXCEPTION-BACKED[\s\S]*FAILED[\s\S]*firmware-equals/,
        );
      const sheet = page.getByRole('region', { name: 'Exception sheet' });
      expect(await sheet.innerText()).toMatch(
        /attest-firmware \(precondition[\s\S]*EXCEPTION-BACKED[\s\S]*continue by operator:alice: Rehearsal on SoftHSM2/,
      );
      expect(errors).toEqual([]);

      // The journal holds the same run: each act under the person signed in, the witnesses by their keys.
      const journal = stationCli(['journal', 'export', '--data-dir', suite.dir], undefined, suite.env)
        .stdout.trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { kind: string; actor: string; body: string })
        .filter((e) => e.kind.startsWith('ceremony.'))
        .map((e) => ({ kind: e.kind, actor: e.actor, body: JSON.parse(e.body) as Record<string, unknown> }));
      expect(
        journal.filter((e) => e.kind === 'ceremony.step-acted').map((e) => [e.actor, e.body.marking]),
      ).toEqual([
        ['operator:alice', 'REHEARSAL'],
        ['operator:alice', 'REHEARSAL'],
        ['operator:bob', 'REHEARSAL'],
      ]);
      expect(
        journal.filter((e) => e.kind === 'ceremony.step-witnessed').map((e) => e.body.custodianId),
      ).toEqual(['carol', 'dave', 'carol', 'dave', 'carol', 'dave']);
      expect(journal.find((e) => e.kind === 'ceremony.deviation')?.body).toMatchObject({
        stepId: 'attest-firmware',
        phase: 'precondition',
      });
      expect(journal.find((e) => e.kind === 'ceremony.decision')).toMatchObject({
        actor: 'operator:alice',
        body: { decision: 'continue' },
      });
      expect(JSON.stringify(journal)).not.toContain('654321');

      // The transcript for reviewers, from the runner: signed on the station token, written to the media
      // and read back; the CLI verifier agrees on its digest, and the bundle says REHEARSAL, in progress.
      const transcript = page.getByRole('region', { name: 'Transcript for reviewers' });
      expect(await transcript.innerText()).toMatch(/REHEARSAL and IN PROGRESS while the run is open/);
      await transcript.getByRole('button', { name: 'Export the transcript bundle…' }).click();
      const exportForm = transcript.getByRole('form', { name: 'Export' });
      await expect
        .poll(() => exportForm.getByLabel('What will be written').innerText(), SLOW)
        .toMatch(/ceremony-[0-9a-f-]+-v1\.bundle\.zip[\s\S]*transcript\.json/);
      await exportForm.getByLabel('Station token PIN').fill('123456');
      await exportForm.getByRole('button', { name: 'Sign, write and verify' }).click();
      const progress = exportForm.getByRole('status', { name: 'Export progress' });
      await expect.poll(() => progress.innerText(), { timeout: 60_000 }).toMatch(/VERIFIED/);
      const shownHex = (
        await progress
          .getByRole('figure', { name: 'Bundle digest (what reviewers approve)' })
          .locator('.digest-hex')
          .innerText()
      ).replace(/\s+/g, '');
      const written = readdirSync(suite.media).filter((n) => n.endsWith('.bundle.zip'));
      expect(written).toHaveLength(1);
      const verified = stationCli(
        ['bundle', 'verify', join(suite.media, written[0] as string), '--data-dir', suite.dir],
        undefined,
        suite.env,
      );
      expect(verified.status, verified.stderr).toBe(0);
      expect(verified.stdout).toContain(`digest ${shownHex}`);
      expect(verified.stdout).toMatch(/kind ceremony-transcript[^\n]*REHEARSAL/);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await host.stop();
    }
  }, 300_000);
});
