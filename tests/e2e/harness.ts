import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { readLaunchFile } from '../../src/main/host/launch-file';

export const ROOT = join(import.meta.dirname, '..', '..');
export const STATION_BIN = join(ROOT, 'bin', 'station.js');
export const ARTIFACTS = join(ROOT, 'test-results', 'e2e');

/** Flags from ../shared/TOOLCHAIN.md: Debian Chromium, no background traffic. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export function stationCli(
  args: string[],
  input?: string,
  env: Record<string, string> = {},
): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [STATION_BIN, ...args], {
    encoding: 'utf8',
    input,
    env: { ...process.env, ...env },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs the built `station serve` (the real browser-mode host) and waits for its launch file, which this
 * test (the same user) reads for the one-time launch URL.
 */
export async function serveStation(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<{ url: string; origin: string; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [STATION_BIN, 'serve', '--no-open', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d) => (err += String(d)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`station serve did not start: ${out} ${err}`)), 20_000);
    child.stdout?.on('data', (d) => {
      out += String(d);
      // The ticket is never printed: it is in a launch file only this user can read.
      const m = /launch file \(readable by you only\): (\S+)\n/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(readLaunchFile(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`station serve exited ${code}: ${err}`)));
  });
  return {
    url,
    origin: new URL(url).origin,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

/** How many entries a station's journal holds (the demo's count changes as its scenario grows). */
export function journalLength(dataDir: string): number {
  return stationCli(['journal', 'export', '--data-dir', dataDir]).stdout.trim().split('\n').length;
}

/**
 * Adds a fresh SoftHSM2 token to a demo station's own token directory (its SOFTHSM2_CONF) and
 * returns its serial as the station's module lists it. The user PIN is `pin`; SO PIN 87654321.
 */
export function addToken(dataDir: string, label: string, pin: string): string {
  const env = { ...process.env, SOFTHSM2_CONF: join(dataDir, 'softhsm', 'softhsm2.conf') };
  const init = spawnSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', label, '--so-pin', '87654321', '--pin', pin],
    { env, encoding: 'utf8' },
  );
  if (init.status !== 0) throw new Error(`softhsm2-util --init-token failed: ${init.stderr}`);
  return tokenSerial(dataDir, label);
}

/** The serial of the station's token with this label (first module), as `station hsm list` reports it. */
export function tokenSerial(dataDir: string, label: string, env: Record<string, string> = {}): string {
  const listed = JSON.parse(
    stationCli(['hsm', 'list', '--json', '--data-dir', dataDir], undefined, env).stdout,
  ) as {
    tokens: { label: string; serial: string }[];
  }[];
  const token = listed[0]?.tokens.find((t) => t.label === label);
  if (!token) throw new Error(`token ${label} not listed by the station`);
  return token.serial;
}

/**
 * Signs a demo custodian in for the CLI (`station session sign-in`) with their own token ("Custodian
 * <Name>", PIN 123456): on a station with a roster every CLI act is then recorded under them.
 */
export function signInCli(dataDir: string, who = 'Alice', env: Record<string, string> = {}): void {
  const r = stationCli(
    [
      'session',
      'sign-in',
      '--token',
      tokenSerial(dataDir, `Custodian ${who}`, env),
      '--pin-stdin',
      '--data-dir',
      dataDir,
    ],
    '123456\n',
    env,
  );
  if (r.status !== 0) throw new Error(`station session sign-in as ${who} failed: ${r.stdout}${r.stderr}`);
}

/**
 * Signs a demo custodian in at the console, as a person does: the banner's Sign in, their own token
 * (the demo's "Custodian <Name>" SoftHSM2 token, PIN 123456), and the banner then names them.
 */
export async function signIn(page: Page, who = 'Alice'): Promise<void> {
  const cell = page.getByRole('banner', { name: 'Station status' }).getByLabel('Operator');
  await cell.getByRole('button', { name: 'Sign in' }).click();
  const dialog = page.getByRole('dialog', { name: 'Sign in' });
  const option = dialog.getByRole('option', { name: new RegExp(`^Custodian ${who} `) });
  await option.waitFor({ state: 'attached' });
  await dialog.getByLabel('Your token').selectOption({ label: (await option.textContent()) ?? '' });
  await dialog.getByLabel('Token PIN').fill('123456');
  await dialog.getByRole('button', { name: 'Sign in' }).click();
  await cell.getByText('SIGNED IN').waitFor();
}

