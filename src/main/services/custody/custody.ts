import {
  custodyState,
  DEFAULT_CUSTODY_POLICY,
  type CustodyEvent,
  type CustodyState,
} from '../../../core/custody/custody-log';
import {
  coverageGrid,
  dateRange,
  type Availability,
  type CoverageCell,
} from '../../../core/custody/coverage';
import { journalTime } from '../../../core/journal/events';
import {
  availabilityRows,
  custodyEventRows,
  custodyItemExists,
  custodyItemIds,
} from '../../adapters/store/repos/custody';
import { stationError } from '../../errors';
import { rosterEntries, rosterPolicy } from '../custodians/queries';
import type { Station } from '../../station/station';

export type CustodyAct =
  | { type: 'sealed'; bagSerial: string; location: string; holder: string; witnesses: string[] }
  | { type: 'unsealed'; bagSerialObserved: string; reason: string; holder: string }
  | { type: 'transferred'; bagSerialObserved: string; from: string; to: string; location: string }
  | { type: 'inspected'; bagSerialObserved: string; sealIntact: boolean; inspector: string; note: string }
  | { type: 'media-replaced'; note: string };

function itemExists(station: Station, itemId: string): boolean {
  return custodyItemExists(station.store.db, itemId);
}

export function registerCustodyItem(
  station: Station,
  opts: {
    itemId: string;
    itemKind: 'hsm' | 'backup-token' | 'escrow-envelope' | 'share-media' | 'other';
    description: string;
    actor: string;
  },
): void {
  if (itemExists(station, opts.itemId))
    throw stationError('CUSTODY_ITEM_EXISTS', `custody item ${opts.itemId} is already registered`, {
      field: 'itemId',
    });
  station.record([
    {
      kind: 'custody.item-registered',
      actor: opts.actor,
      body: { itemId: opts.itemId, itemKind: opts.itemKind, description: opts.description },
    },
  ]);
}

/** Records one custody act (seal, unseal, transfer, inspection, media replacement) by a named person. */
export function recordCustodyAct(
  station: Station,
  { itemId, act, actor }: { itemId: string; act: CustodyAct; actor: string },
): CustodyView {
  if (!itemExists(station, itemId))
    throw stationError('CUSTODY_ITEM_NOT_FOUND', `no custody item ${itemId}`, { field: 'itemId' });
  const { type, ...fields } = act;
  station.record([
    { kind: `custody.${type}`, actor, body: { itemId, ...fields } } as Parameters<
      Station['record']
    >[0][number],
  ]);
  return custodyItems(station).find((i) => i.itemId === itemId) as CustodyView;
}

export interface CustodyView extends CustodyState {
  readonly itemId: string;
  readonly events: readonly (CustodyEvent & { readonly actor: string })[];
}

export function custodyItems(
  station: Station,
  maxInspectionAgeDays = DEFAULT_CUSTODY_POLICY.maxInspectionAgeDays,
): CustodyView[] {
  const now = journalTime(station.deps.clock());
  return custodyItemIds(station.store.db).map((itemId) => {
    const events = custodyEventRows(station.store.db, itemId);
    return { itemId, ...custodyState(events, { maxInspectionAgeDays }, now), events };
  });
}

export function setAvailability(station: Station, a: Availability, actor: string): void {
  if (!rosterEntries(station).some((e) => e.custodianId === a.custodianId)) {
    throw stationError('CUSTODIAN_NOT_FOUND', `${a.custodianId} is not on the roster`, {
      field: 'custodianId',
    });
  }
  station.record([{ kind: 'coverage.availability-set', actor, body: { ...a } }]);
}

/** The coverage grid for `days` days from `from`, with the roster's quorum as the threshold. */
export function coverage(
  station: Station,
  { from, days, shifts }: { from: string; days: number; shifts: readonly string[] },
): { threshold: number; cells: CoverageCell[] } {
  const policy = rosterPolicy(station);
  if (!policy) throw stationError('ROSTER_MISSING', 'coverage needs an approved roster', {});
  const records = availabilityRows(station.store.db);
  return {
    threshold: policy.quorum,
    cells: coverageGrid(dateRange(from, days), shifts, rosterEntries(station), records, policy.quorum),
  };
}
