import type { Rule } from '../../engine';
import { buildEnrollment, hsmKeyInventory, signingPath } from '../../families/catalogue';
import type { Finding } from '../../model';
import type { DeferralPolicy } from '../../policy/deferral';
import { current, finding, happened, keyOnHsms, subjectRequest } from './common';

/**
 * DEF-SCOPE — the request's packet boundary is clear: the request exists, its scope is not empty, its
 * key is in the HSM key inventory as of the instant, the key itself is in scope, and every scope entry
 * names something a source knows (a key in the inventory, a signing path, a build system, an HSM).
 * Otherwise scope-unclear: the packet cannot say what it covers.
 */
export const defScope: Rule<DeferralPolicy> = {
  id: 'DEF-SCOPE',
  title: 'the deferral request names a non-empty scope of known keys, paths and systems',
  run(ctx) {
    const req = subjectRequest(ctx);
    if (!req)
      return [
        finding(
          ctx,
          'DEF-SCOPE',
          'scope-unclear',
          ctx.subject,
          [],
          `No deferral request ${ctx.subject} is known as of ${ctx.asOf}.`,
        ),
      ];
    const { keyId, scope, requestId } = req.content;
    const out: Finding[] = [];
    if (scope.length === 0)
      out.push(
        finding(
          ctx,
          'DEF-SCOPE',
          'scope-unclear',
          requestId,
          [req],
          `Deferral request ${requestId} names no scope.`,
        ),
      );
    const held = keyOnHsms(ctx, keyId);
    if (held.length === 0)
      out.push(
        finding(
          ctx,
          'DEF-SCOPE',
          'scope-unclear',
          keyId,
          [req],
          `Key ${keyId} of request ${requestId} is not in the HSM key inventory.`,
        ),
      );
    if (scope.length > 0 && !scope.includes(keyId))
      out.push(
        finding(
          ctx,
          'DEF-SCOPE',
          'scope-unclear',
          keyId,
          [req],
          `Request ${requestId} is for key ${keyId} but its scope does not include it.`,
        ),
      );
    for (const item of scope) {
      if (item === keyId) continue;
      const known =
        happened(ctx, hsmKeyInventory, current(ctx.records.where(hsmKeyInventory, 'keyId', item))).length >
          0 ||
        ctx.records.where(hsmKeyInventory, 'hsmSerial', item).length > 0 ||
        ctx.records.where(signingPath, 'pathId', item).length > 0 ||
        ctx.records.where(buildEnrollment, 'system', item).length > 0;
      if (!known)
        out.push(
          finding(
            ctx,
            'DEF-SCOPE',
            'scope-unclear',
            item,
            [req],
            `Scope entry ${item} of request ${requestId} names no known key, HSM, signing path or build system.`,
          ),
        );
    }
    return out;
  },
};
