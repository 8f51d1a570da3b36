import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { isoTime } from '../../core/schema';
import { evaluateAttestation } from '../services/attest';
import { recordInventory } from '../services/devices';
import { createPacket } from '../services/packets';
import { importRecordsFile } from '../services/records';
import type { Station } from '../station/station';

/**
 * The demo's custody attestation (workflow 001), built on records: a fresh HSM inventory of the station
 * token (a first-hand record), the source exports a release security owner brings — a compact copy of
 * tests/scenarios/attestation/05-seed-all-three in resources/demo/attestation/records/sources — written to
 * the rehearsal volume and imported through the normal path (services/records), and one evaluation as
 * of the scenario's instant. The rules find the gaps: the temporary operator on a quorum change, the
 * seal inspection older than the media replacement, and the new hotfix path outside the bridge exception.
 */
const PACKET = 'attest-release-2026-h1';
const SOURCES = import.meta.glob<string>('../../../resources/demo/attestation/records/sources/*.json', {
  query: '?raw',
  import: 'default',
  eager: true,
});
const SCENARIO = import.meta.glob<unknown>('../../../resources/demo/attestation/records/scenario.json', {
  import: 'default',
  eager: true,
});
const scenarioSchema = z.object({ asOf: isoTime, subject: z.string().min(1) });

/** The demo attestation's subject and instant (resources/demo/attestation/records/scenario.json). */
export function demoAttestationScenario(): { asOf: string; subject: string } {
  return scenarioSchema.parse(Object.values(SCENARIO)[0]);
}

export async function demoAttestationPacket(
  station: Station,
  token: { moduleId: string; serial: string; pin: string },
): Promise<void> {
  recordInventory(station, { ...token, actor: 'demo' });
  const { subject } = demoAttestationScenario();
  const media = join(station.dataDir, 'rehearsal-media', 'attestation');
  mkdirSync(media, { recursive: true, mode: 0o700 });
  createPacket(station, {
    packetId: PACKET,
    kind: 'custody-attestation',
    covers: `Custody attestation ${subject} for release signing: production keys, ceremonies, escrow media, custodians, and the legacy notarization bridge exception.`,
    actor: 'demo',
  });
  for (const [path, text] of Object.entries(SOURCES).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const file = join(media, basename(path));
    writeFileSync(file, text);
    await importRecordsFile(station, { path: file, actor: 'demo' });
  }
}

/** Evaluates the demo attestation, after every demo import (see evaluateDemoDeferral). */
export function evaluateDemoAttestation(station: Station): void {
  const { asOf, subject } = demoAttestationScenario();
  evaluateAttestation(station, { subject, asOf, actor: 'demo' });
}
