import { custodyRegistry, hsmKeyInventory, mediaLifecycle, sealInspection } from '../../families/catalogue';
import {
  candidateArtifact,
  digestConfirmation,
  enclaveAttestation,
  enclaveReading,
  frozenManifest,
  publicationSafeguard,
  reproducibilityCheck,
  rollbackPackage,
  shiftCalendar,
  signerCommitment,
  trustedSource,
} from '../../families/continuity';
import type { continuityDeclaration } from '../../families/continuity';
import type { RecordRef, SourceRecord } from '../../model';
import { refOf, type RecordSet } from '../../records';
import { rosterCover } from '../deferral/common';
import {
  type Ctx,
  DAY_MS,
  fold,
  HOUR_MS,
  hoursBetween,
  iso,
  knownWhere,
  latest,
  ms,
  type Problem,
  type Rec,
  short,
  subjectDeclaration,
} from './common';

/**
 * The readiness ledger of workflow 003 and the problems behind its holds, assessed once per context:
 * the rules turn the problems into findings (one check each) and the workflow's `derive` turns the same
 * assessment into ledger lines, so a line shows READY only where no check found anything on its item.
 */
export const LEDGER_AREAS = [
  'declaration',
  'manifest',
  'digest',
  'enclave',
  'signers',
  'rollback',
  'publication',
  'quarantine',
] as const;
export type LedgerArea = (typeof LEDGER_AREAS)[number];

export type LedgerValue = string | number | boolean | null | readonly string[];

/** One line of the readiness ledger: an area's item, its facts, and the records they rest on. */
export interface LedgerLine {
  readonly area: LedgerArea;
  readonly item: string;
  readonly facts: Readonly<Record<string, LedgerValue>>;
  readonly records: readonly RecordRef[];
}

export interface Assessment {
  readonly lines: readonly LedgerLine[];
  readonly problems: readonly Problem[];
  /** The manifest in force (empty when none is known): what a signing run may sign. */
  readonly manifest: readonly Rec<typeof frozenManifest>[];
  readonly declaration: Rec<typeof continuityDeclaration> | null;
}

const cache = new WeakMap<RecordSet, Map<string, Assessment>>();

/** The assessment of this context (memoised per record set, subject, instant and policy object). */
export function assess(ctx: Ctx): Assessment {
  let byKey = cache.get(ctx.records);
  if (!byKey) {
    byKey = new Map();
    cache.set(ctx.records, byKey);
  }
  const key = `${ctx.subject}\u0000${ctx.asOf}\u0000${JSON.stringify(ctx.policy)}`;
  const hit = byKey.get(key);
  if (hit) return hit;
  const made = assessNow(ctx);
  byKey.set(key, made);
  return made;
}

class Builder {
  readonly lines: LedgerLine[] = [];
  readonly problems: Problem[] = [];
  line(area: LedgerArea, item: string, facts: Record<string, LedgerValue>, records: readonly SourceRecord[]) {
    const seen = new Set<string>();
    const refs: RecordRef[] = [];
    for (const r of records) {
      const ref = refOf(r);
      const k = `${ref.family}\u0000${ref.system}\u0000${ref.recordId}`;
      if (!seen.has(k)) {
        seen.add(k);
        refs.push(ref);
      }
    }
    this.lines.push({ area, item, facts, records: refs });
  }
  hold(p: Problem) {
    this.problems.push(p);
  }
}

function assessNow(ctx: Ctx): Assessment {
  const b = new Builder();
  const decl = subjectDeclaration(ctx);
  if (!decl) {
    b.hold({
      checkId: 'ACT-DECLARATION',
      category: 'missing',
      subject: ctx.subject,
      records: [],
      sentence: `No continuity declaration ${ctx.subject} is known as of ${ctx.asOf}: import the declared outage scope from the incident workspace.`,
    });
    return { lines: b.lines, problems: b.problems, manifest: [], declaration: null };
  }
  declaration(ctx, b, decl);
  const manifest = manifestLines(ctx, b, decl);
  for (const line of manifest) {
    binding(ctx, b, decl, line);
    reproducibility(ctx, b, line);
    digest(ctx, b, line);
  }
  enclave(ctx, b, decl);
  signers(ctx, b, decl);
  rollback(ctx, b, decl);
  publication(ctx, b, decl, manifest);
  quarantine(ctx, b, decl, manifest);
  return { lines: b.lines, problems: b.problems, manifest, declaration: decl };
}

