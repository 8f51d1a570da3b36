import { utf8Bytes } from '../../bytes';
import { canonicalBytes } from '../../canonical';
import { ENTRY_KEYS, type EntryKey, type EntryView } from '../../portal/model';
import type { RuleContext, Sha256Hex, Workflow } from '../engine';
import { rosterSnapshot } from '../families/catalogue';
import { ISSUANCE_FAMILIES } from '../families/issuance';
import type { Finding } from '../model';
import type { PortalIssuancePolicy } from '../policy/portal-issuance';
import { assess } from '../rules/issuance/assess';
import { ISSUANCE_RULES } from '../rules/issuance/rules';

/**
 * Workflow 004 — approved PKI-portal issuance submission (online mode). Before any entry into the
 * browser-only portal, and again immediately before submit, the station re-checks the governed issuance
 * request against its prerequisites (approvals, locked CSR, scope, profile, custody, window, subscriber,
 * duplicates, investigations, trust deadline). It never issues, activates or deploys a certificate.
 *
 * Outcome, the first that applies:
 *   stop-before-entry  — any blocking ISS finding: nothing is typed, the owner named in each finding acts
 *   ready-for-portal   — every pre-check stands; the entry below is exactly what may be typed
 */
export const ISSUANCE_OUTCOMES = ['stop-before-entry', 'ready-for-portal'] as const;
export type IssuanceOutcome = (typeof ISSUANCE_OUTCOMES)[number];

/** The text a value is typed and hashed as: a list is its lines joined with "\n". */
export const entryText = (value: string | readonly string[]): string =>
  typeof value === 'string' ? value : value.join('\n');

/**
 * The digest of an entry (what a run's `entryDigest` binds): SHA-256 over the canonical JSON of its
 * `[take, sha256]` pairs sorted by take.
 */
export function entryDigest(
  sha256: Sha256Hex,
  fields: readonly { take: EntryKey; sha256: string }[],
): string {
  const sorted = [...fields].sort((a, b) => (a.take < b.take ? -1 : 1)).map((f) => [f.take, f.sha256]);
  return sha256(canonicalBytes(sorted));
}

/**
 * The workflow's derived view (`entry`, core/portal/model.ts `entryViewSchema`), built only from
 * records. When no check blocks: every take of the vocabulary — the subscriber's service name, the
 * request's subject and SANs (in the request's order and spelling), the profile's portal label, the
 * custody attestation id, the CSR key's SHA-256, the locked PEM (LF line ends, outer whitespace trimmed),
 * the justification, the window id, and the counted approvals' ids in the policy's role order — each with
 * the SHA-256 of its text, and their digest. When a check blocks: no fields and no digest, only the
 * request and the owner it returns to. `search` is what reconciliation looks for in the portal: the
 * common name, then the fingerprints a portal may show for the request — the locked CSR's (over its DER)
 * and the CSR key's (over its SPKI), whichever the portal lists.
 */
export function deriveEntry(ctx: RuleContext<PortalIssuancePolicy>, findings: readonly Finding[]): EntryView {
  const a = assess(ctx);
  const c = a.request?.content ?? null;
  const stopped: EntryView = {
    requestId: ctx.subject,
    owner: c?.owner ?? null,
    digest: null,
    fields: [],
    search: c ? [c.commonName, c.csrFingerprint] : [],
  };
  const sha256 = ctx.sha256;
  if (findings.some((f) => f.blocking) || !c || !sha256) return stopped;
  if (!a.csr || !a.subscriber || !a.profile || !a.custody || !a.window) return stopped;
  const raw: Record<EntryKey, string | string[]> = {
    subscriberService: a.subscriber.content.serviceName,
    organization: c.organization,
    commonName: c.commonName,
    environment: c.environment,
    profile: a.profile.content.portalLabel,
    sans: [...c.sanSet],
    custodyAttestation: a.custody.content.attestationId,
    keyFingerprint: a.csr.spkiSha256,
    csrPem: a.csr.lock.content.csrPem.replace(/\r\n?/g, '\n').trim(),
    justification: c.justification,
    issuanceWindow: a.window.content.windowId,
    approvalRefs: a.approvals.map((x) => x.approval.content.approvalId),
  };
  const fields = ENTRY_KEYS.map((take) => ({
    take,
    value: raw[take],
    sha256: sha256(utf8Bytes(entryText(raw[take]))),
  }));
  return {
    ...stopped,
    digest: entryDigest(sha256, fields),
    fields,
    search: [c.commonName, c.csrFingerprint, a.csr.spkiSha256],
  };
}

export function issuanceOutcome(findings: readonly Finding[]): { outcome: IssuanceOutcome; reason: string } {
  const blocking = findings.filter((f) => f.blocking);
  if (blocking.length > 0)
    return {
      outcome: 'stop-before-entry',
      reason: `${blocking.length} pre-check${blocking.length === 1 ? '' : 's'} failed; nothing may be entered in the portal: ${blocking
        .slice(0, 3)
        .map((f) => `${f.checkId} ${f.subject}`)
        .join('; ')}${blocking.length > 3 ? ` and ${blocking.length - 3} more` : ''}.`,
    };
  return {
    outcome: 'ready-for-portal',
    reason: 'Every pre-check stands on current records; the entry may be typed into the portal as derived.',
  };
}

export const issuanceWorkflow: Workflow<PortalIssuancePolicy, IssuanceOutcome, EntryView> = {
  id: 'portal-issuance',
  families: [...Object.keys(ISSUANCE_FAMILIES), rosterSnapshot.name],
  rules: ISSUANCE_RULES,
  derive: deriveEntry,
  outcome: (findings) => issuanceOutcome(findings),
};
