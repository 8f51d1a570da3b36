import { z } from 'zod';
import { canonicalBytes } from '../canonical';
import { toHex, type Sha256 } from '../bytes';
import { STATEMENT_TYPE } from '../bundle/statement';
import type { QuorumOperation } from '../custody/operation';
import { coreError } from '../errors';
import { ckaId, isoTime, packetIdSchema, seq, sha256Hex, tokenSerial, uuid } from '../schema';

/**
 * Gated offline signing of exactly the frozen manifest (docs/gated-signing.md): the pure rules. Which
 * media files may be signed (SIGN-MATCH), what the quorum is bound to (SIGN-QUORUM), what a resumed run
 * still has to do (SIGN-RESUME), and the one provenance statement of a batch.
 */

/**
 * An artifact's name as the manifest and the media hold it: one file name, never a path. No separator,
 * no NUL or control character, not `.`/`..`, no leading dot (the station's own temporary files start
 * with one), and not ending in `.sig` (the name of a detached signature beside it).
 */
export const artifactName = z
  .string()
  .min(1)
  .max(200)
  .refine(
    (n) => ![...n].some((c) => c === '/' || c === '\\' || c.charCodeAt(0) < 0x20 || c === '\u007f'),
    'a file name without a path separator or control character',
  )
  .refine((n) => !n.startsWith('.'), 'a file name that does not start with a dot')
  .refine((n) => !n.endsWith('.sig'), 'a file name that does not end in .sig');

export const manifestArtifactSchema = z.strictObject({
  artifact: artifactName,
  sha256: sha256Hex,
  sizeBytes: z.number().int().min(0).nullable(),
});
export type ManifestArtifact = z.output<typeof manifestArtifactSchema>;

/** The manifest the gate opened for, checked: names unique, at least one artifact. */
export const signingManifestSchema = z
  .strictObject({
    manifestId: z.string().min(1).max(120),
    manifestVersion: seq,
    artifacts: z.array(manifestArtifactSchema).min(1).max(1_000_000),
  })
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    for (const [i, a] of m.artifacts.entries()) {
      if (seen.has(a.artifact))
        ctx.addIssue({ code: 'custom', path: ['artifacts', i, 'artifact'], message: 'appears twice' });
      seen.add(a.artifact);
    }
  });
export type SigningManifest = z.output<typeof signingManifestSchema>;

/** The artifact list in its canonical order (by name, code-unit order): what is hashed and signed. */
export function canonicalArtifacts(artifacts: readonly ManifestArtifact[]): ManifestArtifact[] {
  return [...artifacts]
    .map((a) => ({ artifact: a.artifact, sha256: a.sha256, sizeBytes: a.sizeBytes }))
    .sort((a, b) => (a.artifact < b.artifact ? -1 : a.artifact > b.artifact ? 1 : 0));
}

/** SIGN-QUORUM: SHA-256 of the canonical JSON (RFC 8785) of the artifact list sorted by name. */
export function manifestSha256(artifacts: readonly ManifestArtifact[], sha256: Sha256): string {
  return toHex(sha256(canonicalBytes(canonicalArtifacts(artifacts))));
}

/**
 * Whether a manifest as a gate provider hands it out (not yet parsed) is exactly the one a run journaled
 * (already parsed by signingManifestSchema when the run started): the same id and version and, entry by
 * entry in the same order, the same three fields and no others. Such a manifest parses to exactly the
 * journaled one, so its digest is the journaled digest — the per-chunk gate re-read (SIGN-GATE) needs
 * neither the schema nor the canonical hash again. Anything else answers false: parse and hash it.
 */
export function sameManifest(
  raw: unknown,
  known: {
    readonly manifestId: string;
    readonly manifestVersion: number;
    readonly artifacts: readonly ManifestArtifact[];
  },
): boolean {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return false;
  const m = raw as Record<string, unknown>;
  if (Object.keys(m).length !== 3) return false;
  if (m.manifestId !== known.manifestId || m.manifestVersion !== known.manifestVersion) return false;
  const list = m.artifacts;
  if (!Array.isArray(list) || list.length !== known.artifacts.length) return false;
  for (let i = 0; i < list.length; i++) {
    const e: unknown = list[i];
    const k = known.artifacts[i] as ManifestArtifact;
    if (typeof e !== 'object' || e === null || Array.isArray(e)) return false;
    const r = e as Record<string, unknown>;
    if (r.artifact !== k.artifact || r.sha256 !== k.sha256 || r.sizeBytes !== k.sizeBytes) return false;
    let keys = 0;
    for (const key in r) if (Object.prototype.hasOwnProperty.call(r, key)) keys++;
    if (keys !== 3 || Object.getPrototypeOf(r) !== Object.prototype) return false;
  }
  return Object.getPrototypeOf(m) === Object.prototype;
}

/** The facts of an open gate that a signing run is bound to (services/activation's OpenGate). */
export interface GateFacts {
  readonly declarationId: string;
  readonly packetId: string;
  readonly version: number;
  readonly packetDigest: string;
  readonly approvalSeq: number;
  readonly policyDigest: string;
  readonly ledgerDigest: string;
  readonly signingKey: { readonly tokenSerial: string; readonly keyId: string };
}

