import {
  certificateProfile,
  csrLock,
  environmentRegistration,
  issuanceApproval,
  issuanceWindow,
  keyCustodyAttestation,
  pkiInvestigation,
  portalRequest,
  subscriberIdentity,
  trustDeadline,
} from '../../families/issuance';
import type { issuanceRequest } from '../../families/issuance';
import type { SourceRecord } from '../../model';
import type { RecordSet } from '../../records';
import { rosterCover } from '../deferral/common';
import {
  type Ctx,
  DAY_MS,
  fold,
  iso,
  knownNow,
  knownWhere,
  latest,
  ms,
  type Problem,
  type Rec,
  requestDigest,
  returnTo,
  sanKey,
  sanType,
  short,
  subjectRequest,
} from './common';
import { CsrParseError, type ParsedCsr, parseCsr } from './csr';

/**
 * The pre-checks of workflow 004 assessed once per context: the problems behind each ISS finding, and
 * the records an entry into the portal would be typed from. The rules turn the problems into findings
 * (one check each); the workflow's `derive` turns the same assessment into the entry, and only when no
 * check blocks.
 */
export interface Assessment {
  readonly problems: readonly Problem[];
  readonly request: Rec<typeof issuanceRequest> | null;
  /** The request-content digest approvals must bind (null without a request). */
  readonly requestDigest: string | null;
  readonly csr: {
    readonly lock: Rec<typeof csrLock>;
    readonly parsed: ParsedCsr;
    readonly spkiSha256: string;
  } | null;
  readonly subscriber: Rec<typeof subscriberIdentity> | null;
  readonly profile: Rec<typeof certificateProfile> | null;
  readonly custody: Rec<typeof keyCustodyAttestation> | null;
  readonly window: Rec<typeof issuanceWindow> | null;
  /** The approval counted for each policy role, in the policy's order (only roles that have one). */
  readonly approvals: readonly { readonly role: string; readonly approval: Rec<typeof issuanceApproval> }[];
}

const cache = new WeakMap<RecordSet, Map<string, Assessment>>();

/** The assessment of this context (memoised per record set, subject, instant and policy). */
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

function sha256Of(ctx: Ctx): NonNullable<Ctx['sha256']> {
  if (!ctx.sha256) throw new Error('the portal-issuance pre-checks need the engine’s SHA-256');
  return ctx.sha256;
}

function assessNow(ctx: Ctx): Assessment {
  const problems: Problem[] = [];
  const req = subjectRequest(ctx);
  const empty = {
    problems,
    request: null,
    requestDigest: null,
    csr: null,
    subscriber: null,
    profile: null,
    custody: null,
    window: null,
    approvals: [],
  };
  if (!req) {
    problems.push({
      checkId: 'ISS-REQUEST',
      category: 'missing',
      subject: ctx.subject,
      records: [],
      sentence: `No issuance request ${ctx.subject} is known as of ${ctx.asOf}: import the approved request from the certificate-governance system.`,
    });
    return empty;
  }
  const sha256 = sha256Of(ctx);
  const c = req.content;
  const back = returnTo(c.owner);
  // A blocking finding returns the request to its owner; the trust-deadline notice only informs.
  const push = (p: Problem) =>
    problems.push(p.blocking === false ? p : { ...p, sentence: `${p.sentence}${back}` });
  if (c.status !== 'approved')
    push({
      checkId: 'ISS-REQUEST',
      category: 'scope-unclear',
      subject: c.requestId,
      records: [req],
      sentence: `Issuance request ${c.requestId} is ${c.status} in the issuance record: nothing may be entered for it.`,
    });
  const digest = requestDigest(sha256, c);
  const approvals = approvalCheck(ctx, push, req, digest);
  const csr = csrCheck(ctx, push, req, sha256);
  const subscriber = subscriberCheck(ctx, push, req);
  const profile = profileCheck(ctx, push, req);
  scopeCheck(push, req, subscriber, profile);
  const custody = custodyCheck(ctx, push, req, csr?.spkiSha256 ?? null);
  const window = windowCheck(ctx, push, req);
  duplicateCheck(ctx, push, req, csr?.spkiSha256 ?? null);
  investigationCheck(ctx, push, req, csr?.spkiSha256 ?? null);
  deadlineCheck(ctx, push, req, window);
  return {
    problems,
    request: req,
    requestDigest: digest,
    csr,
    subscriber,
    profile,
    custody,
    window,
    approvals,
  };
}

