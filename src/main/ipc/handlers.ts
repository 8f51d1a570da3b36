import type { CheckpointSignatureCheck } from '../../core/journal/checkpoint';
import { journalEntry, journalPage, listCheckpoints, verifyStationJournal } from '../services/journal';
import type { Station } from '../services/station';
import type { Handlers } from './dispatcher';

export interface HandlerContext {
  readonly station: Station;
  readonly host: 'electron' | 'browser';
  /** The identity key's checkpoint verifier, null while the station has no identity key. */
  readonly checkSignature: () => CheckpointSignatureCheck | null;
}

/** One handler per contract channel; each is a thin call into a service. */
export function createHandlers(ctx: HandlerContext): Handlers {
  const { station } = ctx;
  return {
    stationInfo: () => station.info(ctx.host),
    journalPage: ({ fromSeq, limit }) => journalPage(station, fromSeq, limit),
    journalEntry: ({ seq }) => journalEntry(station, seq),
    journalVerify: () => verifyStationJournal(station, ctx.checkSignature()),
    journalCheckpoints: () => listCheckpoints(station),
  };
}