// --- declaration --------------------------------------------------------------------------------------

function declaration(ctx: Ctx, b: Builder, d: Rec<typeof continuityDeclaration>): void {
  const c = d.content;
  b.line(
    'declaration',
    c.declarationId,
    {
      trainId: c.trainId,
      status: c.status,
      windowFrom: iso(c.windowFrom),
      windowUntil: iso(c.windowUntil),
      shipmentDeadline: iso(c.shipmentDeadline),
      approvalOwner: c.approvalOwner,
      hsmSerial: c.hsmSerial,
      keyId: c.keyId,
      manifestId: c.manifestId,
    },
    [d],
  );
  const base = { checkId: 'ACT-DECLARATION', subject: c.declarationId, records: [d] } as const;
  if (c.status !== 'declared')
    b.hold({
      ...base,
      category: 'scope-unclear',
      sentence: `Declaration ${c.declarationId} is ${c.status}: no activation packet can rest on it until the incident workspace declares the fallback again.`,
    });
  if (ms(c.windowUntil) <= ms(c.windowFrom))
    b.hold({
      ...base,
      category: 'invalid',
      sentence: `The signing window of ${c.declarationId} ends (${iso(c.windowUntil)}) before it begins (${iso(c.windowFrom)}).`,
    });
  else if (ms(ctx.asOf) >= ms(c.windowUntil))
    b.hold({
      ...base,
      category: 'expired',
      sentence: `The signing window of ${c.declarationId} closed at ${iso(c.windowUntil)}; a new declaration is needed.`,
    });
}

// --- manifest binding, reproducibility, digest freshness ----------------------------------------------

function manifestLines(
  ctx: Ctx,
  b: Builder,
  d: Rec<typeof continuityDeclaration>,
): Rec<typeof frozenManifest>[] {
  const all = knownWhere(ctx, frozenManifest, 'manifestId', d.content.manifestId);
  const version = Math.max(0, ...all.map((r) => r.content.manifestVersion));
  const inForce = all
    .filter((r) => r.content.manifestVersion === version && r.content.status === 'frozen')
    .sort((x, y) =>
      x.content.artifact < y.content.artifact ? -1 : x.content.artifact > y.content.artifact ? 1 : 0,
    );
  if (inForce.length === 0) {
    b.line(
      'manifest',
      d.content.manifestId,
      { manifestVersion: version === 0 ? null : version, lines: all.length },
      [d, ...all],
    );
    b.hold({
      checkId: 'ACT-MANIFEST',
      category: 'missing',
      subject: d.content.manifestId,
      records: [d, ...all],
      sentence:
        all.length === 0
          ? `No line of frozen manifest ${d.content.manifestId} is known: import it from the trusted build-lineage system.`
          : `Frozen manifest ${d.content.manifestId} v${version} has no frozen line (every line is withdrawn).`,
    });
    return [];
  }
  const byName = new Map<string, Rec<typeof frozenManifest>[]>();
  for (const r of inForce) byName.set(r.content.artifact, [...(byName.get(r.content.artifact) ?? []), r]);
  for (const [name, rs] of byName) {
    const digests = new Set(rs.map((r) => r.content.sha256));
    if (digests.size > 1)
      b.hold({
        checkId: 'ACT-MANIFEST',
        category: 'invalid',
        subject: name,
        records: rs,
        sentence: `Manifest ${d.content.manifestId} v${version} names ${name} twice with different digests (${[...digests].map(short).join(', ')}).`,
      });
  }
  return inForce;
}