/** SIGN-QUORUM: the one operation a custodian quorum for this batch must be bound to. */
export function gatedSignOperation(gate: GateFacts, manifestDigest: string): QuorumOperation {
  return {
    kind: 'gated-sign',
    packetId: gate.packetId,
    version: gate.version,
    tokenSerial: gate.signingKey.tokenSerial,
    keyId: gate.signingKey.keyId,
    manifestSha256: manifestDigest,
  };
}

export type QuarantineReason = 'off-manifest' | 'digest-differs';

export interface Quarantined {
  readonly artifact: string;
  readonly mediaSha256: string;
  /** What the manifest says, or null for a file the manifest does not name. */
  readonly manifestSha256: string | null;
  readonly reason: QuarantineReason;
}

/**
 * SIGN-MATCH: media files against the manifest, by name AND SHA-256. A file the manifest does not name,
 * or whose digest differs from the manifest's, is quarantined (never signed) with both digests; an
 * artifact of the manifest that is not on the media (or differs) is missing, and the batch cannot complete.
 */
export function matchMedia(
  manifest: readonly ManifestArtifact[],
  media: readonly { readonly name: string; readonly sha256: string }[],
): { matched: ManifestArtifact[]; quarantined: Quarantined[]; missing: string[] } {
  const byName = new Map(manifest.map((a) => [a.artifact, a]));
  const onMedia = new Map(media.map((m) => [m.name, m.sha256]));
  const quarantined: Quarantined[] = [];
  for (const m of media) {
    const want = byName.get(m.name);
    if (!want)
      quarantined.push({
        artifact: m.name,
        mediaSha256: m.sha256,
        manifestSha256: null,
        reason: 'off-manifest',
      });
    else if (want.sha256 !== m.sha256)
      quarantined.push({
        artifact: m.name,
        mediaSha256: m.sha256,
        manifestSha256: want.sha256,
        reason: 'digest-differs',
      });
  }
  const matched = manifest.filter((a) => onMedia.get(a.artifact) === a.sha256);
  const missing = manifest.filter((a) => !onMedia.has(a.artifact)).map((a) => a.artifact);
  return { matched, quarantined, missing };
}

/** The detached signature's file name beside the artifact's name in the output directory. */
export function signatureFileName(artifact: string): string {
  return `${artifact}.sig`;
}

/** The batch's one DSSE envelope (a name no artifact's signature can take: artifacts never start with a dot). */
export function envelopeFileName(runId: string): string {
  return `gated-sign-${runId}.intoto.dsse.json`;
}

export const SIGNING_PREDICATE_TYPE = 'https://ceremony-station.example/predicate/gated-signing/v1';

export const signingPredicateSchema = z.strictObject({
  runId: uuid,
  declarationId: z.string().min(1).max(120),
  packet: z.strictObject({ packetId: packetIdSchema, version: seq, digest: sha256Hex }),
  approvalSeq: seq,
  policyDigest: sha256Hex,
  ledgerDigest: sha256Hex,
  manifest: z.strictObject({
    manifestId: z.string().min(1).max(120),
    manifestVersion: seq,
    sha256: sha256Hex,
  }),
  key: z.strictObject({ tokenSerial, keyId: ckaId, spkiSha256: sha256Hex }),
  startedAt: isoTime,
  station: z.strictObject({ stationId: uuid }),
});
export type SigningPredicate = z.output<typeof signingPredicateSchema>;

/**
 * The in-toto Statement v1 of a batch: every manifest artifact (name and SHA-256) as a subject, in
 * canonical order, and the station's gated-signing predicate. Built only from the run's journaled facts,
 * so a resumed run builds exactly the same bytes (an envelope a crashed attempt wrote can be adopted).
 */
export function batchStatement(artifacts: readonly ManifestArtifact[], predicate: SigningPredicate) {
  return {
    _type: STATEMENT_TYPE,
    subject: canonicalArtifacts(artifacts).map((a) => ({ name: a.artifact, digest: { sha256: a.sha256 } })),
    predicateType: SIGNING_PREDICATE_TYPE,
    predicate,
  };
}

/** One journaled fact of a run, as SIGN-RESUME reads it. */
export type RunFact =
  | { readonly type: 'intent'; readonly artifact: string; readonly sha256: string }
  | { readonly type: 'signed'; readonly artifact: string; readonly sha256: string }
  | { readonly type: 'envelope-intent' };

export interface ResumeState {
  /** Counted: a journaled `signing.artifact-signed`. Never signed again, whatever is on disk. */
  readonly signed: ReadonlySet<string>;
  /** Intended (C_Sign may have run) but not counted: adopt the output if it verifies, else sign. */
  readonly inDoubt: ReadonlySet<string>;
  /** Not yet begun. */
  readonly pending: readonly ManifestArtifact[];
  readonly envelopeInDoubt: boolean;
}

