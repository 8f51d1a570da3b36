import type { Rule } from '../../engine';
import type { Finding } from '../../model';
import type { PortalIssuancePolicy } from '../../policy/portal-issuance';
import { assess } from './assess';
import { type Ctx, issFinding } from './common';

/**
 * The ISS-* pre-checks of workflow 004 (docs/findings.md), run immediately before any entry into the
 * portal and again immediately before submit. Each reads the one assessment of its context (assess.ts)
 * and reports the problems of its own check.
 */
const rule = (id: string, title: string): Rule<PortalIssuancePolicy> => ({
  id,
  title,
  run: (ctx: Ctx): Finding[] =>
    assess(ctx)
      .problems.filter((p) => p.checkId === id)
      .map(issFinding),
});

export const ISSUANCE_RULES: readonly Rule<PortalIssuancePolicy>[] = [
  rule('ISS-REQUEST', 'The issuance request is known and approved in the issuance record'),
  rule(
    'ISS-APPROVALS',
    'Each policy role approved this request’s digest, unexpired, holding the role on the roster when approving and still now; three distinct people, none the owner or requester',
  ),
  rule(
    'ISS-CSR',
    'The locked CSR parses, its DER digests to the locked fingerprint, and its subject and SANs equal the request’s',
  ),
  rule(
    'ISS-SCOPE',
    'The subject and SAN set lie within the subscriber’s registered names and the profile’s SAN types, count and wildcard rule',
  ),
  rule(
    'ISS-PROFILE',
    'The certificate profile is in the catalogue, active, and authorised for production signing',
  ),
  rule(
    'ISS-CUSTODY',
    'The HSM custody attestation passes, is current and fresh, and speaks for the CSR’s key',
  ),
  rule(
    'ISS-WINDOW',
    'The issuance window is reserved for the service, not superseded or released, and open now',
  ),
  rule('ISS-SUBSCRIBER', 'The subscriber identity and the environment registration are current'),
  rule('ISS-DUPLICATE', 'No pending portal request exists for the same subject or key'),
  rule('ISS-INVESTIGATION', 'No compromise or revocation investigation is open on the key or the subscriber'),
  rule(
    'ISS-TRUST-DEADLINE',
    'A trust deadline of the service near the window is reported; one that passed before the window opened blocks',
  ),
];
