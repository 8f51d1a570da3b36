import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventKind, NewEvent } from '../../../src/core/journal/events';
import { systemDeps } from '../../../src/main/runtime';
import { importBundle } from '../../../src/main/services/bundles/bundles';
import { Station } from '../../../src/main/station/station';
import { buildCase, forgeKey, sha256, type CorpusKey } from '../../helpers/bundle-forge';
import { suiteTempDir } from '../../helpers/temp';

/**
 * The replay check must hold at the moment the import lands (hostile review of issue #10): a second
 * process on the same database — the CLI beside `station serve` — that imports the same bundle between
 * this import's check and its record must make this one a refused replay, not a second copy. Process B
 * is a second connection; it commits its import exactly in that window.
 */
let suite: ReturnType<typeof suiteTempDir>;
let dir: string;
let a: Station;
let b: Station;
const keys = new Map<string, CorpusKey>();

beforeAll(() => {
  suite = suiteTempDir();
  dir = join(suite.dir, 'st');
  a = Station.init(dir, { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' }, systemDeps);
  b = Station.open(dir, systemDeps);
  const key = forgeKey();
  keys.set('station-b', { ...key, name: 'station-b', stationId: '00000000-0000-4000-8000-000000000001' });
  a.record([
    {
      kind: 'trust.registered',
      actor: 'operator:so',
      body: {
        trustId: 'station-b',
        name: 'station-b',
        entryKind: 'station',
        roles: [],
        spki: key.spki.toString('base64'),
        fingerprint: key.fingerprint,
        algorithm: key.algorithm,
        validFrom: '2026-01-01T00:00:00.000Z',
        validUntil: '2099-06-01T00:00:00.000Z',
        registrationDigest: sha256(key.spki),
        confirmedBy: 'Security Officer',
      },
    },
  ]);
});
afterAll(() => {
  b?.close();
  a?.close();
  suite?.remove();
});

/** Makes `station` let `other` commit the same `bundle.imported` just before its own append runs. */
function loseTheRace(station: Station, other: Station): void {
  const record = station.record.bind(station);
  station.record = (events: readonly NewEvent<EventKind>[], recheck?: () => void) => {
    const imported = events.find((e) => e.kind === 'bundle.imported');
    if (imported) other.record([imported]);
    return record(events, recheck);
  };
}

describe('bundle import under a concurrent writer', () => {
  it('the import that loses the race is refused as a replay (BND-REPLAY) and only one copy is recorded', async () => {
    const media = join(suite.dir, 'media');
    mkdirSync(media);
    const path = join(media, 'custody-report-v1.bundle.zip');
    await buildCase(
      { title: 'race', expect: { accept: true }, signer: 'station-b' },
      keys,
      path,
      'custody-report',
    );
    loseTheRace(a, b);
    await expect(importBundle(a, path, 'operator:so')).rejects.toMatchObject({
      code: 'BUNDLE_REPLAYED',
      data: { check: 'BND-REPLAY' },
    });
    const imported = a.store.db
      .prepare("SELECT count(*) FROM journal WHERE kind = 'bundle.imported'")
      .pluck()
      .get();
    expect(imported).toBe(1);
    const refused = a.store.db
      .prepare("SELECT count(*) FROM journal WHERE kind = 'bundle.import-refused'")
      .pluck()
      .get();
    expect(refused).toBe(1);
  });
});
