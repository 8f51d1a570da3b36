import type { QuorumOperation } from '../../../core/custody/operation';
import type { EventBody } from '../../../core/journal/events';
import { shareSplits, type SplitRow } from '../../adapters/store/repos/custodians';
import { stationError } from '../../errors';
import type { Station } from '../../station/station';

/** The re-issue that voided a split: the split that replaced it, when and at which journal seq. */
export interface Supersession {
  readonly splitId: string;
  readonly at: string;
  readonly seq: number;
}

/** A split as stored, and whether a re-issue voided it (then its shares open nothing). */
export type StoredSplit = SplitRow & { readonly supersededBy: Supersession | null };

/**
 * Every split, oldest first. Supersession is read from the journal's own split records (a re-issue's
 * `shares.split-created` names the split it `supersedes`), so a split can never read live once the
 * journal says it was replaced.
 */
export function splits(station: Station): StoredSplit[] {
  const voided = new Map<string, Supersession>();
  for (const e of station.journal.eventsOfKind('shares.split-created'))
    if (e.body.supersedes) voided.set(e.body.supersedes, { splitId: e.body.splitId, at: e.at, seq: e.seq });
  return shareSplits(station.store.db).map((s) => ({ ...s, supersededBy: voided.get(s.splitId) ?? null }));
}

/** A split by id, void or not (what the journal remembers of it). */
export function findSplit(station: Station, splitId: string): StoredSplit {
  const s = splits(station).find((x) => x.splitId === splitId);
  if (!s) throw stationError('SPLIT_NOT_FOUND', `no split ${splitId}`, { field: 'splitId' });
  return s;
}

/** The refusal of a void split's shares: which split replaced it, and when. */
export function splitSupersededError(split: StoredSplit, field = 'splitId') {
  const by = split.supersededBy;
  return stationError(
    'SPLIT_SUPERSEDED',
    `split ${split.splitId} of token ${split.tokenSerial} is VOID: it was superseded by split ${by?.splitId ?? '?'} on ${by?.at ?? '?'} (journal seq ${by?.seq ?? '?'}); its shares open nothing`,
    { field, splitId: split.splitId, supersededBy: by?.splitId ?? null, supersededAt: by?.at ?? null },
  );
}

/** A split whose shares still activate its token: refused (SPLIT_SUPERSEDED) once a re-issue voided it. */
export function findLiveSplit(station: Station, splitId: string): StoredSplit {
  const s = findSplit(station, splitId);
  if (s.supersededBy) throw splitSupersededError(s);
  return s;
}

/** The token's current (not superseded) split: the one whose shares its PIN is rebuilt from now. */
export function currentSplit(station: Station, serial: string): StoredSplit {
  const live = splits(station).filter((s) => s.tokenSerial === serial && !s.supersededBy);
  const [only, ...more] = live;
  if (!only)
    throw stationError('SPLIT_NOT_FOUND', `token ${serial} has no current activation split`, {
      field: 'token',
      serial,
    });
  if (more.length > 0)
    throw stationError(
      'INTERNAL',
      `token ${serial} has ${live.length} live activation splits (${live.map((s) => s.splitId).join(', ')})`,
      { serial },
    );
  return only;
}

/** The re-issue of a split: its token, and the split it would void. */
export const sharesReissueOf = (split: StoredSplit): QuorumOperation => ({
  kind: 'shares-reissue',
  tokenSerial: split.tokenSerial,
  splitId: split.splitId,
});

/**
 * The operation a re-issue's quorum session must be opened for: the token and its current split (so
 * the session authorises nothing once that split is void, nor another token's re-issue).
 */
export function sharesReissueOperation(station: Station, serial: string): QuorumOperation {
  return sharesReissueOf(currentSplit(station, serial));
}

/** True when this token's PIN is held M-of-N by custodians: only the ceremony path may log in to it. */
export function isShareActivated(station: Station, serial: string): boolean {
  return splits(station).some((s) => s.tokenSerial === serial);
}

export function assertNotShareActivated(station: Station, serial: string): void {
  if (isShareActivated(station, serial)) {
    throw stationError('QUORUM_REQUIRED', `token ${serial} is activated by custodian shares under quorum`, {
      serial,
    });
  }
}

/**
 * A re-issue recorded as about to change a token's PIN (`shares.reissue-pending`) and not resolved yet:
 * no `shares.split-created` of its split and no `shares.reissue-abandoned`. Its record is the new
 * split's (commitments only); `at`/`seq` say when it was recorded.
 */
export type PendingReissue = EventBody<'shares.reissue-pending'> & {
  readonly at: string;
  readonly seq: number;
};

/** Every unresolved re-issue, oldest first (read from the journal, as supersession is). */
export function pendingReissues(station: Station): PendingReissue[] {
  const resolved = new Set<string>();
  for (const e of station.journal.eventsOfKind('shares.split-created', 'shares.reissue-abandoned'))
    resolved.add(e.body.splitId);
  return station.journal
    .eventsOfKind('shares.reissue-pending')
    .filter((e) => !resolved.has(e.body.splitId))
    .map((e) => ({ ...e.body, at: e.at, seq: e.seq }));
}

/** The token's unresolved re-issue, if any. */
export function pendingReissueOf(station: Station, serial: string): PendingReissue | null {
  return pendingReissues(station).find((p) => p.tokenSerial === serial) ?? null;
}

/**
 * Refuses, before any login, every use of a token's shares while a re-issue of it is unresolved: its
 * PIN may be either split's secret, and a wrong guess burns a PIN attempt. Names the pending split and
 * the recovery command.
 */
export function assertNoPendingReissue(station: Station, serial: string, field = 'token'): void {
  const p = pendingReissueOf(station, serial);
  if (!p) return;
  throw stationError(
    'SHARES_REISSUE_PENDING',
    `token ${serial} has an unresolved share re-issue: split ${p.splitId} (replacing ${p.supersedes}, journal seq ${p.seq}, ${p.at}) may or may not have become its PIN; nothing was tried on the token. Run \`station shares recover --token ${serial} --share-file F …\` with ${p.threshold} shares of split ${p.splitId} or of split ${p.supersedes}`,
    { field, serial, pendingSplitId: p.splitId, supersedes: p.supersedes },
  );
}
