import type { Rule } from '../../engine';
import { hsmAttestation, hsmKeyInventory } from '../../families/catalogue';
import type { Finding, SourceRecord } from '../../model';
import type { AttestationPolicy } from '../../policy/attestation';
import { freshnessFor } from '../../policy/attestation';
import { at, attFinding, day, daysBetween, latestBy, scopeOf } from './common';

const ID = 'ATT-HSM-FIRMWARE';

/**
 * ATT-HSM-FIRMWARE — every HSM that holds an in-scope key (per the key's latest inventory entry) has a
 * latest firmware attestation result by the as-of instant that passed and is within the requirement's
 * freshness. Its requirement is waivable in the default control library: an open finding here is named
 * in the recommendation but does not by itself force remediation.
 */
export const attHsmFirmware: Rule<AttestationPolicy> = {
  id: ID,
  title: 'Every HSM holding an in-scope key passed a current firmware attestation',
  run: (ctx) => {
    const scope = scopeOf(ctx);
    if (!scope) return [];
    const freshness = freshnessFor(ctx.policy, ID);
    const hsms = new Map<string, SourceRecord[]>();
    for (const keyId of scope.content.keys) {
      const entry = latestBy(
        ctx.records
          .where(hsmKeyInventory, 'keyId', keyId)
          .filter((r) => at(r.content.observedAt) <= ctx.asOf),
        (r) => at(r.content.observedAt),
      );
      if (!entry) continue; // ATT-HSM-RESIDENT reports a key no inventory shows
      const list = hsms.get(entry.content.hsmSerial) ?? [];
      list.push(entry);
      hsms.set(entry.content.hsmSerial, list);
    }
    const findings: Finding[] = [];
    for (const [serial, entries] of [...hsms].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const latest = latestBy(
        ctx.records
          .where(hsmAttestation, 'hsmSerial', serial)
          .filter((r) => at(r.content.checkedAt) <= ctx.asOf),
        (r) => at(r.content.checkedAt),
      );
      if (!latest) {
        findings.push(
          attFinding(ctx, ID, {
            category: 'missing',
            subject: serial,
            records: entries,
            sentence: `HSM ${serial} holds in-scope keys but has no firmware attestation result by ${day(ctx.asOf)}.`,
          }),
        );
        continue;
      }
      const a = latest.content;
      if (a.result !== 'pass')
        findings.push(
          attFinding(ctx, ID, {
            category: 'invalid',
            subject: serial,
            records: [latest, ...entries],
            sentence: `HSM ${serial}'s latest firmware attestation ${a.attestationId} (${day(a.checkedAt)}) is ${a.result}: firmware ${a.firmwareVersion}, expected ${a.expectedFirmware}.`,
          }),
        );
      else if (freshness !== null && daysBetween(a.checkedAt, ctx.asOf) > freshness)
        findings.push(
          attFinding(ctx, ID, {
            category: 'stale',
            subject: serial,
            records: [latest, ...entries],
            sentence: `HSM ${serial}'s latest firmware attestation ${a.attestationId} is from ${day(a.checkedAt)} (policy: at most ${freshness} days).`,
          }),
        );
    }
    return findings;
  },
};
