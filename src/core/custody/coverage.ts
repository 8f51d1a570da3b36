import { rosterStatus, type RosterEntry } from './roster';

/**
 * Signer coverage by shift: for each day and shift, which rostered signers are available (and valid on
 * that day), and whether they make a quorum. Check ID: COVERAGE-QUORUM.
 */
export interface Availability {
  readonly custodianId: string;
  readonly date: string;
  readonly shift: string;
  readonly available: boolean;
}

export interface CoverageCell {
  readonly date: string;
  readonly shift: string;
  readonly available: readonly string[];
  readonly covered: boolean;
}

/** Later records for the same custodian, day and shift replace earlier ones (journal order). */
export function coverageGrid(
  dates: readonly string[],
  shifts: readonly string[],
  roster: readonly RosterEntry[],
  records: readonly Availability[],
  threshold: number,
): CoverageCell[] {
  const latest = new Map<string, boolean>();
  for (const r of records) latest.set(`${r.date}|${r.shift}|${r.custodianId}`, r.available);
  const cells: CoverageCell[] = [];
  for (const date of dates) {
    const noon = `${date}T12:00:00.000Z`;
    for (const shift of shifts) {
      const available = roster
        .filter(
          (e) =>
            rosterStatus(e, noon) === 'VALID' && latest.get(`${date}|${shift}|${e.custodianId}`) === true,
        )
        .map((e) => e.custodianId);
      cells.push({ date, shift, available, covered: available.length >= threshold });
    }
  }
  return cells;
}

/** Consecutive ISO dates starting at `from`. */
export function dateRange(from: string, days: number): string[] {
  const start = Date.parse(`${from}T00:00:00.000Z`);
  return Array.from({ length: days }, (_, i) => new Date(start + i * 86_400_000).toISOString().slice(0, 10));
}
