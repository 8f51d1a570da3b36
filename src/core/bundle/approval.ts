import type { ApprovalPredicate, Decision } from './statement';

/**
 * Whether the station accepts a reviewer's approval, once its DSSE signature has verified with a key in
 * the trust store. Pure: the caller supplies the trust entry that verified, what the station issued, what
 * it already accepted, and the time. Check IDs APR-*; docs/bundle-format.md explains each.
 */
export type ApprovalRefusalCode =
  | 'APPROVAL_MALFORMED'
  | 'APPROVAL_SIGNER_UNKNOWN'
  | 'APPROVAL_SIGNATURE_INVALID'
  | 'APPROVAL_SIGNER_NOT_VALID'
  | 'APPROVAL_ROLE_NOT_HELD'
  | 'APPROVAL_ROLE_NOT_REQUIRED'
  | 'APPROVAL_PACKET_UNKNOWN'
  | 'APPROVAL_DIGEST_MISMATCH'
  | 'APPROVAL_VERSION_SUPERSEDED'
  | 'APPROVAL_EXPIRED'
  | 'APPROVAL_REPLAYED'
  | 'APPROVAL_KEY_COUNTED';

export interface ApprovalRefusal {
  readonly code: ApprovalRefusalCode;
  readonly check: string;
  readonly message: string;
}

/** A trust-store entry: one key, one id, its kind, roles and validity. */
export interface TrustedKey {
  readonly trustId: string;
  readonly name: string;
  /** A person's key approves; a station's identity key never does, whatever roles it was given. */
  readonly kind: 'station' | 'reviewer';
  readonly fingerprint: string;
  readonly roles: readonly string[];
  readonly validFrom: string;
  readonly validUntil: string;
  readonly revokedAt: string | null;
}

export interface IssuedVersion {
  readonly packetId: string;
  readonly version: number;
  readonly digest: string;
  readonly requiredRoles: readonly string[];
}

export interface AcceptedApproval {
  readonly packetId: string;
  readonly packetVersion: number;
  readonly role: string;
  readonly decision: Decision;
  readonly sequence: number;
  readonly signerFingerprint: string;
  readonly trustId: string;
  readonly reviewer: string;
  readonly comment: string;
  readonly expiresAt: string;
  readonly seq: number;
}

const refuse = (code: ApprovalRefusalCode, check: string, message: string): ApprovalRefusal => ({
  code,
  check,
  message,
});

/** APR-SIGNER-VALID: the key is inside its validity window and not revoked, at `now`. */
export function signerValidity(key: TrustedKey, now: string): ApprovalRefusal | null {
  if (key.revokedAt !== null && key.revokedAt <= now)
    return refuse(
      'APPROVAL_SIGNER_NOT_VALID',
      'APR-SIGNER-VALID',
      `the key of ${key.name} was revoked at ${key.revokedAt}`,
    );
  if (now < key.validFrom || now >= key.validUntil)
    return refuse(
      'APPROVAL_SIGNER_NOT_VALID',
      'APR-SIGNER-VALID',
      `the key of ${key.name} is valid ${key.validFrom} → ${key.validUntil}, not at ${now}`,
    );
  return null;
}

