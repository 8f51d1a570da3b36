import { describe, expect, it } from 'vitest';
import { prepareEntry } from '../../../core/journal/events';
import { sha256 } from '../../crypto';
import { JournalStore } from './journal-store';
import { databaseAt } from './migrations/helpers';
import { LATEST_SCHEMA_VERSION } from './migrations';
import { rebuildProjections, snapshotProjections } from './projections';

describe('projections', () => {
  it('rebuilding from the journal gives exactly the live projection rows', () => {
    const db = databaseAt(LATEST_SCHEMA_VERSION);
    const journal = new JournalStore(db, sha256);
    const at = new Date('2026-05-01T00:00:00Z');
    journal.append([
      prepareEntry(
        {
          kind: 'station.initialised',
          actor: 'demo',
          body: {
            stationId: '0b5f0c1e-1c2d-4e3f-8a9b-0c1d2e3f4a5b',
            name: 'Room B',
            mode: 'offline',
            demo: true,
          },
        },
        at,
      ),
    ]);
    journal.append(
      Array.from({ length: 12_000 }, (_, i) =>
        prepareEntry({ kind: 'operator.note', actor: 'demo', body: { text: `n${i}` } }, at),
      ),
    );
    const live = snapshotProjections(db);
    expect(live.station).toHaveLength(1);
    rebuildProjections(db, journal);
    expect(snapshotProjections(db)).toEqual(live);
  });

  it('a projection error rolls back the whole append: journal and projections never disagree', () => {
    const db = databaseAt(LATEST_SCHEMA_VERSION);
    const journal = new JournalStore(db, sha256);
    const init = (id: string) =>
      prepareEntry(
        {
          kind: 'station.initialised',
          actor: 'demo',
          body: { stationId: id, name: 'A', mode: 'offline', demo: false },
        },
        new Date(),
      );
    journal.append([init('0b5f0c1e-1c2d-4e3f-8a9b-0c1d2e3f4a5b')]);
    // A second station.initialised violates the single-row station table: nothing of the batch stays.
    expect(() =>
      journal.append([
        prepareEntry({ kind: 'operator.note', actor: 'demo', body: { text: 'x' } }, new Date()),
        init('1b5f0c1e-1c2d-4e3f-8a9b-0c1d2e3f4a5b'),
      ]),
    ).toThrow();
    expect(journal.head().seq).toBe(1);
  });
});