function binding(
  ctx: Ctx,
  b: Builder,
  d: Rec<typeof continuityDeclaration>,
  l: Rec<typeof frozenManifest>,
): void {
  const c = l.content;
  const sources = knownWhere(ctx, trustedSource, 'trainId', d.content.trainId);
  // Commits compare as hex, whatever their case (an abbreviated commit is not the accepted one).
  const same = sources.filter(
    (s) => s.content.branch === c.branch && s.content.commit.toLowerCase() === c.commit.toLowerCase(),
  );
  const accepted = same.filter((s) => s.content.status === 'accepted');
  b.line(
    'manifest',
    c.artifact,
    {
      manifestId: c.manifestId,
      manifestVersion: c.manifestVersion,
      sha256: c.sha256,
      sizeBytes: c.sizeBytes,
      branch: c.branch,
      commit: c.commit,
      reproducibilityRefs: c.reproducibilityRefs,
      trustedSource: accepted.map((s) => s.content.sourceId).join(', ') || null,
    },
    [l, ...same],
  );
  const base = { checkId: 'ACT-MANIFEST', subject: c.artifact } as const;
  if (c.trainId !== d.content.trainId)
    b.hold({
      ...base,
      category: 'disputed',
      records: [l, d],
      sentence: `${c.artifact} in manifest ${c.manifestId} belongs to train ${c.trainId}, not the declared train ${d.content.trainId}.`,
    });
  if (sources.length === 0)
    b.hold({
      ...base,
      category: 'missing',
      records: [l],
      sentence: `No trusted source (branch and commit) is accepted for train ${d.content.trainId}: ${c.artifact} cannot be bound.`,
    });
  else if (accepted.length === 0)
    b.hold({
      ...base,
      category: 'disputed',
      records: [l, ...same, ...sources.filter((s) => s.content.status === 'accepted')],
      sentence:
        same.length > 0
          ? `${c.artifact} was built from ${c.branch}@${c.commit.slice(0, 12)}, whose acceptance as a trusted source was revoked.`
          : `${c.artifact} was built from ${c.branch}@${c.commit.slice(0, 12)}, which is not the accepted trusted source of train ${d.content.trainId}.`,
    });
}

function reproducibility(ctx: Ctx, b: Builder, l: Rec<typeof frozenManifest>): void {
  const c = l.content;
  const base = { checkId: 'ACT-REPRO', subject: c.artifact } as const;
  if (c.reproducibilityRefs.length === 0) {
    b.hold({
      ...base,
      category: 'missing',
      records: [l],
      sentence: `${c.artifact} cites no reproducibility reference in the frozen manifest.`,
    });
    return;
  }
  for (const ref of c.reproducibilityRefs) {
    const checks = knownWhere(ctx, reproducibilityCheck, 'ref', ref).filter(
      (r) => r.content.artifact === c.artifact,
    );
    const last = latest(checks, (x) => x.checkedAt);
    if (!last)
      b.hold({
        ...base,
        category: 'missing',
        records: [l],
        sentence: `No reproducible-build check ${ref} of ${c.artifact} is known.`,
      });
    else if (last.content.result === 'mismatch' || last.content.sha256 !== c.sha256)
      b.hold({
        ...base,
        category: 'disputed',
        records: [l, last],
        sentence: `Reproducible-build check ${ref} of ${c.artifact} produced ${short(last.content.sha256)}… (${last.content.result}); the manifest says ${short(c.sha256)}….`,
      });
    else if (last.content.result === 'inconclusive')
      b.hold({
        ...base,
        category: 'partial',
        records: [l, last],
        sentence: `Reproducible-build check ${ref} of ${c.artifact} was inconclusive (${iso(last.content.checkedAt)}).`,
      });
  }
}

