import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importRecordsFile } from '../../../src/main/services/records';
import { importScenarioSources, readScenario } from '../../../src/main/services/findings';
import {
  assertMayStart,
  browserPortal,
  portalRuns,
  portalStatus,
  PORTAL_EVIDENCE_DIR,
  preCheck,
  reconcileRun,
  submitIssuance,
  type PortalAdapter,
} from '../../../src/main/services/portal';
import { systemDeps } from '../../../src/main/runtime';
import { Station } from '../../../src/main/station/station';
import {
  DEFAULT_USERS,
  startPortal,
  type FaultName,
  type Portal,
} from '../../fixtures/pki-portal/server.mjs';
import { shiftedScenarioCopy } from '../../helpers/shift-scenario';
import { tempDir } from '../../helpers/temp';
import { STATION_BIN } from '../../e2e/harness';

/**
 * The submission service end to end against the test PKI portal in real Chromium: the pre-checks of the
 * portal-issuance rules over a scenario's records, entry with read-back, the durable submit intent, the
 * outcome, every fault's safe halt or HALTED-AMBIGUOUS, and reconciliation — counting the requests the
 * portal created (its server-side audit), which must never be more than one per request.
 */
const SCENARIOS = join(import.meta.dirname, '..', '..', 'scenarios', 'portal-issuance');
const REQUEST = 'ISR-2026-0412';
const NOW = new Date('2026-12-08T09:30:00.000Z');
const USER = DEFAULT_USERS[0]!;
const ACTOR = 'operator:elena';

// A fresh portal per test: its queue starts empty (a live request for the same subject and key would
// rightly halt the next run before entry).
let portal: Portal;
beforeEach(async () => {
  portal = await startPortal();
});
afterEach(async () => {
  await portal.close();
});

const credentials = () => Promise.resolve({ username: USER.username, password: USER.password });
/** The real adapter with short waits, so a portal that hangs after the click is judged in seconds. */
const adapter: PortalAdapter = browserPortal({ timeouts: { submitMs: 4_000, navigationMs: 8_000 } });

async function onlineStation(scenario = '01-clean-submission', mode: 'online' | 'offline' = 'online') {
  const station = Station.init(
    join(tempDir(), 'st'),
    { name: 'Portal workstation', mode, demo: false, actor: ACTOR },
    { ...systemDeps, clock: () => NOW },
  );
  const dir = join(SCENARIOS, scenario);
  await importScenarioSources(station, dir, readScenario(dir), { asOf: NOW.toISOString() });
  return station;
}

const created = (from: number) => portal.audit().filter((a) => a.kind === 'request-created' && a.seq > from);
const lastSeq = () => portal.audit().at(-1)?.seq ?? 0;

async function submit(station: Station, a: PortalAdapter = adapter) {
  return submitIssuance(
    station,
    {
      requestId: REQUEST,
      profile: 'test-portal',
      baseUrl: portal.url,
      headless: true,
      credentials,
      actor: ACTOR,
    },
    a,
  );
}

async function reconcile(station: Station, runId: string) {
  return reconcileRun(
    station,
    { runId, baseUrl: portal.url, headless: true, credentials, actor: ACTOR },
    adapter,
  );
}

