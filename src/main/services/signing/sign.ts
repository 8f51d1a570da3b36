import { createHash, randomUUID } from 'node:crypto';
import { lstatSync, readFileSync, realpathSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { join, sep } from 'node:path';
import { canonicalBytes } from '../../../core/canonical';
import { algorithmForTokenKey, type DsseAlgorithmName } from '../../../core/crypto/algorithms';
import { encodeOperation, type QuorumOperation } from '../../../core/custody/operation';
import { CodedError } from '../../../core/errors';
import { assertActor, journalTime, type EventBody, type NewEvent } from '../../../core/journal/events';
import {
  batchStatement,
  countedOutput,
  ecdsaRawToDer,
  envelopeFileName,
  inDoubtOutput,
  gatedSignOperation,
  manifestSha256,
  matchMedia,
  progressRate,
  resumeState,
  sameManifest,
  signatureFileName,
  signingManifestSchema,
  type ManifestArtifact,
  type RunFact,
  type SigningPredicate,
} from '../../../core/signing/batch';
import { parseOrThrow } from '../../../core/validate';
import type { Pkcs11Module, Session } from '../../adapters/hsm/module';
import { listVolumes } from '../../adapters/media/volumes';
import { stationError } from '../../errors';
import { syncFolder, writeExclusive, writeNewFiles, type NewFile } from '../../platform/durable';
import { openGateForSigning, type OpenGate } from '../activation';
import {
  dsseSignatureFromToken,
  envelopeMemberBytes,
  parseEnvelope,
  publicKeyInfo,
  signEnvelope,
  verifyDsseSignature,
  type PublicKeyInfo,
} from '../bundles';
import { assertClaimHeld, quorumSessionView, quorumUsed, requireQuorum } from '../custodians';
import { registeredModules } from '../devices';
import type { Station } from '../../station/station';
import {
  HELD_BYTES,
  hashFile,
  mediaFiles,
  verifyArtifactSignature,
  type HashedFile,
} from '../../adapters/media/artifacts';
import { fileIdentity, readBack, readNoAtime } from '../../adapters/media/signing-outputs';
import { attemptCurrent, openRun, signingRuns, type RunRecord } from './runs';
import { SigningThread } from './thread';

/**
 * Gated offline signing of exactly the frozen manifest (docs/gated-signing.md). The gate is re-read
 * immediately before acting (SIGN-GATE), the quorum is claimed for exactly this batch (SIGN-QUORUM),
 * each artifact is matched to the manifest by name and SHA-256 (SIGN-MATCH), each signature verifies
 * against the public key read from the token before it counts (SIGN-VERIFY), outputs are written
 * durably, read back and never overwritten, and a crash resumes from the journal (SIGN-RESUME).
 */

/** Where the open gate comes from: services/activation in the station, an injected one in tests. */
export type GateProvider = (station: Station, declarationId: string) => OpenGate;

export interface SigningProgress {
  readonly runId: string | null;
  readonly phase: 'checking' | 'signing' | 'envelope' | 'done';
  /** Manifest artifacts counted (journaled artifact-signed), of all of them. */
  readonly done: number;
  readonly total: number;
  readonly bytesDone: number;
  readonly perSecond: number | null;
  readonly etaSeconds: number | null;
}

export interface SigningOptions {
  readonly gate?: GateProvider;
  readonly onProgress?: (p: SigningProgress) => void;
  readonly signal?: AbortSignal;
  /** Artifacts per journal append (intents, then counted signatures). */
  readonly chunk?: number;
  /** Instrumentation (the bench): wall milliseconds spent per phase, summed over chunks. */
  readonly phases?: Record<string, number>;
}

export interface SignRunRequest {
  readonly declarationId: string;
  readonly mediaDir: string;
  readonly outDir: string;
  readonly quorumSessionId: string;
  readonly pin: string;
  readonly moduleId?: string | undefined;
  readonly actor: string;
  /**
   * Sign again a manifest (declaration, packet and version) whose run already completed. Without it such
   * a run is refused (SIGNING_ALREADY_COMPLETED): the quorum operation does not name the run, so the same
   * quorum-bound batch is never signed twice silently.
   */
  readonly again?: boolean | undefined;
}

export interface SignResumeRequest {
  readonly declarationId: string;
  readonly pin: string;
  /** A new quorum session for the same operation, when the run's own has expired. */
  readonly quorumSessionId?: string | undefined;
  readonly moduleId?: string | undefined;
  readonly actor: string;
}

export interface SigningResult {
  readonly runId: string;
  readonly declarationId: string;
  readonly signed: number;
  readonly adopted: number;
  readonly quarantined: number;
  readonly envelopePath: string;
  readonly envelopeSha256: string;
  readonly statementSha256: string;
}

const sha256hex = (d: Uint8Array) => createHash('sha256').update(d).digest('hex');
/**
 * Artifacts per chunk: its intents are one append, its outputs one syncfs, its counted signatures one
 * append. Large enough that those fixed costs vanish beside the signing; small enough that a cancel is
 * seen promptly.
 */
const DEFAULT_CHUNK = 1024;

/** The token algorithm the station signs artifacts with: ECDSA P-256 over the artifact's SHA-256. */
const ARTIFACT_ALGORITHM = 'ecdsa-sha256';

interface Key {
  readonly moduleId: string;
  readonly module: Pkcs11Module;
  readonly tokenSerial: string;
  readonly keyId: string;
  readonly info: PublicKeyInfo;
  readonly dsse: DsseAlgorithmName;
}

/** SIGN-GATE: the gate as it is now, and its manifest checked. */
function readGate(station: Station, declarationId: string, provider: GateProvider) {
  const gate = provider(station, declarationId);
  if (gate.declarationId !== declarationId)
    throw stationError('GATE_NOT_OPEN', `the gate read is ${gate.declarationId}'s, not ${declarationId}'s`, {
      declarationId,
    });
  const manifest = parseOrThrow(signingManifestSchema, gate.manifest, 'manifest');
  const digest = manifestSha256(
    manifest.artifacts,
    (d) => new Uint8Array(createHash('sha256').update(d).digest()),
  );
  return { gate, manifest, digest, operation: gatedSignOperation(gate, digest) };
}

/** The signing key, read from the token (no login: public keys are readable): ECDSA P-256 only. */
function readKey(station: Station, gate: OpenGate, moduleId: string | undefined): Key {
  const { tokenSerial, keyId } = gate.signingKey;
  const candidates = moduleId ? [moduleId] : registeredModules(station).map((m) => m.moduleId);
  const holding = candidates.filter((id) => {
    try {
      return station.hsm
        .module(id)
        .tokens()
        .some((t) => t.serial === tokenSerial);
    } catch {
      return false;
    }
  });
  const [found, ...others] = holding;
  if (!found || others.length > 0)
    throw stationError(
      'TOKEN_NOT_FOUND',
      found
        ? `token ${tokenSerial} is present in more than one module (${holding.join(', ')}): name the module`
        : `the signing token ${tokenSerial} is not present in ${moduleId ?? 'any registered module'}`,
      { serial: tokenSerial, field: 'module' },
    );
  const module = station.hsm.module(found);
  const key = module.withSession(
    tokenSerial,
    { write: false, purpose: 'gated signing: key read-back' },
    (s) => s.key(keyId),
  );
  const row = algorithmForTokenKey(key.keyType, key.size);
  if (!row || row.token !== ARTIFACT_ALGORITHM || !key.spki)
    throw stationError(
      'MECHANISM_UNSUPPORTED',
      `gated signing uses an EC P-256 key pair (ECDSA over the artifact's SHA-256); key ${keyId} on token ${tokenSerial} is ${key.keyType} ${key.size}${key.spki ? '' : ' without a readable public key'}`,
      { field: 'keyId' },
    );
  // The key the gate's ledger saw (its SPKI digest): a key replaced on the token under the same id and
  // serial is not the key the approval covered.
  const expected = gate.signingKey.spkiSha256;
  const onToken = sha256hex(key.spki);
  if (typeof expected === 'string' && onToken !== expected.toLowerCase())
    throw stationError(
      'SIGNING_KEY_CHANGED',
      `key ${keyId} on token ${tokenSerial} has public key ${onToken}, not ${expected} as the gate's ledger recorded it`,
      { field: 'keyId', serial: tokenSerial, expected, found: onToken },
    );
  const info = publicKeyInfo(key.spki);
  return { moduleId: found, module, tokenSerial, keyId, info, dsse: info.algorithm };
}

/**
 * A media or output folder: an existing folder whose real path (links resolved) lies inside a removable
 * volume the station lists (StationConfig.mediaDirs or a mounted removable device), present — and, for
 * the output folder, ready (writable, with room). Any other absolute folder is refused, from IPC and CLI
 * alike (both reach here).
 */
function assertFolder(station: Station, path: string, field: 'mediaDir' | 'outDir'): string {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st?.isDirectory()) throw stationError('INVALID_INPUT', `${path} is not a folder`, { field });
  const real = realpathSync(path);
  const inside = (root: string) => real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);
  const volumes = listVolumes(station.config.mediaDirs).volumes.filter((v) => v.state !== 'unavailable');
  const holding = volumes.find((v) => {
    try {
      return inside(realpathSync(v.path));
    } catch {
      return false;
    }
  });
  if (!holding)
    throw stationError(
      'SIGNING_FOLDER_NOT_ON_MEDIA',
      `${path} (${real}) is not inside a listed media volume (${volumes.map((v) => v.path).join(', ') || 'none listed'})`,
      { field, path: real },
    );
  if (field === 'outDir' && holding.state !== 'ready')
    throw stationError(
      'MEDIA_NOT_READY',
      `the output volume ${holding.path} is ${holding.state}: ${holding.detail}`,
      {
        field,
      },
    );
  return real;
}

