import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importScenarioSources, readScenario } from '../../../src/main/services/findings';
import { registerModule } from '../../../src/main/services/devices/modules';
import { createStationIdentity } from '../../../src/main/services/identity/commands';
import {
  browserPortal,
  portalRuns,
  PORTAL_EVIDENCE_DIR,
  submitIssuance,
} from '../../../src/main/services/portal';
import { DATABASE_FILE } from '../../../src/main/paths';
import { systemDeps } from '../../../src/main/runtime';
import { portalChannels } from '../../../src/shared/contract/portal';
import { Station } from '../../../src/main/station/station';
import { startPortal, type Portal } from '../../fixtures/pki-portal/server.mjs';
import { shiftedScenarioCopy } from '../../helpers/shift-scenario';
import { SOFTHSM_PATH, softhsmWorld, tokenSerialByLabel } from '../../helpers/softhsm';
import { tempDir } from '../../helpers/temp';
import { STATION_BIN } from '../../e2e/harness';

/**
 * The signed portal evidence bundle (kind portal-evidence) of a real run against the test PKI portal, on
 * an online station whose identity lives on a SoftHSM2 token: it verifies with `station bundle verify`,
 * its statement lists every file's digest, every masked screenshot is the one the journal cites, and no
 * canary — the portal password, the token PIN, the portal's session cookie — is in the bundle (every
 * entry inflated, the DSSE payload decoded), the station's data directory (journal database, evidence
 * store) or the CLI's output. A screenshot changed by one byte in the evidence store refuses the export.
 */
const SCENARIO = join(import.meta.dirname, '..', '..', 'scenarios', 'portal-issuance', '01-clean-submission');
const REQUEST = 'ISR-2026-0412';
const ACTOR = 'operator:elena';
const CANARY_PASSWORD = 'cAnArY-portal-pw-5e8c20d4';
const CANARY_PIN = 'cAnArY-PiN-7f3a91';
const USER = { username: 'elena.park', password: CANARY_PASSWORD };

let portal: Portal;
let proxy: Server;
let proxyUrl: string;
/** Every portal_session value the portal set, seen on the wire by a recording loopback proxy (test only). */
let sessionCookies: string[];

