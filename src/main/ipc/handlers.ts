import {
  createTokenCsr,
  describeModules,
  generateTokenKey,
  listTokenKeys,
  previewKey,
  recordInventory,
} from '../services/devices';
import { rosterStatus, validCustodians } from '../../core/custody/roster';
import { journalTime } from '../../core/journal/events';
import { freshness } from '../../core/packet/checks';
import { digestWords } from '../../core/words';
import { parseKeySpec } from '../../core/hsm/key-spec';
import { ceremonyKeygen, keygenOperation } from '../services/custodians';
import { coverage, custodyItems, recordCustodyAct } from '../services/custody';
import { findSplit, splits, verifyShare } from '../services/custodians';
import { signCheckpoint } from '../services/identity';
import {
  checkInWithToken,
  listQuorumSessions,
  openQuorumSession,
  quorumSessionView,
} from '../services/custodians';
import { rosterEntries, rosterPolicy } from '../services/custodians/queries';
import {
  journalEntry,
  journalPage,
  listCheckpoints,
  verifyStationJournal,
} from '../services/journal/queries';
import type { Station } from '../station/station';
import { importApproval, approvalRefusals, issuedPackets } from '../services/bundles';
import {
  exportBundle,
  exportPreview,
  importBundle,
  importedBundles,
  inspectRegistration,
  evidenceFiles,
  mediaFiles,
  mediaRefusals,
  registerTrust,
  revokeTrust,
  scanMedia,
  trustEntries,
} from '../services/bundles';
import { JobRegistry } from '../services/jobs';
import {
  addAttestation,
  checkDraft,
  createPacket,
  diffVersions,
  editPacket,
  handoffs,
  importEvidenceFile,
  listPackets,
  packetDraft,
  packetVersions,
  recordHandoff,
  recordVersion,
  type EditResult,
} from '../services/packets';
import { printPacket } from '../services/packets';
import { decideAttestation, decisions, evaluateAttestation, evaluations } from '../services/attest';
import { withSessionSigner } from '../services/bundles';
import { assertNotShareActivated } from '../services/custodians/queries';
import { stationError } from '../errors';
import type { Handlers } from './dispatcher';
import { stationInfo } from '../services/identity';

export interface HandlerContext {
  readonly station: Station;
  readonly host: 'electron' | 'browser';
}

const edited = (r: EditResult) => ({ seq: r.seq, stopped: r.stopped });