/**
 * Starts a run: the gate re-read (SIGN-GATE), the quorum bound to exactly this batch (SIGN-QUORUM), the
 * media listed against the manifest (SIGN-MATCH: off-manifest files quarantined, a missing artifact
 * refuses the batch before anything is claimed), then the claim and `signing.run-started` in one append,
 * and the batch signed.
 */
export async function startSigningRun(
  station: Station,
  req: SignRunRequest,
  opts: SigningOptions = {},
): Promise<SigningResult> {
  assertActor(req.actor);
  station.assertWritable();
  const provider = opts.gate ?? openGateForSigning;
  const { gate, manifest, digest, operation } = readGate(station, req.declarationId, provider);
  const open = openRun(station, null);
  if (open)
    throw stationError(
      'SIGNING_RUN_OPEN',
      `signing run ${open.started.body.runId} of ${open.started.body.declarationId} is still open: resume or cancel it first`,
      { runId: open.started.body.runId },
    );
  const done = signingRuns(station, req.declarationId).filter(
    (r) =>
      r.state === 'completed' &&
      r.started.body.packetId === gate.packetId &&
      r.started.body.version === gate.version,
  );
  if (done.length > 0 && req.again !== true)
    throw stationError(
      'SIGNING_ALREADY_COMPLETED',
      `${req.declarationId}'s packet ${gate.packetId} version ${gate.version} was already signed by run ${done.map((r) => r.started.body.runId).join(', ')}; to sign it again, say so (--again)`,
      { field: 'again', runId: (done.at(-1) as RunRecord).started.body.runId },
    );
  requireQuorum(station, req.quorumSessionId, operation);
  const mediaDir = assertFolder(station, req.mediaDir, 'mediaDir');
  const outDir = assertFolder(station, req.outDir, 'outDir');
  if (mediaDir === outDir)
    throw stationError('INVALID_INPUT', 'the output folder must not be the media folder', {
      field: 'outDir',
    });
  const key = readKey(station, gate, req.moduleId);
  const runId = randomUUID();

  // SIGN-MATCH by name first: a file the manifest does not name is hashed and quarantined (both digests
  // journaled); a manifest artifact not on the media refuses the batch before any claim.
  const tPrepare = performance.now();
  const names = await mediaFiles(mediaDir);
  const wanted = new Set(manifest.artifacts.map((a) => a.artifact));
  const offManifest: HashedFile[] = [];
  for (const name of names.filter((n) => !wanted.has(n)))
    offManifest.push(await hashFile(mediaDir, name, () => {}));
  const present = new Set(names);
  const missing = manifest.artifacts.filter((a) => !present.has(a.artifact)).map((a) => a.artifact);
  const quarantined = matchMedia(manifest.artifacts, offManifest).quarantined;
  if (missing.length > 0) {
    station.record([
      ...quarantined.map((q) => quarantineEvent(req.declarationId, null, q, req.actor)),
      {
        kind: 'signing.run-refused',
        actor: req.actor,
        body: { declarationId: req.declarationId, runId: null, code: 'SIGNING_ARTIFACTS_MISSING', missing },
      },
    ]);
    throw missingError(missing, []);
  }

  // Outputs are never overwritten: every name this run writes must be free before anything is claimed.
  const taken = [
    ...manifest.artifacts.map((a) => signatureFileName(a.artifact)),
    envelopeFileName(runId),
  ].filter((n) => lstatSync(join(outDir, n), { throwIfNoEntry: false }) !== undefined);
  if (taken.length > 0)
    throw stationError(
      'OUTPUT_EXISTS',
      `${outDir} already holds ${taken.slice(0, 5).join(', ')}${taken.length > 5 ? ` and ${taken.length - 5} more` : ''}; the station never overwrites a file: choose an empty output folder`,
      { field: 'outDir', path: join(outDir, taken[0] as string) },
    );

  if (opts.phases) opts.phases.prepare = (opts.phases.prepare ?? 0) + performance.now() - tPrepare;
  const started: EventBody<'signing.run-started'> = {
    runId,
    declarationId: req.declarationId,
    packetId: gate.packetId,
    version: gate.version,
    packetDigest: gate.packetDigest,
    approvalSeq: gate.approvalSeq,
    policyDigest: gate.policyDigest,
    ledgerDigest: gate.ledgerDigest,
    manifestId: manifest.manifestId,
    manifestVersion: manifest.manifestVersion,
    manifestSha256: digest,
    artifacts: manifest.artifacts,
    moduleId: key.moduleId,
    tokenSerial: key.tokenSerial,
    keyId: key.keyId,
    spkiSha256: key.info.fingerprint,
    algorithm: ARTIFACT_ALGORITHM,
    quorumSessionId: req.quorumSessionId,
    claimSeq: 1,
    mediaDir,
    outDir,
    startedAt: journalTime(station.deps.clock()),
    ...(done.length > 0 ? { again: true } : {}),
  };
  // QUORUM-CLAIM and the run's start land together, rechecked under the write lock: the quorum is still
  // reached and unclaimed, and no other run opened meanwhile (one batch at a time).
  // The PIN first (a session logged in on the token): a wrong PIN leaves no claim and no open run.
  return withLogin(key, req.pin, req.declarationId, async (s) => {
    const head = station.journal.head().seq;
    const appended = station.record(
      [
        {
          kind: 'quorum.session-claimed',
          actor: req.actor,
          body: { sessionId: req.quorumSessionId, operation: encodeOperation(operation) },
        },
        { kind: 'signing.run-started', actor: req.actor, body: { ...started, claimSeq: head + 1 } },
        // Off-manifest files are quarantined under the run they were found by.
        ...quarantined.map((q) => quarantineEvent(req.declarationId, runId, q, req.actor)),
      ],
      () => {
        requireQuorum(station, req.quorumSessionId, operation);
        assertGateHolds(station, provider, started, req.quorumSessionId);
        if (station.journal.head().seq !== head || openRun(station, null))
          throw stationError(
            'JOURNAL_CONFLICT',
            'the journal moved while the run was being started; start it again',
            {},
          );
      },
    );
    const run = openRun(station, req.declarationId);
    if (!run || run.started.body.runId !== runId || run.attempt.claimSeq !== appended.firstSeq)
      throw stationError('INTERNAL', 'the signing run just started cannot be read back from the journal', {});
    return signBatch(station, run, key, operation, req, opts, s);
  });
}

