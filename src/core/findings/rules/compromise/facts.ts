import type { incidentScope } from '../../families/catalogue';
import {
  artifactLineage,
  custodyEvidence,
  customerImpact,
  disclosureRegister,
  hsmAuditLog,
  hsmKeyInventory,
  signingTelemetry,
} from '../../families/catalogue';
import type { SourceRecord } from '../../model';
import type { RecordSet } from '../../records';
import { originOf } from '../../batch';
import type { Facts } from './conditions';
import { type Ctx, HOUR_MS, knownNow, latest, ms, type Rec, subjectIncident } from './common';
import { fold } from '../deferral/common';

/**
 * The facts of a compromise incident at the as-of instant, computed from its source records (never
 * typed in), each with the records it rests on. A fact the records cannot settle is unknown (null):
 * conditions on it are unknown, so a gap never lowers the authority a case needs.
 *
 * - severity: the incident's latest declaration.
 * - custodyExposure: per incident key, the latest evidence of each kind — a forensic finding supersedes
 *   what was observed before it — and the highest conclusion among them; a successful key export on an
 *   incident key in the window counts as at least `suspected`. Across keys the highest; unknown while a
 *   key has no evidence (unless another key is already `confirmed`).
 * - hsmAuditGap: an HSM holding an incident key shows a sequence gap or an `audit-cleared` in the window.
 * - anomalousSignatures / untracedSignatures: signing-telemetry events on incident keys in the window with
 *   an anomaly (or an unknown origin) / with no lineage entry for what they signed.
 * - artifactsAffected / externalDistribution: lineage of artifacts the keys signed in the window;
 *   published (or withdrawn after publication) to a partner, customers or the public is external.
 *   Unknown while the telemetry is incomplete or a signature is untraced (it may have shipped anywhere).
 * - customersAffected: 0 when nothing shipped beyond the organisation; else the sum of the current high
 *   estimates over the externally shipped products, unknown while one has none.
 * - contractualNotice / regulatoryNotice / legalHold: an open register entry for an affected product;
 *   unknown while a product has no entry or the lineage is incomplete (true still wins).
 * - noticeDeadlineHours: hours to the nearest deadline of an open notice (Infinity: none).
 */
export const EXPOSURE_ORDER = ['ruled-out', 'unconfirmed', 'suspected', 'confirmed'] as const;
export type Exposure = (typeof EXPOSURE_ORDER)[number];
const rank = (e: Exposure) => EXPOSURE_ORDER.indexOf(e);
const EXTERNAL = new Set(['partner', 'external-customer', 'public']);
const OPEN_INCIDENT = new Set(['declared', 'contained']);

export type FactName = keyof Facts;

export interface KeyCustody {
  readonly keyId: string;
  /** The evidence that stands (latest per kind, after the latest forensic finding). */
  readonly evidence: readonly Rec<typeof custodyEvidence>[];
  readonly exports: readonly Rec<typeof hsmAuditLog>[];
  readonly exposure: Exposure | null;
  /** Standing evidence both rules exposure out and finds it suspected or confirmed. */
  readonly disputed: boolean;
}

export interface HsmAudit {
  readonly hsmSerial: string;
  readonly entries: readonly Rec<typeof hsmAuditLog>[];
  /** null: no audit records of this HSM at all. */
  readonly gap: boolean | null;
  readonly reasons: readonly string[];
  /** When its log was last exported (null: no records). */
  readonly exportedAt: string | null;
}

export interface IncidentFacts {
  readonly incident: Rec<typeof incidentScope> | null;
  readonly open: boolean;
  readonly keys: readonly string[];
  readonly window: { readonly from: string; readonly to: string } | null;
  readonly values: Facts;
  /** The records each fact rests on. */
  readonly basis: Readonly<Record<FactName, readonly SourceRecord[]>>;
  readonly custody: readonly KeyCustody[];
  readonly audits: readonly HsmAudit[];
  readonly telemetry: readonly Rec<typeof signingTelemetry>[];
  /** Per signing service with events on the incident keys: its sequence gaps and export lag. */
  readonly services: readonly ServiceTelemetry[];
  /** Lineage entries signed in the window that no telemetry event accounts for. */
  readonly unlogged: readonly Rec<typeof artifactLineage>[];
  /** Open register entries for products the lineage does not list. */
  readonly elsewhere: readonly Rec<typeof disclosureRegister>[];
  /** Whether what the keys signed is fully known (complete current telemetry, every signature traced). */
  readonly lineageComplete: boolean;
  readonly untraced: readonly Rec<typeof signingTelemetry>[];
  readonly lineage: readonly Rec<typeof artifactLineage>[];
  readonly products: readonly string[];
  readonly externalProducts: readonly string[];
  readonly impact: ReadonlyMap<string, Rec<typeof customerImpact>>;
  readonly register: ReadonlyMap<string, readonly Rec<typeof disclosureRegister>[]>;
  /** People (case-folded) who operated an incident key in the window (recusal). */
  readonly operators: ReadonlySet<string>;
}

