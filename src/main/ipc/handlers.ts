import { journalSignatureCheck, signCheckpoint } from '../services/identity';
import { journalEntry, journalPage, listCheckpoints, verifyStationJournal } from '../services/journal';
import type { Station } from '../services/station';
import type { Handlers } from './dispatcher';

export interface HandlerContext {
  readonly station: Station;
  readonly host: 'electron' | 'browser';
}

/** One handler per contract channel; each is a thin call into a service. */
export function createHandlers(ctx: HandlerContext): Handlers {
  const { station } = ctx;
  return {
    stationInfo: () => station.info(ctx.host),
    journalPage: ({ fromSeq, limit }) => journalPage(station, fromSeq, limit),
    journalEntry: ({ seq }) => journalEntry(station, seq),
    journalVerify: () => verifyStationJournal(station, journalSignatureCheck(station)),
    journalCheckpoints: () => listCheckpoints(station),
    journalCheckpoint: ({ pin }) => signCheckpoint(station, pin),
  };
}
