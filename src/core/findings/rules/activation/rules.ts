import type { Finding } from '../../model';
import type { Rule } from '../../engine';
import type { ActivationGatePolicy } from '../../policy/activation-gate';
import { assess } from './assess';
import { actFinding, type Ctx } from './common';

/**
 * The ACT-* checks of workflow 003 (docs/findings.md). Each reads the one assessment of its context
 * (assess.ts) and reports the problems of its own check; the hold kind of each is in common.ts.
 */
const rule = (id: string, title: string): Rule<ActivationGatePolicy> => ({
  id,
  title,
  run: (ctx: Ctx): Finding[] =>
    assess(ctx)
      .problems.filter((p) => p.checkId === id)
      .map((p) => actFinding(ctx.policy, p)),
});

export const ACTIVATION_RULES: readonly Rule<ActivationGatePolicy>[] = [
  rule(
    'ACT-DECLARATION',
    'The continuity declaration is known, declared (not withdrawn or superseded) and its signing window is open',
  ),
  rule(
    'ACT-MANIFEST',
    'The frozen manifest in force binds each artifact to an accepted trusted branch and commit of the declared train',
  ),
  rule(
    'ACT-REPRO',
    'Every reproducibility reference of each manifest artifact has a matching reproducible-build check',
  ),
  rule(
    'ACT-DIGEST-FRESH',
    'Each manifest artifact’s digest was confirmed, equal to the manifest, within the policy window',
  ),
  rule(
    'ACT-ENCLAVE',
    'The signing key’s enclave has a sealed, passing, fresh attestation; the latest reading shows the token present, firmware as attested, the key resident; the inventory agrees',
  ),
  rule(
    'ACT-QUORUM-SHIFT',
    'Every instant of the signing window is in a scheduled shift, and every shift has the policy quorum of committed, rostered signers',
  ),
  rule(
    'ACT-ROLLBACK',
    'Each rollback package in scope is ready, of the declared train, on a medium held in custody, sealed in its recorded bag and freshly inspected intact',
  ),
  rule(
    'ACT-PUBLICATION',
    'Each required registry-publication safeguard is in force, names what it guards and covers every manifest artifact',
  ),
  rule(
    'ACT-QUARANTINE',
    'Every staged candidate that is not in the manifest, or whose digest differs from it, is quarantined with both digests',
  ),
];
