/**
 * Custody of sealed media and devices, computed from the item's events in journal order.
 *
 * Check IDs:
 *   CUST-SEAL-MATCH        every observed bag serial equals the serial the item was last sealed in
 *   CUST-SEAL-INTACT       every inspection found the seal intact
 *   CUST-INSPECTION-FRESH  the last inspection is after the last media replacement and within the
 *                          policy's maximum age
 */
export type CustodyEvent =
  | {
      readonly type: 'registered';
      readonly seq: number;
      readonly at: string;
      readonly itemKind: string;
      readonly description: string;
    }
  | {
      readonly type: 'sealed';
      readonly seq: number;
      readonly at: string;
      readonly bagSerial: string;
      readonly location: string;
      readonly holder: string;
      readonly witnesses: readonly string[];
    }
  | {
      readonly type: 'unsealed';
      readonly seq: number;
      readonly at: string;
      readonly bagSerialObserved: string;
      readonly reason: string;
      readonly holder: string;
    }
  | {
      readonly type: 'transferred';
      readonly seq: number;
      readonly at: string;
      readonly bagSerialObserved: string;
      readonly from: string;
      readonly to: string;
      readonly location: string;
    }
  | {
      readonly type: 'inspected';
      readonly seq: number;
      readonly at: string;
      readonly bagSerialObserved: string;
      readonly sealIntact: boolean;
      readonly inspector: string;
      readonly note: string;
    }
  | { readonly type: 'media-replaced'; readonly seq: number; readonly at: string; readonly note: string };

export interface CustodyPolicy {
  /** An inspection older than this is stale. */
  readonly maxInspectionAgeDays: number;
}

export const DEFAULT_CUSTODY_POLICY: CustodyPolicy = { maxInspectionAgeDays: 90 };

export interface CustodyBreak {
  readonly seq: number;
  readonly at: string;
  readonly check: 'CUST-SEAL-MATCH' | 'CUST-SEAL-INTACT';
  readonly expected: string | null;
  readonly observed: string;
  readonly message: string;
}

export interface CustodyState {
  readonly itemKind: string | null;
  readonly description: string | null;
  readonly sealed: boolean;
  /** The serial of the bag the item was last sealed in. */
  readonly bagSerial: string | null;
  readonly location: string | null;
  readonly holder: string | null;
  readonly lastInspection: { readonly seq: number; readonly at: string } | null;
  readonly lastMediaReplacement: { readonly seq: number; readonly at: string } | null;
  readonly inspection: {
    readonly status: 'SATISFIED' | 'STALE' | 'MISSING';
    readonly check: 'CUST-INSPECTION-FRESH';
    readonly reason: string;
  };
  readonly breaks: readonly CustodyBreak[];
  /** READY: sealed, intact, freshly inspected. HOLD: stale or missing inspection. BLOCKED: a custody break. */
  readonly status: 'READY' | 'HOLD' | 'BLOCKED';
}

const DAY_MS = 86_400_000;

export function custodyState(
  events: readonly CustodyEvent[],
  policy: CustodyPolicy,
  now: string,
): CustodyState {
  let itemKind: string | null = null;
  let description: string | null = null;
  let sealed = false;
  let bagSerial: string | null = null;
  let location: string | null = null;
  let holder: string | null = null;
  let lastInspection: CustodyState['lastInspection'] = null;
  let lastMediaReplacement: CustodyState['lastMediaReplacement'] = null;
  const breaks: CustodyBreak[] = [];

  const observe = (e: { seq: number; at: string; bagSerialObserved: string }) => {
    if (bagSerial !== null && e.bagSerialObserved !== bagSerial) {
      breaks.push({
        seq: e.seq,
        at: e.at,
        check: 'CUST-SEAL-MATCH',
        expected: bagSerial,
        observed: e.bagSerialObserved,
        message: `bag serial ${e.bagSerialObserved} does not match the recorded ${bagSerial}: custody break`,
      });
    }
  };

  let lastSealSeq = 0;
  for (const e of events) {
    switch (e.type) {
      case 'registered':
        itemKind = e.itemKind;
        description = e.description;
        break;
      case 'sealed':
        lastSealSeq = e.seq;
        sealed = true;
        bagSerial = e.bagSerial;
        location = e.location;
        holder = e.holder;
        break;
      case 'unsealed':
        observe(e);
        sealed = false;
        holder = e.holder;
        break;
      case 'transferred':
        observe(e);
        holder = e.to;
        location = e.location;
        break;
      case 'inspected':
        observe(e);
        if (!e.sealIntact) {
          breaks.push({
            seq: e.seq,
            at: e.at,
            check: 'CUST-SEAL-INTACT',
            expected: null,
            observed: 'seal not intact',
            message: `the inspection at journal seq ${e.seq} (inspector named in it: ${e.inspector}) found the seal broken`,
          });
        }
        lastInspection = { seq: e.seq, at: e.at };
        break;
      case 'media-replaced':
        lastMediaReplacement = { seq: e.seq, at: e.at };
        break;
      default: {
        const never: never = e;
        throw new Error(`unknown custody event ${JSON.stringify(never)}`);
      }
    }
  }

  let inspection: CustodyState['inspection'];
  // After a custody break only an inspection of a new seal (sealed after the break) is clean: one that
  // found the break, came before it, or ticked "intact" on the seal that was broken attests nothing —
  // the worst true state wins, never SATISFIED.
  const lastBreak = breaks.at(-1);
  if (lastInspection === null) {
    inspection = { status: 'MISSING', check: 'CUST-INSPECTION-FRESH', reason: 'never inspected' };
  } else if (lastBreak !== undefined && !(lastSealSeq > lastBreak.seq && lastInspection.seq > lastSealSeq)) {
    inspection = {
      status: 'STALE',
      check: 'CUST-INSPECTION-FRESH',
      reason: `no clean inspection since the custody break at seq ${lastBreak.seq} (${lastBreak.check})`,
    };
  } else if (lastMediaReplacement !== null && lastInspection.seq < lastMediaReplacement.seq) {
    inspection = {
      status: 'STALE',
      check: 'CUST-INSPECTION-FRESH',
      reason: `last inspection (${lastInspection.at.slice(0, 10)}) predates the media replacement of ${lastMediaReplacement.at.slice(0, 10)}`,
    };
  } else if (Date.parse(now) - Date.parse(lastInspection.at) > policy.maxInspectionAgeDays * DAY_MS) {
    inspection = {
      status: 'STALE',
      check: 'CUST-INSPECTION-FRESH',
      reason: `last inspection ${lastInspection.at.slice(0, 10)} is older than ${policy.maxInspectionAgeDays} days`,
    };
  } else {
    inspection = {
      status: 'SATISFIED',
      check: 'CUST-INSPECTION-FRESH',
      reason: `inspected ${lastInspection.at.slice(0, 10)}`,
    };
  }
  const status =
    breaks.length > 0 ? 'BLOCKED' : inspection.status !== 'SATISFIED' || !sealed ? 'HOLD' : 'READY';
  return {
    itemKind,
    description,
    sealed,
    bagSerial,
    location,
    holder,
    lastInspection,
    lastMediaReplacement,
    inspection,
    breaks,
    status,
  };
}
