import type { Rule } from '../../engine';
import { hsmKeyInventory } from '../../families/catalogue';
import { originOf } from '../../batch';
import type { Finding } from '../../model';
import type { AuthorityMatrix } from '../../policy/authority-matrix';
import { cmpFinding, count, type Ctx, hoursBetween, knownNow, ms } from './common';
import { incidentFacts } from './facts';

/**
 * The fact-gap checks of workflow 002: whether the records the facts rest on are there, current and
 * consistent. Each names ids, kinds and counts — never a restricted value (a location, a customer
 * count, a disclosure constraint's words): sentences go wherever the findings go.
 */
type R = Rule<AuthorityMatrix>;

/** CMP-SCOPE — the incident is declared (open), its severity stated, and the inventory knows its keys. */
export const cmpScope: R = {
  id: 'CMP-SCOPE',
  title: 'the incident is declared and open, and the key inventory knows every key in its scope',
  run(ctx) {
    const f = incidentFacts(ctx);
    if (!f.incident)
      return [
        cmpFinding(
          'CMP-SCOPE',
          'missing',
          ctx.subject,
          [],
          `No declaration of incident ${ctx.subject} is known as of ${ctx.asOf}: there is nothing to route`,
        ),
      ];
    const out: Finding[] = [];
    if (!f.open)
      out.push(
        cmpFinding(
          'CMP-SCOPE',
          'scope-unclear',
          ctx.subject,
          [f.incident],
          `Incident ${ctx.subject} is ${f.incident.content.status}: a compromise decision is not routed on a ${f.incident.content.status} incident until it is declared again`,
        ),
      );
    const inventory = knownNow(ctx, hsmKeyInventory);
    const unknownKeys = f.keys.filter((k) => !inventory.some((r) => r.content.keyId === k));
    if (unknownKeys.length > 0)
      out.push(
        cmpFinding(
          'CMP-SCOPE',
          'scope-unclear',
          ctx.subject,
          [f.incident],
          `The key inventory does not know ${unknownKeys.join(', ')}, named in incident ${ctx.subject}: which HSMs hold ${unknownKeys.length === 1 ? 'it' : 'them'} is not established`,
        ),
      );
    return out;
  },
};

/** CMP-CUSTODY — each incident key has custody evidence, fresh enough, whose conclusions agree. */
export const cmpCustody: R = {
  id: 'CMP-CUSTODY',
  title: 'every incident key has fresh custody evidence and the sources agree on it',
  run(ctx) {
    const f = incidentFacts(ctx);
    const hours = ctx.policy.freshnessHours.custodyEvidence;
    return f.custody.flatMap((c): Finding[] => {
      if (c.evidence.length === 0)
        return [
          cmpFinding(
            'CMP-CUSTODY',
            'missing',
            c.keyId,
            c.exports,
            `No custody evidence for key ${c.keyId} is known as of ${ctx.asOf}: whether it left the HSM boundary is unknown`,
          ),
        ];
      const out: Finding[] = [];
      const newest = c.evidence.reduce((a, b) =>
        ms(b.content.observedAt) > ms(a.content.observedAt) ? b : a,
      );
      const age = hoursBetween(newest.content.observedAt, ctx.asOf);
      if (age > hours)
        out.push(
          cmpFinding(
            'CMP-CUSTODY',
            'stale',
            c.keyId,
            [newest],
            `The newest custody evidence for key ${c.keyId} (${newest.content.evidenceId}, ${newest.content.kind}) is ${age} h old; the matrix allows ${hours} h`,
          ),
        );
      if (c.disputed)
        out.push(
          cmpFinding(
            'CMP-CUSTODY',
            'disputed',
            c.keyId,
            c.evidence,
            `Custody evidence for key ${c.keyId} disagrees: ${c.evidence.map((e) => `${e.content.evidenceId} ${e.content.conclusion}`).join(', ')}; the higher exposure is used until it is resolved`,
          ),
        );
      return out;
    });
  },
};

