import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/main/adapters/store/database';
import { JournalStore } from '../../../src/main/adapters/store/journal-store';
import { rebuildProjections, snapshotProjections } from '../../../src/main/adapters/store/projections';
import { sha256 } from '../../../src/main/crypto';
import { DATABASE_FILE } from '../../../src/main/paths';
import { stationCli } from '../../e2e/harness';
import { suiteTempDir } from '../../helpers/temp';

/**
 * Packet drafts, versions, stops and handoffs are projections of the journal: rebuilt from the journal of
 * a real demo station (both workflows, every edit op replayed through the core reducer) they come out
 * exactly as the live appends left them.
 */
let suite: ReturnType<typeof suiteTempDir>;
let dir: string;

beforeAll(() => {
  suite = suiteTempDir();
  dir = join(suite.dir, 'station');
  expect(stationCli(['demo', '--data-dir', dir]).status).toBe(0);
  expect(
    stationCli([
      'packet',
      'handoff',
      'deferral-rsk-2024',
      '--by',
      'Pat',
      '--acknowledge-blockers',
      '--data-dir',
      dir,
    ]).status,
  ).toBe(0);
});
afterAll(() => suite?.remove());

describe('packet projections', () => {
  it('rebuilding from the journal gives exactly the live packet rows', () => {
    const { db } = openDatabase(join(dir, DATABASE_FILE), { create: false });
    try {
      const live = snapshotProjections(db);
      expect(live.packet).toHaveLength(2);
      expect(live.packet_version!.length).toBeGreaterThanOrEqual(1);
      expect(live.packet_handoff).toHaveLength(1);
      rebuildProjections(db, new JournalStore(db, sha256));
      expect(snapshotProjections(db)).toEqual(live);
    } finally {
      db.close();
    }
  });
});
