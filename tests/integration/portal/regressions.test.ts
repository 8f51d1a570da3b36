import { spawnSync } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importScenarioSources, readScenario } from '../../../src/main/services/findings';
import { loadPortalProfileFile } from '../../../src/main/adapters/portal';
import {
  browserPortal,
  reconcileRun,
  submitIssuance,
  assertMayStart,
} from '../../../src/main/services/portal';
import { registerModule } from '../../../src/main/services/devices/modules';
import { listTokenKeys } from '../../../src/main/services/devices/devices';
import { systemDeps } from '../../../src/main/runtime';
import { Station } from '../../../src/main/station/station';
import { DEFAULT_USERS, startPortal, type Portal } from '../../fixtures/pki-portal/server.mjs';
import { SOFTHSM_PATH, softhsmWorld } from '../../helpers/softhsm';
import { tempDir } from '../../helpers/temp';

/**
 * Regressions from the hostile review of #16: each of these reproduced a defect before its fix — a
 * sticky confirmation banner taken for an outcome, reconciliation concluding NOT-FOUND from a portal
 * that shows no fingerprint, an online station without an identity reaching a ceremony token, two
 * processes submitting the same request, a control on the review form going through.
 */
const SCENARIOS = join(import.meta.dirname, '..', '..', 'scenarios', 'portal-issuance');
const REQUEST = 'ISR-2026-0412';
const NOW = new Date('2026-12-08T09:30:00.000Z');
const USER = DEFAULT_USERS[0]!;
const ACTOR = 'operator:elena';
const credentials = () => Promise.resolve({ username: USER.username, password: USER.password });
const NO_FINGERPRINT = loadPortalProfileFile(
  join(import.meta.dirname, '..', '..', 'fixtures', 'portal-profiles', 'review-nofp.yaml'),
);
const adapter = browserPortal({
  timeouts: { submitMs: 4_000, navigationMs: 8_000 },
  extraProfiles: [NO_FINGERPRINT],
});

let portal: Portal;
beforeEach(async () => {
  portal = await startPortal();
});
afterEach(async () => {
  await portal.close();
});

async function onlineStation() {
  const station = Station.init(
    join(tempDir(), 'st'),
    { name: 'Portal workstation', mode: 'online', demo: false, actor: ACTOR },
    { ...systemDeps, clock: () => NOW },
  );
  const dir = join(SCENARIOS, '01-clean-submission');
  await importScenarioSources(station, dir, readScenario(dir), { asOf: NOW.toISOString() });
  return station;
}
const created = (from: number) => portal.audit().filter((a) => a.kind === 'request-created' && a.seq > from);
const lastSeq = () => portal.audit().at(-1)?.seq ?? 0;

/**
 * A reverse proxy in front of the test portal that adds a flash message to the review page — what many
 * portals show after a previous submission ("Request PKI-REQ-000777 submitted").
 */