const cache = new WeakMap<RecordSet, Map<string, IncidentFacts>>();

/** The incident's facts, computed once per record set, instant and subject. */
export function incidentFacts(ctx: Ctx): IncidentFacts {
  let byKey = cache.get(ctx.records);
  if (!byKey) cache.set(ctx.records, (byKey = new Map()));
  const k = `${ctx.asOf}\u0000${ctx.subject}\u0000${JSON.stringify(ctx.policy.freshnessHours)}`;
  let f = byKey.get(k);
  if (!f) byKey.set(k, (f = computeFacts(ctx)));
  return f;
}

const UNKNOWN: Facts = {
  severity: null,
  custodyExposure: null,
  hsmAuditGap: null,
  anomalousSignatures: null,
  untracedSignatures: null,
  artifactsAffected: null,
  externalDistribution: null,
  customersAffected: null,
  contractualNotice: null,
  regulatoryNotice: null,
  legalHold: null,
  noticeDeadlineHours: null,
};
const NO_BASIS = Object.fromEntries(Object.keys(UNKNOWN).map((n) => [n, []])) as unknown as Record<
  FactName,
  SourceRecord[]
>;

/** Kleene "or" over a list: true if one is true, else unknown if one is unknown, else false. */
const anyOf = (values: readonly (boolean | null)[]): boolean | null =>
  values.includes(true) ? true : values.includes(null) ? null : false;

