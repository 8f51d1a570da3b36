import type { Rule } from '../../engine';
import type { Finding } from '../../model';
import type { AttestationPolicy } from '../../policy/attestation';
import { auditChanges, ceremoniesFor } from './changes';
import { attFinding, day } from './common';

const ID = 'ATT-QUORUM-OOB';

/**
 * ATT-QUORUM-OOB — every policy or quorum change the HSM audit log records in the attestation period is
 * accounted for by a key-policy or quorum-change ceremony log (by the reference the HSM tagged, or the
 * same key on the same day). One that is not was made out of band: the two sources disagree about what
 * happened, which is a matter for release security governance (escalation), not a document to refresh.
 */
export const attQuorumOutOfBand: Rule<AttestationPolicy> = {
  id: ID,
  title: 'Every HSM policy or quorum change in the period has a ceremony log',
  run: (ctx) => {
    const findings: Finding[] = [];
    for (const e of auditChanges(ctx)) {
      if (ceremoniesFor(ctx, e.content).length > 0) continue;
      const a = e.content;
      findings.push(
        attFinding(ctx, ID, {
          category: 'disputed',
          subject: a.entryId,
          records: [e],
          sentence: `HSM ${a.hsmSerial} logged a ${a.event} (sequence ${a.sequence}, ${day(a.at)}${a.keyId ? `, key ${a.keyId}` : ''}${a.operator ? `, by ${a.operator}` : ''}${a.reference ? `, reference ${a.reference}` : ''}) that no ceremony log accounts for: an out-of-band change.`,
        }),
      );
    }
    return findings;
  },
};
