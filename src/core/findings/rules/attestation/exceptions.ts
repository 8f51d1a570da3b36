import type { z } from 'zod';
import type { Rule } from '../../engine';
import { exceptionRecord, signingPath } from '../../families/catalogue';
import type { SourceRecord } from '../../model';
import type { AttestationPolicy } from '../../policy/attestation';
import type { AttestationContext } from './common';
import { at, attFinding, day, scopeOf } from './common';

/**
 * The exception boundary (requirement ATT-EXCEPTION-BOUNDARY in the default library): each active
 * signing path of an in-scope key whose route (`viaKind`) the policy says needs an exception is either
 * listed by id in an exception in force today, or a finding says why not. Four checks, one analysis:
 *
 *   ATT-EXCEPTION-BACKED    the path is listed by an exception in force (non-blocking: the requirement is
 *                           exception-backed, and the finding links the exception it rests on)
 *   ATT-EXCEPTION-NEW-PATH  the path was added after an exception in force for its route was approved and
 *                           is not listed: a new signing path outside the exception (escalation)
 *   ATT-EXCEPTION-UNCLEAR   an exception in force describes its scope in words only, so nothing can be
 *                           checked against it (escalation; names the paths that lean on it)
 *   ATT-EXCEPTION-COVER     no exception in force covers the path: never listed (missing) or listed only
 *                           by exceptions that lapsed or were revoked without a renewal listing it (expired)
 *
 * An exception is in force at the as-of instant when approved, inside [validFrom, validUntil), and not
 * superseded by a known later record; a renewal is a separate record (`renews`) judged the same way, so
 * an expired exception renewed by one in force is no gap. Only exceptions from a control of the policy's
 * library are read. No route or system is named here: the policy's `exceptionViaKinds` decide.
 */

type Exception = SourceRecord<z.output<typeof exceptionRecord.schema>>;
type Path = SourceRecord<z.output<typeof signingPath.schema>>;

interface Analysis {
  backed: { path: Path; by: Exception[] }[];
  newPath: { path: Path; after: Exception[] }[];
  unclear: { exception: Exception; paths: Path[] }[];
  uncovered: { path: Path; lapsed: Exception[] }[];
}

const analyses = new WeakMap<AttestationContext, Analysis>();

function analyse(ctx: AttestationContext): Analysis | undefined {
  const scope = scopeOf(ctx);
  if (!scope) return undefined;
  const cached = analyses.get(ctx);
  if (cached) return cached;
  const controls = new Set(ctx.policy.requirements.map((r) => r.id));
  // A record re-exported later is read in its latest version only (a revocation replaces the approval).
  const known = (e: Exception) =>
    controls.has(e.content.control) &&
    ctx.records.where(exceptionRecord, 'exceptionId', e.content.exceptionId).at(-1) === e;
  const inForce = (e: Exception) => {
    const x = e.content;
    if (!known(e) || x.status !== 'approved' || at(x.validFrom) > ctx.asOf) return false;
    if (x.validUntil !== null && at(x.validUntil) <= ctx.asOf) return false;
    return !(
      x.supersededBy !== null &&
      ctx.records
        .where(exceptionRecord, 'exceptionId', x.supersededBy)
        .some((s) => at(s.content.validFrom) <= ctx.asOf)
    );
  };
  const listing = (id: string) => ctx.records.where(exceptionRecord, 'scope', id);

  // Active paths of in-scope keys on a route that needs an exception, each in its latest exported version.
  const paths = new Map<string, Path>();
  for (const keyId of scope.content.keys)
    for (const p of ctx.records.where(signingPath, 'keyId', keyId)) paths.set(p.content.pathId, p);
  const active = [...paths.values()]
    .filter((p) => {
      const c = p.content;
      return (
        ctx.policy.exceptionViaKinds.includes(c.viaKind) &&
        at(c.addedAt) <= ctx.asOf &&
        (c.removedAt === null || at(c.removedAt) > ctx.asOf)
      );
    })
    .sort((a, b) => (a.content.pathId < b.content.pathId ? -1 : 1));

  const textOnly = ctx.records
    .all(exceptionRecord)
    .filter((e) => inForce(e) && e.content.scope.length === 0 && e.content.scopeText.trim() !== '');
  const result: Analysis = {
    backed: [],
    newPath: [],
    unclear: textOnly.map((exception) => ({ exception, paths: [] })),
    uncovered: [],
  };
  for (const path of active) {
    const by = listing(path.content.pathId).filter(inForce);
    if (by.length > 0) {
      result.backed.push({ path, by });
      continue;
    }
    // Exceptions in force for the same route: they list the route itself, or another path through it.
    const route = new Map<string, Exception>();
    const siblings = ctx.records.where(signingPath, 'via', path.content.via);
    for (const id of [path.content.via, ...siblings.map((s) => s.content.pathId)])
      for (const e of listing(id)) if (inForce(e)) route.set(e.content.exceptionId, e);
    const after = [...route.values()].filter((e) => at(e.content.validFrom) < at(path.content.addedAt));
    if (after.length > 0) result.newPath.push({ path, after });
    else if (result.unclear.length > 0) for (const u of result.unclear) u.paths.push(path);
    else result.uncovered.push({ path, lapsed: listing(path.content.pathId).filter(known) });
  }
  analyses.set(ctx, result);
  return result;
}