/** CMP-AUDIT — each HSM holding an incident key has an unbroken, current audit log over the window. */
export const cmpAudit: R = {
  id: 'CMP-AUDIT',
  title: 'each HSM holding an incident key has an unbroken audit log covering the exposure window',
  run(ctx) {
    const f = incidentFacts(ctx);
    return f.audits.flatMap((a) =>
      a.gap === false
        ? []
        : [
            cmpFinding(
              'CMP-AUDIT',
              a.gap === true
                ? 'disputed'
                : a.exportedAt === null
                  ? 'missing'
                  : a.reasons[0]?.startsWith('no entry before')
                    ? 'partial'
                    : 'stale',
              a.hsmSerial,
              a.entries,
              a.gap === true
                ? `The audit log of HSM ${a.hsmSerial} is broken over the window: ${a.reasons.join('; ')}`
                : a.exportedAt === null
                  ? `No audit records of HSM ${a.hsmSerial} are known: what happened to the incident keys there since ${f.window?.from ?? '?'} is unknown`
                  : a.reasons[0]?.startsWith('no entry before')
                    ? `The audit export of HSM ${a.hsmSerial} starts inside the window (${a.reasons.join('; ')}): entries at its start may be missing`
                    : `The audit log of HSM ${a.hsmSerial} was ${a.reasons.join('; ')} (the matrix allows ${ctx.policy.freshnessHours.telemetryLag} h): an export of the key since would not be seen`,
            ),
          ],
    );
  },
};

/**
 * CMP-TELEMETRY — each signing service's events on the incident keys are gap-free, exported within the
 * allowed lag, and account for every signature the lineage knows in the window.
 */
export const cmpTelemetry: R = {
  id: 'CMP-TELEMETRY',
  title:
    'signing telemetry for the incident keys is complete, within the allowed lag, and accounts for the lineage',
  run(ctx) {
    const f = incidentFacts(ctx);
    if (!f.incident) return [];
    if (f.services.length === 0)
      return [
        cmpFinding(
          'CMP-TELEMETRY',
          'missing',
          ctx.subject,
          [f.incident, ...f.unlogged.slice(0, 20)],
          `No signing telemetry for ${f.keys.join(', ')} is known: which signatures were made is unknown`,
        ),
      ];
    const lag = ctx.policy.freshnessHours.telemetryLag;
    const out: Finding[] = f.services.flatMap((v): Finding[] => [
      ...(v.gaps.length > 0
        ? [
            cmpFinding(
              'CMP-TELEMETRY',
              'partial',
              v.service,
              v.run,
              `Telemetry of ${v.service} is missing sequence ${v.gaps.join(', ')} in the window: signatures may be unaccounted for`,
            ),
          ]
        : []),
      ...(v.stale
        ? [
            cmpFinding(
              'CMP-TELEMETRY',
              'stale',
              v.service,
              v.run.slice(-1),
              `Telemetry of ${v.service} was last exported ${hoursBetween(v.exportedAt, ctx.asOf)} h before ${ctx.asOf}; the matrix allows ${lag} h`,
            ),
          ]
        : []),
    ]);
    if (f.unlogged.length > 0)
      out.push(
        cmpFinding(
          'CMP-TELEMETRY',
          'partial',
          ctx.subject,
          f.unlogged,
          `${count(f.unlogged.length, 'artifact')} the lineage shows signed by an incident key in the window ${f.unlogged.length === 1 ? 'has' : 'have'} no telemetry event: the telemetry does not account for every signature`,
        ),
      );
    return out;
  },
};

/** CMP-LINEAGE — every signature by an incident key in the window is traced to what it signed. */
export const cmpLineage: R = {
  id: 'CMP-LINEAGE',
  title: 'every signature by an incident key in the window is traced to an artifact lineage entry',
  run(ctx) {
    const f = incidentFacts(ctx);
    const out: Finding[] = [];
    for (const keyId of f.keys) {
      const untraced = f.untraced.filter((t) => t.content.keyId === keyId);
      if (untraced.length > 0)
        out.push(
          cmpFinding(
            'CMP-LINEAGE',
            'partial',
            keyId,
            untraced,
            `${count(untraced.length, 'signature')} by key ${keyId} in the window ${untraced.length === 1 ? 'is' : 'are'} not traced to an artifact (${untraced
              .slice(0, 5)
              .map((t) => t.content.eventId)
              .join(
                ', ',
              )}${untraced.length > 5 ? ', …' : ''}): where they shipped, and so how far the exposure reaches, is unknown`,
          ),
        );
    }
    const hours = ctx.policy.freshnessHours.lineage;
    if (f.lineage.length > 0) {
      const exported = f.lineage.reduce(
        (t, l) => (originOf(l).exportedAt > t ? originOf(l).exportedAt : t),
        '',
      );
      const age = hoursBetween(exported, ctx.asOf);
      if (age > hours)
        out.push(
          cmpFinding(
            'CMP-LINEAGE',
            'stale',
            ctx.subject,
            f.lineage.slice(-1),
            `Artifact lineage was last exported ${age} h before ${ctx.asOf}; the matrix allows ${hours} h`,
          ),
        );
    }
    return out;
  },
};