type Push = (p: Problem) => void;
type Req = Rec<typeof issuanceRequest>;

// --- approvals ------------------------------------------------------------------------------------------

interface Candidate {
  readonly approval: Rec<typeof issuanceApproval>;
  /** Why it cannot count (empty: it counts), each with the category it gives. */
  readonly faults: readonly { readonly category: Problem['category']; readonly why: string }[];
  readonly roster: readonly SourceRecord[];
}

function approvalCheck(
  ctx: Ctx,
  push: Push,
  req: Req,
  digest: string,
): { role: string; approval: Rec<typeof issuanceApproval> }[] {
  const c = req.content;
  const all = knownWhere(ctx, issuanceApproval, 'requestId', c.requestId);
  // The latest decision of each approver in each role is the one that holds.
  const byApproverRole = new Map<string, Rec<typeof issuanceApproval>[]>();
  for (const a of all) {
    const k = `${fold(a.content.approver)}\u0000${a.content.role}`;
    byApproverRole.set(k, [...(byApproverRole.get(k) ?? []), a]);
  }
  const decisions = [...byApproverRole.values()]
    .map((rs) => latest(rs, (x) => x.approvedAt))
    .filter((a): a is Rec<typeof issuanceApproval> => a !== null);
  const people = new Set([fold(c.owner), fold(c.requestedBy)]);
  const roles = ctx.policy.approvalRoles;
  const candidates = new Map<string, Candidate[]>();
  for (const role of roles) {
    const list: Candidate[] = [];
    for (const a of decisions.filter((x) => x.content.role === role)) {
      const ac = a.content;
      const faults: { category: Problem['category']; why: string }[] = [];
      if (ac.decision !== 'approve')
        faults.push({ category: 'disputed', why: `${ac.approvalId} (${ac.approver}) rejected it` });
      if (ac.boundDigest !== digest)
        faults.push({
          category: 'stale',
          why: `${ac.approvalId} (${ac.approver}) is bound to ${short(ac.boundDigest)}, not this request’s content ${short(digest)}`,
        });
      if (ms(ac.expiresAt) <= ms(ctx.asOf))
        faults.push({
          category: 'expired',
          why: `${ac.approvalId} (${ac.approver}) expired at ${iso(ac.expiresAt)}`,
        });
      const roster = rosterCover(ctx as never, ac.approver, iso(ac.approvedAt), [role]) as SourceRecord[];
      if (roster.length === 0)
        faults.push({
          category: 'invalid',
          why: `${ac.approver} did not hold ${role} on the roster at ${iso(ac.approvedAt)} (${ac.approvalId})`,
        });
      // Held when approving, and still held now: the pre-checks run immediately before entry and
      // submit, and an approver who has left the role (ended, suspended, revoked) no longer carries it.
      else if (rosterCover(ctx as never, ac.approver, iso(ctx.asOf), [role]).length === 0)
        faults.push({
          category: 'stale',
          why: `${ac.approver} held ${role} when approving but no longer holds it on the roster at ${iso(ctx.asOf)} (${ac.approvalId})`,
        });
      if (people.has(fold(ac.approver)))
        faults.push({
          category: 'invalid',
          why: `${ac.approver} owns or requested ${c.requestId} and cannot approve it (${ac.approvalId})`,
        });
      list.push({ approval: a, faults, roster });
    }
    candidates.set(role, list);
  }
  // Each role needs its own person: a matching of roles to distinct approvers over valid approvals.
  const assigned = new Map<string, Rec<typeof issuanceApproval>>();
  const holder = new Map<string, string>();
  const tryRole = (role: string, seen: Set<string>): boolean => {
    for (const cand of candidates.get(role) ?? []) {
      if (cand.faults.length > 0) continue;
      const who = fold(cand.approval.content.approver);
      if (seen.has(who)) continue;
      seen.add(who);
      const other = holder.get(who);
      if (other === undefined || tryRole(other, seen)) {
        holder.set(who, role);
        assigned.set(role, cand.approval);
        return true;
      }
    }
    return false;
  };
  for (const role of roles) tryRole(role, new Set());
  for (const role of roles) {
    if (assigned.has(role)) continue;
    const list = candidates.get(role) ?? [];
    const valid = list.filter((x) => x.faults.length === 0);
    const records: SourceRecord[] = [req, ...list.flatMap((x) => [x.approval, ...x.roster])];
    if (list.length === 0)
      push({
        checkId: 'ISS-APPROVALS',
        category: 'missing',
        subject: role,
        records: [req],
        sentence: `No ${role} approval of ${c.requestId} is known.`,
      });
    else if (valid.length > 0)
      push({
        checkId: 'ISS-APPROVALS',
        category: 'invalid',
        subject: role,
        records,
        sentence: `The ${role} approval of ${c.requestId} is by ${valid.map((x) => x.approval.content.approver).join(', ')}, who already approves in another required role: three distinct people must approve.`,
      });
    else {
      const faults = list.flatMap((x) => x.faults);
      push({
        checkId: 'ISS-APPROVALS',
        category: faults[0]?.category ?? 'invalid',
        subject: role,
        records,
        sentence: `No current ${role} approval bound to ${c.requestId}: ${faults.map((f) => f.why).join('; ')}.`,
      });
    }
  }
  return roles.flatMap((role) => {
    const approval = assigned.get(role);
    return approval ? [{ role, approval }] : [];
  });
}