beforeEach(async () => {
  portal = await startPortal({ users: [USER] });
  sessionCookies = [];
  const target = new URL(portal.url);
  proxy = createServer((req, res) => {
    const up = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (r) => {
        for (const c of [r.headers['set-cookie'] ?? []].flat()) {
          const m = /^portal_session=([^;]+)/.exec(c);
          if (m?.[1]) sessionCookies.push(m[1]);
        }
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const addr = proxy.address();
  proxyUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterEach(async () => {
  proxy.closeAllConnections();
  await new Promise((resolve) => proxy.close(resolve));
  await portal.close();
});

function cli(args: string[], env: NodeJS.ProcessEnv, input?: string) {
  return new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    const c = spawn(process.execPath, [STATION_BIN, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    c.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    c.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
    c.stdin.end(input ?? '');
  });
}

/** Every regular file under a directory, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    return d.isDirectory() ? filesUnder(p) : d.isFile() ? [p] : [];
  });
}

/** The entries of a zip as `unzip` reads them (inflated), by name. */
function unzipAll(zip: string): Map<string, Buffer> {
  const names = spawnSync('unzip', ['-Z1', zip], { encoding: 'utf8' });
  expect(names.status, names.stderr).toBe(0);
  const out = new Map<string, Buffer>();
  for (const name of names.stdout.split('\n').filter(Boolean)) {
    const r = spawnSync('unzip', ['-p', zip, name], { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 });
    expect(r.status).toBe(0);
    out.set(name, r.stdout);
  }
  return out;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function onlineStationWithRun() {
  const world = softhsmWorld();
  const init = spawnSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', 'Station identity', '--so-pin', '11223344', '--pin', CANARY_PIN],
    { env: { ...process.env, SOFTHSM2_CONF: world.conf } },
  );
  expect(init.status, String(init.stderr)).toBe(0);
  const dataDir = join(tempDir(), 'st');
  const station = Station.init(
    dataDir,
    { name: 'Portal workstation', mode: 'online', demo: false, actor: ACTOR },
    systemDeps,
  );
  registerModule(station, {
    moduleId: 'station-hsm',
    profile: 'softhsm2',
    path: SOFTHSM_PATH,
    environment: { SOFTHSM2_CONF: world.conf },
    actor: ACTOR,
  });
  const serial = tokenSerialByLabel(world.conf, 'Station identity');
  await createStationIdentity(station, {
    moduleId: 'station-hsm',
    tokenSerial: serial,
    pin: CANARY_PIN,
    actor: ACTOR,
  });
  // The records moved to the real clock: the CLI in a child process exports on it.
  const copy = shiftedScenarioCopy(SCENARIO, new Date());
  await importScenarioSources(station, copy, readScenario(copy), { asOf: new Date().toISOString() });
  const r = await submitIssuance(
    station,
    {
      requestId: REQUEST,
      profile: 'test-portal',
      baseUrl: proxyUrl,
      headless: true,
      credentials: () => Promise.resolve(USER),
      actor: ACTOR,
    },
    browserPortal({ timeouts: { submitMs: 8_000, navigationMs: 10_000 } }),
  );
  expect(r.run?.state, r.run?.sentence).toBe('SUBMITTED');
  const run = portalRuns(station, REQUEST)[0]!;
  station.close();
  const media = join(tempDir(), 'media');
  mkdirSync(media);
  return { dataDir, serial, run, media, env: { STATION_MEDIA_DIRS: media } };
}

describe('the signed portal evidence bundle', () => {
  it('verifies, carries every screenshot as journaled and the approval trace, and no canary anywhere', async () => {
    const { dataDir, serial, run, media, env } = await onlineStationWithRun();
    expect(sessionCookies.length).toBeGreaterThan(0);
    const shots = [...(run.intent?.body.screenshots ?? []), ...(run.submitted?.screenshots ?? [])];
    expect(shots.length).toBeGreaterThan(0);

    const exp = await cli(
      [
        'portal',
        'evidence',
        '--run',
        run.runId,
        '--pin-stdin',
        '--actor',
        ACTOR,
        '--json',
        '--data-dir',
        dataDir,
      ],
      env,
      `${CANARY_PIN}\n`,
    );
    expect(exp.status, exp.stderr).toBe(0);
    // The result is what the portalEvidence channel answers (its strict output schema).
    const result = portalChannels.portalEvidence.output.parse(JSON.parse(exp.stdout));
    expect(result.packetId).toBe('portal-evidence');
    const bundles = readdirSync(media).filter((f) => f.endsWith('.bundle.zip'));
    expect(bundles).toEqual(['portal-evidence-v1.bundle.zip']);
    const zip = join(media, bundles[0]!);
    expect(result.path).toBe(zip);

    // The existing verifier takes it: signature by this station's identity, every file's digest.
    const ver = await cli(['bundle', 'verify', zip, '--data-dir', dataDir], env);
    expect(ver.status, ver.stderr).toBe(0);
    expect(ver.stdout).toContain('VERIFIED');
    expect(ver.stdout).toContain('kind portal-evidence');

    const entries = unzipAll(zip);
    const names = [...entries.keys()];
    expect(names.at(-1)).toBe('bundle.dsse.json');
    expect(names).toEqual(
      expect.arrayContaining([
        'portal/run.json',
        'portal/approval-trace.json',
        'journal/segment.jsonl',
        'journal/checkpoint.json',
      ]),
    );
    // The DSSE statement lists every file with its digest, and nothing else.
    const envelope = JSON.parse(entries.get('bundle.dsse.json')!.toString('utf8')) as { payload: string };
    const payload = Buffer.from(envelope.payload, 'base64');
    const statement = JSON.parse(payload.toString('utf8')) as {
      subject: { name: string; digest: { sha256: string } }[];
      predicate: { bundleKind: string };
    };
    expect(statement.predicate.bundleKind).toBe('portal-evidence');
    expect(statement.subject.map((s) => s.name).sort()).toEqual(
      names.filter((n) => n !== 'bundle.dsse.json').sort(),
    );
    for (const s of statement.subject) expect(s.digest.sha256, s.name).toBe(sha256(entries.get(s.name)!));

    // Every screenshot the journal cites is in the bundle with exactly the journal's digest.
    const carried = names.filter((n) => n.startsWith('evidence/'));
    expect(carried.sort()).toEqual(shots.map((s) => `evidence/${s.name}.png`).sort());
    for (const s of shots) expect(sha256(entries.get(`evidence/${s.name}.png`)!)).toBe(s.sha256);

    // The run as journaled, and the approval trace of both pre-checks, recomputed at their seqs.
    const runDoc = JSON.parse(entries.get('portal/run.json')!.toString('utf8')) as {
      state: string;
      portalRequestId: string;
      intent: { seq: number; readBack: { match: boolean }[] };
    };
    expect(runDoc.state).toBe('SUBMITTED');
    expect(runDoc.portalRequestId).toBe(run.portalRequestId);
    expect(runDoc.intent.seq).toBe(run.intent?.seq);
    expect(runDoc.intent.readBack.every((x) => x.match)).toBe(true);
    const trace = JSON.parse(entries.get('portal/approval-trace.json')!.toString('utf8')) as {
      evaluations: {
        stage: string;
        seq: number;
        reproduced: boolean;
        outcome: string;
        requestDigest: string;
        approvals: { role: string; approver: string; boundDigest: string; counted: boolean }[];
      }[];
    };
    expect(trace.evaluations.map((e) => [e.stage, e.seq])).toEqual([
      ['before-entry', run.started.evaluationSeq],
      ['before-submit', run.intent?.body.evaluationSeq],
    ]);
    for (const e of trace.evaluations) {
      expect(e.reproduced).toBe(true);
      expect(e.outcome).toBe('ready-for-portal');
      const counted = e.approvals.filter((a) => a.counted);
      expect(counted.map((a) => a.role).sort()).toEqual(
        ['ca-delegate', 'cryptography-engineering-manager', 'release-integrity-owner'].sort(),
      );
      expect(new Set(counted.map((a) => a.approver)).size).toBe(3);
      for (const a of counted) expect(a.boundDigest).toBe(e.requestDigest);
    }

    // Canaries: none in the bundle (raw, every entry inflated, the decoded statement), the station's
    // data directory (journal database, evidence store, everything else) or the CLI's output.
    const secrets = [CANARY_PASSWORD, CANARY_PIN, ...sessionCookies];
    const places: [string, Buffer][] = [
      ['the bundle file', readFileSync(zip)],
      ['the DSSE payload', payload],
      ...[...entries].map(([n, b]): [string, Buffer] => [`bundle entry ${n}`, b]),
      ...filesUnder(dataDir).map((f): [string, Buffer] => [f, readFileSync(f)]),
      ['the CLI output', Buffer.from(exp.stdout + exp.stderr + ver.stdout + ver.stderr)],
    ];
    for (const [where, bytes] of places)
      for (const s of secrets) expect(bytes.includes(Buffer.from(s)), `${s} in ${where}`).toBe(false);

    // The token's identifiers (serial and label): never in the evidence store, the CLI output, the DSSE
    // payload or any bundle entry — the journal segment included: the station keeps them in its own
    // file (station_identity_token), not in station.identity-created (issue #16).
    const label = 'Station identity';
    const evidenceDir = join(dataDir, PORTAL_EVIDENCE_DIR, run.runId);
    for (const id of [serial, label]) {
      for (const f of filesUnder(evidenceDir))
        expect(readFileSync(f).includes(Buffer.from(id)), f).toBe(false);
      expect(exp.stdout + exp.stderr + ver.stdout + ver.stderr).not.toContain(id);
      expect(payload.includes(Buffer.from(id)), `${id} in the DSSE payload`).toBe(false);
      for (const [n, b] of entries) expect(b.includes(Buffer.from(id)), `${id} in ${n}`).toBe(false);
    }
    // Positive control: the segment does record the identity key, and the station file the token.
    expect(entries.get('journal/segment.jsonl')!.toString('utf8')).toContain(
      '"kind":"station.identity-created"',
    );
    const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
    try {
      expect(db.prepare('SELECT token_serial, token_label FROM station_identity_token').get()).toEqual({
        token_serial: serial,
        token_label: label,
      });
    } finally {
      db.close();
    }
  }, 180_000);

  it('a screenshot changed by one byte in the evidence store refuses the export, naming the file', async () => {
    const { dataDir, run, media, env } = await onlineStationWithRun();
    const shot = run.submitted?.screenshots[0] ?? run.intent?.body.screenshots[0];
    expect(shot).toBeDefined();
    const path = join(dataDir, PORTAL_EVIDENCE_DIR, run.runId, `${shot!.name}.png`);
    const bytes = readFileSync(path);
    const at = bytes.length >> 1;
    bytes[at] = (bytes[at] ?? 0) ^ 0x01;
    writeFileSync(path, bytes);
    expect(statSync(path).size).toBe(shot!.bytes);

    const exp = await cli(
      ['portal', 'evidence', '--run', run.runId, '--pin-stdin', '--actor', ACTOR, '--data-dir', dataDir],
      env,
      `${CANARY_PIN}\n`,
    );
    expect(exp.status).toBe(4); // integrity
    expect(exp.stderr).toContain('PORTAL_EVIDENCE_TAMPERED');
    expect(exp.stderr).toContain(`${shot!.name}.png`);
    expect(exp.stdout + exp.stderr).not.toContain(CANARY_PIN);
    // Nothing on the media, nothing recorded as exported.
    expect(readdirSync(media)).toEqual([]);
    const reopened = Station.open(dataDir, systemDeps);
    try {
      expect(reopened.journal.eventsOfKind('bundle.exported')).toHaveLength(0);
    } finally {
      reopened.close();
    }
    // The byte put back, the same export goes through: the refusal was that byte and nothing else.
    bytes[at] = (bytes[at] ?? 0) ^ 0x01;
    writeFileSync(path, bytes);
    const again = await cli(
      ['portal', 'evidence', '--run', run.runId, '--pin-stdin', '--actor', ACTOR, '--data-dir', dataDir],
      env,
      `${CANARY_PIN}\n`,
    );
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain('read back and verified');
    expect(readdirSync(media)).toEqual(['portal-evidence-v1.bundle.zip']);
  }, 180_000);
});