function digest(ctx: Ctx, b: Builder, l: Rec<typeof frozenManifest>): void {
  const c = l.content;
  const confs = knownWhere(ctx, digestConfirmation, 'artifact', c.artifact).filter(
    (r) => r.content.trainId === c.trainId,
  );
  const last = latest(confs, (x) => x.confirmedAt);
  const limit = ctx.policy.digestFreshnessHours;
  b.line(
    'digest',
    c.artifact,
    {
      sha256: c.sha256,
      confirmedSha256: last?.content.sha256 ?? null,
      confirmedBy: last?.content.confirmedBy ?? null,
      confirmedAt: last ? iso(last.content.confirmedAt) : null,
      limitHours: limit,
    },
    last ? [l, last] : [l],
  );
  const base = { checkId: 'ACT-DIGEST-FRESH', subject: c.artifact } as const;
  if (!last)
    b.hold({
      ...base,
      category: 'missing',
      records: [l],
      sentence: `No digest confirmation of ${c.artifact} is known.`,
    });
  else if (last.content.sha256 !== c.sha256)
    b.hold({
      ...base,
      category: 'disputed',
      records: [l, last],
      sentence: `The latest digest confirmation of ${c.artifact} (${iso(last.content.confirmedAt)}) reads ${short(last.content.sha256)}…; the manifest says ${short(c.sha256)}….`,
    });
  else if (ms(ctx.asOf) - ms(last.content.confirmedAt) > limit * HOUR_MS)
    b.hold({
      ...base,
      category: 'stale',
      records: [l, last],
      sentence: `The digest of ${c.artifact} was last confirmed ${hoursBetween(last.content.confirmedAt, ctx.asOf)} h ago (${iso(last.content.confirmedAt)}); policy allows ${limit} h.`,
    });
}

// --- enclave -----------------------------------------------------------------------------------------

