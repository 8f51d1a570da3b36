import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/main/adapters/store/database';
import { JournalStore } from '../../../src/main/adapters/store/journal-store';
import { rebuildProjections, snapshotProjections } from '../../../src/main/adapters/store/projections';
import { sha256 } from '../../../src/main/crypto';
import { DATABASE_FILE } from '../../../src/main/paths';
import { signInCli, stationCli } from '../../e2e/harness';
import { suiteTempDir } from '../../helpers/temp';
import { DEMO_ACK_ARGS, DEMO_PACKET, resolveDemoHoldArgs } from '../../helpers/deferral-resolve';

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
  signInCli(dir);
  // Annotations, the resolving records, a second evaluation and a handoff with acknowledgements: every
  // derived-packet event the projection replays.
  for (const args of [
    ['packet', 'annotate', DEMO_PACKET, 'DEF-CUSTODY-FRESH', 'BT-0412-3', '--owner', 'Cary Lim'],
    ...resolveDemoHoldArgs(),
    ['packet', 'handoff', DEMO_PACKET, ...DEMO_ACK_ARGS],
  ]) {
    const r = stationCli([...args, '--data-dir', dir]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }
});
afterAll(() => suite?.remove());

describe('packet projections', () => {
  it('rebuilding from the journal gives exactly the live packet rows', () => {
    const { db } = openDatabase(join(dir, DATABASE_FILE), { create: false });
    try {
      const live = snapshotProjections(db);
      // The demo's three packets: deferral, attestation, compromise authority.
      expect(live.packet).toHaveLength(4);
      expect(live.packet_version!.length).toBeGreaterThanOrEqual(1);
      expect(live.packet_handoff).toHaveLength(1);
      rebuildProjections(db, new JournalStore(db, sha256));
      expect(snapshotProjections(db)).toEqual(live);
    } finally {
      db.close();
    }
  });
});