/** A session on the signing token with its user logged in: the PIN is checked before anything is claimed. */
function withLogin<T>(
  key: Key,
  pin: string,
  declarationId: string,
  act: (s: Session) => Promise<T>,
): Promise<T> {
  return key.module.withSessionAsync(
    key.tokenSerial,
    { write: false, login: { user: 'user', pin }, purpose: `gated signing of ${declarationId}` },
    act,
  );
}

/**
 * SIGN-RESUME: the same run taken up again. The gate must still open for exactly the facts the run was
 * bound to; the run's quorum claim must still hold and be unexpired (or a new session for the same
 * operation is claimed in its place); then `signing.run-resumed` makes this the run's attempt, and only
 * what the journal has not counted is signed.
 */
export async function resumeSigningRun(
  station: Station,
  req: SignResumeRequest,
  opts: SigningOptions = {},
): Promise<SigningResult> {
  assertActor(req.actor);
  station.assertWritable();
  const run = openRun(station, req.declarationId);
  if (!run)
    throw stationError('SIGNING_NO_OPEN_RUN', `no signing run of ${req.declarationId} is open`, {
      field: 'declarationId',
    });
  const provider = opts.gate ?? openGateForSigning;
  const { gate, digest, operation } = readGate(station, req.declarationId, provider);
  assertSameGate(run.started.body, gate, digest);
  const key = readKey(station, gate, req.moduleId ?? run.started.body.moduleId);
  if (key.info.fingerprint !== run.started.body.spkiSha256)
    throw stationError(
      'SIGNING_GATE_CHANGED',
      `key ${key.keyId} on token ${key.tokenSerial} is not the key the run started with (public key ${run.started.body.spkiSha256})`,
      { runId: run.started.body.runId, field: 'declarationId' },
    );
  // The PIN first: a wrong PIN journals nothing (no resume, no new claim).
  return withLogin(key, req.pin, req.declarationId, async (s) => {
    const claim = run.attempt;
    const view = quorumSessionView(station, { sessionId: claim.quorumSessionId });
    const now = journalTime(station.deps.clock());
    const held = view.claim?.seq === claim.claimSeq && now < view.session.expiresAt;
    const runId = run.started.body.runId;
    if (held) {
      station.record(
        [{ kind: 'signing.run-resumed', actor: req.actor, body: { runId, ...sessionOf(claim) } }],
        () => {
          assertClaimHeld(station, claim.quorumSessionId, claim.claimSeq);
          assertGateHolds(station, provider, run.started.body, claim.quorumSessionId);
        },
      );
    } else {
      if (!req.quorumSessionId || req.quorumSessionId === claim.quorumSessionId)
        throw stationError(
          'SIGNING_QUORUM_EXPIRED',
          `run ${runId}'s quorum session ${claim.quorumSessionId} has expired or no longer holds its claim; open a new session for "${encodeOperation(operation)}" and resume with it`,
          { runId, expected: encodeOperation(operation) },
        );
      const next = req.quorumSessionId;
      requireQuorum(station, next, operation);
      const head = station.journal.head().seq;
      const spendOld: NewEvent[] =
        view.claim?.seq === claim.claimSeq
          ? [
              {
                kind: 'quorum.session-spent',
                actor: req.actor,
                body: {
                  sessionId: claim.quorumSessionId,
                  claimSeq: claim.claimSeq,
                  code: 'SIGNING_QUORUM_EXPIRED',
                },
              },
            ]
          : [];
      station.record(
        [
          ...spendOld,
          {
            kind: 'quorum.session-claimed',
            actor: req.actor,
            body: { sessionId: next, operation: encodeOperation(operation) },
          },
          {
            kind: 'signing.run-resumed',
            actor: req.actor,
            body: { runId, quorumSessionId: next, claimSeq: head + spendOld.length + 1 },
          },
        ],
        () => {
          requireQuorum(station, next, operation);
          assertGateHolds(station, provider, run.started.body, next);
        },
      );
    }
    const resumed = openRun(station, req.declarationId);
    if (resumed?.started.body.runId !== runId)
      throw stationError('SIGNING_SUPERSEDED', `run ${runId} was closed while it was being resumed`, {
        runId,
      });
    return signBatch(
      station,
      resumed,
      key,
      operation,
      { ...req, mediaDir: run.started.body.mediaDir },
      opts,
      s,
    );
  });
}

