import type { SignatureAlgorithmName } from '../crypto/algorithms';

/**
 * The approved custodian roster, as the journal projects it, and the validity rules the quorum and
 * share checks rely on. Pure: time is passed in as an ISO string.
 *
 * Check IDs:
 *   ROSTER-VALID        the entry is within valid-from..valid-until and not revoked
 *   ROSTER-UNIQUE-KEY   no two custodians share a key (a key counts once, whoever presents it)
 */
/** The station's name of a roster key's signature algorithm (src/core/crypto/algorithms.ts). */
export type SignatureAlgorithm = SignatureAlgorithmName;

export interface RosterEntry {
  readonly custodianId: string;
  readonly name: string;
  readonly roles: readonly string[];
  /** SubjectPublicKeyInfo of the custodian's own token key, base64 DER. */
  readonly spki: string;
  /** SHA-256 of the SubjectPublicKeyInfo: the key's identity, whatever encoding it arrives in. */
  readonly fingerprint: string;
  readonly algorithm: SignatureAlgorithm;
  readonly validFrom: string;
  readonly validUntil: string;
  readonly revokedAt: string | null;
}

export type RosterStatus = 'VALID' | 'NOT-YET-VALID' | 'EXPIRED' | 'REVOKED';

export function rosterStatus(e: RosterEntry, at: string): RosterStatus {
  if (e.revokedAt !== null && e.revokedAt <= at) return 'REVOKED';
  if (at < e.validFrom) return 'NOT-YET-VALID';
  if (at >= e.validUntil) return 'EXPIRED';
  return 'VALID';
}

export function validCustodians(roster: readonly RosterEntry[], at: string): RosterEntry[] {
  return roster.filter((e) => rosterStatus(e, at) === 'VALID');
}

/** The custodian id already using this key, if any (ROSTER-UNIQUE-KEY). */
export function keyHolder(roster: readonly RosterEntry[], fingerprint: string): string | null {
  return roster.find((e) => e.fingerprint === fingerprint && e.revokedAt === null)?.custodianId ?? null;
}

/**
 * The roster entry a key stands for at `at`: the VALID one when there is one (a revoked custodian's key
 * may later be registered to somebody else), else the most recently valid one, so a refusal names it.
 */
export function entryForKey(
  roster: readonly RosterEntry[],
  fingerprint: string,
  at: string,
): RosterEntry | undefined {
  const all = roster.filter((e) => e.fingerprint === fingerprint);
  return (
    all.find((e) => rosterStatus(e, at) === 'VALID') ??
    all.sort((a, b) => (a.validFrom < b.validFrom ? 1 : -1))[0]
  );
}
