import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../../src/main/config';
import { stationDeps } from '../../../src/main/runtime';
import { rebuildStationProjections } from '../../../src/main/services/journal';
import { createPacket, listPackets } from '../../../src/main/services/packets';
import { Station } from '../../../src/main/station/station';
import { tamperJournalRow } from '../../helpers/tamper';
import { suiteTempDir } from '../../helpers/temp';

/**
 * `station journal rebuild-projections`: a stored projection row an upgrade no longer reads (a packet
 * draft in an earlier shape) is refused by name, and rebuilt from the journal — only from a journal that
 * verifies.
 */
const suite = suiteTempDir('rebuild-projections-');
afterAll(() => suite.remove());

function station(name: string): Station {
  const s = Station.init(
    join(suite.dir, name),
    { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' },
    stationDeps(readConfig({})),
  );
  createPacket(s, {
    packetId: 'attest-h1',
    kind: 'custody-attestation',
    covers: 'Custody attestation for release signing.',
    actor: 'operator:so',
  });
  return s;
}

// A draft as an earlier version stored it: typed exceptions, no annotations.
const oldDraft = (draft: string) => {
  const d = JSON.parse(draft) as Record<string, unknown>;
  delete d.annotations;
  return JSON.stringify({ ...d, exceptions: [] });
};

describe('journal rebuild-projections', () => {
  it('a draft row in an earlier shape is refused by name, and the rebuild restores it from the journal', async () => {
    const s = station('ok');
    try {
      const row = s.store.db.prepare('SELECT draft FROM packet WHERE packet_id = ?').get('attest-h1') as {
        draft: string;
      };
      s.store.db
        .prepare('UPDATE packet SET draft = ? WHERE packet_id = ?')
        .run(oldDraft(row.draft), 'attest-h1');
      expect(() => listPackets(s)).toThrowError(expect.objectContaining({ code: 'STORE_ROW_INVALID' }));
      const head = s.journal.head().seq;
      const r = await rebuildStationProjections(s);
      expect(r).toMatchObject({ entries: head, verdict: 'UNANCHORED' });
      expect(listPackets(s).map((p) => p.packetId)).toEqual(['attest-h1']);
      expect(s.journal.head().seq).toBe(head); // nothing journaled: the journal already says it
    } finally {
      s.close();
    }
  });

  it('refuses to rebuild from a journal that does not verify, and leaves the projections as they were', async () => {
    let s = station('tampered');
    s.close();
    tamperJournalRow(join(suite.dir, 'tampered', 'station.sqlite'), 2);
    s = Station.open(join(suite.dir, 'tampered'), stationDeps(readConfig({})));
    try {
      await expect(rebuildStationProjections(s)).rejects.toMatchObject({ code: 'JOURNAL_TAMPERED' });
      expect(listPackets(s).map((p) => p.packetId)).toEqual(['attest-h1']);
    } finally {
      s.close();
    }
  });
});
