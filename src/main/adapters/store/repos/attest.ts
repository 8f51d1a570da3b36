import type Database from 'better-sqlite3';
import { journalEvents, type StoredEvent } from './events';

/**
 * What custody attestation reads from the journal itself (it keeps no projection): HSM inventories,
 * roster changes, and a packet's evaluations and the owner's decisions — each body parsed by the event
 * catalogue, so the evaluation never works on a shape it was not promised.
 */

export function inventoryEvents(db: Database.Database): StoredEvent<'hsm.inventory-recorded'>[] {
  return journalEvents(db, ['hsm.inventory-recorded']);
}

export const ROSTER_CHANGE_KINDS = [
  'roster.initialised',
  'roster.custodian-added',
  'roster.custodian-revoked',
] as const;

export function rosterChangeEvents(
  db: Database.Database,
): StoredEvent<(typeof ROSTER_CHANGE_KINDS)[number]>[] {
  return journalEvents(db, ROSTER_CHANGE_KINDS);
}

/** The packet's recorded evaluations, oldest first. */
export function evaluationEvents(
  db: Database.Database,
  packetId: string,
): StoredEvent<'attestation.evaluated'>[] {
  return journalEvents(db, ['attestation.evaluated']).filter((e) => e.body.packetId === packetId);
}

/** The owner's decisions on the packet's evaluations, oldest first. */
export function decisionEvents(
  db: Database.Database,
  packetId: string,
): StoredEvent<'attestation.decided'>[] {
  return journalEvents(db, ['attestation.decided']).filter((e) => e.body.packetId === packetId);
}