const describe = (p: Path) =>
  `${p.content.pathId} (${p.content.purpose}; key ${p.content.keyId} via ${p.content.viaKind} ${p.content.via}, added ${day(p.content.addedAt)})`;
const ids = (list: readonly Exception[]) => list.map((e) => e.content.exceptionId).join(', ');

/** ATT-EXCEPTION-BACKED — see the file comment: a path listed by an exception in force (non-blocking). */
export const attExceptionBacked: Rule<AttestationPolicy> = {
  id: 'ATT-EXCEPTION-BACKED',
  title: 'Signing paths outside the pipeline that an exception in force lists',
  run: (ctx) =>
    (analyse(ctx)?.backed ?? []).map(({ path, by }) =>
      attFinding(ctx, 'ATT-EXCEPTION-BACKED', {
        category: 'policy-criterion-unmet',
        blocking: false,
        subject: path.content.pathId,
        records: [path, ...by],
        sentence: `Signing path ${describe(path)} is outside the normal pipeline and rests on exception ${by
          .map(
            (e) =>
              `${e.content.exceptionId} (valid until ${e.content.validUntil === null ? 'open' : day(e.content.validUntil)})`,
          )
          .join(', ')}.`,
      }),
    ),
};

/** ATT-EXCEPTION-NEW-PATH — see the file comment: a path added after its route's exception, not listed. */
export const attExceptionNewPath: Rule<AttestationPolicy> = {
  id: 'ATT-EXCEPTION-NEW-PATH',
  title: 'No signing path added after its route’s exception runs outside it',
  run: (ctx) =>
    (analyse(ctx)?.newPath ?? []).map(({ path, after }) =>
      attFinding(ctx, 'ATT-EXCEPTION-NEW-PATH', {
        category: 'scope-unclear',
        subject: path.content.pathId,
        records: [path, ...after],
        sentence: `Signing path ${describe(path)} was added after exception ${ids(after)} for its route took effect (${after
          .map((e) => day(e.content.validFrom))
          .join(', ')}) and is not listed in it: a new signing path outside the exception.`,
      }),
    ),
};

/** ATT-EXCEPTION-UNCLEAR — see the file comment: an exception in force whose scope is words only. */
export const attExceptionUnclear: Rule<AttestationPolicy> = {
  id: 'ATT-EXCEPTION-UNCLEAR',
  title: 'Exceptions in force state their scope as ids',
  run: (ctx) =>
    (analyse(ctx)?.unclear ?? []).map(({ exception, paths }) =>
      attFinding(ctx, 'ATT-EXCEPTION-UNCLEAR', {
        category: 'scope-unclear',
        subject: exception.content.exceptionId,
        records: [exception, ...paths],
        sentence: `Exception ${exception.content.exceptionId} (${exception.content.control}) states its scope only as "${exception.content.scopeText.trim().slice(0, 200)}"${
          paths.length > 0
            ? `; signing paths ${paths.map((p) => p.content.pathId).join(', ')} rely on it`
            : ''
        }: its boundary cannot be checked.`,
      }),
    ),
};

/** ATT-EXCEPTION-COVER — see the file comment: a path no exception in force covers. */
export const attExceptionCover: Rule<AttestationPolicy> = {
  id: 'ATT-EXCEPTION-COVER',
  title: 'Every signing path outside the pipeline is covered by an exception in force',
  run: (ctx) =>
    (analyse(ctx)?.uncovered ?? []).map(({ path, lapsed }) =>
      attFinding(ctx, 'ATT-EXCEPTION-COVER', {
        category: lapsed.length > 0 ? 'expired' : 'missing',
        subject: path.content.pathId,
        records: [path, ...lapsed],
        sentence:
          lapsed.length > 0
            ? `Signing path ${describe(path)} was listed only by exception ${lapsed
                .map(
                  (e) =>
                    `${e.content.exceptionId} (${e.content.status}, valid until ${e.content.validUntil === null ? 'open' : day(e.content.validUntil)})`,
                )
                .join(', ')}, none in force on ${day(ctx.asOf)}, and no renewal lists it.`
            : `Signing path ${describe(path)} needs an exception and no exception lists it.`,
      }),
    ),
};
