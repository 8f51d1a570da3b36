import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemDeps } from '../../../src/main/runtime';
import {
  assertNotStopped,
  createPacket,
  importEvidenceFile,
  listPackets,
} from '../../../src/main/services/packets/packets';
import { Station } from '../../../src/main/station/station';
import { tempDir } from '../../helpers/temp';

/**
 * Review of issue #11, item 1: evidence text past 4 MiB was cut before the stop rules and the
 * declared-record check saw it. A 5 MiB file (under the 32 MiB parse limit) is read whole: an indicator
 * at its very end stops the packet, and a record file that breaks its declared schema is refused.
 */
const MiB = 1024 * 1024;
const meta = (evidenceId: string) => ({
  evidenceId,
  title: evidenceId,
  system: 'hsm-audit',
  effectiveAt: null,
  freshnessDays: null,
  actor: 'operator:pm',
  packetId: 'p-big',
});

function station(): { st: Station; media: string } {
  const root = tempDir();
  const st = Station.init(
    join(root, 'st'),
    { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' },
    systemDeps,
  );
  createPacket(st, {
    packetId: 'p-big',
    kind: 'rotation-deferral',
    covers: 'x',
    subject: { requestId: 'DR-1' },
    actor: 'operator:pm',
  });
  return { st, media: root };
}

describe('evidence past 4 MiB is scanned whole', () => {
  it('a 5 MiB log with a compromise indicator at the end stops the packet', async () => {
    const { st, media } = station();
    try {
      const path = join(media, 'audit.log');
      const filler = 'routine log line\n'.repeat(Math.ceil((5 * MiB) / 17));
      writeFileSync(path, `${filler}the private key was compromised on 2026-03-01\n`);
      const r = await importEvidenceFile(st, { ...meta('ev-log'), path });
      expect(r.evidence.indicators.map((i) => i.indicator)).toContain('key-compromise');
      expect(r.summary).not.toContain('not scanned');
      expect(listPackets(st).find((p) => p.packetId === 'p-big')?.gate).toBe('STOPPED');
      expect(() => assertNotStopped(st, 'p-big')).toThrow(
        expect.objectContaining({ code: 'PACKET_STOPPED' }),
      );
    } finally {
      st.close();
    }
  });

  it('a 5 MiB JSON file that breaks its declared record schema is refused, nothing kept', async () => {
    const { st, media } = station();
    try {
      const path = join(media, 'paths.json');
      const record = {
        schema: 'signing-paths/v1',
        paths: [{ pathId: 'sp-1', system: 'ci', description: 'x'.repeat(5 * MiB), addedAt: 'yesterday' }],
      };
      writeFileSync(path, JSON.stringify(record));
      const head = st.journal.head().seq;
      await expect(importEvidenceFile(st, { ...meta('ev-paths'), path })).rejects.toMatchObject({
        code: 'EVIDENCE_UNREADABLE',
        message: expect.stringMatching(/^paths\.json declares signing-paths\/v1 but paths\.0\.addedAt/),
      });
      expect(st.journal.head().seq).toBe(head);
      const objects = join(st.dataDir, 'objects');
      expect(existsSync(objects) ? readdirSync(objects) : []).toEqual([]);
    } finally {
      st.close();
    }
  });
});
