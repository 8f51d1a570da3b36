import { spawnSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../src/main/ipc/dispatcher';
import { confirmFor } from '../../src/main/services/acts';
import { ConsoleOperator } from '../../src/main/services/custodians';
import { createHandlers } from '../../src/main/ipc/handlers';
import { systemDeps } from '../../src/main/runtime';
import { registerModule, registeredModules } from '../../src/main/services/devices';
import { Station } from '../../src/main/station/station';
import type { Method, Output, WindowInput } from '../../src/shared/contract';
import { signInCli, stationCli } from '../e2e/harness';
import { softhsmWorld } from '../helpers/softhsm';
import { suiteTempDir } from '../helpers/temp';
import { opText, testOp } from '../helpers/operations';

/**
 * The CLI prints the views the UI shows: the same service functions build both, so the facts agree —
 * `--json` is exactly what the UI's channel answers (through the real dispatcher and its output schema),
 * and the text names the same verdicts (ROSTER-VALID, PKT-EVIDENCE-FRESH, the quorum's seats).
 */
const suite = suiteTempDir('cli-views-');
const dir = join(suite.dir, 'station');
const media = join(suite.dir, 'usb');
let conf = '';

const cli = (args: string[], input?: string) =>
  stationCli([...args, '--data-dir', dir], input, { SOFTHSM2_CONF: conf, STATION_MEDIA_DIRS: media });

/** What the UI receives for a channel: the real handlers behind the real dispatcher, as the shells run them. */
async function ui<M extends Method>(method: M, input: WindowInput<M>): Promise<Output<M>> {
  const station = Station.open(dir, systemDeps);
  try {
    const dispatch = createDispatcher(
      createHandlers({ station, host: 'browser', log: () => {}, operator: new ConsoleOperator(station) }),
      ['app://station'],
      () => {},
      // Acts are recorded under the console's operator; here one fixed person stands in for a sign-in.
      { actor: () => 'operator:so', acted: () => {} },
      confirmFor(station),
    );
    const r = await dispatch(method, input, { url: 'app://station/index.html', isMainFrame: true });
    if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
    return r.value as Output<M>;
  } finally {
    station.close();
  }
}

const ok = (r: { status: number; stdout: string; stderr: string }) => {
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
};

beforeAll(async () => {
  ({ conf } = softhsmWorld(suite.dir));
  mkdirSync(media);
  const init = spawnSync('softhsm2-util', [
    '--init-token',
    '--free',
    '--label',
    'Station HSM',
    '--so-pin',
    '87654321',
    '--pin',
    '654321',
  ]);
  expect(init.status).toBe(0);
  // Alice's own token: the CLI's acts after the roster exists are hers, signed in with it.
  expect(
    spawnSync(
      'softhsm2-util',
      ['--init-token', '--free', '--label', 'Custodian Alice', '--so-pin', '87654321', '--pin', '123456'],
      {
        env: { ...process.env, SOFTHSM2_CONF: conf },
      },
    ).status,
  ).toBe(0);
  const listing = JSON.parse(
    stationCli(['hsm', 'list', '--profile', 'softhsm2', '--module-env', `SOFTHSM2_CONF=${conf}`, '--json'])
      .stdout,
  ) as { tokens: { serial: string; label: string }[] }[];
  const serial = listing[0]!.tokens.find((t) => t.label === 'Station HSM')!.serial;
  ok(
    cli(
      ['init', '--name', 'Room K', '--token', serial, '--module-env', `SOFTHSM2_CONF=${conf}`, '--pin-stdin'],
      '654321\n',
    ),
  );
  // One custodian valid now (her key on her own token), one whose validity ended, one whose validity has
  // not begun.
  const key = () =>
    generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' });
  const station = Station.open(dir, systemDeps);
  let aliceKey: string;
  try {
    const module = station.hsm.module(registeredModules(station)[0]!.moduleId);
    const token = module.tokens().find((t) => t.label === 'Custodian Alice')!;
    const pair = await module.withSessionAsync(
      token.serial,
      { write: true, login: { user: 'user', pin: '123456' } },
      (s) => s.generateKeyPair({ label: 'alice-custodian', algorithm: 'ec-p256' }),
    );
    aliceKey = createPublicKey({ key: pair.spki!, format: 'der', type: 'spki' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
  } finally {
    station.close();
  }
  const custodian = (custodianId: string, name: string, validFrom: string, validUntil: string) => ({
    custodianId,
    name,
    roles: ['custodian'],
    publicKey: custodianId === 'alice' ? aliceKey : key(),
    validFrom,
    validUntil,
  });
  const roster = join(suite.dir, 'roster.json');
  writeFileSync(
    roster,
    JSON.stringify({
      quorum: 2,
      custodians: [
        custodian('alice', 'Alice Example', '2020-01-01T00:00:00.000Z', '2099-01-01T00:00:00.000Z'),
        custodian('bob', 'Bob Example', '2020-01-01T00:00:00.000Z', '2021-01-01T00:00:00.000Z'),
        custodian('carol', 'Carol Example', '2098-01-01T00:00:00.000Z', '2099-01-01T00:00:00.000Z'),
      ],
    }),
  );
  ok(cli(['roster', 'init', '--file', roster, '--witness', 'Wendy Witness', '--actor', 'operator:so']));
  signInCli(dir, 'Alice', { SOFTHSM2_CONF: conf, STATION_MEDIA_DIRS: media });
});

afterAll(() => suite.remove());

describe('the CLI prints the views the UI shows', () => {
  it('roster list: each custodian’s validity now (ROSTER-VALID: VALID / EXPIRED / NOT-YET-VALID), and --json is the rosterList view', async () => {
    const text = ok(cli(['roster', 'list']));
    expect(text).toMatch(/^quorum 2$/m);
    expect(text).toMatch(/^VALID +alice +Alice Example/m);
    expect(text).toMatch(/^EXPIRED +bob +Bob Example/m);
    expect(text).toMatch(/^NOT-YET-VALID +carol +Carol Example/m);
    const view = await ui('rosterList', {});
    expect(view.custodians.map((c) => [c.custodianId, c.status])).toEqual([
      ['alice', 'VALID'],
      ['bob', 'EXPIRED'],
      ['carol', 'NOT-YET-VALID'],
    ]);
    // The fingerprint words the UI shows beside each key are printed too.
    for (const c of view.custodians) expect(text).toContain(c.words.join(' '));
    expect(JSON.parse(ok(cli(['roster', 'list', '--json'])))).toEqual(view);
  });

  it('packet show: each evidence item FRESH, STALE or without a rule (PKT-EVIDENCE-FRESH), and --json is the packetGet view', async () => {
    const P = 'pk-views';
    ok(cli(['packet', 'new', P, '--kind', 'custody-attestation', '--covers', 'Custody of the 2026 keys']));
    const attest = (id: string, extra: string[]) =>
      ok(
        cli([
          'packet',
          'attest',
          P,
          '--id',
          id,
          '--title',
          `Inspection ${id}`,
          '--by',
          'Alice Example',
          '--text',
          'Seals intact',
          ...extra,
        ]),
      );
    attest('ev-old', ['--effective', '2020-01-01', '--freshness-days', '30']);
    attest('ev-new', ['--effective', new Date().toISOString(), '--freshness-days', '30']);
    attest('ev-norule', []);

    const text = ok(cli(['packet', 'show', P]));
    const item = (id: string) =>
      new RegExp(`^  ${id} [^\\n]*\\n(?: {6}[^\\n]*\\n)*`, 'm').exec(text)?.[0] ?? '';
    expect(item('ev-old')).toMatch(/STALE \[PKT-EVIDENCE-FRESH\] \d+ days old, rule: at most 30 days/);
    expect(item('ev-new')).toMatch(/FRESH \[PKT-EVIDENCE-FRESH\] 0 days old, rule: at most 30 days/);
    expect(item('ev-norule')).toMatch(/no freshness rule/);
    expect(text).toMatch(/^gate HOLD-SOURCE/m);

    const view = await ui('packetGet', { packetId: P });
    expect(view.freshness).toMatchObject({
      'ev-old': { fresh: false },
      'ev-new': { fresh: true, ageDays: 0 },
      'ev-norule': null,
    });
    expect(JSON.parse(ok(cli(['packet', 'show', P, '--json'])))).toEqual(view);
  });

  it('quorum status: who may still check in (the UI’s seats: valid custodians only), and --json is the quorumSession view', async () => {
    const opened = ok(
      cli(['quorum', 'open', '--operation', opText(testOp('views')), '--ceremony', 'c1', '--step', 's1']),
    );
    const sessionId = /^session (\S+)$/m.exec(opened)![1]!;
    const status = cli(['quorum', 'status', '--session', sessionId]);
    expect(status.status).toBe(6);
    expect(status.stdout).toMatch(/^ {2}may check in: alice \(Alice Example\)$/m);
    const view = await ui('quorumSession', { sessionId });
    expect(view).toMatchObject({ status: 'OPEN', claim: null, seats: [{ custodianId: 'alice' }] });
    expect(view.seats).toHaveLength(1);
    expect(JSON.parse(cli(['quorum', 'status', '--session', sessionId, '--json']).stdout)).toEqual(view);
  });

  it('attest status: the latest evaluation with FRESH/STALE, and --json is the attestStatus view', async () => {
    const S = 'ATT-2026-H1-REL';
    expect(ok(cli(['attest', 'status', S]))).toMatch(/^not evaluated yet/);
    ok(cli(['attest', 'evaluate', S, '--as-of', '2026-07-08T09:00:00.000Z']));
    const view = await ui('attestStatus', { subject: S });
    const text = ok(cli(['attest', 'status', S]));
    expect(text).toContain(
      `evaluation seq ${view.latest!.seq} of ${S} as of 2026-07-08T09:00:00.000Z — FRESH`,
    );
    expect(text).toContain(`digest ${view.latest!.policy.digest}`);
    expect(text).toMatch(new RegExp(`^recommendation: ${view.latest!.recommendation.toUpperCase()}$`, 'm'));
    for (const r of view.latest!.requirements)
      expect(text).toMatch(new RegExp(`${r.status.toUpperCase()} +${r.id}`));
    expect(JSON.parse(ok(cli(['attest', 'status', S, '--json'])))).toEqual(view);
  });

  it('journal show, entry and checkpoints: --json is the journalPage, journalEntry and journalCheckpoints view', async () => {
    const page = await ui('journalPage', { fromSeq: 2, limit: 3 });
    expect(page.entries.map((e) => e.seq)).toEqual([2, 3, 4]);
    expect(JSON.parse(ok(cli(['journal', 'show', '--from', '2', '--limit', '3', '--json'])))).toEqual(page);
    const text = ok(cli(['journal', 'show', '--from', '2', '--limit', '3']));
    for (const e of page.entries)
      expect(text).toContain(`${e.seq}  ${e.at}  ${e.actor}  ${e.kind}  ${e.preview}\n`);
    expect(text).toMatch(new RegExp(`^seq 2\\.\\.4 of ${page.total}$`, 'm'));
    // The page bound is the channel's: a larger page is refused as the UI's input would be.
    const big = cli(['journal', 'show', '--limit', '501']);
    expect(big.status).toBe(3);
    expect(big.stderr).toContain('INVALID_INPUT');

    const entry = await ui('journalEntry', { seq: 2 });
    expect(JSON.parse(ok(cli(['journal', 'entry', '2', '--json'])))).toEqual(entry);
    const shown = ok(cli(['journal', 'entry', '2']));
    expect(shown).toContain(`hash ${entry.hash}`);
    expect(shown).toContain(`prev ${entry.prevHash}`);
    expect(shown).toContain(entry.bodyText);
    expect(cli(['journal', 'entry', String(page.total + 1)]).stderr).toContain('NOT_FOUND');

    const checkpoints = await ui('journalCheckpoints', {});
    expect(checkpoints.length).toBeGreaterThan(0);
    expect(JSON.parse(ok(cli(['journal', 'checkpoints', '--json'])))).toEqual(checkpoints);
    const listed = ok(cli(['journal', 'checkpoints']));
    for (const c of checkpoints)
      expect(listed).toMatch(
        new RegExp(`^checkpoint ${c.n}  seq ${c.size}  head ${c.headHash} .*event seq ${c.eventSeq}$`, 'm'),
      );
  });

  it('bundle imported and media refusals: --json is the bundleImported and mediaRefusals view', async () => {
    // Export prints its progress on stderr.
    const exporting = cli(
      ['bundle', 'export', '--kind', 'custody-report', '--pin-stdin', '--json'],
      '654321\n',
    );
    expect(exporting.status).toBe(0);
    const exported = JSON.parse(exporting.stdout) as { path: string };
    ok(cli(['bundle', 'import', exported.path]));
    const imported = await ui('bundleImported', {});
    expect(imported).toHaveLength(1);
    expect(JSON.parse(ok(cli(['bundle', 'imported', '--json'])))).toEqual(imported);
    const text = ok(cli(['bundle', 'imported']));
    const b = imported[0]!;
    expect(text).toContain(`${b.packetId} v${b.version}  ${b.bundleKind}`);
    expect(text).toContain(`digest ${b.digest}`);
    expect(text).toContain(`words  ${b.words.join(' ')}`);
    for (const f of b.files) expect(text).toContain(`${f.sha256}  ${f.name}`);

    const junk = join(media, 'junk.bundle.zip');
    writeFileSync(junk, 'not a zip archive');
    expect(cli(['bundle', 'import', junk]).status).not.toBe(0);
    const refusals = await ui('mediaRefusals', {});
    expect(refusals.bundles.map((r) => r.fileName)).toEqual(['junk.bundle.zip']);
    // --json after the subcommand, and before it (where `media`'s own --json takes the flag).
    expect(JSON.parse(ok(cli(['media', 'refusals', '--json'])))).toEqual(refusals);
    expect(JSON.parse(ok(cli(['media', '--json', 'refusals'])))).toEqual(refusals);
    const r = refusals.bundles[0]!;
    expect(ok(cli(['media', 'refusals']))).toContain(
      `REFUSED${r.check ? ` [${r.check}]` : ''} ${r.code} junk.bundle.zip: ${r.detail}`,
    );
  });

  it('decisions: --json is the decisionsPending view, and the text names each one', async () => {
    const view = await ui('decisionsPending', {});
    expect(JSON.parse(ok(cli(['decisions', '--json'])))).toEqual(view);
    const text = ok(cli(['decisions']));
    expect(view.length).toBeGreaterThan(0);
    for (const p of view) expect(text).toContain(`${p.kind}  ${p.subject}  who: ${p.who}`);
  });

  // Last: it registers a second module, so commands that default to "the only module" would need --module.
  it('hsm list: the devicesModules view — profile, library digest, Cryptoki, and a module that cannot open listed with its error', async () => {
    const copy = join(suite.dir, 'libsofthsm2-copy.so');
    copyFileSync('/usr/lib/softhsm/libsofthsm2.so', copy);
    const station = Station.open(dir, systemDeps);
    try {
      registerModule(station, {
        moduleId: 'gone',
        profile: 'softhsm2',
        path: copy,
        environment: { SOFTHSM2_CONF: conf },
        actor: 'operator:so',
      });
    } finally {
      station.close();
    }
    rmSync(copy);

    const view = await ui('devicesModules', {});
    const gone = view.find((m) => m.moduleId === 'gone');
    const good = view.find((m) => m.moduleId !== 'gone');
    expect(view).toHaveLength(2);
    expect(gone).toMatchObject({ library: null, tokens: [], error: { code: 'HSM_MODULE_LOAD_FAILED' } });
    expect(good).toMatchObject({ profile: 'softhsm2', cryptoki: expect.any(String), error: null });
    expect(JSON.parse(ok(cli(['hsm', 'list', '--json'])))).toEqual(view);
    const text = ok(cli(['hsm', 'list']));
    expect(text).toContain(`${good!.moduleId} (${good!.profile})  ${good!.path}`);
    expect(text).toContain(`Cryptoki ${good!.cryptoki} · library SHA-256 ${good!.librarySha256}`);
    for (const t of good!.tokens) expect(text).toContain(`serial ${t.serial}  "${t.label}"`);
    expect(good!.tokens.map((t) => t.label).sort()).toEqual(['Custodian Alice', 'Station HSM']);
    expect(text).toContain(`BLOCKED HSM_MODULE_LOAD_FAILED: ${gone!.error!.message}`);
  });
});
