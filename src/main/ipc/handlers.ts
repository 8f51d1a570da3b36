import {
  createTokenCsr,
  describeModules,
  generateTokenKey,
  listTokenKeys,
  previewKey,
  recordInventory,
} from '../services/devices';
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
    devicesModules: () => describeModules(station),
    devicesKeys: ({ moduleId, serial, pin }) => listTokenKeys(station, moduleId, serial, pin),
    devicesRecordInventory: ({ moduleId, serial, pin, actor }) =>
      recordInventory(station, { moduleId, serial, pin, actor }),
    devicesPreviewKey: ({ key }) => previewKey(key),
    devicesGenerateKey: ({ moduleId, serial, pin, key, actor }) =>
      generateTokenKey(station, { moduleId, serial, pin, key, actor }),
    devicesCsr: ({ moduleId, serial, pin, keyId, request, actor }) =>
      createTokenCsr(station, { moduleId, serial, pin, keyId, request, actor }),
  };
}
