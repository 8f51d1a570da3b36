import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemDeps } from '../../../src/main/runtime';
import { verifyStationJournal } from '../../../src/main/services/journal';
import { Station } from '../../../src/main/station/station';
import { rewriteJournal } from '../../helpers/tamper';
import { stationWithIdentity } from './support';

/**
 * A re-chained journal whose anchor entry holds a body its kind does not allow (the station validates
 * every body before it appends it, so only a hand-made row can): verification says TAMPERED (JNL-ROW)
 * at that seq — a finding, never an error that leaves the operator without a verdict.
 */
describe('a chained row with a body its kind refuses', () => {
  it('is TAMPERED at that seq (JNL-ROW), not a thrown error', async () => {
    const made = await stationWithIdentity();
    const dbPath = join(made.dir, 'station.sqlite');
    made.station.close();
    rewriteJournal(dbPath, 1, (rows) =>
      rows.map((r) =>
        r.kind === 'station.identity-created'
          ? { ...r, body: Buffer.from(JSON.stringify({ moduleId: 'station-hsm', keyId: 42 })) }
          : r,
      ),
    );
    const station = Station.open(made.dir, systemDeps);
    try {
      const row = station.store.db
        .prepare("SELECT seq FROM journal WHERE kind = 'station.identity-created'")
        .pluck()
        .get() as number;
      const report = await verifyStationJournal(station);
      expect(report.verdict).toMatchObject({ status: 'TAMPERED', check: 'JNL-ROW', firstBadSeq: row });
    } finally {
      station.close();
    }
  });
});
