import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { evaluateAttestation } from '../services/attest';
import { recordInventory } from '../services/devices';
import { journalIdentity } from '../services/identity/queries';
import { createPacket, importEvidenceFile } from '../services/packets';
import type { Station } from '../station/station';

/**
 * The demo's custody attestation (workflow B): a fresh HSM inventory of the station token, the records a
 * release security owner brings (key register, ceremony log, exception records, signing-path inventory)
 * written to the rehearsal volume and imported from there, and one evaluation. The gaps come from
 * first-hand data: a ceremony log naming a temporary operator who is not on the roster, the backup
 * token's inspection that predates its media replacement (the demo custody log), and a newly added
 * hotfix-signing path the legacy bridge's exception does not list.
 */
const PACKET = 'attest-release-2026-q4';
/** The owner's records, with placeholders for this station's facts ({{tokenSerial}}, {{days:-9}}…). */
const TEMPLATES = import.meta.glob<string>('../../../resources/demo/attestation/*.json', {
  query: '?raw',
  import: 'default',
  eager: true,
});
const DAY = 86_400_000;

export async function demoAttestationPacket(
  station: Station,
  token: { moduleId: string; serial: string; pin: string },
): Promise<void> {
  const now = station.deps.clock().getTime();
  const at = (days: number) => new Date(now + days * DAY).toISOString();
  recordInventory(station, { ...token, actor: 'demo' });
  const identity = journalIdentity(station).identity;
  const rosterSeq = station.journal.eventsOfKind('roster.initialised')[0]?.seq;

  const media = join(station.dataDir, 'rehearsal-media');
  mkdirSync(media, { recursive: true, mode: 0o700 });
  const values: Record<string, string | number | null> = {
    tokenSerial: token.serial,
    identityKeyId: identity?.keyId ?? null,
    rosterSeq: rosterSeq ?? null,
  };
  const fill = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(fill);
    if (v !== null && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]));
    const [, name, days] = (typeof v === 'string' ? /^\{\{(\w+)(?::(-?\d+))?\}\}$/.exec(v) : null) ?? [];
    if (name === undefined) return v;
    if (name === 'days') return at(Number(days));
    if (!(name in values)) throw new Error(`demo template names an unknown value ${name}`);
    return values[name];
  };
  const files = Object.fromEntries(
    Object.entries(TEMPLATES).map(([path, text]) => [basename(path), fill(JSON.parse(text))]),
  );
  for (const [name, value] of Object.entries(files))
    writeFileSync(join(media, name), `${JSON.stringify(value, null, 2)}\n`);

  createPacket(station, {
    packetId: PACKET,
    kind: 'custody-attestation',
    covers:
      'Custody attestation for release signing, 2026 Q4: production keys, ceremonies, escrow media, custodians, and the legacy notarization bridge exception.',
    actor: 'demo',
  });
  const records: [string, string, string, string][] = [
    ['key-register.json', 'ev-key-register', 'Production key register', 'key-management-register'],
    ['ceremony-log.json', 'ev-ceremony-log', 'Ceremony log, 2026', 'ceremony-log'],
    ['exception-records.json', 'ev-exceptions', 'Approved exception records', 'governance-register'],
    ['signing-paths.json', 'ev-signing-paths', 'Signing-path inventory', 'signing-service-inventory'],
  ];
  for (const [name, evidenceId, title, system] of records)
    await importEvidenceFile(station, {
      packetId: PACKET,
      path: join(media, name),
      evidenceId,
      title,
      system,
      effectiveAt: at(-1),
      freshnessDays: 30,
      importedBy: 'Riley Shah (release security owner)',
      actor: 'demo',
    });
  evaluateAttestation(station, PACKET, 'demo');
}