function enclave(ctx: Ctx, b: Builder, d: Rec<typeof continuityDeclaration>): void {
  const { hsmSerial, keyId } = d.content;
  const p = ctx.policy;
  const att = latest(
    knownWhere(ctx, enclaveAttestation, 'hsmSerial', hsmSerial).filter((r) => r.content.keyId === keyId),
    (c) => c.attestedAt,
  );
  const readings = knownWhere(ctx, enclaveReading, 'hsmSerial', hsmSerial).filter(
    (r) => r.content.keyId === keyId,
  );
  const reading = latest(readings, (c) => c.readAt);
  // One read that found several keys under the name the declaration uses: which one signs is not known.
  const twins = reading
    ? readings.filter(
        (r) =>
          r !== reading &&
          ms(r.content.readAt) === ms(reading.content.readAt) &&
          r.provenance.fileSha256 === reading.provenance.fileSha256,
      )
    : [];
  const inventory = latest(
    knownWhere(ctx, hsmKeyInventory, 'keyId', keyId).filter((r) => r.content.hsmSerial === hsmSerial),
    (c) => c.observedAt,
  );
  b.line(
    'enclave',
    `${hsmSerial}/${keyId}`,
    {
      attestation: att?.content.attestationId ?? null,
      attestedFirmware: att?.content.firmwareVersion ?? null,
      sealed: att?.content.sealed ?? null,
      attestationResult: att?.content.result ?? null,
      attestedAt: att ? iso(att.content.attestedAt) : null,
      reading: reading?.content.readingId ?? null,
      readFirstHand: reading ? reading.provenance.firstHand : null,
      present: reading?.content.present ?? null,
      readFirmware: reading?.content.firmwareVersion ?? null,
      keyResidency: reading?.content.keyResidency ?? null,
      spkiSha256: reading?.content.spkiSha256 ?? null,
      readAt: reading ? iso(reading.content.readAt) : null,
      inventoried: inventory ? inventory.content.residency : null,
    },
    [att, reading, inventory].filter((r): r is NonNullable<typeof r> => r !== null),
  );
  const subject = `${hsmSerial}/${keyId}`;
  const hold = (category: Problem['category'], records: readonly (SourceRecord | null)[], sentence: string) =>
    b.hold({
      checkId: 'ACT-ENCLAVE',
      category,
      subject,
      records: records.filter((r): r is SourceRecord => r !== null),
      sentence,
    });
  if (!att) hold('missing', [d], `No enclave attestation of key ${keyId} on HSM ${hsmSerial} is known.`);
  else {
    if (!att.content.sealed)
      hold(
        'invalid',
        [att],
        `Enclave attestation ${att.content.attestationId} is not sealed by the attesting party (a draft).`,
      );
    if (att.content.result !== 'pass')
      hold(
        'disputed',
        [att],
        `Enclave attestation ${att.content.attestationId} reports ${att.content.result}.`,
      );
    if (ms(ctx.asOf) - ms(att.content.attestedAt) > p.attestationFreshnessHours * HOUR_MS)
      hold(
        'stale',
        [att],
        `Enclave attestation ${att.content.attestationId} is ${hoursBetween(att.content.attestedAt, ctx.asOf)} h old; policy allows ${p.attestationFreshnessHours} h.`,
      );
  }
  if (!reading)
    hold(
      'missing',
      [d],
      `No readiness reading of HSM ${hsmSerial} is known: read the token live from the station or import the HSM administration's reading.`,
    );
  else {
    const rc = reading.content;
    const who = reading.provenance.firstHand ? 'the station read' : `reading ${rc.readingId} reports`;
    if (!rc.present) hold('missing', [reading], `At ${iso(rc.readAt)} ${who} HSM ${hsmSerial} absent.`);
    else {
      // A later contradicting record wins: a reading taken before the attestation it disagrees with is
      // superseded by it (the firmware was attested afterwards); one taken at or after it contradicts it.
      if (
        att &&
        ms(rc.readAt) >= ms(att.content.attestedAt) &&
        rc.firmwareVersion !== att.content.firmwareVersion
      )
        hold(
          'disputed',
          [reading, att],
          `At ${iso(rc.readAt)} ${who} firmware ${rc.firmwareVersion ?? 'unknown'} on HSM ${hsmSerial}; the attestation says ${att.content.firmwareVersion}.`,
        );
      if (rc.keyResidency !== 'resident')
        hold(
          'disputed',
          [reading],
          `At ${iso(rc.readAt)} ${who} key ${keyId} ${rc.keyResidency}, not resident and non-extractable.`,
        );
    }
    if (twins.length > 0)
      hold(
        'disputed',
        [reading, ...twins],
        `The read of ${iso(rc.readAt)} found ${twins.length + 1} keys named ${keyId} on HSM ${hsmSerial}: the declaration must name exactly one key.`,
      );
    if (ms(ctx.asOf) - ms(rc.readAt) > p.readingFreshnessHours * HOUR_MS)
      hold(
        'stale',
        [reading],
        `The latest readiness reading of HSM ${hsmSerial} is ${hoursBetween(rc.readAt, ctx.asOf)} h old; policy allows ${p.readingFreshnessHours} h.`,
      );
  }
  if (!inventory) hold('missing', [d], `Key ${keyId} is not in the HSM inventory on serial ${hsmSerial}.`);
  else if (inventory.content.residency !== 'hsm-resident')
    hold(
      'disputed',
      [inventory],
      `The inventory lists key ${keyId} on ${hsmSerial} as ${inventory.content.residency}.`,
    );
}

// --- signer coverage by shift -----------------------------------------------------------------------