export function evaluateApproval(input: {
  readonly signer: TrustedKey;
  readonly approval: ApprovalPredicate;
  readonly issued: readonly IssuedVersion[];
  readonly accepted: readonly AcceptedApproval[];
  readonly now: string;
}): ApprovalRefusal | null {
  const { signer, approval: a, issued, accepted, now } = input;
  const validity = signerValidity(signer, now);
  if (validity) return validity;
  if (signer.kind !== 'reviewer')
    return refuse(
      'APPROVAL_ROLE_NOT_HELD',
      'APR-ROLE',
      `${signer.name} is a station key: stations sign bundles, only a person's key signs an approval`,
    );
  if (!signer.roles.includes(a.role))
    return refuse(
      'APPROVAL_ROLE_NOT_HELD',
      'APR-ROLE',
      `${signer.name} does not hold the role ${a.role} in the trust store (holds: ${signer.roles.join(', ') || 'none'})`,
    );
  const versions = issued.filter((v) => v.packetId === a.packetId);
  if (versions.length === 0)
    return refuse(
      'APPROVAL_PACKET_UNKNOWN',
      'APR-PACKET',
      `this station never issued a packet ${a.packetId}`,
    );
  const named = versions.find((v) => v.version === a.packetVersion);
  if (!named || named.digest !== a.packetDigest)
    return refuse(
      'APPROVAL_DIGEST_MISMATCH',
      'APR-DIGEST',
      `${a.packetId} version ${a.packetVersion} with digest ${a.packetDigest.slice(0, 16)}… is not a version this station issued`,
    );
  const latest = Math.max(...versions.map((v) => v.version));
  if (a.packetVersion !== latest)
    return refuse(
      'APPROVAL_VERSION_SUPERSEDED',
      'APR-VERSION',
      `${a.packetId} version ${a.packetVersion} is superseded by version ${latest}: review the current version`,
    );
  if (!named.requiredRoles.includes(a.role))
    return refuse(
      'APPROVAL_ROLE_NOT_REQUIRED',
      'APR-ROLE',
      `${a.packetId} does not ask for the role ${a.role} (it asks for ${named.requiredRoles.join(', ')})`,
    );
  if (a.expiresAt <= now)
    return refuse('APPROVAL_EXPIRED', 'APR-EXPIRY', `the approval expired at ${a.expiresAt}`);
  const fromSigner = accepted.filter(
    (x) => x.packetId === a.packetId && x.signerFingerprint === signer.fingerprint,
  );
  const highest = Math.max(0, ...fromSigner.map((x) => x.sequence));
  if (a.sequence <= highest)
    return refuse(
      'APPROVAL_REPLAYED',
      'APR-SEQUENCE',
      `sequence ${a.sequence} is not newer than ${highest}, already accepted from this key for ${a.packetId}: a replay or rollback`,
    );
  const counted = fromSigner.find((x) => x.packetVersion === a.packetVersion && x.role !== a.role);
  if (counted)
    return refuse(
      'APPROVAL_KEY_COUNTED',
      'APR-KEY-ONCE',
      `this key already counts for ${a.packetId} version ${a.packetVersion} as ${counted.role}: one key fills one role`,
    );
  return null;
}

export interface ApprovalStatus {
  /** Every valid approval for the version: the newest per key (a newer sequence replaces a decision). */
  readonly approvals: readonly (AcceptedApproval & { readonly expired: boolean })[];
  readonly satisfiedRoles: readonly string[];
  readonly missingRoles: readonly string[];
  /** Roles where a holder rejected or asked for changes: they block even when another holder approved. */
  readonly objections: readonly string[];
}

/** Which required roles hold an unexpired `approve` from a distinct key, for one issued version. */
export function approvalStatus(
  version: IssuedVersion,
  accepted: readonly AcceptedApproval[],
  now: string,
): ApprovalStatus {
  const latestByKey = new Map<string, AcceptedApproval>();
  for (const a of accepted) {
    if (a.packetId !== version.packetId || a.packetVersion !== version.version) continue;
    const prev = latestByKey.get(a.signerFingerprint);
    if (!prev || a.sequence > prev.sequence) latestByKey.set(a.signerFingerprint, a);
  }
  const approvals = [...latestByKey.values()]
    .sort((x, y) => x.seq - y.seq)
    .map((a) => ({ ...a, expired: a.expiresAt <= now }));
  const live = approvals.filter((a) => !a.expired);
  const satisfied = version.requiredRoles.filter((r) =>
    live.some((a) => a.role === r && a.decision === 'approve'),
  );
  const objections = version.requiredRoles.filter((r) =>
    live.some((a) => a.role === r && a.decision !== 'approve'),
  );
  return {
    approvals,
    satisfiedRoles: satisfied,
    missingRoles: version.requiredRoles.filter((r) => !satisfied.includes(r)),
    objections,
  };
}