async function flashProxy(
  target: string,
  everyPage = false,
  edit?: (html: string) => string,
): Promise<{ url: string; close: () => Promise<void> }> {
  const t = new URL(target);
  const server: Server = createServer((req, res) => {
    const up = httpRequest(
      { host: t.hostname, port: t.port, path: req.url, method: req.method, headers: req.headers },
      (r) => {
        const review =
          (everyPage && String(r.headers['content-type'] ?? '').includes('html')) ||
          (/\/review(\?|$)/.test(req.url ?? '') && req.method === 'GET');
        if (!review) {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => {
          const html = Buffer.concat(chunks)
            .toString('utf8')
            .replace(/[\s\S]*/, (h) =>
              edit
                ? edit(h)
                : h.replace('</body>', '<p class="confirmation">Request PKI-REQ-000777 submitted</p></body>'),
            );
          const headers = { ...r.headers };
          delete headers['content-length'];
          res.writeHead(r.statusCode ?? 502, headers);
          res.end(html);
        });
      },
    );
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${a.port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('portal regressions (hostile review of #16)', () => {
  it('R1: a confirmation-looking element already on the review page is not taken for the outcome (error-page: nothing created)', async () => {
    portal.setFaults(['error-page']);
    const proxy = await flashProxy(portal.url);
    const station = await onlineStation();
    const from = lastSeq();
    try {
      const r = await submitIssuance(
        station,
        {
          requestId: REQUEST,
          profile: 'test-portal',
          baseUrl: proxy.url,
          headless: true,
          credentials,
          actor: ACTOR,
        },
        adapter,
      );
      // The portal answered 500 and created nothing; the honest state is HALTED-AMBIGUOUS.
      expect(created(from)).toHaveLength(0);
      expect({ state: r.run?.state, id: r.run?.portalRequestId }).toEqual({
        state: 'HALTED-AMBIGUOUS',
        id: null,
      });
    } finally {
      station.close();
      await proxy.close();
    }
  }, 90_000);

  it('R1b: a confirmation banner on every page, the error page too, is not a confirmation (nothing created)', async () => {
    portal.setFaults(['error-page']);
    const proxy = await flashProxy(portal.url, true);
    const station = await onlineStation();
    const from = lastSeq();
    try {
      const r = await submitIssuance(
        station,
        {
          requestId: REQUEST,
          profile: 'test-portal',
          baseUrl: proxy.url,
          headless: true,
          credentials,
          actor: ACTOR,
        },
        adapter,
      );
      // The portal answered 500 and created nothing; the honest state is HALTED-AMBIGUOUS.
      expect(created(from)).toHaveLength(0);
      expect({ state: r.run?.state, id: r.run?.portalRequestId }).toEqual({
        state: 'HALTED-AMBIGUOUS',
        id: null,
      });
    } finally {
      station.close();
      await proxy.close();
    }
  }, 90_000);

  it('R2: a profile without a fingerprint column: reconciliation leaves the request to a person, never NOT-FOUND, never a second request', async () => {
    portal.setFaults(['commit-then-error']);
    const station = await onlineStation();
    const from = lastSeq();
    try {
      const r = await submitIssuance(
        station,
        {
          requestId: REQUEST,
          profile: 'review-nofp',
          baseUrl: portal.url,
          headless: true,
          credentials,
          actor: ACTOR,
        },
        adapter,
      );
      expect(r.run?.state).toBe('HALTED-AMBIGUOUS');
      expect(created(from)).toHaveLength(1);
      portal.setFaults([]);
      const settled = await reconcileRun(
        station,
        { runId: r.run!.runId, baseUrl: portal.url, headless: true, credentials, actor: ACTOR },
        adapter,
      );
      const state = settled.state;
      let second = 'not tried';
      if (state === 'NOT-FOUND') {
        assertMayStart(station, REQUEST);
        const again = await submitIssuance(
          station,
          {
            requestId: REQUEST,
            profile: 'review-nofp',
            baseUrl: portal.url,
            headless: true,
            credentials,
            actor: ACTOR,
          },
          adapter,
        );
        second = again.run?.state ?? 'none';
      }
      // The request exists but the portal does not show whose key it is: reconciliation leaves it to a
      // person (still HALTED-AMBIGUOUS, result "several"), never NOT-FOUND, and nothing is submitted again.
      expect({ state, second, requests: created(from).length }).toEqual({
        state: 'HALTED-AMBIGUOUS',
        second: 'not tried',
        requests: 1,
      });
      expect(settled.reconciliations.at(-1)?.body.result).toBe('several');
    } finally {
      station.close();
    }
  }, 120_000);

  it('R3: an online station without an identity reaches no token of any module (ceremony HSM included)', () => {
    const world = softhsmWorld();
    const r = spawnSync(
      'softhsm2-util',
      ['--init-token', '--free', '--label', 'Ceremony HSM', '--so-pin', '11223344', '--pin', '135790'],
      { env: { ...process.env, SOFTHSM2_CONF: world.conf } },
    );
    expect(r.status, String(r.stderr)).toBe(0);
    const station = Station.init(
      join(tempDir(), 'st'),
      { name: 'Portal workstation', mode: 'online', demo: false, actor: ACTOR },
      systemDeps,
    );
    try {
      registerModule(station, {
        moduleId: 'ceremony-hsm',
        profile: 'softhsm2',
        path: SOFTHSM_PATH,
        environment: { SOFTHSM2_CONF: world.conf },
        actor: ACTOR,
      });
      let reached: unknown = null;
      try {
        const m = station.hsm.module('ceremony-hsm');
        const serial = m.tokens().find((t) => t.label === 'Ceremony HSM')!.serial;
        const keys = m.withSession(serial, { write: false }, (s) => s.listKeys().length);
        let viaDevices: string;
        try {
          viaDevices = `listed ${listTokenKeys(station, { moduleId: 'ceremony-hsm', serial, pin: '135790' }).length}`;
        } catch (e) {
          viaDevices = String(e);
        }
        reached = { tokens: m.tokens().map((t) => t.label), keys, viaDevices };
      } catch (e) {
        reached = (e as { code?: string }).code ?? String(e);
      }
      expect(reached).toBe('HSM_ONLINE_MODE');
    } finally {
      station.close();
    }
  });
});

describe('one portal act at a time per station, across processes', () => {
  it('R5: a CLI submission in flight makes a second submission of the same request from another process wait (PORTAL_RUN_BUSY)', async () => {
    const { spawn } = await import('node:child_process');
    const { writeFileSync } = await import('node:fs');
    const { shiftedScenarioCopy } = await import('../../helpers/shift-scenario');
    const { STATION_BIN } = await import('../../e2e/harness');
    const { portalRuns } = await import('../../../src/main/services/portal');
    const copy = shiftedScenarioCopy(join(SCENARIOS, '01-clean-submission'), new Date());
    const dataDir = join(tempDir(), 'st');
    const station = Station.init(
      dataDir,
      { name: 'Portal workstation', mode: 'online', demo: false, actor: ACTOR },
      systemDeps,
    );
    await importScenarioSources(station, copy, readScenario(copy), { asOf: new Date().toISOString() });
    const creds = join(tempDir(), 'portal.json');
    writeFileSync(creds, JSON.stringify(USER), { mode: 0o600 });
    const from = lastSeq();
    const child = spawn(
      process.execPath,
      [
        STATION_BIN,
        'portal',
        'submit',
        '--request',
        REQUEST,
        '--profile',
        'test-portal',
        '--url',
        portal.url,
        '--headless',
        '--credentials-file',
        creds,
        '--actor',
        ACTOR,
        '--data-dir',
        dataDir,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let said = '';
    child.stdout.on('data', (b: Buffer) => (said += b.toString()));
    child.stderr.on('data', (b: Buffer) => (said += b.toString()));
    const childDone = new Promise((r) => child.once('exit', r));
    try {
      const deadline = Date.now() + 30_000;
      while (portalRuns(station, REQUEST).length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      const seen = portalRuns(station, REQUEST).map((r) => r.state);
      let second: string;
      try {
        const r = await submitIssuance(
          station,
          {
            requestId: REQUEST,
            profile: 'test-portal',
            baseUrl: portal.url,
            headless: true,
            credentials,
            actor: ACTOR,
          },
          browserPortal(),
        );
        second = r.run?.state ?? 'no run';
      } catch (e) {
        second = (e as { code?: string }).code ?? String(e);
      }
      await childDone;
      expect({ seen, second, requests: created(from).length, said: said.slice(0, 300) }).toMatchObject({
        second: 'PORTAL_RUN_BUSY',
        requests: 1,
      });
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      station.close();
    }
  }, 120_000);
});

describe('the review form carries only what the profile names', () => {
  it('R6: a checked "Allow wildcard SANs" box on the review form halts the run (unexpected-control)', async () => {
    portal.setFaults([]);
    const proxy = await flashProxy(portal.url, false, (h) =>
      h.replace(
        '<button id="submit-request"',
        '<label for="wild">Allow wildcard SANs</label><input type="checkbox" id="wild" name="allowWildcard" value="yes" checked><button id="submit-request"',
      ),
    );
    const station = await onlineStation();
    try {
      const r = await submitIssuance(
        station,
        {
          requestId: REQUEST,
          profile: 'test-portal',
          baseUrl: proxy.url,
          headless: true,
          credentials,
          actor: ACTOR,
        },
        adapter,
      );
      expect({ state: r.run?.state, halt: r.run?.halted?.kind ?? null }).toEqual({
        state: 'HALTED',
        halt: 'unexpected-control',
      });
    } finally {
      station.close();
      await proxy.close();
    }
  }, 90_000);
});