/**
 * SIGN-RESUME: the journal is the truth. An artifact with `signing.artifact-signed` is done and never
 * signed again; one with only an intent is in doubt (its output, if any, is adopted only when it verifies
 * against the key over the manifest digest); anything else is pending. A fact for a name or digest the
 * run's manifest does not hold is a contradiction (the journal and the run disagree): refused.
 */
export function resumeState(manifest: readonly ManifestArtifact[], facts: readonly RunFact[]): ResumeState {
  const byName = new Map(manifest.map((a) => [a.artifact, a]));
  const signed = new Set<string>();
  const intended = new Set<string>();
  let envelopeInDoubt = false;
  for (const f of facts) {
    if (f.type === 'envelope-intent') {
      envelopeInDoubt = true;
      continue;
    }
    const want = byName.get(f.artifact);
    if (!want || want.sha256 !== f.sha256)
      throw coreError(
        'INVALID_INPUT',
        `the run's journal names ${f.artifact} (${f.sha256}), which its manifest does not hold`,
        { field: 'runId' },
      );
    if (f.type === 'signed') {
      if (signed.has(f.artifact))
        throw coreError('INVALID_INPUT', `the run's journal counts ${f.artifact} twice`, { field: 'runId' });
      signed.add(f.artifact);
    } else intended.add(f.artifact);
  }
  const inDoubt = new Set([...intended].filter((a) => !signed.has(a)));
  const pending = canonicalArtifacts(manifest).filter(
    (a) => !signed.has(a.artifact) && !inDoubt.has(a.artifact),
  );
  return { signed, inDoubt, pending, envelopeInDoubt };
}

/** Rate (artifacts per second) and ETA from the work done since `startedMs`; null until something is done. */
export function progressRate(
  done: number,
  total: number,
  startedMs: number,
  nowMs: number,
): { perSecond: number | null; etaSeconds: number | null } {
  const elapsed = (nowMs - startedMs) / 1000;
  if (done <= 0 || elapsed <= 0) return { perSecond: null, etaSeconds: null };
  const perSecond = done / elapsed;
  return { perSecond, etaSeconds: Math.max(0, (total - done) / perSecond) };
}

/**
 * A token's raw ECDSA signature (r‖s, each half the curve's size, as PKCS#11 returns it) as the DER
 * `SEQUENCE { INTEGER r, INTEGER s }` that `.sig` files and openssl use: each integer minimal, with a
 * leading zero when its high bit is set. Refuses an odd-length or over-long input.
 */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  if (raw.length === 0 || raw.length % 2 !== 0 || raw.length > 132)
    throw coreError(
      'INVALID_INPUT',
      `a raw ECDSA signature has an even length up to 132, not ${raw.length}`,
      {
        field: 'signature',
      },
    );
  const half = raw.length / 2;
  const integer = (v: Uint8Array): number[] => {
    let i = 0;
    while (i < v.length - 1 && v[i] === 0) i++;
    const body = [...v.subarray(i)];
    if ((body[0] as number) & 0x80) body.unshift(0);
    return [0x02, ...length(body.length), ...body];
  };
  const length = (n: number): number[] => (n < 0x80 ? [n] : [0x81, n]);
  const content = [...integer(raw.subarray(0, half)), ...integer(raw.subarray(half))];
  return Uint8Array.from([0x30, ...length(content.length), ...content]);
}

/** What SIGN-RESUME does with the output of an artifact the journal counts (rule 2). */
export type CountedOutput =
  /** The file holds exactly the journaled signature. */
  | 'intact'
  /** Missing or different: written again from the journaled signature bytes (never signed again). */
  | 'rewrite'
  /** A run journaled before signature bytes were recorded: counted, left as the disk has it. */
  | 'kept';

/** `signature`: the journaled signature bytes (decoded), or null when the run did not record them. */
export function countedOutput(
  journaled: { readonly signatureSha256: string; readonly signature: Uint8Array | null },
  onDiskSha256: string | null,
  sha256: Sha256,
): CountedOutput {
  if (onDiskSha256 === journaled.signatureSha256) return 'intact';
  if (journaled.signature === null) return 'kept';
  if (toHex(sha256(journaled.signature)) !== journaled.signatureSha256)
    throw coreError(
      'INVALID_INPUT',
      'the journaled signature bytes do not match the journaled signature digest',
      { field: 'runId' },
    );
  return 'rewrite';
}

/** What SIGN-RESUME does with the output of an artifact intended but not counted (rule 2). */
export type InDoubtOutput = 'sign' | 'replace-empty' | 'adopt' | 'foreign';

/**
 * No file: the signature never reached the disk, sign again. An empty file: what an interrupted write
 * leaves (the name is created, then the signature written in one call, and made durable before anything
 * counts): removed, then signed again. A file that verifies against the run's key over the artifact:
 * adopted. Anything else: not the station's to touch (SIGNING_OUTPUT_FOREIGN).
 */
export function inDoubtOutput(
  onDisk: { readonly size: number; readonly verifies: boolean } | null,
): InDoubtOutput {
  if (onDisk === null) return 'sign';
  if (onDisk.size === 0) return 'replace-empty';
  return onDisk.verifies ? 'adopt' : 'foreign';
}
