import { canonicalBytes } from '../../../core/canonical';
import { recordsFromEnvelope } from '../../../core/findings/envelope';
import type { SourceRecord } from '../../../core/findings/model';
import type { EventBody } from '../../../core/journal/events';
import { journalEvents, type StoredEvent } from '../../adapters/store/repos/events';
import { latestSeqOfKind } from '../../adapters/store/repos/journal';
import type { Station } from '../../station/station';
import { sha256hex } from './records';

/**
 * First-hand records (docs/records.md, "First-hand records"): what this station witnessed itself, as
 * records of the same families imported ones belong to, so a rule weighs a fact the station saw next to
 * the same fact from a source export. They are rebuilt from the journal on every read (never stored), so
 * they can never disagree with it: each journal entry becomes one export from system `ceremony-station`,
 * exported at the entry's time, its "file" digest the digest of the entry, `firstHand: true`.
 *
 *   hsm.inventory-recorded         → hsm-key-inventory (one entry per key read back), enclave-reading
 *                                    (the token answered with its serial and firmware; each key's residency)
 *   roster.initialised/-added/-revoked → roster-snapshot (a revocation is a new version, status revoked)
 *   custody.item-registered/sealed/unsealed/transferred/inspected/media-replaced
 *                                  → custody-registry (holdings), media-lifecycle, seal-inspection
 *   quorum sessions used for an act → ceremony-log (the checked-in custodians as its operators)
 */
export const STATION_SYSTEM = 'ceremony-station';

const KINDS = [
  'hsm.inventory-recorded',
  'roster.initialised',
  'roster.custodian-added',
  'roster.custodian-revoked',
  'custody.item-registered',
  'custody.sealed',
  'custody.unsealed',
  'custody.transferred',
  'custody.inspected',
  'custody.media-replaced',
  'quorum.session-opened',
  'quorum.checked-in',
  'quorum.session-closed',
] as const;
type Kind = (typeof KINDS)[number];

/**
 * The families each first-hand kind can feed. An event of one of these kinds after an evaluation means
 * the station's own facts moved under it, even when the event makes no record the rules read yet (an
 * unseal by the same holder, an inspection of an item that is no medium): the evaluation is STALE.
 */
const FEEDS: Readonly<Record<Kind, readonly string[]>> = {
  'hsm.inventory-recorded': ['hsm-key-inventory', 'enclave-reading'],
  'roster.initialised': ['roster-snapshot'],
  'roster.custodian-added': ['roster-snapshot'],
  'roster.custodian-revoked': ['roster-snapshot'],
  'custody.item-registered': ['custody-registry', 'media-lifecycle', 'seal-inspection'],
  'custody.sealed': ['custody-registry', 'media-lifecycle', 'seal-inspection'],
  'custody.unsealed': ['custody-registry', 'media-lifecycle', 'seal-inspection'],
  'custody.transferred': ['custody-registry', 'media-lifecycle', 'seal-inspection'],
  'custody.inspected': ['custody-registry', 'media-lifecycle', 'seal-inspection'],
  'custody.media-replaced': ['custody-registry', 'media-lifecycle', 'seal-inspection'],
  // A quorum session becomes a ceremony-log record only when it is closed (used for an act): opening
  // one and checking in change no fact the rules read.
  'quorum.session-opened': [],
  'quorum.checked-in': [],
  'quorum.session-closed': ['ceremony-log'],
};

/** Whether the journal holds, after `seq`, an event of a kind that feeds any of these families. */
export function firstHandEventsAfter(station: Station, families: readonly string[], seq: number): boolean {
  const kinds = KINDS.filter((k) => FEEDS[k].some((f) => families.includes(f)));
  return kinds.some((k) => (latestSeqOfKind(station.store.db, k) ?? 0) > seq);
}

/**
 * The name a key goes by in first-hand records (inventory, enclave readings) and in what a declaration
 * names: organisations name keys by label; an unlabelled key is known by its CKA_ID.
 */
export const readBackKeyName = (k: { readonly label: string; readonly id: string }): string =>
  k.label.trim() === '' ? k.id : k.label;

/** A first-hand record and the journal entry it was made from (STALE judges by that seq). */
export interface FirstHandRecord {
  readonly seq: number;
  readonly record: SourceRecord;
}

type Residency = 'hsm-resident' | 'hsm-wrapped-export' | 'software' | 'unknown';
/**
 * The station's residency verdict in the family's words: RESIDENT is generated and held non-extractable;
 * EXPOSABLE can leave the token wrapped; UNPROTECTED can leave it in the clear (as good as software);
 * anything else (imported, session-only, unread) is not shown HSM-backed.
 */
/** The residency verdict in the enclave-reading family's words (only RESIDENT is resident). */
const READ_RESIDENCY: Record<string, 'resident' | 'exportable'> = {
  RESIDENT: 'resident',
  EXPOSABLE: 'exportable',
  UNPROTECTED: 'exportable',
};

const RESIDENCY: Record<string, Residency> = {
  RESIDENT: 'hsm-resident',
  EXPOSABLE: 'hsm-wrapped-export',
  UNPROTECTED: 'software',
};