function sessionOf(a: RunRecord['attempt']) {
  return { quorumSessionId: a.quorumSessionId, claimSeq: a.claimSeq };
}

function assertSameGate(b: EventBody<'signing.run-started'>, gate: OpenGate, digest: string): void {
  const spki = gate.signingKey.spkiSha256;
  const pairs: [string, unknown, unknown][] = [
    ['packet', b.packetId, gate.packetId],
    ['version', b.version, gate.version],
    ['packet digest', b.packetDigest, gate.packetDigest],
    ['approval', b.approvalSeq, gate.approvalSeq],
    ['policy digest', b.policyDigest, gate.policyDigest],
    ['ledger digest', b.ledgerDigest, gate.ledgerDigest],
    ['manifest digest', b.manifestSha256, digest],
    ['token', b.tokenSerial, gate.signingKey.tokenSerial],
    ['key', b.keyId, gate.signingKey.keyId],
    ...(typeof spki === 'string' ? [['key SPKI', b.spkiSha256, spki] as [string, unknown, unknown]] : []),
  ];
  const changed = pairs.filter(([, was, now]) => was !== now);
  if (changed.length > 0)
    throw stationError(
      'SIGNING_GATE_CHANGED',
      `the gate of ${b.declarationId} now opens for other facts than run ${b.runId} was bound to: ${changed
        .map(([what, was, now]) => `${what} ${String(was)} → ${String(now)}`)
        .join('; ')}`,
      { runId: b.runId, field: 'declarationId', changed: changed.map(([what]) => what) },
    );
}

/**
 * SIGN-GATE, rechecked under the journal's write lock before `run-started`, each chunk's intents and the
 * completion: the gate re-read from its provider still opens for exactly the run's facts (a gate no
 * longer OPEN throws GATE_NOT_OPEN; other facts, SIGNING_GATE_CHANGED), and the quorum claim has not
 * expired (SIGNING_QUORUM_EXPIRED). The run stays open for a resume; nothing more is signed.
 */
function assertGateHolds(
  station: Station,
  provider: GateProvider,
  b: EventBody<'signing.run-started'>,
  quorumSessionId: string,
): void {
  // The manifest handed out exactly as journaled (the usual case) is not parsed and hashed again: it
  // parses to the journaled one, so its digest is the journaled digest (sameManifest).
  const gate = provider(station, b.declarationId);
  if (gate.declarationId === b.declarationId && sameManifest(gate.manifest, b))
    assertSameGate(b, gate, b.manifestSha256);
  else {
    const read = readGate(station, b.declarationId, () => gate);
    assertSameGate(b, read.gate, read.digest);
  }
  const { session } = quorumSessionView(station, { sessionId: quorumSessionId });
  if (journalTime(station.deps.clock()) >= session.expiresAt)
    throw stationError(
      'SIGNING_QUORUM_EXPIRED',
      `run ${b.runId}'s quorum session ${quorumSessionId} expired at ${session.expiresAt}; nothing more was signed`,
      { runId: b.runId, field: 'quorumSessionId' },
    );
}

function quarantineEvent(
  declarationId: string,
  runId: string | null,
  q: ReturnType<typeof matchMedia>['quarantined'][number],
  actor: string,
): NewEvent<'signing.artifact-quarantined'> {
  return {
    kind: 'signing.artifact-quarantined',
    actor,
    body: {
      declarationId,
      runId,
      artifact: q.artifact.slice(0, 1024),
      mediaSha256: q.mediaSha256,
      manifestSha256: q.manifestSha256,
      reason: q.reason,
    },
  };
}

function missingError(missing: readonly string[], differs: readonly string[]): CodedError {
  const parts = [
    missing.length > 0
      ? `not on the media: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ` (+${missing.length - 10})` : ''}`
      : '',
    differs.length > 0
      ? `digest differs from the manifest: ${differs.slice(0, 10).join(', ')}${differs.length > 10 ? ` (+${differs.length - 10})` : ''}`
      : '',
  ].filter(Boolean);
  return stationError('SIGNING_ARTIFACTS_MISSING', `the batch cannot complete: ${parts.join('; ')}`, {
    field: 'mediaDir',
    missing: [...missing, ...differs],
  });
}

/** The run's journaled facts as SIGN-RESUME reads them. */
function runFacts(run: RunRecord): RunFact[] {
  return [
    ...run.intents.map((a) => ({ type: 'intent' as const, artifact: a.artifact, sha256: a.sha256 })),
    ...run.signed.map((a) => ({ type: 'signed' as const, artifact: a.artifact, sha256: a.sha256 })),
    ...(run.envelopeIntent ? [{ type: 'envelope-intent' as const }] : []),
  ];
}

/**
 * Signs what the journal has not counted, in chunks: hash from media, match (SIGN-MATCH), journal the
 * intents, C_Sign each digest, verify against the token's public key (SIGN-VERIFY), write durably and
 * read back, journal the counted signatures. Then the batch's envelope, and the completion that closes
 * the quorum as used. Every append rechecks that this attempt still holds the run.
 */
