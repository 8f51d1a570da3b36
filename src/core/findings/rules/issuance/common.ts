import type { ZodType } from 'zod';
import { canonicalBytes } from '../../../canonical';
import type { RuleContext, Sha256Hex } from '../../engine';
import { issuanceRequest } from '../../families/issuance';
import type { Finding, FindingCategory, SourceRecord } from '../../model';
import type { PortalIssuancePolicy } from '../../policy/portal-issuance';
import { type FamilyContent, type RecordFamily, uniqueRefs } from '../../records';
import { happened } from '../compromise/common';
import { current, fold, latest, ms } from '../deferral/common';

/**
 * What the portal-issuance pre-checks share (workflow 004). Every ISS finding blocks entry into the
 * portal and none is waivable — a pre-check is fixed by the record that fixes the fact — except the
 * trust-deadline notice, which informs. Each sentence names the owner the request returns to.
 */
export type Ctx = RuleContext<PortalIssuancePolicy>;
export type Rec<F> = SourceRecord<FamilyContent<F>>;
export type RequestContent = FamilyContent<typeof issuanceRequest>;
export { current, fold, latest, ms };

export const DAY_MS = 86_400_000;

/** One problem an area found: becomes one finding of its check. */
export interface Problem {
  readonly checkId: string;
  readonly category: FindingCategory;
  readonly subject: string;
  readonly records: readonly SourceRecord[];
  readonly sentence: string;
  /** False only for the trust-deadline notice. */
  readonly blocking?: boolean;
}

export function issFinding(p: Problem): Finding {
  return {
    checkId: p.checkId,
    category: p.category,
    blocking: p.blocking ?? true,
    waivable: false,
    subject: p.subject,
    records: uniqueRefs(p.records),
    sentence: p.sentence,
  };
}

/** Records of a family as they stood at the as-of instant (latest export of each, fact time come). */
export function knownWhere<C>(
  ctx: Ctx,
  family: RecordFamily<ZodType<C>>,
  field: string,
  value: string,
): SourceRecord<C>[] {
  return current(happened(ctx, family, ctx.records.where<C>(family, field, value)));
}

export function knownNow<C>(ctx: Ctx, family: RecordFamily<ZodType<C>>): SourceRecord<C>[] {
  return current(happened(ctx, family, ctx.records.all<C>(family)));
}

/** The issuance request under evaluation as known by the as-of instant (its latest revision), or null. */
export function subjectRequest(ctx: Ctx): Rec<typeof issuanceRequest> | null {
  return latest(knownWhere(ctx, issuanceRequest, 'requestId', ctx.subject), (c) => c.requestedAt);
}

/**
 * The digest an approval binds (docs/records.md, "Issuance request digest"): SHA-256 of the canonical
 * JSON (RFC 8785) of `{ family: "issuance-request", familyVersion: 1, content }`, where `content` is the
 * request's validated content without its `status` (approving a request does not change what was
 * approved). Any other change — a SAN, the CSR fingerprint, the window — gives another digest.
 */
export function requestDigest(sha256: Sha256Hex, content: RequestContent): string {
  const { status: _status, ...approved } = content;
  return sha256(
    canonicalBytes({
      family: issuanceRequest.name,
      familyVersion: issuanceRequest.version,
      content: approved,
    }),
  );
}

/** The sentence ending that names who the request returns to. */
export const returnTo = (owner: string | null): string =>
  owner ? ` Return to ${owner} (certificate-operations owner).` : '';

export const iso = (v: string): string => new Date(ms(v)).toISOString();
export const short = (sha: string): string => `${sha.slice(0, 12)}…`;

/**
 * A SAN as it compares: DNS names case-insensitively and without a trailing dot (RFC 4343), every other
 * kind exactly as written.
 */
export function sanKey(san: string): string {
  const at = san.indexOf(':');
  const type = san.slice(0, at).toLowerCase();
  const value = san.slice(at + 1);
  return type === 'dns' ? `dns:${value.toLowerCase().replace(/\.$/, '')}` : `${type}:${value}`;
}

export const sanType = (san: string): string => san.slice(0, san.indexOf(':')).toLowerCase();
