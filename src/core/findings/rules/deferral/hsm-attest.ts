import type { Rule } from '../../engine';
import { hsmAttestation } from '../../families/catalogue';
import type { Finding } from '../../model';
import type { DeferralPolicy } from '../../policy/deferral';
import { current, day, daysBetween, finding, happened, keyOnHsms, latest, subjectRequest } from './common';

/**
 * DEF-HSM-ATTEST — each HSM holding the key has a firmware attestation whose latest result before the
 * instant is pass, within the policy's freshness. A mismatch, failure or inconclusive result not
 * followed by a pass: disputed (a later passing re-check resolves it). A pass older than the
 * freshness window: stale. None at all: missing.
 */
export const defHsmAttest: Rule<DeferralPolicy> = {
  id: 'DEF-HSM-ATTEST',
  title: 'the latest firmware attestation of each HSM holding the key is a fresh pass',
  run(ctx) {
    const req = subjectRequest(ctx);
    if (!req) return [];
    const out: Finding[] = [];
    const maxAge = ctx.policy.freshnessDays.hsmAttestation;
    for (const inv of keyOnHsms(ctx, req.content.keyId)) {
      const hsm = inv.content.hsmSerial;
      const last = latest(
        happened(ctx, hsmAttestation, current(ctx.records.where(hsmAttestation, 'hsmSerial', hsm))),
        (c) => c.checkedAt,
      );
      if (!last) {
        out.push(
          finding(
            ctx,
            'DEF-HSM-ATTEST',
            'missing',
            hsm,
            [inv],
            `HSM ${hsm} holding key ${req.content.keyId} has no firmware attestation result.`,
          ),
        );
        continue;
      }
      const a = last.content;
      if (a.result !== 'pass')
        out.push(
          finding(
            ctx,
            'DEF-HSM-ATTEST',
            'disputed',
            hsm,
            [last, inv],
            `The latest firmware attestation of HSM ${hsm} (${a.attestationId}, ${day(a.checkedAt)}) is ${a.result}: firmware ${a.firmwareVersion}, expected ${a.expectedFirmware}.`,
          ),
        );
      else if (daysBetween(a.checkedAt, ctx.asOf) > maxAge)
        out.push(
          finding(
            ctx,
            'DEF-HSM-ATTEST',
            'stale',
            hsm,
            [last, inv],
            `The latest firmware attestation of HSM ${hsm} passed on ${day(a.checkedAt)}, more than ${maxAge} days ago.`,
          ),
        );
    }
    return out;
  },
};