async function signBatch(
  station: Station,
  run: RunRecord,
  key: Key,
  operation: QuorumOperation,
  req: {
    readonly pin: string;
    readonly actor: string;
    readonly declarationId: string;
    readonly mediaDir?: string;
  },
  opts: SigningOptions,
  s: Session,
): Promise<SigningResult> {
  const b = run.started.body;
  const { runId, outDir, mediaDir } = b;
  const attemptSeq = run.attempt.seq;
  const session = sessionOf(run.attempt);
  const state = resumeState(b.artifacts, runFacts(run));
  const total = b.artifacts.length;
  let counted = state.signed.size;
  let adopted = run.signed.filter((s) => s.adopted).length;
  let bytesDone = 0;
  const startedMs = Date.now();
  const countedAtStart = counted;
  const report = (phase: SigningProgress['phase']) => {
    const r = progressRate(counted - countedAtStart, total - countedAtStart, startedMs, Date.now());
    opts.onProgress?.({ runId, phase, done: counted, total, bytesDone, ...r });
  };
  const guard = () => {
    if (!attemptCurrent(station, attemptSeq))
      throw stationError('SIGNING_SUPERSEDED', `another attempt took run ${runId} up; this one stopped`, {
        runId,
      });
  };
  const record = (events: NewEvent[], extra?: () => void) =>
    station.record(events, () => {
      guard();
      extra?.();
    });
  const provider = opts.gate ?? openGateForSigning;
  const gateHolds = () => assertGateHolds(station, provider, b, session.quorumSessionId);

  report('checking');
  const inDoubt = b.artifacts.filter((a) => state.inDoubt.has(a.artifact));
  // Large artifacts (by the manifest's size) go last: they are hashed from the start on a worker of
  // their own, so they are ready by the time their chunk comes instead of stalling the first one.
  const isLarge = (a: ManifestArtifact) => a.sizeBytes !== null && a.sizeBytes > HELD_BYTES;
  const work = [...inDoubt, ...state.pending].sort((x, y) => Number(isLarge(x)) - Number(isLarge(y)));
  // At most 4096 per append (the journal's bound on an artifact event).
  const chunk = Math.min(4096, Math.max(1, opts.chunk ?? DEFAULT_CHUNK));
  const differs: string[] = [];
  const missing: string[] = [];

  const envelope = await (async () => {
    const handle = s.privateKey(key.keyId);
    // SIGN-RESUME rule 2: a counted output missing or altered on disk is written again from the journal.
    if (run.signed.length > 0) await restoreCounted(run, outDir);
    // A chunk's outputs land (verified, written, made durable, read back, counted) while the token
    // signs the next chunk: at most one chunk in flight, its count journaled before the next one's.
    let inflight: Promise<void> | null = null;
    // Outputs this attempt wrote and read back, with their identity as read back (outputStat).
    const seen = new Map<string, string>();
    // The attempt's work beside the token (adapters/media/signing-jobs.ts), on worker threads where the
    // built worker is there: one hashes the media a chunk ahead and verifies the signatures against what
    // it held, one creates, syncs and reads back each chunk's outputs while the token signs the next.
    const writer = new SigningThread(key.info.key);
    const hasher = new SigningThread(key.info.key);
    // Large artifacts (by the manifest's size) are hashed from the start on a thread of their own, so
    // their streaming overlaps the small files' chunks instead of stalling the chunk that holds them.
    const large = work.filter(isLarge);
    const bigHasher = large.length > 0 ? new SigningThread(key.info.key) : null;
    // Re-hash from media (SIGN-MATCH), ahead of the token: only bytes that match the manifest are
    // signed. One pass: a small file's bytes, or a verifier fed with a large one's, stay on the thread
    // that hashed it until its signature is verified there.
    const hashOn = async (by: SigningThread, part: readonly ManifestArtifact[]): Promise<HashResult[]> =>
      (
        await by.hash(
          mediaDir,
          part.map((a) => ({ name: a.artifact, max: a.sizeBytes })),
        )
      ).map((r, k): HashResult => {
        const a = part[k] as ManifestArtifact;
        if ('error' in r) return { a, error: r.error };
        return {
          a,
          f: {
            name: a.artifact,
            sha256: r.sha256,
            size: r.size,
            bytes: null,
            verifier: null,
            held: { by, key: r.key },
          },
        };
      });
    const early = new Map<string, Promise<HashResult>>();
    for (const a of large) {
      const p = hashOn(bigHasher as SigningThread, [a]).then(([r]) => r as HashResult);
      p.catch(() => {});
      early.set(a.artifact, p);
    }
    const hashAhead = (from: number): Promise<HashResult[]> | null => {
      if (from >= work.length) return null;
      const part = work.slice(from, from + chunk);
      const rest = part.filter((a) => !early.has(a.artifact));
      const p = (async () => {
        const byName = new Map(
          (rest.length === 0 ? [] : await hashOn(hasher, rest)).map((r) => [r.a.artifact, r]),
        );
        return Promise.all(
          part.map((a) => byName.get(a.artifact) ?? (early.get(a.artifact) as Promise<HashResult>)),
        );
      })();
      p.catch(() => {});
      return p;
    };
    let ahead = hashAhead(0);
    const land = async () => {
      const p = inflight;
      inflight = null;
      if (p) await p;
    };
    try {
      for (let i = 0; i < work.length; i += chunk) {
        if (opts.signal?.aborted) {
          await land();
          throw cancel(station, run, counted, total - counted, req.actor);
        }
        const tHash = performance.now();
        const results = await (ahead as Promise<HashResult[]>);
        // The next chunk is hashed (on the worker) while this one is journaled, signed and lands.
        ahead = hashAhead(i + chunk);
        const hashed: Hashed[] = [];
        const refused: NewEvent[] = [];
        const unused: Held[] = [];
        for (const r of results) {
          const a = r.a;
          if (!('f' in r)) {
            // Longer than the manifest says: not the artifact (not read past its size). Absent, or not
            // a regular file (a FIFO is never waited on): missing.
            (r.error === 'size' ? differs : missing).push(a.artifact);
            continue;
          }
          const f = r.f;
          bytesDone += f.size;
          if (f.sha256 !== a.sha256) {
            unused.push(f.held);
            differs.push(a.artifact);
            refused.push(
              quarantineEvent(
                b.declarationId,
                runId,
                {
                  artifact: a.artifact,
                  mediaSha256: f.sha256,
                  manifestSha256: a.sha256,
                  reason: 'digest-differs',
                },
                req.actor,
              ),
            );
            continue;
          }
          hashed.push({ a, f });
        }
        if (opts.phases)
          opts.phases[i === 0 ? 'hash-first' : 'hash'] =
            (opts.phases[i === 0 ? 'hash-first' : 'hash'] ?? 0) + performance.now() - tHash;
        if (refused.length > 0) record(refused);
        // An in-doubt artifact whose output is on disk and verifies is adopted, never signed again.
        const toSign: Hashed[] = [];
        const found: Counted[] = [];
        for (const h of hashed) {
          const adoptedOne = state.inDoubt.has(h.a.artifact)
            ? await adoptable(outDir, mediaDir, key, h)
            : null;
          if (adoptedOne) {
            found.push(adoptedOne);
            unused.push(h.f.held);
          } else toSign.push(h);
        }
        for (const by of new Set(unused.map((u) => u.by)))
          by.drop(unused.filter((u) => u.by === by).map((u) => u.key));
        let signed: Signed[] = [];
        if (toSign.length > 0) {
          await timed(opts.phases, 'intent', () =>
            record(
              [
                {
                  kind: 'signing.artifact-intent',
                  actor: req.actor,
                  body: {
                    runId,
                    artifacts: toSign.map((h) => ({ artifact: h.a.artifact, sha256: h.a.sha256 })),
                  },
                },
              ],
              gateHolds,
            ),
          );
          signed = await timed(opts.phases, 'sign', () => signPart(s, handle, toSign));
        }
        await timed(opts.phases, 'wait-landing', land);
        const landing = (async () => {
          const done = [
            ...found,
            ...(signed.length > 0
              ? await materialise(outDir, mediaDir, key, signed, writer, seen, opts.phases)
              : []),
          ];
          if (done.length > 0) {
            await timed(opts.phases, 'record-signed', () =>
              record([
                { kind: 'signing.artifact-signed', actor: req.actor, body: { runId, artifacts: done } },
              ]),
            );
            counted += done.length;
            adopted += done.filter((d) => d.adopted).length;
          }
          report('signing');
        })();
        // Its failure is answered where it lands (land), not as an unhandled rejection meanwhile.
        landing.catch(() => {});
        inflight = landing;
      }
      await land();
    } catch (e) {
      // Nothing runs on after this attempt stops: a chunk still landing finishes (or fails) first.
      await inflight?.catch(() => {});
      throw e;
    } finally {
      await Promise.all([writer.close(), hasher.close(), bigHasher?.close()]);
    }
    if (missing.length > 0 || differs.length > 0) {
      record([
        {
          kind: 'signing.run-refused',
          actor: req.actor,
          body: {
            declarationId: b.declarationId,
            runId,
            code: 'SIGNING_ARTIFACTS_MISSING',
            missing: [...missing, ...differs],
          },
        },
      ]);
      throw missingError(missing, differs);
    }
    if (opts.signal?.aborted) throw cancel(station, run, counted, total - counted, req.actor);
    // Before completion, every counted output is checked against its journaled signature (all
    // attempts'): one missing or altered since it was counted is written again from the journal's
    // bytes, made durable and read back (SIGN-RESUME rule 2), never signed again.
    const now = openRun(station, b.declarationId);
    if (now?.started.body.runId !== runId)
      throw stationError('SIGNING_SUPERSEDED', `run ${runId} was closed while it was signed`, { runId });
    await timed(opts.phases, 'completion-check', () => restoreCounted(now, outDir, seen));
    report('envelope');
    return timed(opts.phases, 'envelope', () =>
      writeEnvelope(
        station,
        s,
        handle,
        key,
        run,
        state.envelopeInDoubt,
        (events) => record(events, gateHolds),
        req.actor,
      ),
    );
  })();
  record(
    [
      {
        kind: 'signing.run-completed',
        actor: req.actor,
        body: {
          runId,
          signed: counted,
          adopted,
          envelopeFile: envelope.file,
          envelopeSha256: envelope.sha256,
          statementSha256: envelope.statementSha256,
        },
      },
      quorumUsed(session.quorumSessionId, operation, req.actor),
    ],
    () => {
      assertClaimHeld(station, session.quorumSessionId, session.claimSeq);
      gateHolds();
    },
  );
  report('done');
  return {
    runId,
    declarationId: b.declarationId,
    signed: counted,
    adopted,
    quarantined: run.quarantined.length + differs.length,
    envelopePath: join(outDir, envelope.file),
    envelopeSha256: envelope.sha256,
    statementSha256: envelope.statementSha256,
  };
}

