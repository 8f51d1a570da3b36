import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventKind, NewEvent } from '../../../src/core/journal/events';
import { systemDeps } from '../../../src/main/runtime';
import { createDemoStation } from '../../../src/main/demo/demo';
import { recordHandoff } from '../../../src/main/services/packets/packets';
import { Station } from '../../../src/main/station/station';
import { suiteTempDir } from '../../helpers/temp';
import { DEMO_ACKS, resolveDemoHold } from '../../helpers/deferral-resolve';

/**
 * A handoff decided on facts that changed before it landed (hostile review of issue #10): a stop that
 * another process records between the handoff's checks and its record must refuse the handoff. Process
 * B is a second connection that commits the stop exactly in that window.
 */
let suite: ReturnType<typeof suiteTempDir>;
let a: Station;
let b: Station;
const P = 'deferral-rsk-2024';

beforeAll(async () => {
  suite = suiteTempDir();
  const dir = join(suite.dir, 'st');
  const demo = await createDemoStation(dir, systemDeps);
  // Past the demo's hold (the records that resolve it), so only the concurrent stop can refuse the handoff.
  await resolveDemoHold(demo);
  demo.close();
  a = Station.open(dir, systemDeps);
  b = Station.open(dir, systemDeps);
});
afterAll(() => {
  b?.close();
  a?.close();
  suite?.remove();
});

describe('packet handoff under a concurrent writer', () => {
  it('a stop recorded by another process after the checks refuses the handoff; nothing is handed off', () => {
    const record = a.record.bind(a);
    a.record = (events: readonly NewEvent<EventKind>[], recheck?: () => void) => {
      if (events.some((e) => e.kind === 'packet.handoff-recorded'))
        b.record([
          {
            kind: 'packet.stopped',
            actor: 'station',
            body: {
              packetId: P,
              findings: [
                {
                  evidenceId: 'ev-hsm-audit',
                  indicator: 'unauthorised-signing',
                  detail: 'an unplanned signature in the HSM audit log',
                },
              ],
              notice: 'Stopped: evidence shows signing outside an approved ceremony. Escalate.',
            },
          },
        ]);
      return record(events, recheck);
    };
    const handoffsBefore = a.store.db
      .prepare("SELECT count(*) FROM journal WHERE kind = 'packet.handoff-recorded'")
      .pluck()
      .get();
    expect(() =>
      recordHandoff(a, {
        packetId: P,
        acknowledge: DEMO_ACKS,
        actor: 'operator:pat',
      }),
    ).toThrowError(expect.objectContaining({ code: 'PACKET_STOPPED' }));
    expect(
      a.store.db.prepare("SELECT count(*) FROM journal WHERE kind = 'packet.handoff-recorded'").pluck().get(),
    ).toBe(handoffsBefore);
  });
});