function signers(ctx: Ctx, b: Builder, d: Rec<typeof continuityDeclaration>): void {
  const { windowFrom, windowUntil, trainId } = d.content;
  const from = ms(windowFrom);
  const until = ms(windowUntil);
  if (until <= from) return;
  const q = ctx.policy.quorum;
  const shifts = knownWhere(ctx, shiftCalendar, 'trainId', trainId)
    .filter(
      (s) => s.content.status === 'scheduled' && ms(s.content.until) > from && ms(s.content.from) < until,
    )
    .sort(
      (x, y) => ms(x.content.from) - ms(y.content.from) || (x.content.shiftId < y.content.shiftId ? -1 : 1),
    );
  // Coverage: every instant of the window inside some scheduled shift; each stretch no shift covers is a
  // ledger line of its own (so the ledger never reads all READY over a gap) and a hold.
  const gap = (a: number, z: number) => {
    const item = `${new Date(a).toISOString()}/${new Date(z).toISOString()}`;
    b.line(
      'signers',
      item,
      {
        label: 'no shift',
        from: new Date(a).toISOString(),
        until: new Date(z).toISOString(),
        role: q.role,
        needed: q.min,
        committed: [],
        notCounted: [],
      },
      [d],
    );
    b.hold({
      checkId: 'ACT-QUORUM-SHIFT',
      category: 'missing',
      subject: item,
      records: [d],
      sentence: `No scheduled shift covers ${new Date(a).toISOString()} to ${new Date(z).toISOString()} of the signing window.`,
    });
  };
  let reach = from;
  for (const s of shifts) {
    const sf = ms(s.content.from);
    if (sf > reach) gap(reach, sf);
    reach = Math.max(reach, ms(s.content.until));
  }
  if (reach < until) gap(reach, until);
  for (const s of shifts) {
    const c = s.content;
    const byPerson = new Map<string, Rec<typeof signerCommitment>[]>();
    for (const r of knownWhere(ctx, signerCommitment, 'shiftId', c.shiftId))
      byPerson.set(fold(r.content.person), [...(byPerson.get(fold(r.content.person)) ?? []), r]);
    const counted: string[] = [];
    const notCounted: string[] = [];
    const used: SourceRecord[] = [s];
    for (const [, rs] of [...byPerson].sort(([a], [b2]) => (a < b2 ? -1 : 1))) {
      const last = latest(rs, (x) => x.recordedAt);
      if (!last) continue;
      used.push(last);
      const who = last.content.person;
      if (last.content.status !== 'committed') {
        notCounted.push(`${who} ${last.content.status}`);
        continue;
      }
      if (last.content.role !== q.role) {
        notCounted.push(`${who} committed as ${last.content.role}`);
        continue;
      }
      const endAt = new Date(ms(c.until) - 1).toISOString();
      // rosterCover reads only the records and the instant, whatever the workflow's policy.
      const atStart = rosterCover(ctx as never, who, iso(c.from), [q.role]);
      const atEnd = rosterCover(ctx as never, who, endAt, [q.role]);
      used.push(...(atStart as SourceRecord[]), ...(atEnd as SourceRecord[]));
      if (atStart.length === 0 || atEnd.length === 0) {
        notCounted.push(`${who} not on the roster as ${q.role} for the whole shift`);
        continue;
      }
      counted.push(who);
    }
    b.line(
      'signers',
      c.shiftId,
      {
        label: c.label,
        from: iso(c.from),
        until: iso(c.until),
        role: q.role,
        needed: q.min,
        committed: counted,
        notCounted,
      },
      used,
    );
    if (counted.length < q.min)
      b.hold({
        checkId: 'ACT-QUORUM-SHIFT',
        category: 'missing',
        subject: c.shiftId,
        records: used,
        sentence: `Shift ${c.shiftId} (${c.label}, ${iso(c.from)}–${iso(c.until)}) has ${counted.length} of ${q.min} ${q.role} signers committed${counted.length ? ` (${counted.join(', ')})` : ''}${notCounted.length ? `; not counted: ${notCounted.join('; ')}` : ''}.`,
      });
  }
}

// --- rollback custody --------------------------------------------------------------------------------

