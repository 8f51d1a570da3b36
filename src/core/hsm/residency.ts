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
  | 'HSM-RES-LOCAL';

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
