import { join } from 'node:path';
import { evaluatePacket } from '../../src/main/services/packets/packets';
import { importRecordsFile } from '../../src/main/services/records/records';
import type { Station } from '../../src/main/station/station';

/**
 * The demo deferral packet (src/main/demo/deferral.ts) opens at hold-source-completion: the primary HSM's
 * latest firmware attestation is a mismatch (DEF-HSM-ATTEST) and the replacement ceremony's firmware
 * readiness re-ran not-ready (DEF-READINESS). The two exports in tests/fixtures/deferral-resolve are what
 * resolves that hold the only way a person can: a later passing attestation and a ready re-check,
 * imported as records. Evaluated again at the case's instant the outcome is handoff-with-exceptions,
 * carrying the two findings the policy lets a handoff carry (a stale custody attestation, a partial
 * signer set) — each must be acknowledged by the person handing off.
 */
export const DEMO_PACKET = 'deferral-rsk-2024';
export const DEMO_SUBJECT = 'DR-2026-117';
export const DEMO_AS_OF = '2026-12-01T12:00:00.000Z';
export const RESOLVING_RECORDS = ['hsm-attestation-repass.json', 'readiness-ready.json'].map((f) =>
  join(import.meta.dirname, '..', 'fixtures', 'deferral-resolve', f),
);
/** The blocking findings left after the hold is resolved, each of a category the policy allows. */
export const DEMO_EXCEPTIONS = [
  { checkId: 'DEF-CUSTODY-FRESH', subject: 'BT-0412-3', category: 'stale' },
  { checkId: 'DEF-SIGNERS', subject: 'CER-ROT-2027-02/key-operator', category: 'partial' },
] as const;
/** The same as `station packet handoff --acknowledge` arguments. */
export const DEMO_ACK_ARGS = DEMO_EXCEPTIONS.flatMap((f) => ['--acknowledge', `${f.checkId}:${f.subject}`]);
export const DEMO_ACKS = DEMO_EXCEPTIONS.map(({ checkId, subject }) => ({ checkId, subject }));

/** Imports the resolving records and evaluates the demo packet again (in process). */
export async function resolveDemoHold(station: Station, actor = 'operator:pat'): Promise<void> {
  for (const path of RESOLVING_RECORDS) await importRecordsFile(station, { path, actor });
  evaluatePacket(station, { packetId: DEMO_PACKET, asOf: DEMO_AS_OF, actor });
}

/** The same through the built CLI: `station records import` each file, then `station packet evaluate`. */
export function resolveDemoHoldArgs(packetId = DEMO_PACKET): string[][] {
  return [
    ...RESOLVING_RECORDS.map((path) => ['records', 'import', path]),
    ['packet', 'evaluate', packetId, '--as-of', DEMO_AS_OF],
  ];
}

/**
 * `station custody unseal` of the demo's primary HSM by its own holder: a custody act that changes the
 * station's own facts yet makes no record the attestation rules read (its evaluation goes STALE).
 */
export const UNSEAL_PRIMARY_BY_HOLDER = [
  'custody',
  'unseal',
  '--item',
  'hsm-primary',
  '--bag',
  'TB-104233',
  '--reason',
  'firmware check',
  '--holder',
  'Alice Adams',
];
