import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuorumOperation } from '../../../src/core/custody/operation';
import { CodedError } from '../../../src/core/errors';
import { systemDeps } from '../../../src/main/runtime';
import {
  checkInWithToken,
  listQuorumSessions,
  openQuorumSession,
  quorumSessionView,
} from '../../../src/main/services/custodians/quorum';
import { rosterEntries, rosterPolicy } from '../../../src/main/services/custodians/queries';
import {
  applyRosterChange,
  initRoster,
  proposeRosterChange,
  revokeCustodian,
  revokeOperation,
} from '../../../src/main/services/custodians/roster';
import { registerModule } from '../../../src/main/services/devices/modules';
import { Station } from '../../../src/main/station/station';
import { opText } from '../../helpers/operations';
import { custodianKeyPems, initTokens, SOFTHSM_PATH, softhsmWorld } from '../../helpers/softhsm';
import { suiteTempDir } from '../../helpers/temp';

/**
 * A compound roster change that raises the quorum (roster.quorum-set) binds the sessions already open:
 * a session opened and reached under M = 2 no longer authorises anything once M is 3, until a third
 * custodian checks in. Real SoftHSM2 custodian tokens and a real SQLite journal.
 */
const PIN = '246810';
const MODULE = 'station-hsm';
const WHO = ['alice', 'bob', 'carol', 'dave'];
let suite: ReturnType<typeof suiteTempDir>;
let station: Station;
const serial: Record<string, string> = {};

beforeAll(async () => {
  suite = suiteTempDir();
  const { conf } = softhsmWorld(suite.dir);
  initTokens(WHO, () => PIN);
  station = Station.init(
    join(suite.dir, 'st'),
    { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' },
    systemDeps,
  );
  registerModule(station, {
    moduleId: MODULE,
    profile: 'softhsm2',
    path: SOFTHSM_PATH,
    environment: { SOFTHSM2_CONF: conf },
    actor: 'operator:so',
  });
  const module = station.hsm.module(MODULE);
  for (const t of module.tokens()) serial[t.label] = t.serial;
  const pem = await custodianKeyPems(module, serial, WHO, PIN);
  initRoster(station, {
    quorum: 2,
    custodians: WHO.map((who) => ({
      custodianId: who,
      name: who,
      roles: ['custodian'],
      publicKey: pem[who]!,
      validFrom: '2026-01-01T00:00:00.000Z',
      validUntil: '2030-01-01T00:00:00.000Z',
    })),
    witnesses: ['W. Itness'],
    actor: 'operator:so',
  });
});
afterAll(() => {
  station?.close();
  suite?.remove();
});

const checkIn = (sessionId: string, who: string) =>
  expect(
    checkInWithToken(station, {
      sessionId,
      moduleId: MODULE,
      serial: serial[who]!,
      pin: PIN,
      actor: `operator:${who}`,
    }).ok,
  ).toBe(true);

function reached(op: QuorumOperation, who = ['alice', 'bob']): string {
  const s = openQuorumSession(station, {
    operation: opText(op),
    ceremonyId: 'roster-q',
    step: 'x',
    actor: 'operator:so',
  });
  for (const w of who) checkIn(s.sessionId, w);
  return s.sessionId;
}

describe('a raised roster quorum binds the sessions already open', () => {
  it('a revoke session reached with 2 is refused once the quorum is 3, and holds again with a third check-in', () => {
    const revoke = revokeOperation('dave', 'leaves the team');
    const stale = reached(revoke);
    expect(quorumSessionView(station, { sessionId: stale }).state).toMatchObject({
      threshold: 2,
      reached: true,
    });

    const change = { add: [], revoke: [], quorum: 3 };
    applyRosterChange(station, {
      change,
      quorumSessionId: reached(proposeRosterChange(change).operation),
      actor: 'operator:so',
    });
    expect(rosterPolicy(station)?.quorum).toBe(3);

    // Now: 2 of 3, not reached — in the view, the session list and the act alike.
    expect(quorumSessionView(station, { sessionId: stale }).state).toMatchObject({
      threshold: 3,
      reached: false,
    });
    expect(listQuorumSessions(station).find((s) => s.sessionId === stale)).toMatchObject({
      threshold: 3,
      checkedIn: 2,
      reached: false,
    });
    const length = station.journal.head()?.seq;
    let refused: CodedError | null = null;
    try {
      revokeCustodian(station, {
        custodianId: 'dave',
        reason: 'leaves the team',
        quorumSessionId: stale,
        actor: 'operator:so',
      });
    } catch (e) {
      if (!(e instanceof CodedError)) throw e;
      refused = e;
    }
    expect(refused?.code).toBe('QUORUM_NOT_REACHED');
    expect(station.journal.head()?.seq).toBe(length);
    expect(rosterEntries(station).find((e) => e.custodianId === 'dave')?.revokedAt).toBeNull();

    // The challenge the custodians signed is unchanged; a third check-in reaches the raised quorum.
    checkIn(stale, 'carol');
    revokeCustodian(station, {
      custodianId: 'dave',
      reason: 'leaves the team',
      quorumSessionId: stale,
      actor: 'operator:so',
    });
    expect(rosterEntries(station).find((e) => e.custodianId === 'dave')?.revokedAt).not.toBeNull();
  });
});
