import type { Rule } from '../../engine';
import { incidentNotice } from '../../families/catalogue';
import type { DeferralPolicy } from '../../policy/deferral';
import { current, finding, happened, subjectRequest } from './common';

/**
 * DEF-INCIDENT — no incident notice with a stop indicator (policy) is open for the key, or for no key in
 * particular (a broader supply-chain incident). Open: stop — the packet goes to incident handling. A
 * notice closed in a later export, or one about another key, does not stop it.
 */
export const defIncident: Rule<DeferralPolicy> = {
  id: 'DEF-INCIDENT',
  title: 'no open incident notice with a stop indicator concerns the key',
  run(ctx) {
    const req = subjectRequest(ctx);
    if (!req) return [];
    const keyId = req.content.keyId;
    const notices = happened(ctx, incidentNotice, current(ctx.records.all(incidentNotice))).filter(
      (n) =>
        n.content.status === 'open' &&
        (n.content.keyId === null || n.content.keyId === keyId) &&
        ctx.policy.stopIndicators.includes(n.content.indicator),
    );
    return notices.map((n) =>
      finding(
        ctx,
        'DEF-INCIDENT',
        'stop',
        n.content.noticeId,
        [n],
        `Incident notice ${n.content.noticeId} (${n.content.indicator}) is open${n.content.keyId ? ` for key ${keyId}` : ''}: ${n.content.summary}`,
      ),
    );
  },
};
