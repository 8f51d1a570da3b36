import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { isoTime } from '../../core/schema';
import { createPacket, evaluatePacket } from '../services/packets';
import { importRecordsFile } from '../services/records';
import type { Station } from '../station/station';

/**
 * The demo's compromise-authority case (workflow 002), built on records like the other two: the
 * incident declaration, custody evidence, HSM audit, signing telemetry, artifact lineage, impact,
 * the disclosure register, the incident roster's delegations and the response runbook options
 * (resources/demo/compromise/records/sources), written to the rehearsal volume and imported through
 * the normal path, then the packet evaluated as of the case's instant. The station computes the lanes;
 * who owns the decision is a person's call.
 */
const PACKET = 'compromise-inc-2026-0502';
const ACTOR = 'demo';
const SOURCES = import.meta.glob<string>('../../../resources/demo/compromise/records/sources/*.json', {
  query: '?raw',
  import: 'default',
  eager: true,
});
const SCENARIO = import.meta.glob<unknown>('../../../resources/demo/compromise/records/scenario.json', {
  import: 'default',
  eager: true,
});
const scenarioSchema = z.object({ asOf: isoTime, subject: z.string().min(1) });

/** The demo incident and instant (resources/demo/compromise/records/scenario.json). */
export function demoCompromiseScenario(): { asOf: string; subject: string } {
  return scenarioSchema.parse(Object.values(SCENARIO)[0]);
}

export async function demoCompromisePacket(station: Station): Promise<void> {
  const { subject } = demoCompromiseScenario();
  const media = join(station.dataDir, 'rehearsal-media', 'compromise');
  mkdirSync(media, { recursive: true, mode: 0o700 });
  createPacket(station, {
    packetId: PACKET,
    kind: 'compromise-authority',
    covers: `Which authority owns the compromise decision for incident ${subject} (release signing key K-REL-9): lanes, holders and the bounded option set.`,
    subject: { incidentId: subject },
    actor: ACTOR,
  });
  for (const [path, text] of Object.entries(SOURCES).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const file = join(media, basename(path));
    writeFileSync(file, text);
    await importRecordsFile(station, { path: file, actor: ACTOR });
  }
}

/** Evaluates the demo incident's packet, after every demo import (see evaluateDemoDeferral). */
export function evaluateDemoCompromise(station: Station): void {
  const { asOf } = demoCompromiseScenario();
  evaluatePacket(station, { packetId: PACKET, asOf, actor: ACTOR });
}
