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
import { EVENT_BODIES, journalTime } from '../../../core/journal/events';
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

/** The first seal of an item, as `custody seal` takes it: the bag, where it is kept, who holds it, witnesses. */
export interface FirstSeal {
  readonly bagSerial: string;
  readonly location: string;
  readonly holder: string;
  readonly witnesses: readonly string[];
}

/**
 * Registers a custody item under a named person and, when given, its first seal with it: both entries
 * are recorded together or not at all. An id already registered is CUSTODY_ITEM_EXISTS at `itemId`,
 * checked inside the write (another process, the CLI beside `station serve`, may register it meanwhile).
 */
export function registerCustodyItem(
  station: Station,
  opts: {
    itemId: string;
    itemKind: 'hsm' | 'backup-token' | 'escrow-envelope' | 'share-media' | 'other';
    description: string;
    seal?: FirstSeal;
    actor: string;
  },
): CustodyView {
  const { itemId, itemKind, description, seal, actor } = opts;
  const refuseDuplicate = () => {
    if (itemExists(station, itemId))
      throw stationError('CUSTODY_ITEM_EXISTS', `custody item ${itemId} is already registered`, {
        field: 'itemId',
      });
  };
  station.record(
    [
      { kind: 'custody.item-registered', actor, body: { itemId, itemKind, description } },
      ...(seal
        ? [
            {
              kind: 'custody.sealed' as const,
              actor,
              body: { itemId, ...seal, witnesses: [...seal.witnesses] },
            },
          ]
        : []),
    ],
    refuseDuplicate,
  );
  return custodyItem(station, itemId);
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
  return custodyItem(station, itemId);
}

function custodyItem(station: Station, itemId: string): CustodyView {
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

/**
 * Records a rostered signer's availability for one day and shift, under the person who records it (the
 * station has no rule that only the signer may state their own availability: the CLI and the console
 * both record whoever states it, and the grid shows who set each statement). Returns the cell as it is
 * now.
 */
export function setAvailability(station: Station, a: Availability, actor: string): CoverageCellView {
  if (!rosterEntries(station).some((e) => e.custodianId === a.custodianId)) {
    throw stationError('CUSTODIAN_NOT_FOUND', `${a.custodianId} is not on the roster`, {
      field: 'custodianId',
    });
  }
  station.record([{ kind: 'coverage.availability-set', actor, body: { ...a } }]);
  return coverage(station, { from: a.date, days: 1, shifts: [a.shift] }).cells[0] as CoverageCellView;
}

/** One statement of availability as the journal holds it: whose, which way, and who recorded it when. */
export interface AvailabilityStatement {
  readonly custodianId: string;
  readonly available: boolean;
  readonly actor: string;
  readonly seq: number;
  readonly at: string;
}

/** A coverage cell with the latest statement of each custodian for it (COVERAGE-QUORUM counts `available`). */
export interface CoverageCellView extends CoverageCell {
  readonly statements: readonly AvailabilityStatement[];
}

const AVAILABILITY_KIND = 'coverage.availability-set';

/** The latest statement per custodian, day and shift, read from the journal with who recorded it. */
function latestStatements(station: Station): Map<string, AvailabilityStatement[]> {
  const { rows } = station.journal.filteredPage(
    { kinds: [AVAILABILITY_KIND], actor: null, fromSeq: 1, toSeq: Number.MAX_SAFE_INTEGER },
    { fromSeq: 1, offset: 0, limit: Number.MAX_SAFE_INTEGER },
  );
  const latest = new Map<string, AvailabilityStatement & { date: string; shift: string }>();
  for (const row of rows) {
    const body = EVENT_BODIES[AVAILABILITY_KIND].parse(JSON.parse(new TextDecoder().decode(row.body)));
    latest.set(`${body.date}|${body.shift}|${body.custodianId}`, {
      date: body.date,
      shift: body.shift,
      custodianId: body.custodianId,
      available: body.available,
      actor: row.actor,
      seq: row.seq,
      at: row.at,
    });
  }
  const byCell = new Map<string, AvailabilityStatement[]>();
  for (const { date, shift, ...statement } of latest.values()) {
    const key = `${date}|${shift}`;
    byCell.set(key, [...(byCell.get(key) ?? []), statement]);
  }
  return byCell;
}

/** The coverage grid for `days` days from `from`, with the roster's quorum as the threshold. */
export function coverage(
  station: Station,
  { from, days, shifts }: { from: string; days: number; shifts: readonly string[] },
): { threshold: number; cells: CoverageCellView[] } {
  const policy = rosterPolicy(station);
  if (!policy) throw stationError('ROSTER_MISSING', 'coverage needs an approved roster', {});
  const records = availabilityRows(station.store.db);
  const statements = latestStatements(station);
  return {
    threshold: policy.quorum,
    cells: coverageGrid(dateRange(from, days), shifts, rosterEntries(station), records, policy.quorum).map(
      (c) => ({
        ...c,
        statements: (statements.get(`${c.date}|${c.shift}`) ?? []).sort((a, b) =>
          a.custodianId < b.custodianId ? -1 : a.custodianId > b.custodianId ? 1 : 0,
        ),
      }),
    ),
  };
}
