import { createHash } from 'node:crypto';
import {
  createReadStream,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import policyJson from '../../../../resources/policy/approvals.json';
import { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from '../../../core/bundle/archive-policy';
import { checkHighWater, checkImportKind } from '../../../core/bundle/import-policy';
import {
  BUNDLE_KINDS,
  bundlePredicateSchema,
  PREDICATE_TYPES,
  STATEMENT_TYPE,
  type BundleKind,
  type BundleStatement,
} from '../../../core/bundle/statement';
import { roleSchema } from '../../../core/schema';
import { canonicalBytes } from '../../../core/canonical';
import { CodedError } from '../../../core/errors';
import { assertActor, journalTime } from '../../../core/journal/events';
import { escapeForDisplay, nameClash } from '../../../core/names';
import { parseOrThrow } from '../../../core/validate';
import { digestWords } from '../../../core/words';
import { sweepPartials, type RemovedPartial } from '../../adapters/media/partials';
import { listVolumes, type MediaView, type Volume } from '../../adapters/media/volumes';
import { writeArchive, type BundleSource, type WrittenFile } from '../../adapters/media/zip-writer';
import { stationError } from '../../errors';
import { verifyBundleArchive, type TrustAnchor, type VerifiedBundle } from './verify';
import { custodyItems } from '../custody';
import { dsseSignatureFromToken, publicKeyInfo, signEnvelope } from './dsse';
import { anchorWithSession, checkBeforeAct, identitySigner } from '../identity';
import {
  confirmIdentityOnToken,
  IDENTITY_ALGORITHM,
  journalIdentity,
  journalStationId,
  type StationIdentity,
} from '../identity/queries';
import { exportJournal } from '../journal/queries';
import type { JobProgress } from '../jobs';
import { keepObject, stageCopy, type StagedCopy } from '../../adapters/fs/staging';
import {
  importedHighWater,
  importedRows,
  issuedFileName,
  latestIssuedVersion,
  mediaRefusalRows,
  trustRows,
} from '../../adapters/store/repos/bundles';
import { packetBundlePlan, type PacketBundlePlan } from '../packets';
import {
  assertJournalBroad,
  broadEvaluation,
  type BroadEvaluation,
  journalLines,
} from '../authority/queries';
import { portalEvidencePlan } from '../portal/queries';
import { ceremonyTranscriptPlan } from '../ceremonies';
import type { Station } from '../../station/station';

/**
 * Signed bundles on removable media (docs/bundle-format.md): export with read-back verification,
 * hardened import into a private staging directory, and the trust store that decides whose signatures
 * count. Approvals live in approvals.ts.
 */

const policySchema = z.strictObject({
  version: z.literal(1),
  roles: z.record(roleSchema, z.string()),
  requiredRoles: z.strictObject(
    Object.fromEntries(BUNDLE_KINDS.map((k) => [k, z.array(roleSchema)])) as Record<
      BundleKind,
      z.ZodArray<typeof roleSchema>
    >,
  ),
});
export const APPROVAL_POLICY = policySchema.parse(policyJson);

export function requiredRolesFor(kind: BundleKind): string[] {
  return [...APPROVAL_POLICY.requiredRoles[kind]];
}

// ---------------------------------------------------------------------------------------------------
// Trust store

export interface TrustEntryView {
  readonly trustId: string;
  readonly name: string;
  readonly entryKind: 'reviewer' | 'station';
  readonly roles: readonly string[];
  readonly fingerprint: string;
  readonly words: readonly string[];
  readonly algorithm: string;
  readonly validFrom: string;
  readonly validUntil: string;
  readonly revokedAt: string | null;
  readonly status: 'VALID' | 'EXPIRED' | 'NOT-YET-VALID' | 'REVOKED';
}

export function trustEntries(station: Station): TrustEntryView[] {
  const now = journalTime(station.deps.clock());
  return trustRows(station.store.db).map((r) => ({
    trustId: r.trustId,
    name: r.name,
    entryKind: r.entryKind,
    roles: r.roles,
    fingerprint: r.fingerprint,
    words: digestWords(Buffer.from(r.fingerprint, 'hex')),
    algorithm: r.algorithm,
    validFrom: r.validFrom,
    validUntil: r.validUntil,
    revokedAt: r.revokedAt,
    status: r.revokedAt
      ? 'REVOKED'
      : now < r.validFrom
        ? 'NOT-YET-VALID'
        : now >= r.validUntil
          ? 'EXPIRED'
          : 'VALID',
  }));
}

/** Keys whose signatures the station accepts: the trust store, plus its own identity (its own bundles). */
export function trustAnchors(
  station: Station,
  opts: { includeSelf: boolean } = { includeSelf: true },
): TrustAnchor[] {
  const anchors: TrustAnchor[] = trustRows(station.store.db).map((r) => ({
    trustId: r.trustId,
    name: r.name,
    entryKind: r.entryKind,
    info: publicKeyInfo(Buffer.from(r.spki, 'base64')),
    validFrom: r.validFrom,
    validUntil: r.validUntil,
    revokedAt: r.revokedAt,
    roles: r.roles,
  }));
  const self = journalIdentity(station).identity;
  if (opts.includeSelf && self) anchors.push(identityAnchor(station, self));
  return anchors;
}

function identityAnchor(station: Station, id: StationIdentity): TrustAnchor {
  return {
    trustId: 'this-station',
    name: `this station (${station.stationRecord().name})`,
    entryKind: 'station',
    info: publicKeyInfo(id.spki),
    validFrom: '0000-01-01T00:00:00.000Z',
    validUntil: '9999-12-31T23:59:59.999Z',
    revokedAt: null,
    roles: [],
  };
}

export interface RegistrationView {
  readonly fileName: string;
  readonly bundleKind: BundleKind;
  readonly holder: string;
  readonly organisation: string;
  readonly fingerprint: string;
  readonly words: readonly string[];
  readonly algorithm: string;
  readonly digest: string;
  readonly alreadyRegistered: string | null;
}

/**
 * Reads a key-registration (or station identity) bundle: proves the carried key signed it, and shows
 * its fingerprint for a person to compare out of band. Nothing is recorded.
 */
export async function inspectRegistration(
  station: Station,
  { path }: { path: string },
): Promise<RegistrationView> {
  return withStagedCopy(station, path, async (staged) => {
    const v = await verifyBundleArchive(staged.path, {
      trust: { self: true },
      now: journalTime(station.deps.clock()),
    });
    return registrationView(station, path, v);
  });
}

function registrationView(station: Station, path: string, v: VerifiedBundle): RegistrationView {
  const p = v.statement.predicate;
  if (p.bundleKind !== 'key-registration' && p.bundleKind !== 'identity')
    throw stationError('BUNDLE_KIND_UNEXPECTED', `this is a ${p.bundleKind} bundle, not a key registration`, {
      check: 'BND-KIND',
    });
  const existing = trustRows(station.store.db).find((r) => r.fingerprint === v.signer.info.fingerprint);
  return {
    fileName: basename(path),
    bundleKind: p.bundleKind,
    holder: p.holder?.name ?? p.station?.name ?? 'unknown',
    organisation: p.holder?.organisation ?? '',
    fingerprint: v.signer.info.fingerprint,
    words: digestWords(Buffer.from(v.signer.info.fingerprint, 'hex')),
    algorithm: v.signer.info.algorithm,
    digest: v.digest,
    alreadyRegistered: existing?.trustId ?? null,
  };
}

/** The fingerprint a person read back, as hex (any case, spaces allowed) or as the digest words. */
function confirms(confirmation: string, fingerprint: string): boolean {
  const hex = confirmation.replace(/[\s:]/g, '').toLowerCase();
  if (hex === fingerprint) return true;
  const words = confirmation
    .trim()
    .toLowerCase()
    .split(/[\s·,]+/)
    .filter(Boolean);
  const expected = digestWords(Buffer.from(fingerprint, 'hex'));
  return words.length === expected.length && words.every((w, i) => w === expected[i]);
}

export async function registerTrust(
  station: Station,
  req: {
    path: string;
    trustId: string;
    roles: string[];
    validFrom?: string;
    validUntil: string;
    confirmFingerprint: string;
    actor: string;
  },
): Promise<TrustEntryView> {
  assertActor(req.actor);
  station.assertWritable();
  return withStagedCopy(station, req.path, async (staged) => {
    const now = journalTime(station.deps.clock());
    const v = await verifyBundleArchive(staged.path, { trust: { self: true }, now });
    const view = registrationView(station, req.path, v);
    if (view.alreadyRegistered)
      throw stationError(
        'TRUST_DUPLICATE_KEY',
        `this key is already registered as ${view.alreadyRegistered}`,
        { field: 'path' },
      );
    const rows = trustRows(station.store.db);
    if (rows.some((r) => r.trustId === req.trustId))
      throw stationError('TRUST_DUPLICATE_KEY', `the trust id ${req.trustId} is taken`, { field: 'trustId' });
    // "Signed by Bob Board" must mean one key holder with one live key: a case-folding or compatibility
    // look-alike of an active entry's name reads as that holder, and a second key under one name would
    // count one person twice toward an approval (NAME-CLASH). A revoked entry's name may be reused: that
    // is the same person rotating keys.
    const clash = nameClash(
      view.holder,
      rows.filter((r) => r.revokedAt === null).map((r) => r.name),
    );
    if (clash)
      throw stationError(
        'TRUST_NAME_CLASH',
        `the key holder's name "${escapeForDisplay(view.holder)}" reads as "${escapeForDisplay(clash)}", already in the trust store (NAME-CLASH)`,
        { field: 'path', check: 'NAME-CLASH' },
      );
    if (!confirms(req.confirmFingerprint, view.fingerprint))
      throw stationError(
        'TRUST_FINGERPRINT_MISMATCH',
        'the confirmed fingerprint is not this key’s fingerprint',
        {
          field: 'confirmFingerprint',
        },
      );
    const unknownRole = req.roles.find((r) => !Object.hasOwn(APPROVAL_POLICY.roles, r));
    if (unknownRole)
      throw stationError(
        'INVALID_INPUT',
        `role ${unknownRole} is not in the approval policy (${Object.keys(APPROVAL_POLICY.roles).join(', ')})`,
        {
          field: 'roles',
        },
      );
    station.record([
      {
        kind: 'trust.registered',
        actor: req.actor,
        body: {
          trustId: req.trustId,
          name: view.holder,
          entryKind: view.bundleKind === 'identity' ? 'station' : 'reviewer',
          roles: req.roles,
          spki: v.signer.info.spki.toString('base64'),
          fingerprint: view.fingerprint,
          algorithm: v.signer.info.algorithm,
          validFrom: req.validFrom ?? now,
          validUntil: req.validUntil,
          registrationDigest: v.digest,
          // The person who compared the fingerprint is the one signed in (never a typed name).
          confirmedBy: req.actor,
        },
      },
    ]);
    return trustEntries(station).find((t) => t.trustId === req.trustId) as TrustEntryView;
  });
}

export function revokeTrust(
  station: Station,
  req: { trustId: string; reason: string; actor: string },
): TrustEntryView {
  const entry = trustEntries(station).find((t) => t.trustId === req.trustId);
  if (!entry) throw stationError('TRUST_NOT_FOUND', `no trust entry ${req.trustId}`, { field: 'trustId' });
  station.record([
    { kind: 'trust.revoked', actor: req.actor, body: { trustId: req.trustId, reason: req.reason } },
  ]);
  return trustEntries(station).find((t) => t.trustId === req.trustId) as TrustEntryView;
}

// ---------------------------------------------------------------------------------------------------
// Staging: nothing on the media is used except a private copy

async function withStagedCopy<T>(
  station: Station,
  source: string,
  work: (s: StagedCopy) => Promise<T>,
  maxBytes = DEFAULT_ARCHIVE_LIMITS.maxBundleBytes,
): Promise<T> {
  const staged = await stageCopy(station, source, maxBytes);
  try {
    return await work(staged);
  } finally {
    rmSync(staged.dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------
// Export

export type ExportKind =
  | 'journal-segment'
  | 'custody-report'
  | 'evidence'
  | 'identity'
  | 'packet'
  | 'packet-broad'
  | 'portal-evidence'
  | 'ceremony-transcript';

export interface ExportRequest {
  readonly kind: ExportKind;
  readonly title?: string;
  /** Evidence files to carry (CLI); names must be unique. */
  readonly evidence?: readonly string[];
  /** For `packet`: which packet, and which recorded version (default: the latest). */
  readonly packetId?: string;
  readonly packetVersion?: number;
  /** For `packet-broad`: the seq of the compromise-authority evaluation whose broad view it carries. */
  readonly evaluationSeq?: number;
  /** For `portal-evidence`: the portal run whose evidence it carries; for `ceremony-transcript`: the ceremony run. */
  readonly runId?: string;
  /** For `ceremony-transcript`: the transcript PDF printed for it, and the run's last seq it shows. */
  readonly transcriptPdf?: { readonly bytes: Uint8Array; readonly lastSeq: number };
  /** The volume's mount path, as listed. Omitted: the one ready volume, if exactly one. */
  readonly volume?: string;
  readonly pin: string;
  readonly actor: string;
}

export interface ExportPreview {
  readonly packetId: string;
  readonly version: number;
  readonly title: string;
  readonly fileName: string;
  readonly files: readonly { name: string; size: number }[];
  readonly requiredRoles: readonly string[];
  readonly estimateBytes: number;
  readonly media: MediaView;
}

export interface ExportResult {
  readonly packetId: string;
  readonly version: number;
  readonly digest: string;
  readonly words: readonly string[];
  readonly path: string;
  readonly fileSha256: string;
  readonly sizeBytes: number;
  readonly files: readonly WrittenFile[];
  readonly requiredRoles: readonly string[];
  readonly seq: number;
}

const PACKET_IDS: Record<ExportKind, string> = {
  'journal-segment': 'journal-segment',
  'custody-report': 'custody-report',
  evidence: 'evidence',
  identity: 'station-identity',
  packet: 'packet',
  'packet-broad': 'authority-broad',
  'portal-evidence': 'portal-evidence',
  // The run's own packet: `ceremony-<run id>` (ceremonyTranscriptPlan); never used as is.
  'ceremony-transcript': 'ceremony',
};
const TITLES: Record<ExportKind, string> = {
  'journal-segment': 'Journal segment with its signed checkpoint',
  'custody-report': 'Custody report of sealed media and devices',
  evidence: 'Evidence files',
  identity: 'Station identity certificate',
  packet: 'Governance packet',
  'packet-broad': 'Broad view of a compromise-authority evaluation',
  'portal-evidence': 'Evidence of a portal submission run',
  'ceremony-transcript': 'Transcript of a ceremony run',
};

/**
 * A packet bundle carries the packet's own version number, so approvals name the version the board saw.
 * A packet version is exported once; a change means a new packet version.
 */
function packetPlan(station: Station, req: { packetId?: string; packetVersion?: number }): PacketBundlePlan {
  if (!req.packetId) throw stationError('INVALID_INPUT', 'name the packet to export', { field: 'packetId' });
  const plan = packetBundlePlan(station, req.packetId, req.packetVersion);
  const issued = issuedFileName(station.store.db, plan.packetId, plan.version);
  if (issued !== null)
    throw stationError(
      'OUTPUT_EXISTS',
      `${plan.packetId} version ${plan.version} was already exported as ${issued}; record a new version to export again`,
      { field: 'packetVersion' },
    );
  return plan;
}

function nextVersion(station: Station, packetId: string): number {
  return latestIssuedVersion(station.store.db, packetId) + 1;
}

function evidenceSources(paths: readonly string[]): BundleSource[] {
  const seen = new Set<string>();
  return paths.map((p, i) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw stationError('INVALID_INPUT', `evidence file ${p} does not exist`, { field: `evidence.${i}` });
    }
    if (!st.isFile())
      throw stationError('INVALID_INPUT', `evidence ${p} is not a regular file`, { field: `evidence.${i}` });
    const name = `evidence/${basename(p).replace(/[^A-Za-z0-9._-]/g, '_')}`;
    if (seen.has(name.toLowerCase()))
      throw stationError('INVALID_INPUT', `two evidence files would both be called ${name}`, {
        field: `evidence.${i}`,
      });
    seen.add(name.toLowerCase());
    return { name, source: { path: p }, size: st.size };
  });
}

/** What an export would write: packet, version, files and sizes, the roles that must approve it. */
export function exportPreview(
  station: Station,
  req: {
    kind: ExportKind;
    title?: string;
    evidence?: readonly string[];
    packetId?: string;
    packetVersion?: number;
    evaluationSeq?: number;
    runId?: string;
    transcriptPdf?: { bytes: Uint8Array; lastSeq: number };
  },
): ExportPreview {
  if (req.kind === 'packet-broad') return broadPreview(station, req);
  if (req.kind === 'portal-evidence') return portalEvidencePreview(station, req);
  // The title is the plan's own: a rehearsal's transcript always says REHEARSAL.
  if (req.kind === 'ceremony-transcript')
    return sourcedPreview(station, 'ceremony-transcript', ceremonyTranscriptSources(station, req), undefined);
  if (req.kind === 'packet') {
    const plan = packetPlan(station, req);
    const files = [
      ...plan.sources.map((f) => ({ name: f.name, size: f.size })),
      ...plannedFiles(station, 'journal-segment', []),
    ];
    const estimateBytes = files.reduce((n, f) => n + f.size + 512, 64 * 1024);
    return {
      packetId: plan.packetId,
      version: plan.version,
      title: parseOrThrow(bundlePredicateSchema.shape.title, plan.title, 'title'),
      fileName: `${plan.packetId}-v${plan.version}.bundle.zip`,
      files,
      requiredRoles: plan.requiredRoles,
      estimateBytes,
      media: listVolumes(station.config.mediaDirs, estimateBytes),
    };
  }
  const packetId = PACKET_IDS[req.kind];
  const version = nextVersion(station, packetId);
  const parts = plannedFiles(station, req.kind, req.evidence ?? []);
  const estimateBytes = parts.reduce((n, f) => n + f.size + 512, 64 * 1024);
  return {
    packetId,
    version,
    // The statement's own rule (no controls, no bidi or other format characters), before the HSM signs.
    title: parseOrThrow(bundlePredicateSchema.shape.title, req.title ?? TITLES[req.kind], 'title'),
    fileName: `${packetId}-v${version}.bundle.zip`,
    files: parts,
    requiredRoles: requiredRolesFor(req.kind),
    estimateBytes,
    media: listVolumes(station.config.mediaDirs, estimateBytes),
  };
}

/**
 * A `packet-broad` bundle: the broad view of one FRESH compromise-authority evaluation
 * (`broad/view.json`, `broad/withheld.json`) and the journal pair. Refused before any PIN when the
 * journal it would carry holds restricted detail of the records that evaluation read.
 */
function broadPlan(
  station: Station,
  req: { evaluationSeq?: number },
): { seq: number; title: string; sources: BundleSource[]; records: BroadEvaluation['records'] } {
  if (req.evaluationSeq === undefined)
    throw stationError('INVALID_INPUT', 'name the evaluation (its journal seq) whose broad view to export', {
      field: 'evaluationSeq',
    });
  const { view, records } = broadEvaluation(station, { seq: req.evaluationSeq });
  const { withheld, ...shown } = view;
  const text = (name: string, value: unknown): BundleSource => {
    const bytes = Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
    return { name, source: { bytes }, size: bytes.length };
  };
  return {
    seq: req.evaluationSeq,
    title: `Broad view of evaluation ${req.evaluationSeq} (${view.evaluation.workflow} ${view.evaluation.subject})`,
    sources: [text('broad/view.json', shown), text('broad/withheld.json', withheld)],
    records,
  };
}

function broadPreview(station: Station, req: { title?: string; evaluationSeq?: number }): ExportPreview {
  const plan = broadPlan(station, req);
  assertJournalBroad(station, journalLines(station), plan.records);
  return sourcedPreview(station, 'packet-broad', plan, req.title);
}

/**
 * The preview of a bundle made of planned sources and the journal pair (the broad view, portal
 * evidence): the next version of its packet id, its files and sizes, the media that can hold it.
 */
function sourcedPreview(
  station: Station,
  kind: 'packet-broad' | 'portal-evidence' | 'ceremony-transcript',
  plan: { title: string; sources: readonly { name: string; size: number }[]; packetId?: string },
  title: string | undefined,
): ExportPreview {
  const packetId = plan.packetId ?? PACKET_IDS[kind];
  const version = nextVersion(station, packetId);
  const files = [
    ...plan.sources.map((f) => ({ name: f.name, size: f.size })),
    ...plannedFiles(station, 'journal-segment', []),
  ];
  const estimateBytes = files.reduce((n, f) => n + f.size + 512, 64 * 1024);
  return {
    packetId,
    version,
    title: parseOrThrow(bundlePredicateSchema.shape.title, title ?? plan.title, 'title'),
    fileName: `${packetId}-v${version}.bundle.zip`,
    files,
    requiredRoles: requiredRolesFor(kind),
    estimateBytes,
    media: listVolumes(station.config.mediaDirs, estimateBytes),
  };
}

/**
 * A `portal-evidence` bundle: one portal run (`portal/run.json`), the approval trace of the pre-checks it
 * rests on (`portal/approval-trace.json`), its masked screenshots (`evidence/<name>.png`, each re-hashed
 * against the journal's digest: PORTAL_EVIDENCE_TAMPERED before any PIN is asked) and the journal pair.
 */
function portalEvidenceSources(station: Station, req: { runId?: string }) {
  if (req.runId === undefined)
    throw stationError('INVALID_INPUT', 'name the portal run whose evidence to export', { field: 'runId' });
  const plan = portalEvidencePlan(station, req.runId);
  return {
    title: plan.title,
    sources: plan.files.map((f): BundleSource => ({
      name: f.name,
      source: { bytes: f.bytes },
      size: f.bytes.length,
    })),
  };
}

/**
 * A `ceremony-transcript` bundle (packet `ceremony-<run id>`): the run's transcript.json, the ceremony
 * file's exact bytes, its outputs re-hashed against the journal (CEREMONY_FILE_CHANGED before any PIN
 * is asked), the transcript PDF when given, and the journal pair.
 */
function ceremonyTranscriptSources(
  station: Station,
  req: { runId?: string; transcriptPdf?: { bytes: Uint8Array; lastSeq: number } },
) {
  if (req.runId === undefined)
    throw stationError('INVALID_INPUT', 'name the ceremony run whose transcript to export', {
      field: 'runId',
    });
  const plan = ceremonyTranscriptPlan(station, req.runId, req.transcriptPdf);
  return {
    packetId: plan.packetId,
    title: plan.title,
    sources: plan.files.map((f): BundleSource => ({
      name: f.name,
      source: { bytes: f.bytes },
      size: f.bytes.length,
    })),
  };
}

function portalEvidencePreview(station: Station, req: { title?: string; runId?: string }): ExportPreview {
  return sourcedPreview(station, 'portal-evidence', portalEvidenceSources(station, req), req.title);
}

/** File names and (approximate, for the journal) sizes before the export makes them. */
function plannedFiles(
  station: Station,
  kind: ExportKind,
  evidence: readonly string[],
): { name: string; size: number }[] {
  if (kind === 'identity')
    return [
      { name: 'identity/station-certificate.pem', size: 1024 },
      { name: 'identity/station.json', size: 512 },
    ];
  const journal = [
    { name: 'journal/segment.jsonl', size: station.journal.head().seq * 400 },
    { name: 'journal/checkpoint.json', size: 600 },
  ];
  if (kind === 'custody-report') return [{ name: 'report/custody-report.json', size: 16 * 1024 }, ...journal];
  if (kind === 'evidence')
    return [...evidenceSources(evidence).map((s) => ({ name: s.name, size: s.size })), ...journal];
  return journal;
}

function pickVolume(station: Station, requested: string | undefined, neededBytes: number): Volume {
  const media = listVolumes(station.config.mediaDirs, neededBytes);
  if (requested) {
    const v = media.volumes.find((x) => x.path === requested);
    if (!v)
      throw stationError('MEDIA_NOT_READY', `${requested} is not a listed removable volume`, {
        field: 'volume',
      });
    if (v.state !== 'ready')
      throw stationError('MEDIA_NOT_READY', `${requested} is ${v.state}: ${v.detail}`, { field: 'volume' });
    return v;
  }
  const ready = media.volumes.filter((v) => v.state === 'ready');
  if (media.state === 'no-device')
    throw stationError('MEDIA_NOT_READY', 'no removable volume is mounted', { field: 'volume' });
  if (ready.length > 1 || media.state === 'several-devices')
    throw stationError(
      'MEDIA_AMBIGUOUS',
      `several volumes are mounted (${media.volumes.map((v) => v.path).join(', ')}): pick one`,
      { field: 'volume' },
    );
  if (!ready[0]) throw stationError('MEDIA_NOT_READY', `the volume is ${media.state}`, { field: 'volume' });
  void station;
  return ready[0];
}

/**
 * Exports one bundle: one login to the station token signs a checkpoint over the journal head (if the
 * head is not anchored yet) and the DSSE envelope; the archive is written to a temporary name, fsynced,
 * published without overwriting, the directory fsynced; then the file is read back from the media and
 * verified in full before `bundle.exported` is recorded. A failed read-back removes the file.
 */
export async function exportBundle(
  station: Station,
  req: ExportRequest,
  progress: JobProgress,
  signal?: AbortSignal,
): Promise<ExportResult> {
  assertActor(req.actor);
  station.assertWritable();
  return withExportLock(station, () => exportUnderLock(station, req, progress, signal));
}

async function exportUnderLock(
  station: Station,
  req: ExportRequest,
  progress: JobProgress,
  signal?: AbortSignal,
): Promise<ExportResult> {
  station.assertWritable();
  const id = journalIdentity(station).identity;
  if (!id)
    throw stationError('IDENTITY_MISSING', 'this station has no identity key to sign bundles with', {});
  const confirmed = confirmIdentityOnToken(station, id);
  if (confirmed.status === 'MISMATCH')
    throw stationError('IDENTITY_MISMATCH', confirmed.reason, { serial: id.tokenSerial });
  const preview = exportPreview(station, req);
  const volume = pickVolume(station, req.volume, preview.estimateBytes);
  await recoverUnrecordedExport(station, id, join(volume.path, preview.fileName), {
    ...preview,
    kind: req.kind,
  });
  const record = station.stationRecord();
  mkdirSync(join(station.dataDir, 'staging'), { recursive: true, mode: 0o700 });
  const work = mkdtempSync(join(station.dataDir, 'staging', 'out-'));
  const createdAt = journalTime(station.deps.clock());
  try {
    const module = station.hsm.module(id.moduleId);
    const written = await module.withSessionAsync(
      id.tokenSerial,
      { write: true, login: { user: 'user', pin: req.pin } },
      async (session) => {
        progress.phase('anchoring the journal', 1);
        // Always through the anchoring path: it checks the token's marks before anything is signed (a
        // journal rolled back to exactly a checkpoint event must not export), and signs nothing when the
        // head is already the latest checkpoint's own event. An identity bundle carries no journal part,
        // but its export is still an act on the station token: the marks are checked all the same.
        if (req.kind === 'identity') checkBeforeAct(station, { identity: id }, session);
        else await anchorWithSession(station, id, session);
        const checkpoint = station.journal.checkpoints().at(-1) ?? null;
        const files = buildSources(station, req, work, id, checkpoint);
        const total = files.reduce((n, f) => n + f.size, 0);
        progress.phase('writing to media', total);
        const sign = identitySigner(id, session);
        const journalPart =
          req.kind === 'identity' || !checkpoint
            ? null
            : {
                fromSeq: 1,
                toSeq: checkpoint.size,
                headHash: Buffer.from(checkpoint.headHash).toString('hex'),
                checkpoint: { n: checkpoint.n, size: checkpoint.size },
              };
        let statementDigest = '';
        const archive = await writeArchive({
          dir: volume.path,
          fileName: preview.fileName,
          files,
          mtime: new Date(createdAt),
          onBytes: (n) => progress.add(n),
          signal,
          owner: { stationId: journalStationId(station) },
          sign: async (packed) => {
            const statement: BundleStatement = {
              _type: STATEMENT_TYPE,
              subject: packed.map((f) => ({ name: f.name, digest: { sha256: f.sha256 } })),
              predicateType: PREDICATE_TYPES.bundle,
              predicate: {
                bundleKind: req.kind,
                packetId: preview.packetId,
                version: preview.version,
                title: preview.title,
                createdAt,
                station: {
                  stationId: journalStationId(station),
                  name: record.name,
                  fingerprint: id.fingerprint,
                },
                holder: null,
                journal: journalPart,
              },
            };
            const payload = canonicalBytes(statement);
            statementDigest = createHash('sha256').update(payload).digest('hex');
            const envelope = await signEnvelope(payload, id.fingerprint, async (pae) =>
              dsseSignatureFromToken(sign(pae), IDENTITY_ALGORITHM),
            );
            return canonicalBytes(envelope);
          },
        });
        return { archive, statementDigest };
      },
    );
    progress.phase('reading back and verifying', written.archive.size);
    let verified: VerifiedBundle;
    try {
      verified = await verifyBundleArchive(written.archive.path, {
        trust: { anchors: [identityAnchor(station, id)] },
        now: journalTime(station.deps.clock()),
        onBytes: (n) => progress.add(n),
      });
      if (verified.digest !== written.statementDigest)
        throw new Error('the statement read back differs from the one signed');
    } catch (e) {
      rmSync(written.archive.path, { force: true });
      throw stationError(
        'BUNDLE_WRITE_FAILED',
        `the bundle did not verify when read back (${e instanceof CodedError ? e.code : (e as Error).message}); it was removed`,
        {
          path: written.archive.path,
        },
      );
    }
    const requiredRoles = [...preview.requiredRoles];
    const appended = station.record([
      {
        kind: 'bundle.exported',
        actor: req.actor,
        body: {
          bundleKind: req.kind,
          packetId: preview.packetId,
          version: preview.version,
          title: preview.title,
          digest: verified.digest,
          fileSha256: written.archive.sha256,
          fileName: preview.fileName,
          volume: volume.path,
          sizeBytes: written.archive.size,
          files: verified.files.map((f) => ({ ...f })),
          requiredRoles,
          journalToSeq: verified.statement.predicate.journal?.toSeq ?? 0,
          checkpoint: verified.statement.predicate.journal?.checkpoint?.n ?? null,
        },
      },
    ]);
    return {
      packetId: preview.packetId,
      version: preview.version,
      digest: verified.digest,
      words: digestWords(Buffer.from(verified.digest, 'hex')),
      path: written.archive.path,
      fileSha256: written.archive.sha256,
      sizeBytes: written.archive.size,
      files: verified.files,
      requiredRoles,
      seq: appended.lastSeq,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Whether this station already recorded an export of this packet at this version. */
function issuedVersionExists(station: Station, packetId: string, version: number): boolean {
  return issuedFileName(station.store.db, packetId, version) !== null;
}

/**
 * A bundle's journal part names a checkpoint of this journal, with the same size and head: a bundle
 * made from another history (a rolled-back or foreign database under the same key) is not adopted.
 */
function restsOnThisJournal(station: Station, journal: BundleStatement['predicate']['journal']): boolean {
  if (!journal?.checkpoint) return journal === null;
  const n = journal.checkpoint.n;
  const cp = station.journal.checkpoints().find((c) => c.n === n);
  return (
    cp !== undefined &&
    cp.size === journal.checkpoint.size &&
    Buffer.from(cp.headHash).toString('hex') === journal.headHash
  );
}

/**
 * Exports of one station run one at a time, across processes (the CLI beside `station serve`): a lock
 * file in the data directory holding the exporter's pid, created exclusively; a lock whose process is
 * gone is stale and taken over. Without it, one export's recovery (BND-RECOVER) could adopt the file
 * another export has just published and is still reading back.
 */
async function withExportLock<T>(station: Station, fn: () => Promise<T>): Promise<T> {
  const path = join(station.dataDir, 'export.lock');
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (Number.isSafeInteger(holder) && holder > 0 && processAlive(holder))
        throw stationError(
          'EXPORT_BUSY',
          `another export of this station is running (process ${holder}); wait for it to finish`,
          { pid: holder },
        );
      rmSync(path, { force: true });
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(path, { force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * BND-RECOVER. An export killed after its file was published but before `bundle.exported` was recorded
 * leaves a complete bundle under the name the next export would use. Before any PIN is asked for: if
 * that file is this station's own export of exactly this kind, packet and version (it verifies in full
 * against the identity key), it is recorded now (actor `station`, `recovered: true`) — the journal then
 * holds every bundle the station has signed onto media — and the operator is asked to export again
 * (the next version). Anything else under that name stays untouched: OUTPUT_EXISTS.
 */
async function recoverUnrecordedExport(
  station: Station,
  id: StationIdentity,
  target: string,
  preview: ExportPreview & { kind: BundleKind },
): Promise<void> {
  if (!lstatSync(target, { throwIfNoEntry: false })) return;
  const occupied = () =>
    stationError(
      'OUTPUT_EXISTS',
      `${target} already exists and is not an unrecorded export of this station`,
      {
        field: 'volume',
        path: target,
      },
    );
  let v: VerifiedBundle;
  try {
    v = await verifyBundleArchive(target, {
      trust: { anchors: [identityAnchor(station, id)] },
      now: journalTime(station.deps.clock()),
    });
  } catch {
    throw occupied();
  }
  const p = v.statement.predicate;
  if (
    p.bundleKind !== preview.kind ||
    p.packetId !== preview.packetId ||
    p.version !== preview.version ||
    p.station?.fingerprint !== id.fingerprint ||
    !restsOnThisJournal(station, p.journal)
  )
    throw occupied();
  const st = statSync(target);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(target, { highWaterMark: 1 << 20 }))
    hash.update(chunk as Buffer);
  const fileSha256 = hash.digest('hex');
  station.record(
    [
      {
        kind: 'bundle.exported',
        actor: 'station',
        body: {
          bundleKind: p.bundleKind,
          packetId: p.packetId,
          version: p.version,
          title: p.title,
          digest: v.digest,
          fileSha256,
          fileName: basename(target),
          volume: dirname(target),
          sizeBytes: st.size,
          files: v.files.map((f) => ({ ...f })),
          requiredRoles: [...preview.requiredRoles],
          journalToSeq: p.journal?.toSeq ?? 0,
          checkpoint: p.journal?.checkpoint?.n ?? null,
          recovered: true,
        },
      },
    ],
    // Under the write lock: another process may have recorded (or recovered) this version meanwhile.
    () => {
      if (issuedVersionExists(station, p.packetId, p.version)) throw occupied();
    },
  );
  throw stationError(
    'BUNDLE_EXPORT_RECOVERED',
    `${basename(target)} (${p.packetId} v${p.version}) was written by an earlier export of this station that stopped before recording it; it verified and is now recorded. Review the new preview and export again: it will be v${p.version + 1}.`,
    { check: 'BND-RECOVER', path: target, version: p.version },
  );
}

function buildSources(
  station: Station,
  req: ExportRequest,
  work: string,
  id: StationIdentity,
  checkpoint: ReturnType<Station['journal']['checkpoints']>[number] | null,
): BundleSource[] {
  const text = (name: string, value: string): BundleSource => {
    const bytes = Buffer.from(value, 'utf8');
    return { name, source: { bytes }, size: bytes.length };
  };
  if (req.kind === 'identity') {
    return [
      text('identity/station-certificate.pem', id.certificatePem),
      text(
        'identity/station.json',
        `${JSON.stringify({ stationId: journalStationId(station), name: station.stationRecord().name, fingerprint: id.fingerprint, words: digestWords(Buffer.from(id.fingerprint, 'hex')) }, null, 2)}\n`,
      ),
    ];
  }
  if (!checkpoint)
    throw stationError(
      'CHECKPOINT_SIGNER_UNAVAILABLE',
      'the journal has no checkpoint to rest the bundle on',
      {},
    );
  const segment = join(work, 'segment.jsonl');
  exportJournal(station, { fromSeq: 1, toSeq: checkpoint.size }, { path: segment });
  const journal: BundleSource[] = [
    { name: 'journal/segment.jsonl', source: { path: segment }, size: statSync(segment).size },
    text(
      'journal/checkpoint.json',
      `${JSON.stringify(
        {
          stationId: journalStationId(station),
          n: checkpoint.n,
          size: checkpoint.size,
          headHash: Buffer.from(checkpoint.headHash).toString('hex'),
          at: checkpoint.at,
          keyId: checkpoint.keyId,
          alg: checkpoint.alg,
          signature: Buffer.from(checkpoint.signature).toString('base64'),
          certificatePem: id.certificatePem,
        },
        null,
        2,
      )}\n`,
    ),
  ];
  if (req.kind === 'custody-report')
    return [
      text('report/custody-report.json', `${JSON.stringify(custodyItems(station), null, 2)}\n`),
      ...journal,
    ];
  if (req.kind === 'evidence') return [...evidenceSources(req.evidence ?? []), ...journal];
  if (req.kind === 'packet') return [...packetPlan(station, req).sources, ...journal];
  if (req.kind === 'packet-broad') {
    const plan = broadPlan(station, req);
    // The segment exactly as it will be signed: no restricted detail may ride along with the view.
    assertJournalBroad(station, readFileSync(segment, 'utf8').split('\n'), plan.records);
    return [...plan.sources, ...journal];
  }
  // Read and re-hashed again here, under the token session: what is signed is what was checked now.
  if (req.kind === 'portal-evidence') return [...portalEvidenceSources(station, req).sources, ...journal];
  if (req.kind === 'ceremony-transcript')
    return [...ceremonyTranscriptSources(station, req).sources, ...journal];
  return journal;
}

// ---------------------------------------------------------------------------------------------------
// Import

export interface ImportedBundleView {
  readonly seq: number;
  readonly bundleKind: BundleKind;
  readonly packetId: string;
  readonly version: number;
  readonly title: string;
  readonly digest: string;
  readonly words: readonly string[];
  readonly signer: string;
  readonly signerFingerprint: string;
  readonly files: readonly WrittenFile[];
}

/** Content-addressed store beside the database: a file can never change under an event that cites it. */

/** Codes that mean "refused as hostile or untrusted" (journaled), as opposed to a usage slip. */
function isRefusal(e: unknown): e is CodedError {
  return e instanceof CodedError && /^BUNDLE_/.test(e.code) && e.code !== 'BUNDLE_NOT_FOUND';
}

export async function importBundle(
  station: Station,
  path: string,
  actor: string,
  opts: {
    limits?: ArchiveLimits;
    onBytes?: (n: number) => void;
    /** A fault seam for tests: runs between the check of the file on the media and its opening. */
    beforeOpen?: () => void;
  } = {},
): Promise<ImportedBundleView> {
  assertActor(actor);
  station.assertWritable();
  const limits = opts.limits ?? DEFAULT_ARCHIVE_LIMITS;
  let staged: StagedCopy | null = null;
  try {
    staged = await stageCopy(station, path, limits.maxBundleBytes, { beforeOpen: opts.beforeOpen });
    const notTakenYet = (statement: BundleStatement, signer: TrustAnchor) => {
      const p = statement.predicate;
      // BND-REPLAY: the newest version of this packet and kind already imported under this signer key.
      const seen = importedHighWater(station.store.db, signer.info.fingerprint, p.packetId, p.bundleKind);
      const refusal = checkHighWater(p, seen);
      if (refusal) throw stationError(refusal.code, refusal.message, { check: refusal.check });
    };
    // BND-KIND before any file is read: a registration or identity is never content. The high-water
    // mark is checked then, and again inside the record's write transaction: another import of the
    // same packet (this process or another on the same database) may have finished meanwhile.
    const v = await verifyBundleArchive(staged.path, {
      trust: { anchors: trustAnchors(station) },
      now: journalTime(station.deps.clock()),
      limits,
      extractTo: join(staged.dir, 'files'),
      onBytes: opts.onBytes,
      accept: (statement, signer) => {
        const wrongKind = checkImportKind(statement.predicate.bundleKind);
        if (wrongKind) throw stationError(wrongKind.code, wrongKind.message, { check: wrongKind.check });
        notTakenYet(statement, signer);
      },
    });
    notTakenYet(v.statement, v.signer);
    for (const f of v.files) keepObject(station, f.sha256, join(staged.dir, 'files', ...f.name.split('/')));
    const p = v.statement.predicate;
    const appended = station.record(
      [
        {
          kind: 'bundle.imported',
          actor,
          body: {
            bundleKind: p.bundleKind,
            packetId: p.packetId,
            version: p.version,
            digest: v.digest,
            fileSha256: staged.sha256,
            fileName: basename(path),
            signerFingerprint: v.signer.info.fingerprint,
            signerName: v.signer.name.slice(0, 80),
            files: v.files.map((f) => ({ ...f })),
          },
        },
      ],
      () => notTakenYet(v.statement, v.signer),
    );
    return {
      seq: appended.lastSeq,
      bundleKind: p.bundleKind,
      packetId: p.packetId,
      version: p.version,
      title: p.title,
      digest: v.digest,
      words: digestWords(Buffer.from(v.digest, 'hex')),
      signer: v.signer.name,
      signerFingerprint: v.signer.info.fingerprint,
      files: v.files,
    };
  } catch (e) {
    if (isRefusal(e)) recordRefusal(station, e, path, staged?.sha256 ?? null, actor);
    throw e;
  } finally {
    if (staged) rmSync(staged.dir, { recursive: true, force: true });
  }
}

function recordRefusal(
  station: Station,
  e: CodedError,
  path: string,
  fileSha256: string | null,
  actor: string,
): void {
  const check = typeof e.data.check === 'string' ? e.data.check : null;
  station.record([
    {
      kind: 'bundle.import-refused',
      actor,
      body: {
        code: e.code,
        check,
        fileName: basename(path).slice(0, 255),
        fileSha256,
        detail: e.message.slice(0, 1000),
      },
    },
  ]);
}

export function importedBundles(station: Station): ImportedBundleView[] {
  return importedRows(station.store.db, 500).map((r) => ({
    seq: r.seq,
    bundleKind: r.bundleKind,
    packetId: r.packetId,
    version: r.version,
    title: r.packetId,
    digest: r.digest,
    words: digestWords(Buffer.from(r.digest, 'hex')),
    signer: r.signerName,
    signerFingerprint: r.signerFingerprint,
    files: r.files,
  }));
}

export function mediaRefusals(
  station: Station,
): { seq: number; code: string; check: string | null; fileName: string; detail: string; at: string }[] {
  return mediaRefusalRows(station.store.db, 200);
}

export interface MediaScan extends MediaView {
  /** This station's own fragments of interrupted exports that this scan removed (and journaled). */
  readonly removedPartials: readonly RemovedPartial[];
}

/** At most this many fragments are removed per scan (one journal event); the rest wait for the next. */
const MAX_SWEPT = 1000;

/**
 * The media scan behind `station media` and the UI's volume list: lists the volumes and removes, from
 * each writable one, the `.partial` fragments a killed export of this station left behind (only files
 * whose name carries this station's id and a dead writer's pid; see adapters/media/partials.ts). What was
 * removed is returned and journaled as one `media.partials-removed` event by the station itself. A
 * read-only station database removes nothing: a removal it could not journal is not made.
 */
export function scanMedia(
  station: Station,
  { neededBytes = 0 }: { neededBytes?: number | undefined } = {},
): MediaScan {
  const media = listVolumes(station.config.mediaDirs, neededBytes);
  if (station.store.readOnly) return { ...media, removedPartials: [] };
  const stationId = journalStationId(station);
  const removedPartials: RemovedPartial[] = [];
  for (const v of media.volumes)
    if (v.state !== 'unavailable' && v.state !== 'read-only')
      removedPartials.push(
        ...sweepPartials(v.path, stationId, { limit: MAX_SWEPT - removedPartials.length }),
      );
  if (removedPartials.length > 0)
    station.record([
      {
        kind: 'media.partials-removed',
        actor: 'station',
        body: { removed: removedPartials.map((r) => ({ ...r })) },
      },
    ]);
  return { ...media, removedPartials };
}

/** Bundle and approval files on the listed volumes (top level only), for the operator to pick. */
export function mediaFiles(station: Station): {
  volume: string;
  path: string;
  name: string;
  size: number;
  type: 'bundle' | 'approval';
}[] {
  return listMediaFiles(station, (name) =>
    name.endsWith('.bundle.zip') ? 'bundle' : name.endsWith('.approval.json') ? 'approval' : null,
  );
}

const EVIDENCE_NAME = /\.(json|csv|pdf|txt|log|pem|crt|cer|der)$/i;

/** Files on the listed volumes that can be packet evidence (never bundles or approvals). */
export function evidenceFiles(
  station: Station,
): { volume: string; path: string; name: string; size: number }[] {
  return listMediaFiles(station, (name) =>
    EVIDENCE_NAME.test(name) && !name.endsWith('.approval.json') ? 'evidence' : null,
  ).map(({ type: _type, ...f }) => f);
}

/** Regular files (no links, no dot-files) at the top of each listed volume, classified by name. */
function listMediaFiles<T extends string>(
  station: Station,
  classify: (name: string) => T | null,
): { volume: string; path: string; name: string; size: number; type: T }[] {
  const out: { volume: string; path: string; name: string; size: number; type: T }[] = [];
  for (const v of listVolumes(station.config.mediaDirs).volumes) {
    if (v.state === 'unavailable') continue;
    let names: string[];
    try {
      names = readdirNames(v.path);
    } catch {
      continue;
    }
    for (const name of names) {
      const type = classify(name);
      if (!type || name.startsWith('.')) continue;
      const p = join(v.path, name);
      try {
        const st = lstatSync(p);
        if (st.isFile()) out.push({ volume: v.path, path: p, name, size: st.size, type });
      } catch {
        /* gone meanwhile */
      }
    }
  }
  return out;
}

function readdirNames(dir: string): string[] {
  return readdirSync(dir).slice(0, 1000);
}
