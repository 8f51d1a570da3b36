import type { z } from 'zod';
import { ceremonyLog, hsmAuditLog } from '../../families/catalogue';
import type { SourceRecord } from '../../model';
import type { AttestationContext } from './common';
import { at, day, inPeriod, scopeOf } from './common';

/**
 * Key-policy and quorum changes in the attestation period, from both sources that see them: the
 * ceremony record store (what people say they did) and the HSM audit log (what the HSM did). Shared by
 * ATT-DUAL-OPERATOR and ATT-QUORUM-OOB; an audit-log change is matched to its ceremony by the reference
 * the HSM tagged it with, or else by the same key on the same day.
 */

export type CeremonyLog = z.output<typeof ceremonyLog.schema>;
export type AuditEntry = z.output<typeof hsmAuditLog.schema>;

const CHANGE_KINDS: readonly CeremonyLog['kind'][] = ['quorum-change', 'key-policy-change'];
const CHANGE_EVENTS: readonly AuditEntry['event'][] = ['quorum-change', 'policy-change'];

const isChange = (c: CeremonyLog) => CHANGE_KINDS.includes(c.kind) && c.outcome !== 'aborted';

/** Completed or partial key-policy / quorum-change ceremonies dated inside the period (and by as-of). */
export function changeCeremonies(ctx: AttestationContext): SourceRecord<CeremonyLog>[] {
  const scope = scopeOf(ctx);
  if (!scope) return [];
  return ctx.records
    .all(ceremonyLog)
    .filter((r) => isChange(r.content) && inPeriod(scope.content, r.content.at, ctx.asOf));
}

/** Successful policy / quorum changes in the HSM audit log inside the period. */
export function auditChanges(ctx: AttestationContext): SourceRecord<AuditEntry>[] {
  const scope = scopeOf(ctx);
  if (!scope) return [];
  return ctx.records
    .all(hsmAuditLog)
    .filter(
      (r) =>
        CHANGE_EVENTS.includes(r.content.event) &&
        r.content.result === 'success' &&
        inPeriod(scope.content, r.content.at, ctx.asOf),
    );
}

/** The change ceremonies that account for an audit-log change (empty: it happened out of band). */
export function ceremoniesFor(ctx: AttestationContext, e: AuditEntry): SourceRecord<CeremonyLog>[] {
  const ref = e.reference;
  if (ref !== null) {
    const byRef = [
      ...ctx.records.where(ceremonyLog, 'ceremonyId', ref),
      ...ctx.records.where(ceremonyLog, 'changeRef', ref),
    ].filter((r) => isChange(r.content));
    if (byRef.length > 0) return byRef;
  }
  if (e.keyId === null) return [];
  const when = day(e.at);
  return ctx.records
    .where(ceremonyLog, 'keyId', e.keyId)
    .filter((r) => isChange(r.content) && day(r.content.at) === when && at(r.content.at) <= ctx.asOf);
}