type Counted = EventBody<'signing.artifact-signed'>['artifacts'][number];
/** A file hashed from media; `held` names its bytes or fed verifier kept on the thread that hashed it. */
type Hashed = { a: ManifestArtifact; f: HashedFile & { readonly held: Held } };
type Held = { readonly by: SigningThread; readonly key: number };
type HashResult = Hashed | { a: ManifestArtifact; error: 'missing' | 'size' };

/** An output file's bytes when it is a regular file of a signature's size; null when absent. */
function readOutput(path: string): Buffer | null | 'other' {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (st === undefined) return null;
  if (!st.isFile() || st.size > 64 * 1024) return 'other';
  return readNoAtime(path).bytes;
}

/**
 * SIGN-RESUME rule 2 for an artifact intended but not counted, whose name this attempt found taken:
 * null when the name is free (sign it; an empty file, which is what an interrupted write leaves, is
 * removed first); the counted entry when it holds a valid signature (adopted); SIGNING_OUTPUT_FOREIGN
 * when it holds anything else.
 */
async function adoptable(outDir: string, mediaDir: string, key: Key, h: Hashed): Promise<Counted | null> {
  const name = signatureFileName(h.a.artifact);
  const path = join(outDir, name);
  const bytes = readOutput(path);
  const onDisk =
    bytes === null
      ? null
      : bytes === 'other'
        ? { size: -1, verifies: false }
        : {
            size: bytes.length,
            verifies:
              bytes.length > 0 &&
              (await verifyArtifactSignature(key.info.key, bytes, {
                dir: mediaDir,
                name: h.a.artifact,
                sha256: h.a.sha256,
                bytes: h.f.bytes,
                from: h.f,
              })),
          };
  switch (inDoubtOutput(onDisk)) {
    case 'sign':
      return null;
    case 'replace-empty':
      unlinkSync(path);
      return null;
    case 'adopt':
      return {
        artifact: h.a.artifact,
        sha256: h.a.sha256,
        signatureFile: name,
        signatureSha256: sha256hex(bytes as Buffer),
        adopted: true,
        signature: (bytes as Buffer).toString('base64'),
      };
    case 'foreign':
      throw stationError(
        'SIGNING_OUTPUT_FOREIGN',
        `${path} is not a valid signature of ${h.a.artifact} by key ${key.keyId}; the station never overwrites it`,
        { path, field: 'outDir' },
      );
  }
}

/** syncFolder (on the writer's thread), its failure a coded one: nothing of the batch may be counted. */
async function durable(outDir: string, names: readonly string[], writer?: SigningThread): Promise<void> {
  try {
    await (writer ? writer.sync(outDir, names) : syncFolder(outDir, names));
  } catch (e) {
    throw stationError(
      'SIGNING_WRITE_FAILED',
      `the signatures written to ${outDir} could not be made durable (${(e as Error).message}); nothing of this chunk was counted`,
      { field: 'outDir', path: outDir },
    );
  }
}