// --- CSR ------------------------------------------------------------------------------------------------

function csrCheck(ctx: Ctx, push: Push, req: Req, sha256: NonNullable<Ctx['sha256']>): Assessment['csr'] {
  const c = req.content;
  const lock = latest(knownWhere(ctx, csrLock, 'requestId', c.requestId), (x) => x.lockedAt);
  const base = { checkId: 'ISS-CSR', subject: c.requestId } as const;
  if (!lock) {
    push({
      ...base,
      category: 'missing',
      records: [req],
      sentence: `No locked CSR of ${c.requestId} is known: import the approved CSR packet.`,
    });
    return null;
  }
  let parsed: ParsedCsr;
  try {
    parsed = parseCsr(lock.content.csrPem);
  } catch (e) {
    if (!(e instanceof CsrParseError)) throw e;
    push({
      ...base,
      category: 'invalid',
      records: [req, lock],
      sentence: `The locked CSR ${lock.content.lockId} of ${c.requestId} cannot be read as a PKCS#10 request (${e.message}).`,
    });
    return null;
  }
  const fingerprint = sha256(parsed.der);
  const spkiSha256 = sha256(parsed.spki);
  if (fingerprint !== c.csrFingerprint)
    push({
      ...base,
      category: 'disputed',
      records: [req, lock],
      sentence: `The CSR locked as ${lock.content.lockId} has SHA-256 ${short(fingerprint)} over its DER; ${c.requestId} locked ${short(c.csrFingerprint)}: it is not the approved CSR.`,
    });
  const want = [
    `CN=${c.commonName}`,
    `O=${c.organization}`,
    ...(c.organizationalUnit === null ? [] : [`OU=${c.organizationalUnit}`]),
    ...(c.country === null ? [] : [`C=${c.country}`]),
  ].sort();
  const got = parsed.subject.map((a) => `${a.type}=${a.value}`).sort();
  const extra = got.filter((x) => !want.includes(x));
  const lacking = want.filter((x) => !got.includes(x));
  if (extra.length > 0 || lacking.length > 0)
    push({
      ...base,
      category: 'disputed',
      records: [req, lock],
      sentence: `The CSR’s subject differs from ${c.requestId}: ${[
        extra.length ? `in the CSR only ${extra.join(', ')}` : '',
        lacking.length ? `in the request only ${lacking.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; ')}.`,
    });
  const csrSans = new Set(parsed.sans.map(sanKey));
  const reqSans = new Set(c.sanSet.map(sanKey));
  const onlyCsr = [...csrSans].filter((s) => !reqSans.has(s)).sort();
  const onlyReq = [...reqSans].filter((s) => !csrSans.has(s)).sort();
  if (onlyCsr.length > 0 || onlyReq.length > 0)
    push({
      ...base,
      category: 'disputed',
      records: [req, lock],
      sentence: `The CSR’s subject alternative names differ from ${c.requestId}: ${[
        onlyCsr.length ? `in the CSR only ${onlyCsr.join(', ')}` : '',
        onlyReq.length ? `in the request only ${onlyReq.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; ')}.`,
    });
  return { lock, parsed, spkiSha256 };
}

// --- subscriber identity and environment registration -------------------------------------------------

function subscriberCheck(ctx: Ctx, push: Push, req: Req): Rec<typeof subscriberIdentity> | null {
  const c = req.content;
  const asOf = ms(ctx.asOf);
  const who = latest(
    knownWhere(ctx, subscriberIdentity, 'subscriberId', c.subscriberId),
    (x) => x.verifiedAt,
  );
  const base = { checkId: 'ISS-SUBSCRIBER', subject: c.subscriberId } as const;
  if (!who)
    push({
      ...base,
      category: 'missing',
      records: [req],
      sentence: `No identity record of subscriber ${c.subscriberId} is known.`,
    });
  else {
    const s = who.content;
    if (s.serviceId !== c.serviceId)
      push({
        ...base,
        category: 'disputed',
        records: [req, who],
        sentence: `Subscriber ${c.subscriberId} is registered for service ${s.serviceId}; ${c.requestId} is for ${c.serviceId}.`,
      });
    if (s.status !== 'active')
      push({
        ...base,
        category: 'invalid',
        records: [who],
        sentence: `Subscriber ${c.subscriberId} is ${s.status}.`,
      });
    else if (s.validUntil !== null && ms(s.validUntil) <= asOf)
      push({
        ...base,
        category: 'expired',
        records: [who],
        sentence: `The identity record of subscriber ${c.subscriberId} was valid until ${iso(s.validUntil)}.`,
      });
  }
  const regs = knownWhere(ctx, environmentRegistration, 'serviceId', c.serviceId).filter(
    (r) => r.content.environment === c.environment,
  );
  const reg = latest(regs, (x) => x.registeredAt);
  const envSubject = `${c.serviceId}/${c.environment}`;
  if (!reg)
    push({
      checkId: 'ISS-SUBSCRIBER',
      subject: envSubject,
      category: 'missing',
      records: [req],
      sentence: `Service ${c.serviceId} has no ${c.environment} environment registration.`,
    });
  else if (reg.content.status !== 'active')
    push({
      checkId: 'ISS-SUBSCRIBER',
      subject: envSubject,
      category: 'invalid',
      records: [reg],
      sentence: `The ${c.environment} registration ${reg.content.registrationId} of ${c.serviceId} is ${reg.content.status}.`,
    });
  else if (reg.content.validUntil !== null && ms(reg.content.validUntil) <= asOf)
    push({
      checkId: 'ISS-SUBSCRIBER',
      subject: envSubject,
      category: 'expired',
      records: [reg],
      sentence: `The ${c.environment} registration ${reg.content.registrationId} of ${c.serviceId} was valid until ${iso(reg.content.validUntil)}.`,
    });
  return who;
}

// --- profile and scope ----------------------------------------------------------------------------------

function profileCheck(ctx: Ctx, push: Push, req: Req): Rec<typeof certificateProfile> | null {
  const c = req.content;
  const p = latest(knownWhere(ctx, certificateProfile, 'profileId', c.profileId), (x) => x.publishedAt);
  const base = { checkId: 'ISS-PROFILE', subject: c.profileId } as const;
  if (!p) {
    push({
      ...base,
      category: 'missing',
      records: [req],
      sentence: `Certificate profile ${c.profileId} is not in the profile catalogue.`,
    });
    return null;
  }
  if (p.content.status !== 'active')
    push({
      ...base,
      category: 'invalid',
      records: [req, p],
      sentence: `Certificate profile ${c.profileId} is ${p.content.status} in the catalogue.`,
    });
  if (c.environment === 'production' && !p.content.productionSigning)
    push({
      ...base,
      category: 'policy-criterion-unmet',
      records: [req, p],
      sentence: `Certificate profile ${c.profileId} (“${p.content.portalLabel}”) is not authorised for production signing.`,
    });
  return p;
}

/** Whether a registered name covers a requested SAN: equal, or `dns:*.zone` over exactly one label. */
function covers(registered: string, san: string): boolean {
  const r = sanKey(registered);
  const s = sanKey(san);
  if (r === s) return true;
  if (!r.startsWith('dns:*.') || !s.startsWith('dns:') || s.startsWith('dns:*.')) return false;
  const zone = r.slice('dns:*'.length);
  return s.endsWith(zone) && !s.slice('dns:'.length, s.length - zone.length).includes('.');
}

function scopeCheck(
  push: Push,
  req: Req,
  subscriber: Rec<typeof subscriberIdentity> | null,
  profile: Rec<typeof certificateProfile> | null,
): void {
  const c = req.content;
  const base = { checkId: 'ISS-SCOPE', subject: c.requestId } as const;
  const sans = [...new Map(c.sanSet.map((s) => [sanKey(s), s])).values()];
  if (subscriber) {
    const s = subscriber.content;
    const outside = sans.filter((san) => !s.registeredNames.some((r) => covers(r, san)));
    if (outside.length > 0)
      push({
        ...base,
        category: 'invalid',
        records: [req, subscriber],
        sentence: `${c.requestId} asks for ${outside.join(', ')}, outside the names registered to subscriber ${s.subscriberId}.`,
      });
    if (s.organization !== c.organization)
      push({
        ...base,
        category: 'invalid',
        records: [req, subscriber],
        sentence: `${c.requestId} names organization “${c.organization}”; subscriber ${s.subscriberId} is registered to “${s.organization}”.`,
      });
  }
  if (profile) {
    const p = profile.content;
    const badType = sans.filter((san) => !(p.allowedSanTypes as readonly string[]).includes(sanType(san)));
    if (badType.length > 0)
      push({
        ...base,
        category: 'policy-criterion-unmet',
        records: [req, profile],
        sentence: `Profile ${p.profileId} allows SAN types ${p.allowedSanTypes.join(', ') || 'none'}; ${c.requestId} asks for ${badType.join(', ')}.`,
      });
    if (sans.length > p.maxSans)
      push({
        ...base,
        category: 'policy-criterion-unmet',
        records: [req, profile],
        sentence: `${c.requestId} asks for ${sans.length} SANs; profile ${p.profileId} allows at most ${p.maxSans}.`,
      });
    const wild = sans.filter((san) => sanType(san) === 'dns' && san.includes('*'));
    if (wild.length > 0 && !p.allowWildcard)
      push({
        ...base,
        category: 'policy-criterion-unmet',
        records: [req, profile],
        sentence: `${c.requestId} asks for wildcard ${wild.join(', ')}; profile ${p.profileId} allows no wildcard.`,
      });
  }
}

// --- custody --------------------------------------------------------------------------------------------

function custodyCheck(
  ctx: Ctx,
  push: Push,
  req: Req,
  spkiSha256: string | null,
): Rec<typeof keyCustodyAttestation> | null {
  const c = req.content;
  const att = latest(
    knownWhere(ctx, keyCustodyAttestation, 'attestationId', c.custodyAttestationId),
    (x) => x.attestedAt,
  );
  const base = { checkId: 'ISS-CUSTODY', subject: c.custodyAttestationId } as const;
  if (!att) {
    push({
      ...base,
      category: 'missing',
      records: [req],
      sentence: `HSM custody attestation ${c.custodyAttestationId} is not known.`,
    });
    return null;
  }
  const a = att.content;
  if (spkiSha256 !== null && a.spkiSha256 !== spkiSha256)
    push({
      ...base,
      category: 'disputed',
      records: [req, att],
      sentence: `Custody attestation ${a.attestationId} speaks for key ${short(a.spkiSha256)}; the locked CSR’s key is ${short(spkiSha256)}.`,
    });
  if (a.result !== 'pass')
    push({
      ...base,
      category: 'disputed',
      records: [att],
      sentence: `Custody attestation ${a.attestationId} reports ${a.result}.`,
    });
  if (ms(a.validUntil) <= ms(ctx.asOf))
    push({
      ...base,
      category: 'expired',
      records: [att],
      sentence: `Custody attestation ${a.attestationId} was valid until ${iso(a.validUntil)}.`,
    });
  else if (ms(ctx.asOf) - ms(a.attestedAt) > ctx.policy.custodyFreshnessDays * DAY_MS)
    push({
      ...base,
      category: 'stale',
      records: [att],
      sentence: `Custody attestation ${a.attestationId} was made ${iso(a.attestedAt)}; policy allows ${ctx.policy.custodyFreshnessDays} days.`,
    });
  return att;
}

// --- window -------------------------------------------------------------------------------------------

function windowCheck(ctx: Ctx, push: Push, req: Req): Rec<typeof issuanceWindow> | null {
  const c = req.content;
  const w = latest(knownWhere(ctx, issuanceWindow, 'windowId', c.windowId), (x) => x.reservedAt);
  const base = { checkId: 'ISS-WINDOW', subject: c.windowId } as const;
  if (!w) {
    push({
      ...base,
      category: 'missing',
      records: [req],
      sentence: `Issuance window ${c.windowId} is not reserved (no record of it).`,
    });
    return null;
  }
  const x = w.content;
  if (x.serviceId !== c.serviceId)
    push({
      ...base,
      category: 'disputed',
      records: [req, w],
      sentence: `Issuance window ${x.windowId} is reserved for ${x.serviceId}, not ${c.serviceId}.`,
    });
  if (x.status === 'superseded') {
    const next = x.supersededBy
      ? latest(knownWhere(ctx, issuanceWindow, 'windowId', x.supersededBy), (y) => y.reservedAt)
      : null;
    push({
      ...base,
      category: 'stale',
      records: next ? [req, w, next] : [req, w],
      sentence: `Issuance window ${x.windowId} was superseded${x.supersededBy ? ` by ${x.supersededBy}${next ? ` (${next.content.status}, ${iso(next.content.opensAt)}–${iso(next.content.closesAt)})` : ''}` : ''}: the request must name the window in force and be approved again.`,
    });
  } else if (x.status === 'released')
    push({
      ...base,
      category: 'missing',
      records: [req, w],
      sentence: `Issuance window ${x.windowId} was released: no window is reserved.`,
    });
  const asOf = ms(ctx.asOf);
  if (ms(x.closesAt) <= ms(x.opensAt))
    push({
      ...base,
      category: 'invalid',
      records: [w],
      sentence: `Issuance window ${x.windowId} closes (${iso(x.closesAt)}) before it opens (${iso(x.opensAt)}).`,
    });
  else if (asOf < ms(x.opensAt))
    push({
      ...base,
      category: 'policy-criterion-unmet',
      records: [w],
      sentence: `Issuance window ${x.windowId} opens at ${iso(x.opensAt)}: not yet open.`,
    });
  else if (asOf >= ms(x.closesAt))
    push({
      ...base,
      category: 'expired',
      records: [w],
      sentence: `Issuance window ${x.windowId} closed at ${iso(x.closesAt)}.`,
    });
  return w;
}

// --- duplicates and investigations --------------------------------------------------------------------

function duplicateCheck(ctx: Ctx, push: Push, req: Req, spkiSha256: string | null): void {
  const c = req.content;
  // The latest observation of each portal request, whoever observed it (an export or the station's search).
  const byId = new Map<string, Rec<typeof portalRequest>[]>();
  for (const r of knownNow(ctx, portalRequest))
    byId.set(r.content.portalRequestId, [...(byId.get(r.content.portalRequestId) ?? []), r]);
  const keys = new Set([c.csrFingerprint, ...(spkiSha256 ? [spkiSha256] : [])]);
  for (const [pid, rs] of [...byId].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const last = latest(rs, (x) => x.observedAt);
    if (!last || last.content.state !== 'pending') continue;
    const sameSubject = fold(last.content.subject) === fold(c.commonName);
    const sameKey = last.content.fingerprint !== null && keys.has(last.content.fingerprint);
    if (!sameSubject && !sameKey) continue;
    push({
      checkId: 'ISS-DUPLICATE',
      category: 'disputed',
      subject: pid,
      records: [req, last],
      sentence: `Portal request ${pid} is pending for the same ${sameKey ? 'key' : 'subject'} (“${last.content.subject}”, seen ${iso(last.content.observedAt)}): a new request would duplicate it.`,
    });
  }
}

function investigationCheck(ctx: Ctx, push: Push, req: Req, spkiSha256: string | null): void {
  const c = req.content;
  const byId = new Map<string, Rec<typeof pkiInvestigation>[]>();
  for (const r of knownNow(ctx, pkiInvestigation))
    byId.set(r.content.investigationId, [...(byId.get(r.content.investigationId) ?? []), r]);
  for (const [iid, rs] of [...byId].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const last = latest(rs, (x) => x.openedAt);
    if (!last || last.content.status !== 'open') continue;
    const onKey = spkiSha256 !== null && last.content.spkiSha256 === spkiSha256;
    const onSubscriber = last.content.subscriberId === c.subscriberId;
    if (!onKey && !onSubscriber) continue;
    push({
      checkId: 'ISS-INVESTIGATION',
      category: 'stop',
      subject: iid,
      records: [req, last],
      sentence: `A ${last.content.kind} investigation ${iid} is open on ${onKey ? 'the request’s key' : `subscriber ${c.subscriberId}`} (since ${iso(last.content.openedAt)}).`,
    });
  }
}

// --- trust deadline ---------------------------------------------------------------------------------------

function deadlineCheck(ctx: Ctx, push: Push, req: Req, window: Rec<typeof issuanceWindow> | null): void {
  const c = req.content;
  if (!window) return;
  const w = window.content;
  const notice = ctx.policy.trustDeadlineNoticeDays * DAY_MS;
  // Deadlines the request was made against: a deadline that had passed before it was requested is history.
  const deadlines = knownWhere(ctx, trustDeadline, 'serviceId', c.serviceId)
    .filter((d) => ms(d.content.expiresAt) > ms(c.requestedAt))
    .sort((a, b) => ms(a.content.expiresAt) - ms(b.content.expiresAt));
  for (const d of deadlines) {
    const x = d.content;
    if (ms(x.expiresAt) <= ms(w.opensAt))
      push({
        checkId: 'ISS-TRUST-DEADLINE',
        category: 'expired',
        subject: x.deadlineId,
        records: [req, window, d],
        sentence: `Trust in ${x.intermediate} ends ${iso(x.expiresAt)}, before issuance window ${w.windowId} opens (${iso(w.opensAt)}).`,
      });
    else if (ms(x.expiresAt) <= ms(w.closesAt) + notice)
      push({
        checkId: 'ISS-TRUST-DEADLINE',
        category: 'policy-criterion-unmet',
        subject: x.deadlineId,
        records: [req, window, d],
        blocking: false,
        sentence: `Trust in ${x.intermediate} ends ${iso(x.expiresAt)}, ${Math.floor((ms(x.expiresAt) - ms(w.closesAt)) / DAY_MS)} days after issuance window ${w.windowId} closes (${iso(w.closesAt)}).`,
      });
  }
}