function computeFacts(ctx: Ctx): IncidentFacts {
  const incident = subjectIncident(ctx);
  if (!incident)
    return {
      incident: null,
      open: false,
      keys: [],
      window: null,
      values: UNKNOWN,
      basis: NO_BASIS,
      custody: [],
      audits: [],
      telemetry: [],
      services: [],
      unlogged: [],
      elsewhere: [],
      lineageComplete: false,
      untraced: [],
      lineage: [],
      products: [],
      externalProducts: [],
      impact: new Map(),
      register: new Map(),
      operators: new Set(),
    };
  const inc = incident.content;
  const keys = [...new Set(inc.keyIds)].sort();
  const keySet = new Set(keys);
  const from = inc.exposureFrom;
  const inWindow = (t: string) => ms(t) >= ms(from) && ms(t) <= ms(ctx.asOf);
  const basis: Record<FactName, SourceRecord[]> = { ...NO_BASIS };
  for (const n of Object.keys(basis) as FactName[]) basis[n] = [];

  // Audit: exports and operators on incident keys in the window; gaps per HSM.
  const audit = knownNow(ctx, hsmAuditLog);
  const onKeys = audit.filter(
    (a) => a.content.keyId !== null && keySet.has(a.content.keyId) && inWindow(a.content.at),
  );
  const exports = onKeys.filter((a) => a.content.event === 'key-export' && a.content.result === 'success');
  const operators = new Set(
    onKeys
      .filter((a) => a.content.result === 'success' && a.content.operator !== null)
      .filter((a) => a.content.event === 'sign' || a.content.event === 'key-export')
      .map((a) => fold(a.content.operator as string)),
  );
  const hsms = new Set<string>(
    knownNow(ctx, hsmKeyInventory)
      .filter((r) => keySet.has(r.content.keyId))
      .map((r) => r.content.hsmSerial),
  );
  for (const a of onKeys) hsms.add(a.content.hsmSerial);
  const lagMs = ctx.policy.freshnessHours.telemetryLag * HOUR_MS;
  const audits: HsmAudit[] = [...hsms]
    .sort()
    .map((hsmSerial) => auditOf(hsmSerial, audit, from, ctx.asOf, lagMs));

  // Custody per key.
  const evidence = knownNow(ctx, custodyEvidence);
  const custody: KeyCustody[] = keys.map((keyId) => {
    const mine = evidence.filter((e) => e.content.keyId === keyId);
    const perKind = new Map<string, Rec<typeof custodyEvidence>>();
    for (const e of mine) {
      const prev = perKind.get(e.content.kind);
      const l = prev ? latest([prev, e], (c) => c.observedAt) : e;
      if (l) perKind.set(e.content.kind, l);
    }
    const forensic = perKind.get('forensic-finding');
    const standing = [...perKind.values()]
      .filter(
        (e) => !forensic || e === forensic || ms(e.content.observedAt) > ms(forensic.content.observedAt),
      )
      .sort((a, b) => a.content.evidenceId.localeCompare(b.content.evidenceId));
    const exp = exports.filter((a) => a.content.keyId === keyId);
    let exposure: Exposure | null = null;
    for (const e of standing)
      if (exposure === null || rank(e.content.conclusion) > rank(exposure)) exposure = e.content.conclusion;
    if (exp.length > 0 && (exposure === null || rank(exposure) < rank('suspected'))) exposure = 'suspected';
    const conclusions = new Set(standing.map((e) => e.content.conclusion));
    const disputed =
      conclusions.has('ruled-out') && (conclusions.has('suspected') || conclusions.has('confirmed'));
    return { keyId, evidence: standing, exports: exp, exposure, disputed };
  });
  const knownExposures = custody.map((c) => c.exposure).filter((e): e is Exposure => e !== null);
  const top = knownExposures.reduce<Exposure | null>(
    (t, e) => (t === null || rank(e) > rank(t) ? e : t),
    null,
  );
  const custodyExposure: Exposure | null =
    custody.every((c) => c.exposure !== null) || top === 'confirmed' ? top : null;
  basis.custodyExposure = custody.flatMap((c) => [...c.evidence, ...c.exports]);

  // Telemetry and lineage.
  const telemetry = knownNow(ctx, signingTelemetry)
    .filter((t) => keySet.has(t.content.keyId))
    .sort((a, b) => a.content.eventId.localeCompare(b.content.eventId));
  const telemetryKnown = telemetry.length > 0;
  const windowEvents = telemetry.filter((t) => inWindow(t.content.signedAt));
  const services = telemetryOf(ctx, telemetry, from, lagMs);
  const lineage = knownNow(ctx, artifactLineage)
    .filter((l) => keySet.has(l.content.signedByKeyId) && ms(l.content.signedAt) >= ms(from))
    .sort((a, b) => a.content.lineageId.localeCompare(b.content.lineageId));
  const traced = new Set(lineage.map((l) => `${l.content.signedByKeyId}\u0000${l.content.artifactDigest}`));
  const untraced = windowEvents.filter(
    (t) =>
      t.content.artifactDigest === null || !traced.has(`${t.content.keyId}\u0000${t.content.artifactDigest}`),
  );
  const anomalous = windowEvents.filter(
    (t) => t.content.anomaly !== 'none' || t.content.origin === 'unknown',
  );
  // Signatures the lineage knows that no telemetry event accounts for: the telemetry is incomplete.
  const seen = new Set(windowEvents.map((t) => `${t.content.keyId}\u0000${t.content.artifactDigest ?? ''}`));
  const unlogged = lineage.filter(
    (l) =>
      inWindow(l.content.signedAt) &&
      !seen.has(`${l.content.signedByKeyId}\u0000${l.content.artifactDigest}`),
  );
  // What the keys signed is known only from complete, current telemetry with every signature traced.
  const telemetryComplete =
    telemetryKnown && services.every((v) => v.gaps.length === 0 && !v.stale) && unlogged.length === 0;
  const lineageComplete = telemetryComplete && untraced.length === 0;
  // Every artifact a key signed in the window is affected, staged, published or withdrawn; a withdrawn
  // one was published before it was pulled, so beyond the organisation it has shipped (copies exist).
  const live = lineage;
  const shipped = live.filter((l) => l.content.status !== 'staged' && EXTERNAL.has(l.content.audience));
  const products = [...new Set(live.map((l) => l.content.product))].sort();
  const externalProducts = [...new Set(shipped.map((l) => l.content.product))].sort();
  const artifacts = new Set(live.map((l) => l.content.artifactDigest));
  const externalDistribution = shipped.length > 0 ? true : lineageComplete ? false : null;

  // Impact of what shipped beyond the organisation.
  const impact = new Map<string, Rec<typeof customerImpact>>();
  const estimates = knownNow(ctx, customerImpact);
  for (const p of externalProducts) {
    const l = latest(
      estimates.filter((e) => e.content.product === p),
      (c) => c.estimatedAt,
    );
    if (l) impact.set(p, l);
  }
  const customersAffected =
    externalDistribution === false
      ? 0
      : externalDistribution === true && externalProducts.every((p) => impact.has(p))
        ? // Summed: products may share customers, but a sum never under-counts (a maximum would, and an
          // under-count can keep a trigger from firing).
          [...impact.values()].reduce((n, e) => n + e.content.customersHigh, 0)
        : null;

  // Disclosure register of the affected products.
  const entries = knownNow(ctx, disclosureRegister);
  const register = new Map<string, Rec<typeof disclosureRegister>[]>();
  for (const p of products)
    register.set(
      p,
      entries
        .filter((e) => e.content.product === p)
        .sort((a, b) => a.content.entryId.localeCompare(b.content.entryId)),
    );
  const open = [...register.values()].flat().filter((e) => e.content.status === 'open');
  // Entries for products the lineage does not list: not affected while the lineage is complete; while it
  // is not, an open one may concern a product an untraced signature shipped.
  const productSet = new Set(products);
  const elsewhere = entries.filter((e) => e.content.status === 'open' && !productSet.has(e.content.product));
  const everyProductReviewed = products.every((p) => (register.get(p) ?? []).length > 0);
  // Known only over a complete lineage: while what the keys signed is not fully known, a product an
  // untraced signature shipped may owe a notice the register records under it (or not yet at all).
  const registerFact = (pred: (e: Rec<typeof disclosureRegister>) => boolean): boolean | null =>
    open.some(pred) ? true : everyProductReviewed && lineageComplete ? false : null;
  const notices = open.filter(
    (e) => e.content.obligation === 'contractual-notice' || e.content.obligation === 'regulatory-notice',
  );
  const deadlines = notices
    .map((e) => e.content.deadlineAt)
    .filter((d): d is string => d !== null)
    .map((d) => (ms(d) - ms(ctx.asOf)) / HOUR_MS);
  const noticeDeadlineHours =
    deadlines.length > 0
      ? Math.floor(Math.min(...deadlines))
      : everyProductReviewed && lineageComplete
        ? Number.POSITIVE_INFINITY
        : null;

  const hsmAuditGap = anyOf(audits.map((a) => a.gap));
  const values: Facts = {
    severity: inc.severity,
    custodyExposure,
    hsmAuditGap,
    anomalousSignatures: telemetryKnown ? anomalous.length : null,
    untracedSignatures: telemetryKnown ? untraced.length : null,
    artifactsAffected: lineageComplete ? artifacts.size : null,
    externalDistribution,
    customersAffected,
    contractualNotice: registerFact((e) => e.content.obligation === 'contractual-notice'),
    regulatoryNotice: registerFact((e) => e.content.obligation === 'regulatory-notice'),
    legalHold: registerFact((e) => e.content.constraint === 'legal-hold'),
    noticeDeadlineHours,
  };
  const registerRecords = [...register.values()].flat();
  Object.assign(basis, {
    severity: [incident],
    hsmAuditGap: audits.flatMap((a) => a.entries),
    // A count rests on the events it counted: the ones it found, or (none found) every event it read.
    anomalousSignatures: anomalous.length > 0 ? anomalous : windowEvents,
    untracedSignatures: untraced.length > 0 ? untraced : windowEvents,
    artifactsAffected: live,
    externalDistribution: shipped.length > 0 ? shipped : [...live, ...untraced, ...unlogged],
    customersAffected: [...impact.values()],
    contractualNotice: registerRecords,
    regulatoryNotice: registerRecords,
    legalHold: registerRecords,
    noticeDeadlineHours: notices,
  } satisfies Partial<Record<FactName, SourceRecord[]>>);
  return {
    incident,
    open: OPEN_INCIDENT.has(inc.status),
    keys,
    window: { from, to: ctx.asOf },
    values,
    basis,
    custody,
    audits,
    telemetry: windowEvents,
    services,
    unlogged,
    elsewhere,
    lineageComplete,
    untraced,
    lineage,
    products,
    externalProducts,
    impact,
    register,
    operators,
  };
}

