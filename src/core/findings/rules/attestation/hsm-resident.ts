import type { Rule } from '../../engine';
import { hsmKeyInventory } from '../../families/catalogue';
import type { Finding } from '../../model';
import type { AttestationPolicy } from '../../policy/attestation';
import { freshnessFor } from '../../policy/attestation';
import { at, attFinding, day, daysBetween, latestBy, scopeOf } from './common';

const ID = 'ATT-HSM-RESIDENT';

/**
 * ATT-HSM-RESIDENT — every key in the attestation's scope is HSM-resident according to its latest
 * inventory entry observed by the as-of instant, and that entry is within the requirement's evidence
 * freshness. No entry at all is missing evidence; an entry that says anything but hsm-resident is
 * invalid (the key is not HSM-backed); a resident entry older than the freshness window is stale.
 */
export const attHsmResident: Rule<AttestationPolicy> = {
  id: ID,
  title: 'Every in-scope key is HSM-resident per a current inventory',
  run: (ctx) => {
    const scope = scopeOf(ctx);
    if (!scope) return [];
    const freshness = freshnessFor(ctx.policy, ID);
    const findings: Finding[] = [];
    for (const keyId of scope.content.keys) {
      const seen = ctx.records
        .where(hsmKeyInventory, 'keyId', keyId)
        .filter((r) => at(r.content.observedAt) <= ctx.asOf);
      const latest = latestBy(seen, (r) => at(r.content.observedAt));
      if (!latest) {
        findings.push(
          attFinding(ctx, ID, {
            category: 'missing',
            subject: keyId,
            records: [scope],
            sentence: `${keyId} is in scope of ${ctx.subject} but no HSM inventory observed it by ${day(ctx.asOf)}.`,
          }),
        );
        continue;
      }
      const k = latest.content;
      if (k.residency !== 'hsm-resident')
        findings.push(
          attFinding(ctx, ID, {
            category: 'invalid',
            subject: keyId,
            records: [scope, latest],
            sentence: `${keyId} is ${k.residency} in its latest inventory entry ${k.entryId} (${day(k.observedAt)}, HSM ${k.hsmSerial}), not HSM-resident.`,
          }),
        );
      else if (freshness !== null && daysBetween(k.observedAt, ctx.asOf) > freshness)
        findings.push(
          attFinding(ctx, ID, {
            category: 'stale',
            subject: keyId,
            records: [scope, latest],
            sentence: `${keyId}'s latest inventory entry ${k.entryId} is from ${day(k.observedAt)}, ${daysBetween(k.observedAt, ctx.asOf)} days before ${day(ctx.asOf)} (policy: at most ${freshness}).`,
          }),
        );
    }
    return findings;
  },
};