/** Adds the wall time of `act` to `phases[name]` (when phases are collected). */
async function timed<T>(
  phases: Record<string, number> | undefined,
  name: string,
  act: () => Promise<T> | T,
): Promise<T> {
  if (!phases) return act();
  const t = performance.now();
  try {
    return await act();
  } finally {
    phases[name] = (phases[name] ?? 0) + performance.now() - t;
  }
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A signature made by the token, its software verification under way. */
interface Signed {
  readonly h: Hashed;
  readonly der: Buffer;
  readonly check: Promise<boolean>;
}

/**
 * SIGN-VERIFY, first half, for a chunk whose intents are journaled: each artifact signed over its
 * manifest digest (the bytes just hashed from media matched it), the token's raw r||s turned into DER,
 * and its verification against the public key read from the token started (small artifacts on the
 * thread pool while the token signs the next).
 */
async function signPart(
  s: Session,
  handle: Parameters<Session['signWith']>[0],
  chunk: readonly Hashed[],
): Promise<Signed[]> {
  const signed: Signed[] = [];
  // The verifications go to the threads that hashed the artifacts, in batches, while the token signs on.
  let batch: { der: Buffer; h: Hashed; resolve: (ok: boolean) => void; reject: (e: unknown) => void }[] = [];
  const flush = () => {
    const all = batch;
    batch = [];
    for (const by of new Set(all.map((x) => x.h.f.held.by))) {
      const kept = all.filter((x) => x.h.f.held.by === by);
      by.verifyHeld(kept.map((x) => ({ key: x.h.f.held.key, sha256: x.h.a.sha256, signature: x.der }))).then(
        (ok) => kept.forEach((x, i) => x.resolve(ok[i] === true)),
        // The thread failed: not an answer about the signature; the chunk is not counted.
        (e: unknown) => kept.forEach((x) => x.reject(e)),
      );
    }
  };
  for (const [k, h] of chunk.entries()) {
    // Lets the chunk landing meanwhile move on.
    if (k % 64 === 63) {
      flush();
      await yieldToLoop();
    }
    const digest = Buffer.from(h.a.sha256, 'hex');
    // CKM_ECDSA signs a digest: the one the media bytes matched, which is the manifest's own.
    const raw = s.signWith(handle, ARTIFACT_ALGORITHM, Buffer.alloc(0), () => digest);
    const der = Buffer.from(ecdsaRawToDer(raw));
    const check = new Promise<boolean>((resolve, reject) => batch.push({ der, h, resolve, reject }));
    check.catch(() => {});
    signed.push({ h, der, check });
  }
  flush();
  return signed;
}

/**
 * SIGN-VERIFY, second half: every signature of the chunk must verify before anything is written. Then
 * the chunk's outputs are created without replacing anything, made durable together (one syncfs of the
 * output file system, not two fsyncs per file), and read back; only then may the chunk be counted. A
 * name taken meanwhile by a valid signature of its artifact (another attempt's) is adopted; an empty
 * leftover of an interrupted write is replaced; anything else is refused.
 */
async function materialise(
  outDir: string,
  mediaDir: string,
  key: Key,
  signed: readonly Signed[],
  writer: SigningThread,
  seen: Map<string, string>,
  phases?: Record<string, number>,
): Promise<Counted[]> {
  const checks = await timed(phases, 'verify-wait', () => Promise.all(signed.map((x) => x.check)));
  const bad = signed.find((_, i) => !checks[i]);
  if (bad)
    throw stationError(
      'SIGNING_SIGNATURE_INVALID',
      `the token's signature of ${bad.h.a.artifact} does not verify against key ${key.keyId}'s public key; nothing of its chunk was written or counted`,
      { artifact: bad.h.a.artifact },
    );
  const files = signed.map((x) => ({ name: signatureFileName(x.h.a.artifact), bytes: x.der }));
  const results = await timed(phases, 'write', () =>
    writer.write(outDir, files, { mode: 0o644, field: 'outDir' }),
  );
  const out: (Counted | null)[] = signed.map(() => null);
  const retry: number[] = [];
  for (const [i, r] of results.entries()) {
    if (r !== 'exists') continue;
    const other = await adoptable(outDir, mediaDir, key, (signed[i] as Signed).h);
    if (other) out[i] = other;
    else retry.push(i);
  }
  if (retry.length > 0) {
    const again = await writeNewFiles(
      outDir,
      retry.map((i) => files[i] as NewFile),
      { mode: 0o644, field: 'outDir' },
    );
    const taken = retry.find((_, k) => again[k] !== 'written');
    if (taken !== undefined)
      throw stationError(
        'OUTPUT_EXISTS',
        `${join(outDir, (files[taken] as NewFile).name)} was taken again while it was written; the station never overwrites a file`,
        { field: 'outDir', path: join(outDir, (files[taken] as NewFile).name) },
      );
  }
  await timed(phases, 'sync', () =>
    durable(
      outDir,
      files.filter((_, i) => out[i] === null).map((f) => f.name),
      writer,
    ),
  );
  const tRead = performance.now();
  const mine = files.filter((_, i) => out[i] === null);
  const identities = await writer.readBack(outDir, mine);
  for (const [k, f] of mine.entries()) seen.set(f.name, identities[k] as string);
  const back = signed.map((x, i) => {
    const adoptedOne = out[i];
    if (adoptedOne) return adoptedOne;
    const name = (files[i] as NewFile).name;
    return {
      artifact: x.h.a.artifact,
      sha256: x.h.a.sha256,
      signatureFile: name,
      signatureSha256: sha256hex(x.der),
      adopted: false,
      signature: x.der.toString('base64'),
    };
  });
  if (phases) phases.readback = (phases.readback ?? 0) + performance.now() - tRead;
  return back;
}

/**
 * SIGN-RESUME rule 2 for counted artifacts: each output must hold exactly the journaled signature. One
 * that is missing, or holds anything else, is written again from the signature bytes the journal
 * recorded when it was counted — never signed again — made durable and read back. (A run journaled
 * before the bytes were recorded keeps the old rule: counted, whatever the disk says.)
 */
async function restoreCounted(
  run: RunRecord,
  outDir: string,
  seen: ReadonlyMap<string, string> = new Map(),
): Promise<number> {
  const missing: NewFile[] = [];
  const replace: NewFile[] = [];
  for (const c of run.signed) {
    const path = join(outDir, c.signatureFile);
    const was = seen.get(c.signatureFile);
    if (was !== undefined && unchangedSince(path, was)) continue;
    const bytes = readOutput(path);
    const journaled = c.signature === undefined ? null : Buffer.from(c.signature, 'base64');
    const action = countedOutput(
      { signatureSha256: c.signatureSha256, signature: journaled },
      bytes === null || bytes === 'other' ? null : sha256hex(bytes),
      (d) => createHash('sha256').update(d).digest(),
    );
    if (action !== 'rewrite' || !journaled) continue;
    (bytes === null ? missing : replace).push({ name: c.signatureFile, bytes: journaled });
  }
  const taken = (await writeNewFiles(outDir, missing, { mode: 0o644, field: 'outDir' }))
    .map((r, i) => (r === 'exists' ? missing[i] : null))
    .filter((f): f is NewFile => f !== null);
  // The name holds something other than the counted signature: the journal is the truth, and the file
  // is replaced by it (a new file renamed over the name, so a reader never sees a torn one).
  for (const f of [...replace, ...taken]) {
    const path = join(outDir, f.name);
    const temp = join(outDir, `.${f.name}.${randomUUID()}.partial`);
    writeExclusive(temp, f.bytes, { mode: 0o644, field: 'outDir' });
    try {
      renameSync(temp, path);
    } catch (e) {
      rmSync(temp, { force: true });
      throw e;
    }
  }
  const all = [...missing, ...replace];
  if (all.length === 0) return 0;
  await durable(
    outDir,
    all.map((f) => f.name),
  );
  for (const f of all) readBack(join(outDir, f.name), f.bytes);
  return all.length;
}

/** The identity (fileIdentity) of the regular file at `path`, not following a link; null if none. */
function outputStat(path: string): string | null {
  const s = lstatSync(path, { bigint: true, throwIfNoEntry: false });
  if (!s?.isFile()) return null;
  return fileIdentity(s);
}

/**
 * The completion check's shortcut for an output this attempt wrote and read back (SIGN-RESUME rule 1):
 * it still holds those bytes when its identity is the one recorded at the read-back — on a file system
 * with timestamps finer than 10 ms only (ext4, xfs, btrfs, tmpfs); on FAT/exFAT, whose coarse times
 * could hide a rewrite of the same size, the file is read again.
 */
function unchangedSince(path: string, wasAtReadBack: string): boolean {
  const now = outputStat(path);
  if (now === null || now !== wasAtReadBack) return false;
  const mtimeNs = BigInt(now.split(':')[3] as string);
  return mtimeNs % 10_000_000n !== 0n;
}

/**
 * The batch's one DSSE envelope over its in-toto statement (every manifest artifact a subject). The
 * statement is built from the run's journaled facts only, so after a crash an envelope already on disk
 * is adopted when its payload is exactly this statement and its signature verifies.
 */
async function writeEnvelope(
  station: Station,
  s: Session,
  handle: Parameters<Session['signWith']>[0],
  key: Key,
  run: RunRecord,
  inDoubt: boolean,
  record: (events: NewEvent[]) => unknown,
  actor: string,
): Promise<{ file: string; sha256: string; statementSha256: string }> {
  const b = run.started.body;
  const predicate: SigningPredicate = {
    runId: b.runId,
    declarationId: b.declarationId,
    packet: { packetId: b.packetId, version: b.version, digest: b.packetDigest },
    approvalSeq: b.approvalSeq,
    policyDigest: b.policyDigest,
    ledgerDigest: b.ledgerDigest,
    manifest: { manifestId: b.manifestId, manifestVersion: b.manifestVersion, sha256: b.manifestSha256 },
    key: { tokenSerial: b.tokenSerial, keyId: b.keyId, spkiSha256: b.spkiSha256 },
    startedAt: b.startedAt,
    station: { stationId: station.stationRecord().stationId },
  };
  const payload = canonicalBytes(batchStatement(b.artifacts, predicate));
  const statementSha256 = sha256hex(payload);
  const file = envelopeFileName(b.runId);
  const path = join(b.outDir, file);
  const verifies = (bytes: Uint8Array) => {
    const parsed = parseEnvelope(bytes);
    return (
      parsed.ok &&
      parsed.payload.equals(payload) &&
      parsed.envelope.signatures.length === 1 &&
      verifyDsseSignature(
        key.info,
        parsed.envelope.payloadType,
        parsed.payload,
        envelopeMemberBytes(parsed.envelope.signatures[0]?.sig ?? ''),
      )
    );
  };
  if (lstatSync(path, { throwIfNoEntry: false }) !== undefined) {
    const existing = inDoubt ? readFileSync(path) : null;
    if (existing && verifies(existing)) return { file, sha256: sha256hex(existing), statementSha256 };
    throw stationError(
      'SIGNING_OUTPUT_FOREIGN',
      `${path} is not this run's envelope; the station never overwrites it`,
      {
        path,
        field: 'outDir',
      },
    );
  }
  if (!inDoubt)
    record([{ kind: 'signing.envelope-intent', actor, body: { runId: b.runId, statementSha256 } }]);
  const envelope = await signEnvelope(payload, key.info.fingerprint, async (pae) =>
    dsseSignatureFromToken(
      s.signWith(handle, ARTIFACT_ALGORITHM, Buffer.from(pae), (alg, d) =>
        createHash(alg).update(d).digest(),
      ),
      key.dsse,
    ),
  );
  const bytes = canonicalBytes(envelope);
  if (!verifies(bytes))
    throw stationError(
      'SIGNING_SIGNATURE_INVALID',
      "the token's envelope signature does not verify against its public key",
      {},
    );
  writeExclusive(path, bytes, { mode: 0o644, field: 'outDir' });
  readBack(path, bytes);
  return { file, sha256: sha256hex(bytes), statementSha256 };
}

/**
 * The operator's cancel, seen between chunks: the run ends (`signing.run-cancelled`), counted signatures
 * stay counted, and the quorum is released when nothing was signed under it, spent otherwise.
 */
function cancel(
  station: Station,
  run: RunRecord,
  signed: number,
  pending: number,
  actor: string,
): CodedError {
  const { runId } = run.started.body;
  const claim = run.attempt;
  const anything = signed > 0 || run.intents.length > 0;
  try {
    station.record(
      [
        { kind: 'signing.run-cancelled', actor, body: { runId, signed, pending } },
        anything
          ? {
              kind: 'quorum.session-spent',
              actor,
              body: { sessionId: claim.quorumSessionId, claimSeq: claim.claimSeq, code: 'SIGNING_CANCELLED' },
            }
          : {
              kind: 'quorum.session-released',
              actor,
              body: { sessionId: claim.quorumSessionId, claimSeq: claim.claimSeq, code: 'SIGNING_CANCELLED' },
            },
      ],
      () => {
        if (!attemptCurrent(station, claim.seq))
          throw stationError('SIGNING_SUPERSEDED', `run ${runId} was taken up elsewhere`, { runId });
        assertClaimHeld(station, claim.quorumSessionId, claim.claimSeq);
      },
    );
  } catch (e) {
    return e instanceof CodedError
      ? e
      : stationError('INTERNAL', 'the cancellation could not be recorded', {});
  }
  return stationError(
    'SIGNING_CANCELLED',
    `signing run ${runId} was cancelled: ${signed} signed, ${pending} not signed`,
    {
      runId,
      signed,
      pending,
    },
  );
}

/**
 * Cancels the declaration's open run that no process is running (after a crash the operator decides
 * not to resume): the same record as a cancel seen mid-run.
 */
export function cancelSigningRun(
  station: Station,
  req: { declarationId: string; actor: string },
): { runId: string; signed: number; pending: number } {
  assertActor(req.actor);
  const run = openRun(station, req.declarationId);
  if (!run)
    throw stationError('SIGNING_NO_OPEN_RUN', `no signing run of ${req.declarationId} is open`, {
      field: 'declarationId',
    });
  const signed = run.signed.length;
  const pending = run.started.body.artifacts.length - signed;
  const e = cancel(station, run, signed, pending, req.actor);
  if (e.code !== 'SIGNING_CANCELLED') throw e;
  return { runId: run.started.body.runId, signed, pending };
}
