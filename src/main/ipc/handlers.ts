import { previewForConsole } from '../services/acts';
import { evaluateGate, gateLineage, gateView, recordGateVersion } from '../services/activation';
import { attestationStatus, decideAttestationWithToken, recordEvaluation } from '../services/attest';
import {
  authorityBroadPreview,
  authorityDiff,
  authorityLineage,
  authorityStatus,
  evaluateAuthority,
  listRedirects,
  redirectWithKeyFile,
  redirectWithToken,
} from '../services/authority';
import {
  evidenceFiles,
  exportPreview,
  importedBundles,
  importMediaFile,
  inspectRegistration,
  issuedPackets,
  listedOnMedia,
  mediaFiles,
  mediaRefusalsView,
  registerTrust,
  revokeTrust,
  scanMedia,
  startBundleExport,
  trustEntries,
} from '../services/bundles';
import {
  addCustodianView,
  ceremonyKeys,
  ceremonySignFile,
  ceremonySignOperation,
  revokeCustodianView,
  rosterAddOperation,
  rosterCredentialsOperation,
  rosterRevokeOperation,
  setCredentialsView,
  splitToVolume,
  ceremonyKeygen,
  ceremonyKeygenOperation,
  checkInWithToken,
  type ConsoleOperator,
  consoleOperatorView,
  consoleSignIn,
  consoleSignOut,
  listQuorumSessions,
  listShares,
  openQuorumSession,
  quorumSessionView,
  rosterView,
  verifyShare,
} from '../services/custodians';
import { coverage, custodyItems, recordCustodyAct } from '../services/custody';
import { registerCustodyItem, setAvailability } from '../services/custody';
import { pendingDecisions } from '../services/decisions';
import {
  createTokenCsr,
  describeModules,
  generateTokenKey,
  listTokenKeys,
  previewKey,
  recordInventory,
} from '../services/devices';
import { evaluateWorkflow, evaluationStatus, findingsSubjects } from '../services/findings';
import { signCheckpoint, stationInfo } from '../services/identity';
import { JobRegistry } from '../services/jobs';
import { journalVerifyOutcome, startJournalVerify } from '../services/journal';
import {
  journalEntry,
  journalFilterChoices,
  journalPage,
  listCheckpoints,
  verifyStationJournal,
} from '../services/journal/queries';
import {
  attestPacketEvidence,
  createPacket,
  diffVersions,
  importPacketEvidence,
  listPackets,
  packetView,
  printPacket,
  recordHandoff,
  recordPacketVersion,
  setPacketClaim,
  annotatePacketFinding,
  evaluatePacket,
  setPacketReviewers,
} from '../services/packets';
import { importRecordsFile, listRecords, showPolicies, showRecord } from '../services/records';
import {
  cancelSigning,
  resumeSigningInBackground,
  signingOperation,
  signingStatus,
  startSigningInBackground,
} from '../services/signing';
import {
  browserPortal,
  portalProfilesView,
  portalReconcileView,
  portalStatus,
  exportPortalEvidence,
  portalSubmitView,
} from '../services/portal';
import {
  ceremonyFiles,
  ceremonyShareFiles,
  checkStep,
  consoleActStep,
  decideDeviation,
  listRuns,
  loadCeremonyView,
  reportDeviation,
  runnerView,
  startConsoleRun,
  witnessStep,
} from '../services/ceremonies';
import type { Station } from '../station/station';
import type { Handlers } from './dispatcher';

export interface HandlerContext {
  readonly station: Station;
  readonly host: 'electron' | 'browser';
  /** The shell's log: where an unexpected fault in a background job is written. */
  readonly log: (msg: string, err?: unknown) => void;
  /** The console's signed-in operator (its secret stays in the main process). */
  readonly operator: ConsoleOperator;
}

/**
 * One handler per contract channel, each one call into the service that serves it: the channel declared
 * in src/shared/contract/<domain>.ts is served by services/<domain> (docs/architecture.md, "Names").
 * Views are built in the services, never here, so the CLI prints what the UI shows. The one rule added
 * at this boundary: the renderer may name only files the station listed on media (listedOnMedia).
 */