describe('portal submission (online mode) against the test portal', () => {
  it('a clean run: pre-check, entry read back, intent before the click, confirmed id — one request, never twice', async () => {
    portal.setFaults([]);
    const station = await onlineStation();
    const from = lastSeq();
    try {
      const r = await submit(station);
      expect(r.preCheck.outcome).toBe('ready-for-portal');
      expect(r.run?.state).toBe('SUBMITTED');
      const made = created(from);
      expect(made).toHaveLength(1);
      expect(r.run?.portalRequestId).toBe(made[0]?.requestId);
      // The intent was journaled before the confirmation, and both after the run began.
      const kinds = station.journal
        .eventsOfKind('portal.run-started', 'portal.submit-intent', 'portal.submitted')
        .map((e) => e.kind);
      expect(kinds).toEqual(['portal.run-started', 'portal.submit-intent', 'portal.submitted']);
      // Every field read back as entered; masked screenshots kept with their digests.
      expect(r.run?.intent?.body.readBack.length).toBeGreaterThan(8);
      expect(r.run?.intent?.body.readBack.every((x) => x.match)).toBe(true);
      const dir = join(station.dataDir, PORTAL_EVIDENCE_DIR, r.run!.runId);
      expect(readdirSync(dir).length).toBeGreaterThan(0);
      // The portal password never lands in the journal, the evidence or the views.
      // The journal: the database and its write-ahead log, where fresh writes sit until a checkpoint.
      for (const f of readdirSync(station.dataDir).filter((n) => n.startsWith('station.sqlite')))
        expect(readFileSync(join(station.dataDir, f)).includes(Buffer.from(USER.password)), f).toBe(false);
      expect(readdirSync(station.dataDir)).toContain('station.sqlite-wal');
      for (const f of readdirSync(dir))
        expect(readFileSync(join(dir, f)).includes(Buffer.from(USER.password))).toBe(false);
      expect(JSON.stringify(portalStatus(station, {}))).not.toContain(USER.password);
      // A second submission of the same request is refused before any browser opens.
      const before = lastSeq();
      await expect(submit(station)).rejects.toMatchObject({ code: 'PORTAL_ALREADY_SUBMITTED' });
      expect(lastSeq()).toBe(before);
    } finally {
      station.close();
    }
  });

  it('a pre-check that fails stops before any browser entry, names the owner, and records it', async () => {
    portal.setFaults([]);
    const station = await onlineStation('02-approval-expired');
    const from = lastSeq();
    try {
      const r = await submit(station);
      expect(r.run).toBeNull();
      expect(r.preCheck.outcome).toBe('stop-before-entry');
      expect(r.preCheck.blockers.map((b) => b.checkId)).toContain('ISS-APPROVALS');
      expect(lastSeq()).toBe(from); // the portal saw nothing, not even a draft
      const stops = portalStatus(station, { requestId: REQUEST }).stops;
      expect(stops).toHaveLength(1);
      expect(stops[0]?.stage).toBe('before-entry');
      expect(stops[0]?.owner).toBe('elena.park');
    } finally {
      station.close();
    }
  });

  it('an offline station refuses portal submission before anything else', async () => {
    const station = await onlineStation('01-clean-submission', 'offline');
    try {
      await expect(submit(station)).rejects.toMatchObject({ code: 'PORTAL_OFFLINE_STATION' });
      expect(portalRuns(station, null)).toHaveLength(0);
    } finally {
      station.close();
    }
  });

  it('records that change between the two pre-checks stop the run before submit: the draft is saved, nothing submitted', async () => {
    portal.setFaults([]);
    const station = await onlineStation();
    const from = lastSeq();
    const withdrawing: PortalAdapter = {
      ...adapter,
      async open(o) {
        const s = await adapter.open(o);
        return {
          ...s,
          async fill(values) {
            const r = await s.fill(values);
            // The governance system withdraws the request while the operator watches the entry.
            const path = join(tempDir(), 'withdrawn.json');
            const req = JSON.parse(
              readFileSync(
                join(SCENARIOS, '01-clean-submission', 'sources', 'issuance-requests.json'),
                'utf8',
              ),
            ) as { records: { status: string; recordedAt?: string }[] };
            const target = req.records.find(
              (x) => (x as unknown as { requestId: string }).requestId === REQUEST,
            )!;
            target.status = 'withdrawn';
            writeFileSync(path, JSON.stringify({ ...req, exportedAt: NOW.toISOString(), records: [target] }));
            await importRecordsFile(station, { path, actor: ACTOR });
            return r;
          },
        };
      },
    };
    try {
      const r = await submit(station, withdrawing);
      expect(r.run?.state).toBe('STOPPED');
      expect(r.run?.stopped?.stage).toBe('before-submit');
      expect(r.run?.intent).toBeNull();
      expect(created(from)).toHaveLength(0);
      expect(portal.audit().some((a) => a.kind === 'draft-saved' && a.seq > from)).toBe(true);
    } finally {
      station.close();
    }
  });

  it('a live request for the same subject and key already in the portal halts before entry; look-alikes do not', async () => {
    const station = await onlineStation();
    try {
      const search = preCheck(station, REQUEST, ACTOR).entry?.search ?? [];
      const [cn, , keyPrint] = search;
      expect(cn && keyPrint).toBeTruthy();
      // Look-alikes: the same subject issued for another key, the same key rejected, another subject and key.
      portal.seedRequest({ subject: cn!, fingerprint: 'ab'.repeat(32), state: 'issued' });
      portal.seedRequest({ subject: cn!, fingerprint: keyPrint!, state: 'rejected' });
      portal.seedRequest({ subject: 'Northwind TLS 2027', fingerprint: 'cd'.repeat(32), state: 'pending' });
      const from = lastSeq();
      const clean = await submit(station);
      expect(clean.run?.state).toBe('SUBMITTED');
      expect(created(from)).toHaveLength(1);
      // The request the run just made is now live in the portal: a fresh station that does not know it
      // (its records say nothing) is halted before entry by the portal's own queue.
      const other = await onlineStation();
      try {
        const mark = lastSeq();
        const r = await submit(other);
        expect(r.run?.state).toBe('HALTED');
        expect(r.run?.halted?.kind).toBe('duplicate-notice');
        expect(r.run?.halted?.detail).toContain(clean.run?.portalRequestId ?? '?');
        expect(created(mark)).toHaveLength(0);
        expect(portal.audit().filter((a) => a.seq > mark && a.kind === 'draft-created')).toHaveLength(0);
      } finally {
        other.close();
      }
    } finally {
      station.close();
    }
  });

  // Every portal fault → its safe halt before submit: 0 requests created on the server.
  const HALTS: [FaultName, string][] = [
    ['prefill', 'prefill'],
    ['truncate', 'truncation'],
    ['extra-san', 'extra-value'],
    ['different-profile', 'different-value'],
    ['unexpected-option', 'unexpected-control'],
    ['layout-change', 'layout-changed'],
    ['warning-banner', 'warning-banner'],
    ['duplicate-notice', 'duplicate-notice'],
    ['captcha', 'captcha'],
    ['login-redirect', 'login-required'],
    ['session-expired', 'session-expired'],
  ];
  it.each(HALTS)(
    'fault %s → HALTED (%s), the reason and a masked screenshot kept, 0 requests',
    async (fault, kind) => {
      portal.setFaults([fault]);
      const station = await onlineStation();
      const from = lastSeq();
      try {
        const r = await submit(station);
        expect(r.run?.state).toBe('HALTED');
        expect(r.run?.halted?.kind).toBe(kind);
        expect(r.run?.intent).toBeNull();
        expect(r.run?.halted?.screenshots.length).toBeGreaterThan(0);
        expect(created(from)).toHaveLength(0);
        // A HALTED run does not block a new one (a person fixes or takes over first).
        expect(() => assertMayStart(station, REQUEST)).not.toThrow();
      } finally {
        station.close();
        portal.setFaults([]);
      }
    },
  );

  it('where the portal offers no draft, a halt abandons the session and says so', async () => {
    portal.setFaults(['warning-banner', 'draft-unavailable']);
    const station = await onlineStation();
    try {
      const r = await submit(station);
      expect(r.run?.halted).toMatchObject({
        kind: 'warning-banner',
        disposition: 'abandoned',
        draftId: expect.anything(),
      });
    } finally {
      station.close();
      portal.setFaults([]);
    }
  });

  // After the click without a positive confirmation: HALTED-AMBIGUOUS, never retried; reconciliation
  // searches and settles it; the request exists on the server at most once.
  const AMBIGUOUS: [FaultName, 'found' | 'not-found'][] = [
    ['error-page', 'not-found'],
    ['commit-then-error', 'found'],
    ['hang-after-commit', 'found'],
    ['no-id', 'found'],
    ['reset-after-commit', 'found'],
  ];
  it.each(AMBIGUOUS)(
    'fault %s → HALTED-AMBIGUOUS; reconciliation: %s; never a second request',
    async (fault, found) => {
      portal.setFaults([fault]);
      const station = await onlineStation();
      const from = lastSeq();
      try {
        const r = await submit(station);
        expect(r.run?.state).toBe('HALTED-AMBIGUOUS');
        expect(r.run?.intent).not.toBeNull();
        const madeBefore = created(from).length;
        expect(madeBefore).toBe(found === 'found' ? 1 : 0);
        portal.setFaults([]);
        // No new run until reconciled: the request may exist.
        await expect(submit(station)).rejects.toMatchObject({ code: 'PORTAL_RECONCILE_FIRST' });
        const settled = await reconcile(station, r.run!.runId);
        if (found === 'found') {
          expect(settled.state).toBe('SUBMITTED');
          expect(settled.portalRequestId).toBe(created(from)[0]?.requestId);
          await expect(submit(station)).rejects.toMatchObject({ code: 'PORTAL_ALREADY_SUBMITTED' });
        } else {
          expect(settled.state).toBe('NOT-FOUND');
          expect(() => assertMayStart(station, REQUEST)).not.toThrow();
        }
        expect(created(from)).toHaveLength(madeBefore);
      } finally {
        station.close();
        portal.setFaults([]);
      }
    },
  );

  it('a station killed between the intent and the outcome resumes into reconciliation, never a second submission (built CLI)', async () => {
    portal.setFaults(['hang-after-commit']);
    // The records moved to the real clock: the CLI in a child process judges them now.
    const copy = shiftedScenarioCopy(join(SCENARIOS, '01-clean-submission'), new Date());
    const dataDir = join(tempDir(), 'st');
    const station = Station.init(
      dataDir,
      { name: 'Portal workstation', mode: 'online', demo: false, actor: ACTOR },
      systemDeps,
    );
    await importScenarioSources(station, copy, readScenario(copy), { asOf: new Date().toISOString() });
    station.close();
    const creds = join(tempDir(), 'portal.json');
    writeFileSync(creds, JSON.stringify(USER), { mode: 0o600 });
    // Asynchronous: the test portal runs in this process and must answer while the CLI waits.
    const cli = (args: string[]) =>
      new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
        const c = spawn(process.execPath, [STATION_BIN, ...args, '--data-dir', dataDir], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        c.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
        c.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
        c.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
      });
    const submitArgs = [
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
    ];
    const from = lastSeq();
    const child = spawn(process.execPath, [STATION_BIN, ...submitArgs, '--data-dir', dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let said = '';
    child.stdout.on('data', (b: Buffer) => (said += b.toString()));
    child.stderr.on('data', (b: Buffer) => (said += b.toString()));
    try {
      const deadline = Date.now() + 60_000;
      while (created(from).length === 0 && child.exitCode === null && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(created(from), said).toHaveLength(1);
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      portal.setFaults([]);
      // After the restart: the intent without an outcome reads HALTED-AMBIGUOUS.
      const reopened = Station.open(dataDir, systemDeps);
      const [run] = portalRuns(reopened, REQUEST);
      reopened.close();
      expect(run?.state).toBe('HALTED-AMBIGUOUS');
      // Submitting again is refused before any browser entry; the portal sees nothing.
      const mark = lastSeq();
      const again = await cli(submitArgs);
      expect(again.status).not.toBe(0);
      expect(again.stderr).toContain('PORTAL_RECONCILE_FIRST');
      expect(lastSeq()).toBe(mark);
      // Reconciliation finds the request and settles the run with its id; still one request.
      const rec = await cli([
        'portal',
        'reconcile',
        '--run',
        run!.runId,
        '--url',
        portal.url,
        '--headless',
        '--credentials-file',
        creds,
        '--actor',
        ACTOR,
        '--json',
      ]);
      expect(rec.status, rec.stderr).toBe(0);
      const view = JSON.parse(rec.stdout) as { state: string; portalRequestId: string };
      expect(view.state).toBe('SUBMITTED');
      expect(view.portalRequestId).toBe(created(from)[0]?.requestId);
      expect(created(from)).toHaveLength(1);
      expect(rec.stdout + rec.stderr + again.stdout + again.stderr).not.toContain(USER.password);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      portal.setFaults([]);
    }
  }, 180_000);
});
