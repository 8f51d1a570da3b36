import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuorumOperation } from '../../../src/core/custody/operation';
import { CodedError } from '../../../src/core/errors';
import {
  checkInWithToken,
  listQuorumSessions,
  openQuorumSession,
  quorumSessionView,
} from '../../../src/main/services/custodians/quorum';
import { rosterEntries, rosterPolicy } from '../../../src/main/services/custodians/queries';
import {
  applyRosterChange,
  proposeRosterChange,
  revokeCustodian,
  revokeOperation,
} from '../../../src/main/services/custodians/roster';
import type { Station } from '../../../src/main/station/station';
import { opText } from '../../helpers/operations';
import { custodianVault } from '../../helpers/vault';
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
let serial: Record<string, string> = {};

beforeAll(async () => {
  suite = suiteTempDir();
  ({ station, serial } = await custodianVault(suite.dir, {
    hsms: [],
    custodians: WHO,
    pin: PIN,
    hsmPin: PIN,
    moduleId: MODULE,
  }));
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