function rollback(ctx: Ctx, b: Builder, d: Rec<typeof continuityDeclaration>): void {
  const { rollbackPackages, trainId } = d.content;
  const limitDays = ctx.policy.inspectionFreshnessDays;
  if (rollbackPackages.length === 0) b.line('rollback', d.content.declarationId, { inScope: 0 }, [d]);
  if (rollbackPackages.length === 0)
    b.hold({
      checkId: 'ACT-ROLLBACK',
      category: 'missing',
      subject: d.content.declarationId,
      records: [d],
      sentence: `Declaration ${d.content.declarationId} names no rollback package in scope.`,
    });
  for (const packageId of [...new Set(rollbackPackages)].sort()) {
    const hold = (category: Problem['category'], records: readonly SourceRecord[], sentence: string) =>
      b.hold({ checkId: 'ACT-ROLLBACK', category, subject: packageId, records, sentence });
    const pkg = latest(knownWhere(ctx, rollbackPackage, 'packageId', packageId), (c) => c.recordedAt);
    if (!pkg) {
      b.line('rollback', packageId, { status: null }, [d]);
      hold('missing', [d], `Rollback package ${packageId} is in scope but no record of it is known.`);
      continue;
    }
    const c = pkg.content;
    const inspection = latest(knownWhere(ctx, sealInspection, 'mediaId', c.mediaId), (x) => x.at);
    const life = latest(knownWhere(ctx, mediaLifecycle, 'mediaId', c.mediaId), (x) => x.at);
    const asOf = ms(ctx.asOf);
    const holders = knownWhere(ctx, custodyRegistry, 'itemId', c.mediaId).filter(
      (h) => ms(h.content.since) <= asOf && (h.content.until === null || ms(h.content.until) > asOf),
    );
    b.line(
      'rollback',
      packageId,
      {
        status: c.status,
        artifact: c.artifact,
        sha256: c.sha256,
        mediaId: c.mediaId,
        bagSerial: c.bagSerial,
        inspectedBag: inspection?.content.bagSerial ?? null,
        inspection: inspection?.content.result ?? null,
        inspectedAt: inspection ? iso(inspection.content.at) : null,
        holders: holders.map((h) => h.content.holder).sort(),
      },
      [pkg, ...(inspection ? [inspection] : []), ...(life ? [life] : []), ...holders],
    );
    if (c.status !== 'ready') hold('missing', [pkg], `Rollback package ${packageId} is ${c.status}.`);
    if (c.trainId !== trainId)
      hold(
        'disputed',
        [pkg, d],
        `Rollback package ${packageId} belongs to train ${c.trainId}, not ${trainId}.`,
      );
    if (!inspection)
      hold(
        'missing',
        [pkg],
        `No seal inspection of medium ${c.mediaId} (rollback package ${packageId}) is known.`,
      );
    else {
      const ic = inspection.content;
      if (ic.result !== 'intact')
        hold(
          'disputed',
          [pkg, inspection],
          `Medium ${c.mediaId} was found ${ic.result} at its inspection of ${iso(ic.at)}.`,
        );
      if (ic.bagSerial !== c.bagSerial)
        hold(
          'disputed',
          [pkg, inspection],
          `Medium ${c.mediaId} was inspected in bag ${ic.bagSerial}; rollback package ${packageId} records bag ${c.bagSerial}.`,
        );
      if (asOf - ms(ic.at) > limitDays * DAY_MS)
        hold(
          'stale',
          [pkg, inspection],
          `Medium ${c.mediaId} was last inspected ${iso(ic.at)}; policy allows ${limitDays} days.`,
        );
      if (
        life &&
        ms(life.content.at) > ms(ic.at) &&
        (life.content.event === 'replaced' ||
          life.content.event === 'retired' ||
          life.content.bagSerial !== ic.bagSerial)
      )
        hold(
          'stale',
          [pkg, inspection, life],
          `Medium ${c.mediaId} was ${life.content.event}${life.content.bagSerial ? ` (bag ${life.content.bagSerial})` : ''} at ${iso(life.content.at)}, after its last inspection.`,
        );
    }
    if (holders.length === 0)
      hold(
        'missing',
        [pkg],
        `Nobody holds medium ${c.mediaId} (rollback package ${packageId}) in the custody registry.`,
      );
  }
}