/** One HSM's audit over the window: a sequence gap or a cleared log is a gap; no records is unknown. */
function auditOf(
  hsmSerial: string,
  audit: readonly Rec<typeof hsmAuditLog>[],
  from: string,
  asOf: string,
  lagMs: number,
): HsmAudit {
  const all = audit
    .filter((a) => a.content.hsmSerial === hsmSerial)
    .sort((a, b) => a.content.sequence - b.content.sequence);
  if (all.length === 0)
    return { hsmSerial, entries: [], gap: null, reasons: ['no audit records'], exportedAt: null };
  // The log covers the window only up to its latest export: one exported long before as-of says
  // nothing about what happened since (judged by the matrix's telemetry lag).
  const exportedAt = all.reduce((t, a) => (originOf(a).exportedAt > t ? originOf(a).exportedAt : t), '');
  // From the last entry before the window through the window (the sequence must run on unbroken).
  const before = all.filter((a) => ms(a.content.at) < ms(from));
  const inside = all.filter((a) => ms(a.content.at) >= ms(from) && ms(a.content.at) <= ms(asOf));
  const run = [...before.slice(-1), ...inside];
  // Without an entry before the window, nothing shows that its first entries are the log's next ones.
  if (before.length === 0)
    return {
      hsmSerial,
      entries: inside.slice(0, 50),
      gap: null,
      reasons: ['no entry before the window opens anchors its sequence'],
      exportedAt,
    };
  const reasons: string[] = [];
  for (let i = 1; i < run.length; i++) {
    const a = (run[i - 1] as Rec<typeof hsmAuditLog>).content.sequence;
    const b = (run[i] as Rec<typeof hsmAuditLog>).content.sequence;
    if (b - a > 1) reasons.push(`sequence ${a + 1}–${b - 1} missing`);
  }
  for (const a of inside)
    if (a.content.event === 'audit-cleared') reasons.push(`log cleared at sequence ${a.content.sequence}`);
  if (reasons.length > 0) return { hsmSerial, entries: run, gap: true, reasons, exportedAt };
  if (ms(asOf) - ms(exportedAt) > lagMs)
    return {
      hsmSerial,
      entries: run.length > 0 ? run : all.slice(-1),
      gap: null,
      reasons: [`last exported ${exportedAt}, so the window after it is not covered`],
      exportedAt,
    };
  return { hsmSerial, entries: run, gap: false, reasons, exportedAt };
}