/** One handler per contract channel; each is a thin call into a service. */
export function createHandlers(ctx: HandlerContext): Handlers {
  const { station } = ctx;
  const jobs = new JobRegistry();
  /** The renderer may only name files the station itself listed on a removable volume. */
  const listed = (path: string, type?: 'bundle' | 'approval') => {
    const f = mediaFiles().find((m) => m.path === path && (!type || m.type === type));
    if (!f)
      throw stationError('BUNDLE_NOT_FOUND', `${path} is not a bundle or approval file on a listed volume`, {
        field: 'path',
      });
    return f;
  };
  return {
    mediaVolumes: ({ neededBytes }) => scanMedia(station, neededBytes ?? 0),
    mediaFiles: () => mediaFiles(),
    bundleExportPreview: ({ kind, packetId }) => exportPreview(station, { kind, packetId }),
    bundleExportStart: ({ kind, packetId, volume, pin, actor }) => ({
      jobId: jobs.start('bundle-export', (progress, signal) =>
        exportBundle(station, { kind, packetId, volume, pin, actor }, progress, signal),
      ),
    }),
    packetList: () => listPackets(station),
    packetGet: ({ packetId }) => {
      const { stopped, ...c } = checkDraft(station, packetId);
      const draft = packetDraft(station, packetId);
      return {
        draft,
        completeness: c,
        stops: stopped,
        versions: packetVersions(station, packetId).map(({ content: _content, ...v }) => ({
          ...v,
          words: digestWords(Buffer.from(v.digest, 'hex')),
        })),
        handoffs: handoffs(station, packetId),
        freshness: Object.fromEntries(
          draft.evidence.map((e) => [e.evidenceId, freshness(e, journalTime(station.deps.clock()))]),
        ),
      };
    },
    packetCreate: (req) => {
      createPacket(station, req);
      const created = listPackets(station).find((p) => p.packetId === req.packetId);
      if (!created) throw stationError('PACKET_NOT_FOUND', `packet ${req.packetId} was not created`, {});
      return created;
    },
    packetSetClaim: ({ packetId, claim, actor }) =>
      edited(editPacket(station, packetId, { op: 'set-claim', claim }, actor)),
    packetSetException: ({ packetId, exception, actor }) =>
      edited(editPacket(station, packetId, { op: 'set-exception', exception }, actor)),
    packetSetReviewers: ({ packetId, reviewers, actor }) =>
      edited(editPacket(station, packetId, { op: 'set-reviewers', reviewers }, actor)),
    packetEvidenceFiles: () => evidenceFiles(),
    packetImportEvidence: async ({ path, ...req }) => {
      const f = evidenceFiles().find((m) => m.path === path);
      if (!f)
        throw stationError('BUNDLE_NOT_FOUND', `${path} is not an evidence file on a listed volume`, {
          field: 'path',
        });
      const r = await importEvidenceFile(station, { ...req, path: f.path });
      return { ...edited(r), summary: r.summary };
    },
    packetAttest: (req) => edited(addAttestation(station, req)),
    packetRecordVersion: ({ packetId, actor }) => {
      const v = recordVersion(station, packetId, actor);
      return { version: v.version, digest: v.digest, gate: v.gate };
    },
    packetDiff: ({ packetId, from, to }) => diffVersions(station, packetId, from, to),
    packetHandoff: (req) => recordHandoff(station, req),
    packetPrint: ({ packetId, version }) => printPacket(station, packetId, version),
    attestStatus: ({ packetId }) => ({
      latest: evaluations(station, packetId).at(-1) ?? null,
      decisions: decisions(station, packetId),
    }),
    attestDecideWithToken: ({
      packetId,
      moduleId,
      serial,
      keyId,
      pin,
      decision,
      comment,
      decidedBy,
      actor,
    }) => {
      assertNotShareActivated(station, serial);
      return withSessionSigner(station.hsm.module(moduleId), { serial, keyId, pin }, (signer) =>
        decideAttestation(station, { packetId, decision, comment, decidedBy, signer, actor }),
      );
    },
    attestEvaluate: ({ packetId, actor }) => {
      const { seq } = evaluateAttestation(station, packetId, actor);
      const recorded = evaluations(station, packetId).find((e) => e.seq === seq);
      if (!recorded) throw stationError('INTERNAL', 'the evaluation was not recorded', {});
      return recorded;
    },
    jobStatus: ({ jobId }) => jobs.status(jobId),
    jobCancel: ({ jobId }) => jobs.cancel(jobId),
    bundleIssued: () => issuedPackets(station),
    bundleImported: () => importedBundles(station),
    mediaRefusals: () => ({ bundles: mediaRefusals(station), approvals: approvalRefusals(station) }),
    mediaImport: async ({ path, actor }) => {
      const f = listed(path);
      return f.type === 'approval'
        ? { type: 'approval' as const, approval: await importApproval(station, f.path, actor) }
        : { type: 'bundle' as const, bundle: await importBundle(station, f.path, actor) };
    },
    trustList: () => trustEntries(station),
    trustInspect: ({ path }) => inspectRegistration(station, listed(path, 'bundle').path),
    trustRegister: ({ path, ...rest }) =>
      registerTrust(station, { ...rest, path: listed(path, 'bundle').path }),
    trustRevoke: (req) => revokeTrust(station, req),
    stationInfo: () => stationInfo(station, ctx.host),
    journalPage: ({ fromSeq, limit }) => journalPage(station, fromSeq, limit),
    journalEntry: ({ seq }) => journalEntry(station, seq),
    journalVerify: () => verifyStationJournal(station),
    journalCheckpoints: () => listCheckpoints(station),
    journalCheckpoint: ({ pin, expectedSize }) => signCheckpoint(station, pin, expectedSize),
    rosterList: () => {
      const now = journalTime(station.deps.clock());
      return {
        quorum: rosterPolicy(station)?.quorum ?? null,
        custodians: rosterEntries(station).map((e) => ({
          ...e,
          status: rosterStatus(e, now),
          words: digestWords(Buffer.from(e.fingerprint, 'hex')),
        })),
      };
    },
    quorumSessions: () => listQuorumSessions(station),
    quorumSession: ({ sessionId }) => {
      const v = quorumSessionView(station, sessionId);
      const now = journalTime(station.deps.clock());
      return {
        session: v.session,
        closed: v.closed,
        closedReason: v.closedReason,
        state: v.state,
        challenge: v.challenge,
        seats: validCustodians(v.roster, now).map((e) => ({ custodianId: e.custodianId, name: e.name })),
        refusals: v.refusals,
      };
    },
    quorumOpen: ({ operation, ceremonyId, step, ttlMinutes, actor }) => ({
      sessionId: openQuorumSession(station, { operation, ceremonyId, step, ttlMinutes, actor }).sessionId,
    }),
    quorumCheckIn: ({ sessionId, moduleId, serial, pin, actor }) => {
      const v = checkInWithToken(station, { sessionId, moduleId, serial, pin, actor });
      return v.ok
        ? { ok: true, custodianId: v.custodianId, code: null, reason: null }
        : { ok: false, custodianId: v.custodianId, code: v.code, reason: v.reason };
    },
    sharesList: () =>
      splits(station).map(({ splitId, moduleId, tokenSerial, threshold, total, holders }) => ({
        splitId,
        moduleId,
        tokenSerial,
        threshold,
        total,
        holders,
      })),
    sharesVerify: ({ splitId, custodianId, shareText, actor }) =>
      verifyShare(station, { splitId, custodianId, shareText, actor }),
    ceremonyKeygenOperation: ({ splitId, key }) => {
      const spec = parseKeySpec(key);
      return {
        operation: keygenOperation(findSplit(station, splitId).tokenSerial, spec.label, spec.algorithm),
      };
    },
    ceremonyKeygen: ({ splitId, quorumSessionId, key, shares, actor }) =>
      ceremonyKeygen(station, { splitId, quorumSessionId, key, shares, actor }),
    custodyList: () => custodyItems(station),
    custodyRecord: ({ itemId, act, actor }) => recordCustodyAct(station, itemId, act, actor),
    coverageGrid: ({ from, days, shifts }) => coverage(station, from, days, shifts),
    devicesModules: () => describeModules(station),
    devicesKeys: ({ moduleId, serial, pin }) => listTokenKeys(station, moduleId, serial, pin),
    devicesRecordInventory: ({ moduleId, serial, pin, actor }) =>
      recordInventory(station, { moduleId, serial, pin, actor }),
    devicesPreviewKey: ({ moduleId, key }) => previewKey(station, moduleId, key),
    devicesGenerateKey: ({ moduleId, serial, pin, key, confirmedRecipe, actor }) =>
      generateTokenKey(station, { moduleId, serial, pin, key, confirmedRecipe, actor }),
    devicesCsr: ({ moduleId, serial, pin, keyId, request, actor }) =>
      createTokenCsr(station, { moduleId, serial, pin, keyId, request, actor }),
  };
}
