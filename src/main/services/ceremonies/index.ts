/**
 * The ceremonies domain's door: the only module other domains, the IPC handlers and the CLI import (read
 * models alone also through ./queries).
 * Ceremony runs (docs/ceremonies.md): a ceremony file performed step by step, rehearsed on a scratch
 * token before production, witnessed with roster keys, halted on every deviation until the master of
 * ceremonies decides.
 */
export * from './queries';
export * from './runs';
export { printCeremonyScript } from './print';
export {
  printTranscript,
  ceremonyTranscript,
  ceremonyTranscriptPlan,
  transcriptPdf,
  IN_PROGRESS,
  type CeremonyTranscript,
  type TranscriptBundlePlan,
} from './transcript';
export {
  ceremonyFiles,
  ceremonyShareFiles,
  consoleActStep,
  loadCeremonyView,
  runnerView,
  startConsoleRun,
  stepNeeds,
} from './console';