/** custody.item-registered kinds in the custody-registry family's words. */
const ITEM_KIND = {
  hsm: 'other',
  'backup-token': 'backup-token',
  'escrow-envelope': 'escrow-envelope',
  'share-media': 'escrow-media',
  other: 'other',
} as const;
/** Items whose seal and lifecycle the escrow rules judge (an HSM in a rack is not escrow media). */
const MEDIA_KINDS = new Set(['backup-token', 'escrow-envelope', 'share-media']);

/** Ceremony kinds by the operation a quorum session was bound to (`<name>:<binding>`). */
function ceremonyKind(operation: string): 'quorum-change' | 'key-generation' | 'signing' | 'other' {
  const name = operation.slice(0, operation.indexOf(':'));
  if (name.startsWith('roster')) return 'quorum-change';
  if (name.includes('generate') || name.includes('keygen')) return 'key-generation';
  if (name.includes('sign')) return 'signing';
  return 'other';
}

/**
 * Every first-hand record of the given families, in journal order. Pure over the journal: the same
 * journal gives the same records and digests.
 */
export function firstHandRecords(station: Station, families: readonly string[]): FirstHandRecord[] {
  const wanted = new Set(families);
  const out: FirstHandRecord[] = [];
  const emit = (e: StoredEvent<Kind>, family: string, records: Record<string, unknown>[]) => {
    if (!wanted.has(family) || records.length === 0) return;
    const digest = sha256hex(canonicalBytes({ seq: e.seq, kind: e.kind, at: e.at, body: e.body }));
    const envelope = { family, system: STATION_SYSTEM, exportedAt: e.at, records };
    const name = `journal-${e.seq}-${family}`;
    for (const record of recordsFromEnvelope(envelope, { sha256: digest, name }, sha256hex, true))
      out.push({ seq: e.seq, record });
  };

  type Custodian = EventBody<'roster.custodian-added'>['custodian'];
  const rosterEntry = (c: Custodian, at: string, status: 'active' | 'revoked', until: string) => ({
    entryId: `roster-${c.custodianId}`,
    person: c.name,
    roles: c.roles,
    validFrom: c.validFrom,
    validUntil: until,
    status,
    snapshotAt: at,
  });
  const custodians = new Map<string, Custodian>();
  const items = new Map<
    string,
    { kind: string; holding: { id: string; holder: string; since: string } | null }
  >();
  let sealedBefore = new Set<string>();
  const sessions = new Map<string, { opened: EventBody<'quorum.session-opened'>; checkedIn: string[] }>();
  /** Per token serial, every private key name its read-backs have found (for absent readings). */
  const keysSeen = new Map<string, Set<string>>();

  const holdingChange = (e: StoredEvent<Kind>, itemId: string, holder: string) => {
    const item = items.get(itemId);
    if (!item) return;
    const kind = ITEM_KIND[item.kind as keyof typeof ITEM_KIND];
    const prev = item.holding;
    if (prev && prev.holder.trim().toLowerCase() === holder.trim().toLowerCase()) return;
    const records: Record<string, unknown>[] = [];
    // The ended holding is a new version of its record (until set), exported when it ended.
    if (prev)
      records.push({
        holdingId: prev.id,
        itemId,
        itemKind: kind,
        holder: prev.holder,
        since: prev.since,
        until: e.at,
      });
    const next = { id: `${itemId}@${e.seq}`, holder, since: e.at };
    records.push({ holdingId: next.id, itemId, itemKind: kind, holder, since: e.at, until: null });
    item.holding = next;
    emit(e, 'custody-registry', records);
  };
  const lifecycle = (e: StoredEvent<Kind>, itemId: string, event: string, bagSerial: string | null) => {
    if (!MEDIA_KINDS.has(items.get(itemId)?.kind ?? '')) return;
    emit(e, 'media-lifecycle', [
      { eventId: `${itemId}@${e.seq}`, mediaId: itemId, event, bagSerial, at: e.at },
    ]);
  };

  for (const e of journalEvents(station.store.db, KINDS)) {
    const ev = e as StoredEvent<Kind>;
    switch (e.kind) {
      case 'hsm.inventory-recorded': {
        const b = e.body as EventBody<'hsm.inventory-recorded'>;
        emit(
          ev,
          'hsm-key-inventory',
          b.keys.map((k) => ({
            entryId: `inv-${e.seq}-${k.id}`,
            keyId: readBackKeyName(k),
            label: readBackKeyName(k),
            hsmSerial: b.token.serial,
            residency: RESIDENCY[k.residency ?? ''] ?? 'unknown',
            // The read-back cannot tell production from test keys; the attestation's scope decides.
            production: false,
            purpose: `read back from token ${b.token.serial} by the station`,
            observedAt: e.at,
          })),
        );
        // The same read-back is a live readiness reading of the enclave: the token answered with this
        // serial and firmware, and each private key's residency as read (workflow 003). A key an
        // earlier read of this token found and this one does not is read as absent (never left standing
        // as resident).
        const firmware = b.token.firmware.trim() === '' ? null : b.token.firmware;
        const names = b.keys.filter((k) => k.hasPrivate).map((k) => ({ k, name: readBackKeyName(k) }));
        const seen = keysSeen.get(b.token.serial) ?? new Set<string>();
        const now = new Set(names.map((n) => n.name));
        emit(ev, 'enclave-reading', [
          ...names.map(({ k, name }) => ({
            readingId: `read-${e.seq}-${k.id}`,
            hsmSerial: b.token.serial,
            present: true,
            firmwareVersion: firmware,
            keyId: name,
            keyResidency: READ_RESIDENCY[k.residency ?? ''] ?? 'unknown',
            spkiSha256: k.spkiSha256,
            readAt: e.at,
          })),
          ...[...seen]
            .filter((name) => !now.has(name))
            .sort()
            .map((name) => ({
              readingId: `read-${e.seq}-gone-${name}`.slice(0, 120),
              hsmSerial: b.token.serial,
              present: true,
              firmwareVersion: firmware,
              keyId: name,
              keyResidency: 'absent',
              readAt: e.at,
            })),
        ]);
        keysSeen.set(b.token.serial, new Set([...seen, ...now]));
        break;
      }
      case 'roster.initialised': {
        const b = e.body as EventBody<'roster.initialised'>;
        for (const c of b.custodians) custodians.set(c.custodianId, c);
        emit(
          ev,
          'roster-snapshot',
          b.custodians.map((c) => rosterEntry(c, e.at, 'active', c.validUntil)),
        );
        break;
      }
      case 'roster.custodian-added': {
        const c = (e.body as EventBody<'roster.custodian-added'>).custodian;
        custodians.set(c.custodianId, c);
        emit(ev, 'roster-snapshot', [rosterEntry(c, e.at, 'active', c.validUntil)]);
        break;
      }
      case 'roster.custodian-revoked': {
        const c = custodians.get((e.body as EventBody<'roster.custodian-revoked'>).custodianId);
        if (c) emit(ev, 'roster-snapshot', [rosterEntry(c, e.at, 'revoked', e.at)]);
        break;
      }
      case 'custody.item-registered': {
        const b = e.body as EventBody<'custody.item-registered'>;
        items.set(b.itemId, { kind: b.itemKind, holding: null });
        lifecycle(ev, b.itemId, 'issued', null);
        break;
      }
      case 'custody.sealed': {
        const b = e.body as EventBody<'custody.sealed'>;
        lifecycle(ev, b.itemId, sealedBefore.has(b.itemId) ? 'resealed' : 'sealed', b.bagSerial);
        sealedBefore = new Set([...sealedBefore, b.itemId]);
        holdingChange(ev, b.itemId, b.holder);
        break;
      }
      case 'custody.unsealed': {
        const b = e.body as EventBody<'custody.unsealed'>;
        holdingChange(ev, b.itemId, b.holder);
        break;
      }
      case 'custody.transferred': {
        const b = e.body as EventBody<'custody.transferred'>;
        holdingChange(ev, b.itemId, b.to);
        break;
      }
      case 'custody.inspected': {
        const b = e.body as EventBody<'custody.inspected'>;
        if (!MEDIA_KINDS.has(items.get(b.itemId)?.kind ?? '')) break;
        emit(ev, 'seal-inspection', [
          {
            inspectionId: `${b.itemId}@${e.seq}`,
            mediaId: b.itemId,
            bagSerial: b.bagSerialObserved,
            inspector: b.inspector,
            at: e.at,
            result: b.sealIntact ? 'intact' : 'tampered',
          },
        ]);
        break;
      }
      case 'custody.media-replaced': {
        lifecycle(ev, (e.body as EventBody<'custody.media-replaced'>).itemId, 'replaced', null);
        break;
      }
      case 'quorum.session-opened': {
        const b = e.body as EventBody<'quorum.session-opened'>;
        sessions.set(b.sessionId, { opened: b, checkedIn: [] });
        break;
      }
      case 'quorum.checked-in': {
        const b = e.body as EventBody<'quorum.checked-in'>;
        sessions.get(b.sessionId)?.checkedIn.push(b.custodianId);
        break;
      }
      case 'quorum.session-closed': {
        const b = e.body as EventBody<'quorum.session-closed'>;
        const s = sessions.get(b.sessionId);
        if (!s || b.reason !== 'used' || s.checkedIn.length === 0) break;
        // The quorum the station verified: each checked-in custodian acted, under the roles held then.
        const participants = [...new Set(s.checkedIn)].flatMap((id) => {
          const c = custodians.get(id);
          return c ? [{ person: c.name, role: c.roles[0] ?? 'key-custodian', act: 'operator' }] : [];
        });
        if (participants.length === 0) break;
        emit(ev, 'ceremony-log', [
          {
            ceremonyId: `${s.opened.ceremonyId}/${s.opened.step}@${e.seq}`,
            at: e.at,
            kind: ceremonyKind(b.usedFor ?? s.opened.operation),
            keyId: null,
            participants,
            changeRef: s.opened.ceremonyId,
            outcome: 'completed',
          },
        ]);
        break;
      }
    }
  }
  return out;
}
