import { nameKey } from '../names';
import type { BundleKind, BundlePredicate } from './statement';

/**
 * Whose signature counts for which bundle, and which bundle the station has already taken: the rules a
 * bundle must pass once its signature verified and its statement parsed, before any file is used.
 * Pure; the verifier passes the trust entry that verified, the import passes the high-water mark.
 * Check IDs BND-SIGNER-ROLE, BND-SIGNER-STATION, BND-REPLAY, BND-KIND (docs/bundle-format.md).
 */
export type ImportRefusalCode =
  | 'BUNDLE_SIGNER_NOT_ALLOWED'
  | 'BUNDLE_STATION_MISMATCH'
  | 'BUNDLE_HOLDER_MISMATCH'
  | 'BUNDLE_REPLAYED'
  | 'BUNDLE_ROLLBACK'
  | 'BUNDLE_KIND_UNEXPECTED';

export interface ImportRefusal {
  readonly code: ImportRefusalCode;
  readonly check: string;
  readonly message: string;
}

/** The kind of trust entry: a station's identity key, or a person's (reviewer, approver) key. */
export type SignerKind = 'station' | 'reviewer';

/**
 * What each kind of key may sign. A station signs what it exports (and its own identity); a person's key
 * signs only its own registration — approvals are separate statements (APR-*), never bundles.
 */
export const SIGNABLE_KINDS: Readonly<Record<SignerKind, readonly BundleKind[]>> = {
  station: [
    'journal-segment',
    'custody-report',
    'packet',
    'packet-broad',
    'evidence',
    'portal-evidence',
    'ceremony-transcript',
    'identity',
  ],
  reviewer: ['key-registration'],
};

export interface BundleSigner {
  readonly kind: SignerKind;
  readonly name: string;
  /**
   * The name the trust store holds for this key, or null when the key is not registered yet (a
   * self-signed registration being inspected: its holder name is what a person is about to confirm).
   */
  readonly registeredName: string | null;
  /** SHA-256 of the signer's SubjectPublicKeyInfo. */
  readonly fingerprint: string;
}

const refuse = (code: ImportRefusalCode, check: string, message: string): ImportRefusal => ({
  code,
  check,
  message,
});

/**
 * BND-SIGNER-ROLE: the signer's kind of trust entry may sign this kind of bundle.
 * BND-SIGNER-STATION: the bundle says who made it, and that is the signer — a station bundle names the
 * signing station's own key fingerprint (and no key holder); a key registration names a holder and no
 * station, and when the key is registered, the holder is the name the trust store holds for it (compared
 * as names are: NFKC, case-folded), so a bundle cannot put another person's name over a reviewer's key.
 */
export function checkSigner(signer: BundleSigner, p: BundlePredicate): ImportRefusal | null {
  if (!SIGNABLE_KINDS[signer.kind].includes(p.bundleKind))
    return refuse(
      'BUNDLE_SIGNER_NOT_ALLOWED',
      'BND-SIGNER-ROLE',
      `a ${p.bundleKind} bundle signed by ${signer.name}, a ${signer.kind} key: a ${signer.kind} key signs only ${SIGNABLE_KINDS[signer.kind].join(', ')}`,
    );
  if (signer.kind === 'station') {
    if (!p.station || p.holder)
      return refuse(
        'BUNDLE_STATION_MISMATCH',
        'BND-SIGNER-STATION',
        `a ${p.bundleKind} bundle must name the station that made it and no key holder`,
      );
    if (p.station.fingerprint !== signer.fingerprint)
      return refuse(
        'BUNDLE_STATION_MISMATCH',
        'BND-SIGNER-STATION',
        `the bundle claims station "${p.station.name}" with key ${p.station.fingerprint.slice(0, 16)}…, but ${signer.name} (key ${signer.fingerprint.slice(0, 16)}…) signed it`,
      );
    return null;
  }
  if (p.station || !p.holder)
    return refuse(
      'BUNDLE_STATION_MISMATCH',
      'BND-SIGNER-STATION',
      'a key registration must name its key holder and no station',
    );
  if (signer.registeredName !== null && nameKey(p.holder.name) !== nameKey(signer.registeredName))
    return refuse(
      'BUNDLE_HOLDER_MISMATCH',
      'BND-SIGNER-STATION',
      `the bundle names key holder "${p.holder.name}", but the key that signed it is registered to "${signer.registeredName}"`,
    );
  return null;
}

/**
 * What an import takes into the object store: packets, reports, evidence and journal segments. A key
 * registration or a station identity is not content: it enters only through trust registration, where a
 * person confirms its fingerprint out of band (BND-KIND).
 */
export const IMPORTABLE_KINDS: readonly BundleKind[] = [
  'journal-segment',
  'custody-report',
  'packet',
  'packet-broad',
  'evidence',
  'portal-evidence',
  'ceremony-transcript',
];

/** BND-KIND: this bundle kind may be imported (registrations and identities have their own path). */
export function checkImportKind(kind: BundleKind): ImportRefusal | null {
  if (IMPORTABLE_KINDS.includes(kind)) return null;
  return refuse(
    'BUNDLE_KIND_UNEXPECTED',
    'BND-KIND',
    `a ${kind} bundle is not imported as content: register it in the trust store instead (\`station trust register\`), where its fingerprint is confirmed`,
  );
}

/**
 * BND-REPLAY: per signer key, packet and kind, each version is taken once and never an older one after a
 * newer — the same rule approvals follow (APR-SEQUENCE). `highest` is the newest version already
 * imported for that triple (0 for none). No clock is involved: the version is signed.
 */
export function checkHighWater(
  b: { readonly bundleKind: BundleKind; readonly packetId: string; readonly version: number },
  highest: number,
): ImportRefusal | null {
  if (b.version === highest)
    return refuse(
      'BUNDLE_REPLAYED',
      'BND-REPLAY',
      `${b.bundleKind} ${b.packetId} version ${b.version} was already imported from this signer: a replay`,
    );
  if (b.version < highest)
    return refuse(
      'BUNDLE_ROLLBACK',
      'BND-REPLAY',
      `${b.bundleKind} ${b.packetId} version ${b.version} is older than version ${highest}, already imported from this signer: a rollback`,
    );
  return null;
}