/** CMP-IMPACT — every product shipped beyond the organisation has a current customer-impact estimate. */
export const cmpImpact: R = {
  id: 'CMP-IMPACT',
  title: 'every product shipped beyond the organisation has a current customer-impact estimate',
  run(ctx) {
    const f = incidentFacts(ctx);
    const hours = ctx.policy.freshnessHours.impact;
    return f.externalProducts.flatMap((p): Finding[] => {
      const e = f.impact.get(p);
      const shipped = f.lineage.filter((l) => l.content.product === p);
      if (!e)
        return [
          cmpFinding(
            'CMP-IMPACT',
            'missing',
            p,
            shipped,
            `${p} shipped beyond the organisation but has no customer-impact estimate: who is affected is unknown`,
          ),
        ];
      const age = hoursBetween(e.content.estimatedAt, ctx.asOf);
      return age > hours
        ? [
            cmpFinding(
              'CMP-IMPACT',
              'stale',
              p,
              [e],
              `The customer-impact estimate for ${p} (${e.content.estimateId}) is ${age} h old; the matrix allows ${hours} h`,
            ),
          ]
        : [];
    });
  },
};

/** CMP-DISCLOSURE — every affected product has a current review in legal's disclosure register. */
export const cmpDisclosure: R = {
  id: 'CMP-DISCLOSURE',
  title: "every affected product has a current review in legal's disclosure register",
  run(ctx) {
    const f = incidentFacts(ctx);
    const hours = ctx.policy.freshnessHours.disclosure;
    const maybe =
      f.lineageComplete || !f.incident
        ? []
        : [
            cmpFinding(
              'CMP-DISCLOSURE',
              'partial',
              ctx.subject,
              [...f.elsewhere, ...f.untraced.slice(0, 20), ...f.unlogged.slice(0, 20)],
              `What the incident keys signed is not fully known, so neither is which products owe a notice or are under a hold${f.elsewhere.length > 0 ? ` (${count(f.elsewhere.length, 'open register entry')} outside the known lineage)` : ''}: the disclosure facts stay unknown`,
            ),
          ];
    return [
      ...maybe,
      ...f.products.flatMap((p): Finding[] => {
        const entries = f.register.get(p) ?? [];
        const shipped = f.lineage.filter((l) => l.content.product === p);
        if (entries.length === 0)
          return [
            cmpFinding(
              'CMP-DISCLOSURE',
              'missing',
              p,
              shipped,
              `${p} signed by an incident key has no disclosure-register review: whether a notice is owed is unknown`,
            ),
          ];
        const newest = entries.reduce((a, b) =>
          ms(b.content.recordedAt) > ms(a.content.recordedAt) ? b : a,
        );
        const age = hoursBetween(newest.content.recordedAt, ctx.asOf);
        return age > hours
          ? [
              cmpFinding(
                'CMP-DISCLOSURE',
                'stale',
                p,
                [newest],
                `The newest disclosure-register review of ${p} (${newest.content.entryId}) is ${age} h old; the matrix allows ${hours} h`,
              ),
            ]
          : [];
      }),
    ];
  },
};

export const EVIDENCE_RULES: readonly R[] = [
  cmpScope,
  cmpCustody,
  cmpAudit,
  cmpTelemetry,
  cmpLineage,
  cmpImpact,
  cmpDisclosure,
];
export type { Ctx };