// --- publication safeguards ------------------------------------------------------------------------------

function publication(
  ctx: Ctx,
  b: Builder,
  d: Rec<typeof continuityDeclaration>,
  manifest: readonly Rec<typeof frozenManifest>[],
): void {
  const all = knownWhere(ctx, publicationSafeguard, 'trainId', d.content.trainId);
  const names = [...new Set(manifest.map((l) => l.content.artifact))];
  for (const control of ctx.policy.requiredSafeguards) {
    const of = all.filter((s) => s.content.control === control);
    const inForce = of.filter((s) => s.content.state === 'in-force');
    const unknown = of.filter((s) => s.content.state === 'unknown');
    const covered = new Set<string>();
    for (const s of inForce)
      for (const n of s.content.covers === 'manifest' ? names : s.content.artifacts) covered.add(n);
    const uncovered = names.filter((n) => !covered.has(n));
    const noTargets = inForce.filter((s) => s.content.targets.length === 0);
    b.line(
      'publication',
      control,
      {
        inForce: inForce.map((s) => s.content.safeguardId),
        targets: [...new Set(inForce.flatMap((s) => s.content.targets))].sort(),
        uncovered,
      },
      of,
    );
    const hold = (category: Problem['category'], records: readonly SourceRecord[], sentence: string) =>
      b.hold({ checkId: 'ACT-PUBLICATION', category, subject: control, records, sentence });
    if (inForce.length === 0)
      hold(
        unknown.length > 0 ? 'partial' : 'missing',
        [d, ...of],
        unknown.length > 0
          ? `The ${control} safeguard's state is unknown (${unknown.map((s) => s.content.safeguardId).join(', ')}).`
          : `No ${control} safeguard is in force for train ${d.content.trainId}.`,
      );
    else {
      if (uncovered.length > 0)
        hold(
          'scope-unclear',
          inForce,
          `The ${control} safeguard does not cover ${uncovered.length} manifest artifact(s): ${uncovered.slice(0, 5).join(', ')}${uncovered.length > 5 ? '…' : ''}.`,
        );
      if (noTargets.length > 0)
        hold(
          'scope-unclear',
          noTargets,
          `The ${control} safeguard ${noTargets.map((s) => s.content.safeguardId).join(', ')} names no registry or mirror it guards.`,
        );
    }
  }
}

// --- quarantine ------------------------------------------------------------------------------------------

function quarantine(
  ctx: Ctx,
  b: Builder,
  d: Rec<typeof continuityDeclaration>,
  manifest: readonly Rec<typeof frozenManifest>[],
): void {
  const expected = new Map(manifest.map((l) => [l.content.artifact, l]));
  const candidates = knownWhere(ctx, candidateArtifact, 'trainId', d.content.trainId).sort((x, y) =>
    x.content.entryId < y.content.entryId ? -1 : 1,
  );
  for (const cand of candidates) {
    const c = cand.content;
    const line = expected.get(c.artifact);
    if (line && line.content.sha256 === c.sha256) continue;
    b.line(
      'quarantine',
      c.entryId,
      {
        artifact: c.artifact,
        candidateSha256: c.sha256,
        manifestSha256: line?.content.sha256 ?? null,
        stagedAt: iso(c.stagedAt),
      },
      line ? [cand, line] : [cand],
    );
    if (!line)
      b.hold({
        checkId: 'ACT-QUARANTINE',
        category: 'invalid',
        subject: c.entryId,
        records: [cand],
        blocking: false,
        sentence: `Candidate ${c.artifact} (${c.sha256}) is not in the frozen manifest: quarantined, it will not be signed.`,
      });
    else
      b.hold({
        checkId: 'ACT-QUARANTINE',
        category: 'disputed',
        subject: c.entryId,
        records: [cand, line],
        sentence: `Candidate ${c.artifact} has digest ${c.sha256}; the frozen manifest says ${line.content.sha256}: quarantined, and the staged copy contradicts the manifest.`,
      });
  }
}