export interface ServiceTelemetry {
  readonly service: string;
  /** The service's events from the last one before the window through the window, by sequence. */
  readonly run: readonly Rec<typeof signingTelemetry>[];
  readonly gaps: readonly string[];
  /** When the service's telemetry was last exported, and whether that is past the allowed lag. */
  readonly exportedAt: string;
  readonly stale: boolean;
}

/** Each signing service with events on the incident keys: sequence gaps in the window and export lag. */
function telemetryOf(
  ctx: Ctx,
  onKeys: readonly Rec<typeof signingTelemetry>[],
  from: string,
  lagMs: number,
): ServiceTelemetry[] {
  const all = knownNow(ctx, signingTelemetry);
  // Services active around the window: an event on the keys in it, or an export at or after its start
  // (a service retired long before says nothing about the window and is not judged stale for it).
  const active = onKeys.filter(
    (t) => ms(t.content.signedAt) >= ms(from) || ms(originOf(t).exportedAt) >= ms(from),
  );
  return [...new Set(active.map((t) => t.content.service))].sort().map((service) => {
    const events = all
      .filter((t) => t.content.service === service)
      .sort((a, b) => a.content.serviceSequence - b.content.serviceSequence);
    const before = events.filter((e) => ms(e.content.signedAt) < ms(from)).slice(-1);
    const run = [...before, ...events.filter((e) => ms(e.content.signedAt) >= ms(from))];
    const gaps: string[] = [];
    for (let i = 1; i < run.length; i++) {
      const a = (run[i - 1] as Rec<typeof signingTelemetry>).content.serviceSequence;
      const b = (run[i] as Rec<typeof signingTelemetry>).content.serviceSequence;
      if (b - a > 1) gaps.push(`${a + 1}–${b - 1}`);
    }
    const exportedAt = events.reduce((t, e) => (originOf(e).exportedAt > t ? originOf(e).exportedAt : t), '');
    return { service, run, gaps, exportedAt, stale: ms(ctx.asOf) - ms(exportedAt) > lagMs };
  });
}
