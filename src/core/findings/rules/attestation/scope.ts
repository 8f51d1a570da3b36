import type { Rule } from '../../engine';
import type { AttestationPolicy } from '../../policy/attestation';
import { attFinding, scopeOf } from './common';

/**
 * ATT-SCOPE — the attestation being evaluated has a scope record (period and keys in scope) known at
 * the as-of instant. Without it no requirement can be judged, so every other rule stays silent and this
 * one finding says why.
 */
export const attScope: Rule<AttestationPolicy> = {
  id: 'ATT-SCOPE',
  title: 'The attestation has a scope record (period, keys in scope)',
  run: (ctx) =>
    scopeOf(ctx)
      ? []
      : [
          attFinding(ctx, 'ATT-SCOPE', {
            category: 'missing',
            subject: ctx.subject,
            records: [],
            sentence: `No attestation-scope record for ${ctx.subject} is known at ${ctx.asOf}: the period and the keys in scope are unknown, so no requirement can be judged.`,
          }),
        ],
};