export function createHandlers(ctx: HandlerContext): Handlers {
  const { station } = ctx;
  const jobs = new JobRegistry(ctx.log);
  const portal = browserPortal();
  return {
    // identity
    stationInfo: () => stationInfo(station, ctx.host),
    journalCheckpoint: (input) => signCheckpoint(station, input),
    // journal
    journalPage: (input) => journalPage(station, input),
    journalEntry: (input) => journalEntry(station, input),
    journalFilterChoices: () => journalFilterChoices(station),
    journalVerify: () => verifyStationJournal(station),
    journalVerifyStart: () => startJournalVerify(station, jobs),
    journalVerifyOutcome: (input) => journalVerifyOutcome(jobs, input),
    journalCheckpoints: () => listCheckpoints(station),
    // devices
    devicesModules: () => describeModules(station),
    devicesKeys: (input) => listTokenKeys(station, input),
    devicesRecordInventory: (input) => recordInventory(station, input),
    devicesPreviewKey: (input) => previewKey(station, input),
    devicesGenerateKey: (input) => generateTokenKey(station, input),
    devicesCsr: (input) => createTokenCsr(station, input),
    // custodians
    rosterList: () => rosterView(station),
    quorumSessions: () => listQuorumSessions(station),
    quorumSession: (input) => quorumSessionView(station, input),
    quorumOpen: (input) => openQuorumSession(station, input),
    quorumCheckIn: (input) => checkInWithToken(station, input),
    operatorSession: () => consoleOperatorView(ctx.operator),
    actPreview: (input) => previewForConsole(station, ctx.operator, input),
    operatorSignIn: (input) => consoleSignIn(ctx.operator, input),
    operatorSignOut: () => consoleSignOut(ctx.operator),
    // decisions
    decisionsPending: () => pendingDecisions(station),
    // signing
    signingOperation: (input) => signingOperation(station, input),
    signingStart: (input) => startSigningInBackground(station, input),
    signingResume: (input) => resumeSigningInBackground(station, input),
    signingCancel: (input) => cancelSigning(station, input),
    signingStatus: (input) => signingStatus(station, input),
    // portal (online stations only)
    portalProfiles: () => portalProfilesView(portal),
    portalStatus: (input) => portalStatus(station, input),
    portalSubmit: (input) => portalSubmitView(station, input, portal),
    portalReconcile: (input) => portalReconcileView(station, input, portal),
    portalEvidence: (input) => exportPortalEvidence(station, input),
    sharesList: () => listShares(station),
    sharesVerify: (input) => verifyShare(station, input),
    ceremonyKeygenOperation: (input) => ceremonyKeygenOperation(station, input),
    ceremonyKeygen: (input) => ceremonyKeygen(station, input),
    rosterAddOperation: (input) => rosterAddOperation(input),
    rosterAdd: (input) => addCustodianView(station, input),
    rosterRevokeOperation: (input) => rosterRevokeOperation(input),
    rosterRevoke: (input) => revokeCustodianView(station, input),
    rosterCredentialsOperation: (input) => rosterCredentialsOperation(input),
    rosterSetCredentials: (input) => setCredentialsView(station, input),
    sharesSplit: (input) => splitToVolume(station, input),
    ceremonyKeys: (input) => ceremonyKeys(station, input),
    // The file to sign is one the station listed on media (as evidence files are).
    ceremonySignOperation: (input) =>
      ceremonySignOperation(station, listedOnMedia(station, input, 'evidence')),
    ceremonySign: (input) => ceremonySignFile(station, listedOnMedia(station, input, 'evidence')),
    // custody
    custodyList: () => custodyItems(station),
    custodyRecord: (input) => recordCustodyAct(station, input),
    custodyRegister: (input) => registerCustodyItem(station, input),
    coverageSet: ({ actor, ...a }) => setAvailability(station, a, actor),
    coverageGrid: (input) => coverage(station, input),
    // bundles
    mediaVolumes: (input) => scanMedia(station, input),
    mediaFiles: () => mediaFiles(station),
    packetEvidenceFiles: () => evidenceFiles(station),
    bundleExportPreview: (input) => exportPreview(station, input),
    bundleExportStart: (input) => startBundleExport(station, jobs, input),
    bundleIssued: () => issuedPackets(station),
    bundleImported: () => importedBundles(station),
    mediaRefusals: () => mediaRefusalsView(station),
    mediaImport: (input) => importMediaFile(station, listedOnMedia(station, input)),
    trustList: () => trustEntries(station),
    trustInspect: (input) => inspectRegistration(station, listedOnMedia(station, input, 'bundle')),
    trustRegister: (input) => registerTrust(station, listedOnMedia(station, input, 'bundle')),
    trustRevoke: (input) => revokeTrust(station, input),
    // jobs
    jobStatus: ({ jobId }) => jobs.status(jobId),
    jobCancel: ({ jobId }) => jobs.cancel(jobId),
    // packets
    packetList: () => listPackets(station),
    packetGet: (input) => packetView(station, input),
    packetCreate: (input) => createPacket(station, input),
    packetSetClaim: (input) => setPacketClaim(station, input),
    packetAnnotate: (input) => annotatePacketFinding(station, input),
    packetEvaluate: (input) => evaluatePacket(station, input),
    packetSetReviewers: (input) => setPacketReviewers(station, input),
    packetImportEvidence: (input) => importPacketEvidence(station, listedOnMedia(station, input, 'evidence')),
    packetAttest: (input) => attestPacketEvidence(station, input),
    packetRecordVersion: (input) => recordPacketVersion(station, input),
    packetDiff: (input) => diffVersions(station, input),
    packetHandoff: (input) => recordHandoff(station, input),
    packetPrint: (input) => printPacket(station, input),
    // attest
    attestStatus: (input) => attestationStatus(station, input),
    attestEvaluate: (input) => recordEvaluation(station, input),
    attestDecideWithToken: (input) => decideAttestationWithToken(station, input),
    // authority (redirects of a compromise-authority recommendation)
    authorityRedirects: (input) => listRedirects(station, input.incidentId),
    authorityRedirect: (input) => redirectWithKeyFile(station, input),
    authorityRedirectWithToken: (input) => redirectWithToken(station, input),
    // records (files as the station listed them on media: JSON or CSV, like evidence)
    recordsImport: (input) => importRecordsFile(station, listedOnMedia(station, input, 'evidence')),
    recordsList: (input) => listRecords(station, input),
    recordsShow: (input) => showRecord(station, input),
    policyShow: () => showPolicies(station),
    // findings
    findingsEvaluate: (input) => evaluateWorkflow(station, input),
    evaluationStatus: (input) => evaluationStatus(station, input),
    findingsSubjects: (input) => findingsSubjects(station, input),
    // authority (workflow compromise-authority: lanes of an incident; reads and evaluations only)
    authorityEvaluate: (input) => evaluateAuthority(station, input),
    authorityStatus: (input) => authorityStatus(station, input),
    authorityDiff: (input) => authorityDiff(station, input),
    authorityLineage: (input) => authorityLineage(station, input),
    authorityBroadPreview: (input) => authorityBroadPreview(station, input),
    // ceremonies (runs at the console: files only as the station listed them on media)
    ceremonyFiles: () => ceremonyFiles(station),
    ceremonyLoad: (input) => loadCeremonyView(station, input),
    ceremonyRuns: () => listRuns(station),
    ceremonyRun: (input) => runnerView(station, input),
    ceremonyStart: (input) => startConsoleRun(station, input),
    ceremonyCheck: (input) => checkStep(station, input),
    // Share files only as the station listed them for the run (SHARES_REFUSED before anything reads one).
    ceremonyShareFiles: (input) => ceremonyShareFiles(station, input),
    ceremonyAct: (input) => consoleActStep(station, input),
    ceremonyWitness: (input) => witnessStep(station, input),
    ceremonyDeviation: (input) => reportDeviation(station, input),
    ceremonyDecide: (input) => decideDeviation(station, input),
    // activation (workflow activation-gate: the gate, its versions and lineage; no act clears a hold)
    gateStatus: (input) => gateView(station, input.packetId),
    gateEvaluate: (input) => evaluateGate(station, input),
    gateRecordVersion: (input) => recordGateVersion(station, input),
    gateLineage: (input) => gateLineage(station, input.packetId),
  };
}
