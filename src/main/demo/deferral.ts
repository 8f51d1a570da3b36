import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { importRecordsFile } from '../services/records';
import { createPacket, evaluatePacket, recordVersion, setPacketReviewers } from '../services/packets';
import type { Station } from '../station/station';

/**
 * The demo's key-rotation deferral packet (workflow 000), built on the same kind of records an operator
 * imports: the source exports of a realistic case (resources/demo/deferral/records/, a copy of the
 * tests/scenarios/deferral/02-seed-firmware-mismatch sources) are put on the rehearsal volume and
 * imported through the normal records import; the packet names the deferral request as its subject and
 * is evaluated as of the case's instant. Its gaps — the primary HSM's firmware attestation mismatch, a
 * re-run readiness check that is still not ready, a stale backup-token custody attestation, an
 * unconfirmed signer — are found by the rules, never typed. It opens at hold-source-completion.
 */
const FILES = import.meta.glob<string>('../../../resources/demo/deferral/records/*.json', {
  query: '?raw',
  import: 'default',
  eager: true,
});

const PACKET = 'deferral-rsk-2024';
const REQUEST = 'DR-2026-117';
/** The instant the case is judged at (the scenario's as-of): the demo is reproducible. */
const AS_OF = '2026-12-01T12:00:00.000Z';
const ACTOR = 'demo';

export async function demoDeferralPacket(station: Station): Promise<void> {
  const media = join(station.dataDir, 'rehearsal-media', 'deferral-records');
  mkdirSync(media, { recursive: true, mode: 0o700 });
  for (const [path, text] of Object.entries(FILES)) writeFileSync(join(media, basename(path)), text);
  for (const path of Object.keys(FILES).sort())
    await importRecordsFile(station, { path: join(media, basename(path)), actor: ACTOR });

  createPacket(station, {
    packetId: PACKET,
    kind: 'rotation-deferral',
    covers: `Deferral request ${REQUEST}: the rotation of the release signing key while the primary HSM's firmware attestation mismatch blocks the quorum ceremony.`,
    subject: { requestId: REQUEST },
    actor: ACTOR,
  });
  setPacketReviewers(station, {
    packetId: PACKET,
    reviewers: [
      { role: 'board-reviewer', name: 'Dana Board' },
      { role: 'cryptography-engineering-manager', name: 'Casey Manager' },
    ],
    actor: ACTOR,
  });
}

/**
 * Evaluates the demo packet and records its first version. Called after every demo import (both
 * workflows read shared families such as the roster), so the evaluation the demo shows is FRESH.
 */
export function evaluateDemoDeferral(station: Station): void {
  evaluatePacket(station, { packetId: PACKET, asOf: AS_OF, actor: ACTOR });
  recordVersion(station, PACKET, ACTOR);
}
