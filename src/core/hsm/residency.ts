/**
 * Residency verdict for a private key, built only from attributes read back from the token.
 *
 * Check IDs (each in the verdict, the UI badge and its test):
 *   HSM-RES-TOKEN               CKA_TOKEN: the key persists on the token, not only in a session
 *   HSM-RES-PRIVATE             CKA_PRIVATE: using it requires login
 *   HSM-RES-SENSITIVE           CKA_SENSITIVE: its value can never be read in the clear
 *   HSM-RES-NONEXTRACTABLE      CKA_EXTRACTABLE false: it cannot be wrapped out
 *   HSM-RES-ALWAYS-SENSITIVE    CKA_ALWAYS_SENSITIVE: it has been sensitive since creation
 *   HSM-RES-NEVER-EXTRACTABLE   CKA_NEVER_EXTRACTABLE: it was never extractable
 *   HSM-RES-LOCAL               CKA_LOCAL: generated on this token (not imported)
 *   HSM-RES-WRAP-TRUSTED-ONLY   a key that can leave the token at all leaves it only wrapped under a key
 *                               the security officer marked trusted, and never in the clear
 *                               (extractable ⇒ CKA_WRAP_WITH_TRUSTED, and sensitive): see wrapTrustedOnly
 */
export interface ResidencyAttributes {
  readonly token: boolean | null;
  readonly private: boolean | null;
  readonly sensitive: boolean | null;
  readonly extractable: boolean | null;
  readonly alwaysSensitive: boolean | null;
  readonly neverExtractable: boolean | null;
  readonly local: boolean | null;
}

export type ResidencyCheckId =
  | 'HSM-RES-TOKEN'
  | 'HSM-RES-PRIVATE'
  | 'HSM-RES-SENSITIVE'
  | 'HSM-RES-NONEXTRACTABLE'
  | 'HSM-RES-ALWAYS-SENSITIVE'
  | 'HSM-RES-NEVER-EXTRACTABLE'
  | 'HSM-RES-LOCAL'
  | 'HSM-RES-WRAP-TRUSTED-ONLY';

/**
 * RESIDENT      every check holds: generated on the token, never exposable
 * EXPOSABLE     the key can be read or wrapped out now (sensitive off or extractable on)
 * UNPROTECTED   it cannot leave the token, but anyone holding the token may use it (no login)
 * IMPORTED      not exposable now, but it was generated elsewhere or was exposable before
 * SESSION-ONLY  not a token object
 * UNKNOWN       the token would not report an attribute the verdict needs
 */
export type ResidencyVerdict =
  'RESIDENT' | 'EXPOSABLE' | 'UNPROTECTED' | 'IMPORTED' | 'SESSION-ONLY' | 'UNKNOWN';

export interface Residency {
  readonly verdict: ResidencyVerdict;
  readonly failed: readonly ResidencyCheckId[];
  readonly unknown: readonly ResidencyCheckId[];
}

const CHECKS: readonly [ResidencyCheckId, (a: ResidencyAttributes) => boolean | null][] = [
  ['HSM-RES-TOKEN', (a) => a.token],
  ['HSM-RES-PRIVATE', (a) => a.private],
  ['HSM-RES-SENSITIVE', (a) => a.sensitive],
  ['HSM-RES-NONEXTRACTABLE', (a) => (a.extractable === null ? null : !a.extractable)],
  ['HSM-RES-ALWAYS-SENSITIVE', (a) => a.alwaysSensitive],
  ['HSM-RES-NEVER-EXTRACTABLE', (a) => a.neverExtractable],
  ['HSM-RES-LOCAL', (a) => a.local],
];

export function residencyOf(a: ResidencyAttributes): Residency {
  const failed: ResidencyCheckId[] = [];
  const unknown: ResidencyCheckId[] = [];
  for (const [id, check] of CHECKS) {
    const ok = check(a);
    if (ok === null) unknown.push(id);
    else if (!ok) failed.push(id);
  }
  let verdict: ResidencyVerdict;
  if (failed.includes('HSM-RES-SENSITIVE') || failed.includes('HSM-RES-NONEXTRACTABLE'))
    verdict = 'EXPOSABLE';
  else if (failed.includes('HSM-RES-TOKEN')) verdict = 'SESSION-ONLY';
  else if (failed.includes('HSM-RES-PRIVATE')) verdict = 'UNPROTECTED';
  else if (failed.length > 0) verdict = 'IMPORTED';
  else if (unknown.length > 0) verdict = 'UNKNOWN';
  else verdict = 'RESIDENT';
  return { verdict, failed, unknown };
}

/** The attributes that decide how a private key may leave its token (read back; null = the token would not say). */
export interface ExportAttributes {
  readonly sensitive: boolean | null;
  readonly extractable: boolean | null;
  readonly wrapWithTrusted: boolean | null;
}

/**
 * NON-EXTRACTABLE     it cannot leave the token at all (the default station key)
 * WRAP-TRUSTED-ONLY   it can leave only wrapped under a trusted key (a backup-capable key)
 * EXPOSABLE           it can be read in the clear, or wrapped out under any key
 * UNKNOWN             the token would not report an attribute the class needs
 */
export type ExportClass = 'NON-EXTRACTABLE' | 'WRAP-TRUSTED-ONLY' | 'EXPOSABLE' | 'UNKNOWN';

export interface WrapTrustedOnly {
  readonly check: 'HSM-RES-WRAP-TRUSTED-ONLY';
  readonly exportClass: ExportClass;
  /** True for NON-EXTRACTABLE and WRAP-TRUSTED-ONLY, false for EXPOSABLE, null for UNKNOWN. */
  readonly passed: boolean | null;
}

/**
 * HSM-RES-WRAP-TRUSTED-ONLY — how a private key may leave its token. Passes only when the key is sensitive
 * and, if it is extractable, only a trusted key may wrap it. A backup-capable key passes this check while
 * residencyOf still calls it EXPOSABLE (it can be wrapped out): both verdicts are shown, neither softens
 * the other.
 */
export function wrapTrustedOnly(a: ExportAttributes): WrapTrustedOnly {
  const verdict = (exportClass: ExportClass): WrapTrustedOnly => ({
    check: 'HSM-RES-WRAP-TRUSTED-ONLY',
    exportClass,
    passed: exportClass === 'UNKNOWN' ? null : exportClass !== 'EXPOSABLE',
  });
  // A value readable in the clear needs no wrapping key at all.
  if (a.sensitive === false) return verdict('EXPOSABLE');
  if (a.extractable === true && a.wrapWithTrusted === false) return verdict('EXPOSABLE');
  if (a.sensitive === null || a.extractable === null) return verdict('UNKNOWN');
  if (!a.extractable) return verdict('NON-EXTRACTABLE');
  return verdict(a.wrapWithTrusted === true ? 'WRAP-TRUSTED-ONLY' : 'UNKNOWN');
}