/**
 * Confirms the preview of an irreversible act (src/renderer/components/ConfirmAct.tsx) as a person does:
 * the preview must name the signed-in person and the journal entry it will become, and show a digest in
 * hex groups and words; a destructive act gets its value typed, an act on a token its PIN. Returns the
 * preview's text (for the caller's own checks) once the act went through or was refused with an alert.
 */
export async function confirmPreview(
  page: Page,
  title: string,
  opts: { typed?: string; pin?: string; as?: string } = {},
): Promise<string> {
  const preview = page.getByRole('region', { name: `Preview: ${title}` });
  await preview.waitFor();
  const text = await preview.innerText();
  const who = opts.as ?? 'alice';
  if (!new RegExp(`Will be recorded under operator:${who} as journal entry \\d+`).test(text))
    throw new Error(
      `the preview of "${title}" does not name operator:${who} and its journal entry:\n${text}`,
    );
  if (!/\b[0-9a-f]{4}( [0-9a-f]{4}){15}\b/.test(text) || !/\w+( · \w+){7}/.test(text))
    throw new Error(`the preview of "${title}" shows no digest in hex and words:\n${text}`);
  if (opts.typed !== undefined) await preview.getByLabel(/^This cannot be undone/).fill(opts.typed);
  if (opts.pin !== undefined) await preview.getByLabel('Token user PIN').fill(opts.pin);
  await preview.getByRole('button', { name: 'Confirm and record' }).click();
  await Promise.race([
    preview.waitFor({ state: 'detached' }),
    page.getByRole('alert').first().waitFor({ state: 'visible' }),
  ]);
  return text;
}

/** Opens the station at a workflow, signed in as a demo custodian (Alice unless `as` says otherwise). */
export async function openWorkflow(page: Page, url: string, workflow: string, as = 'Alice'): Promise<void> {
  await page.goto(url);
  await signIn(page, as);
  await page
    .getByRole('navigation', { name: 'Workflows' })
    .getByRole('button', { name: workflow, exact: true })
    .click();
}

/** `station trust register` as an operator does it after comparing the words read out by the key holder. */
export function registerTrust(
  dataDir: string,
  registration: string,
  opts: { id: string; roles: string; words: string },
  env: Record<string, string> = {},
): { status: number; stdout: string; stderr: string } {
  return stationCli(
    [
      'trust',
      'register',
      registration,
      '--id',
      opts.id,
      '--roles',
      opts.roles,
      '--valid-until',
      '2099-01-01T00:00:00.000Z',
      '--fingerprint',
      opts.words,
      '--data-dir',
      dataDir,
    ],
    undefined,
    env,
  );
}

/**
 * What a reviewer does first: export the demo station's identity bundle (PIN 123456) and take its
 * certificate out with `unzip`, writing it to `pemPath`.
 */
export function exportStationPem(dataDir: string, pemPath: string, env: Record<string, string> = {}): void {
  const id = JSON.parse(
    stationCli(
      ['bundle', 'export', '--kind', 'identity', '--pin-stdin', '--json', '--data-dir', dataDir],
      '123456\n',
      env,
    ).stdout,
  ) as { path: string };
  const pem = spawnSync('unzip', ['-p', id.path, 'identity/station-certificate.pem'], { encoding: 'utf8' });
  if (pem.status !== 0) throw new Error(`unzip failed: ${pem.stderr}`);
  writeFileSync(pemPath, pem.stdout);
}

/**
 * A demo station for a whole test file, with a temporary folder as its one removable volume
 * (STATION_MEDIA_DIRS). Create it in beforeAll; `remove()` in afterAll.
 */
export function demoSuite(): {
  dir: string;
  media: string;
  root: string;
  env: Record<string, string>;
  remove(): void;
} {
  const root = mkdtempSync(join(tmpdir(), 'station-suite-'));
  const dir = join(root, 'station');
  const media = join(root, 'usb');
  mkdirSync(media);
  const env = { STATION_MEDIA_DIRS: media };
  const r = stationCli(['demo', '--data-dir', dir], undefined, env);
  if (r.status !== 0) throw new Error(`station demo failed: ${r.stderr}`);
  // The demo has a roster: the CLI's acts are Alice's, signed in with her own token.
  signInCli(dir, 'Alice', env);
  return { dir, media, root, env, remove: () => rmSync(root, { recursive: true, force: true }) };
}
