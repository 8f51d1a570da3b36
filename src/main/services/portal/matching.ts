/**
 * How the station reads the portal's queue (docs/portal-submission.md): duplicates before entry and a
 * run's own request in reconciliation. Terms: the subject's common name, then the run's fingerprints.
 */
const hexOnly = (s: string) => s.toLowerCase().replace(/[^0-9a-f]/g, '');

function termsOf(terms: readonly string[], row: { subject: string; fingerprint: string }) {
  const [name, ...prints] = terms;
  const sameSubject = name !== undefined && row.subject.toLowerCase().includes(name.trim().toLowerCase());
  const shown = hexOnly(row.fingerprint);
  const sameKey = shown.length > 0 && prints.some((p) => hexOnly(p) === shown);
  return { sameSubject, sameKey, keyShown: shown.length > 0 };
}

/**
 * Before entry: a request already in the portal for the same subject or the same key that is pending —
 * or issued for both — is a duplicate (the pre-check ISS-DUPLICATE judges the records; this is the
 * portal's own queue, which may know more). Rejected and cancelled requests are not.
 */
export function duplicateOf(
  terms: readonly string[],
  row: { subject: string; fingerprint: string; state: string },
): boolean {
  const t = termsOf(terms, row);
  const state = row.state.trim().toLowerCase();
  if (state === 'pending') return t.sameSubject || t.sameKey;
  if (state === 'issued') return t.sameSubject && t.sameKey;
  return false;
}

/**
 * Reconciliation, over the requests the portal shows that were not there before entry: `match` — the
 * subject carries the run's common name and the fingerprint is one of the run's (the CSR's or its key's,
 * compared as hex without separators or case); `maybe` — the subject matches but the portal shows no
 * fingerprint, or the key matches under another subject; otherwise `none`. Any state counts: a request
 * the portal rejected at once still exists.
 */
export function ownership(
  terms: readonly string[],
  row: { subject: string; fingerprint: string; state: string },
): 'match' | 'maybe' | 'none' {
  const t = termsOf(terms, row);
  if (t.sameSubject && t.sameKey) return 'match';
  if ((t.sameSubject && !t.keyShown) || t.sameKey) return 'maybe';
  return 'none';
}
