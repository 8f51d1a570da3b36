import { z } from 'zod';
import { isoTime } from '../schema';

/**
 * Custody attestation (workflow B): a fixed, versioned control library (resources/controls) evaluated
 * against first-hand data — the station's roster, HSM inventories, custody log and journal — and the
 * records a release security owner imports (key register, ceremony log, exception records, signing-path
 * inventory). Each requirement gets a status with findings that link to the exact records; the
 * recommendation follows fixed rules. The station recommends; the owner decides and signs.
 *
 * Requirement IDs (the library names them; each evaluator is keyed by its ID):
 *   ATT-HSM-BACKED       every production signing key is HSM-resident per a fresh station inventory
 *   ATT-DUAL-OPERATOR    every key-policy or quorum change has two distinct operators
 *   ATT-ESCROW-FRESH     escrow media: sealed, intact, inspected after the last media replacement, in time
 *   ATT-ROSTER-MATCH     every operator a ceremony log names is on the approved roster
 *   ATT-EXCEPTION-SCOPE  the legacy bridge's signing paths are all inside its exception's approved scope
 */

export const REQUIREMENT_STATUSES = ['satisfied', 'partial', 'stale', 'missing', 'exception-backed'] as const;
export type RequirementStatus = (typeof REQUIREMENT_STATUSES)[number];
export type FindingKind = 'stale' | 'missing' | 'mismatch' | 'escalation';
export type Recommendation = 'approvable' | 'remediate' | 'escalate';

export const controlLibrarySchema = z.strictObject({
  library: z.string().min(1),
  version: z.number().int().min(1),
  effective: z.string(),
  escrowItemKinds: z.array(z.string()).min(1),
  bridgeSystem: z.string().min(1),
  requirements: z
    .array(
      z.strictObject({
        id: z.enum([
          'ATT-HSM-BACKED',
          'ATT-DUAL-OPERATOR',
          'ATT-ESCROW-FRESH',
          'ATT-ROSTER-MATCH',
          'ATT-EXCEPTION-SCOPE',
        ]),
        text: z.string().min(10),
        evidence: z.array(z.string()).min(1),
        freshnessDays: z.number().int().min(1).nullable(),
        waivable: z.boolean(),
      }),
    )
    .min(1),
});
export type ControlLibrary = z.infer<typeof controlLibrarySchema>;
export type RequirementId = ControlLibrary['requirements'][number]['id'];

// Records the owner imports (JSON files declaring their schema), validated strictly.
export const keyRegisterSchema = z.strictObject({
  schema: z.literal('key-register/v1'),
  keys: z
    .array(
      z.strictObject({
        keyId: z.string().min(1),
        label: z.string().min(1),
        production: z.boolean(),
        location: z.enum(['hsm', 'software', 'cloud-kms']),
        tokenSerial: z.string().nullable(),
        ckaId: z.string().nullable(),
      }),
    )
    .max(1000),
});
export const ceremonyLogSchema = z.strictObject({
  schema: z.literal('ceremony-log/v1'),
  ceremonies: z
    .array(
      z.strictObject({
        ceremonyId: z.string().min(1),
        at: isoTime,
        kind: z.enum(['key-generation', 'quorum-change', 'key-policy-change', 'signing', 'inspection']),
        operators: z.array(z.string().min(1)).min(1),
        witnesses: z.array(z.string()),
        /** The station journal entry that records the change, when the station recorded it. */
        journalSeq: z.number().int().min(1).nullable(),
      }),
    )
    .max(10_000),
});
export const exceptionRecordsSchema = z.strictObject({
  schema: z.literal('exception-records/v1'),
  exceptions: z
    .array(
      z.strictObject({
        exceptionId: z.string().min(1),
        system: z.string().min(1),
        approvedBy: z.string().min(1),
        expiresAt: isoTime,
        scope: z.strictObject({ signingPaths: z.array(z.string()) }),
      }),
    )
    .max(1000),
});
export const signingPathsSchema = z.strictObject({
  schema: z.literal('signing-paths/v1'),
  paths: z
    .array(
      z.strictObject({
        pathId: z.string().min(1),
        system: z.string().min(1),
        description: z.string(),
        addedAt: isoTime,
      }),
    )
    .max(10_000),
});

/** The records an owner imports, by the schema name each JSON file declares in its `schema` field. */
export const RECORD_SCHEMAS = {
  'key-register/v1': keyRegisterSchema,
  'ceremony-log/v1': ceremonyLogSchema,
  'exception-records/v1': exceptionRecordsSchema,
  'signing-paths/v1': signingPathsSchema,
} as const;

/** A record the evaluation used, so every finding links to exactly what it rests on. */
export type Ref = `evidence:${string}` | `journal:${number}` | `custody:${string}` | `roster:${string}`;
type Imported<T> = { readonly evidenceId: string; readonly receivedAt: string; readonly data: T } | null;

export interface AttestInputs {
  readonly now: string;
  /** The approved roster with each entry's validity, so a ceremony is judged at its own date. */
  readonly roster: readonly {
    custodianId: string;
    name: string;
    validFrom: string;
    validUntil: string;
    revokedAt: string | null;
  }[];
  readonly inventories: readonly {
    seq: number;
    at: string;
    tokenSerial: string;
    keys: readonly { id: string; label: string; residency: string | null }[];
  }[];
  /** Station journal entries that record roster or quorum changes. */
  readonly rosterChanges: readonly { seq: number; kind: string }[];
  readonly custody: readonly {
    itemId: string;
    itemKind: string | null;
    inspection: { status: 'SATISFIED' | 'STALE' | 'MISSING'; reason: string };
    breaks: readonly { seq: number; message: string }[];
    lastInspectionSeq: number | null;
  }[];
  readonly keyRegister: Imported<z.infer<typeof keyRegisterSchema>>;
  readonly ceremonyLog: Imported<z.infer<typeof ceremonyLogSchema>>;
  readonly exceptionRecords: Imported<z.infer<typeof exceptionRecordsSchema>>;
  readonly signingPaths: Imported<z.infer<typeof signingPathsSchema>>;
}

export interface Finding {
  readonly kind: FindingKind;
  readonly text: string;
  readonly refs: readonly Ref[];
}

export interface RequirementResult {
  readonly id: RequirementId;
  readonly text: string;
  readonly waivable: boolean;
  readonly status: RequirementStatus;
  readonly findings: readonly Finding[];
  /** Why the status, in one sentence, with the records it rests on. */
  readonly rationale: string;
  readonly refs: readonly Ref[];
}

export interface Evaluation {
  readonly library: string;
  readonly libraryVersion: number;
  readonly requirements: readonly RequirementResult[];
  readonly recommendation: Recommendation;
  /** The findings that decided the recommendation (empty when approvable). */
  readonly because: readonly string[];
}

const DAY = 86_400_000;
type Req = ControlLibrary['requirements'][number];
type Evaluated = Omit<RequirementResult, 'id' | 'text' | 'waivable'>;

const missing = (what: string, refs: Ref[] = []): Evaluated => ({
  status: 'missing',
  findings: [{ kind: 'missing', text: `no ${what} to evaluate`, refs }],
  rationale: `No ${what} was provided.`,
  refs,
});

function hsmBacked(r: Req, i: AttestInputs): Evaluated {
  if (!i.keyRegister) return missing('key register (key-register/v1)');
  const reg: Ref = `evidence:${i.keyRegister.evidenceId}`;
  const production = i.keyRegister.data.keys.filter((k) => k.production);
  const findings: Finding[] = [];
  const refs: Ref[] = [reg];
  let stale = false;
  for (const k of production) {
    if (k.location !== 'hsm') {
      findings.push({
        kind: 'mismatch',
        text: `${k.keyId} (${k.label}) is held in ${k.location}, not an HSM`,
        refs: [reg],
      });
      continue;
    }
    // The token's latest inventory is what counts: a key missing from it is missing now.
    const inv = [...i.inventories].reverse().find((v) => v.tokenSerial === k.tokenSerial);
    if (!inv || !inv.keys.some((x) => x.id === k.ckaId)) {
      findings.push({
        kind: 'missing',
        text: inv
          ? `${k.keyId} is not in the latest station inventory of token ${inv.tokenSerial} (${inv.at.slice(0, 10)})`
          : `${k.keyId} has no station inventory of token ${k.tokenSerial ?? '?'}`,
        refs: inv ? [reg, `journal:${inv.seq}`] : [reg],
      });
      continue;
    }
    refs.push(`journal:${inv.seq}`);
    const key = inv.keys.find((x) => x.id === k.ckaId);
    if (key?.residency !== 'RESIDENT')
      findings.push({
        kind: 'mismatch',
        text: `${k.keyId} read back ${key?.residency ?? 'without a verdict'} on token ${inv.tokenSerial}`,
        refs: [`journal:${inv.seq}`],
      });
    if (r.freshnessDays !== null && Date.parse(i.now) - Date.parse(inv.at) > r.freshnessDays * DAY) {
      stale = true;
      findings.push({
        kind: 'stale',
        text: `the inventory of token ${inv.tokenSerial} is from ${inv.at.slice(0, 10)} (rule: at most ${r.freshnessDays} days)`,
        refs: [`journal:${inv.seq}`],
      });
    }
  }
  const status: RequirementStatus = findings.some((f) => f.kind === 'mismatch' || f.kind === 'missing')
    ? 'partial'
    : stale
      ? 'stale'
      : 'satisfied';
  return {
    status,
    findings,
    refs,
    rationale:
      status === 'satisfied'
        ? `All ${production.length} production keys in the register read back RESIDENT in a station inventory.`
        : `${findings.length} finding(s) across ${production.length} production keys.`,
  };
}

const CHANGES = new Set(['quorum-change', 'key-policy-change']);

function dualOperator(_r: Req, i: AttestInputs): Evaluated {
  if (!i.ceremonyLog) return missing('ceremony log (ceremony-log/v1)');
  const log: Ref = `evidence:${i.ceremonyLog.evidenceId}`;
  const changes = i.ceremonyLog.data.ceremonies.filter((c) => CHANGES.has(c.kind));
  const stationSeqs = new Set(i.rosterChanges.map((c) => c.seq));
  const findings: Finding[] = [];
  for (const c of changes) {
    const operators = new Set(c.operators.map((o) => o.trim().toLowerCase()));
    if (operators.size < 2)
      findings.push({
        kind: 'mismatch',
        text: `${c.ceremonyId} (${c.kind}, ${c.at.slice(0, 10)}) has ${operators.size} operator: dual-operator evidence missing`,
        refs: [log],
      });
    if (c.journalSeq === null || !stationSeqs.has(c.journalSeq))
      findings.push({
        kind: 'escalation',
        text: `${c.ceremonyId} is a ${c.kind} with no station roster or quorum record${c.journalSeq ? ` (journal seq ${c.journalSeq} is not one)` : ''}: an out-of-band quorum change`,
        refs: [log],
      });
  }
  const mismatch = findings.some((f) => f.kind === 'mismatch');
  return {
    status: findings.length > 0 ? 'partial' : 'satisfied',
    findings,
    refs: [
      log,
      ...changes.flatMap((c) =>
        c.journalSeq && stationSeqs.has(c.journalSeq) ? [`journal:${c.journalSeq}` as Ref] : [],
      ),
    ],
    rationale: mismatch
      ? 'At least one key-policy or quorum change lacks a second operator.'
      : findings.length > 0
        ? 'At least one key-policy or quorum change was made outside the station’s records.'
        : `${changes.length} key-policy or quorum change(s), each with two or more operators.`,
  };
}

function escrowFresh(_r: Req, i: AttestInputs, lib: ControlLibrary): Evaluated {
  const items = i.custody.filter((c) => c.itemKind !== null && lib.escrowItemKinds.includes(c.itemKind));
  if (items.length === 0)
    return missing(`escrow media in the custody log (kinds ${lib.escrowItemKinds.join(', ')})`);
  const findings: Finding[] = [];
  for (const c of items) {
    const ref: Ref = `custody:${c.itemId}`;
    for (const b of c.breaks)
      findings.push({
        kind: 'mismatch',
        text: `${c.itemId}: custody break — ${b.message}`,
        refs: [ref, `journal:${b.seq}`],
      });
    if (c.inspection.status === 'STALE')
      findings.push({
        kind: 'stale',
        text: `${c.itemId}: ${c.inspection.reason}`,
        refs: [ref, ...(c.lastInspectionSeq ? [`journal:${c.lastInspectionSeq}` as Ref] : [])],
      });
    if (c.inspection.status === 'MISSING')
      findings.push({ kind: 'missing', text: `${c.itemId}: never inspected`, refs: [ref] });
  }
  const status: RequirementStatus = findings.some((f) => f.kind === 'mismatch')
    ? 'partial'
    : findings.some((f) => f.kind === 'missing')
      ? 'missing'
      : findings.some((f) => f.kind === 'stale')
        ? 'stale'
        : 'satisfied';
  return {
    status,
    findings,
    refs: items.flatMap((c): Ref[] => [
      `custody:${c.itemId}`,
      ...(c.lastInspectionSeq ? [`journal:${c.lastInspectionSeq}` as const] : []),
    ]),
    rationale:
      status === 'satisfied'
        ? `All ${items.length} escrow items are sealed, intact and freshly inspected.`
        : `${findings.length} finding(s) across ${items.length} escrow items.`,
  };
}

function rosterMatch(_r: Req, i: AttestInputs): Evaluated {
  if (!i.ceremonyLog) return missing('ceremony log (ceremony-log/v1)');
  const log: Ref = `evidence:${i.ceremonyLog.evidenceId}`;
  const roster = new Map(i.roster.map((p) => [p.name.trim().toLowerCase(), p]));
  const findings: Finding[] = [];
  for (const c of i.ceremonyLog.data.ceremonies)
    for (const op of c.operators) {
      const p = roster.get(op.trim().toLowerCase());
      if (!p)
        findings.push({
          kind: 'mismatch',
          text: `${c.ceremonyId} (${c.at.slice(0, 10)}) names operator "${op}", who is not on the approved roster`,
          refs: [log],
        });
      else if (c.at < p.validFrom || c.at >= p.validUntil || (p.revokedAt !== null && p.revokedAt <= c.at))
        findings.push({
          kind: 'mismatch',
          text: `${c.ceremonyId} (${c.at.slice(0, 10)}) names ${op}, whose roster entry was not valid that day (valid ${p.validFrom.slice(0, 10)} → ${p.validUntil.slice(0, 10)}${p.revokedAt ? `, revoked ${p.revokedAt.slice(0, 10)}` : ''})`,
          refs: [log, `roster:${p.custodianId}`],
        });
    }
  return {
    status: findings.length > 0 ? 'partial' : 'satisfied',
    findings,
    refs: [log, ...i.roster.map((p) => `roster:${p.custodianId}` as Ref)],
    rationale:
      findings.length > 0
        ? `${findings.length} operator name(s) in the ceremony log do not match the approved roster.`
        : 'Every operator the ceremony log names is on the approved roster.',
  };
}

function exceptionScope(_r: Req, i: AttestInputs, lib: ControlLibrary): Evaluated {
  if (!i.signingPaths || !i.exceptionRecords) return missing('signing-path inventory and exception records');
  const refs: Ref[] = [`evidence:${i.signingPaths.evidenceId}`, `evidence:${i.exceptionRecords.evidenceId}`];
  const paths = i.signingPaths.data.paths.filter((p) => p.system === lib.bridgeSystem);
  const exceptions = i.exceptionRecords.data.exceptions.filter((x) => x.system === lib.bridgeSystem);
  if (paths.length === 0)
    return {
      status: 'satisfied',
      findings: [],
      refs,
      rationale: `${lib.bridgeSystem} uses no signing path.`,
    };
  const findings: Finding[] = [];
  const valid = exceptions.filter((x) => x.expiresAt > i.now);
  for (const x of exceptions) {
    if (x.expiresAt <= i.now)
      findings.push({
        kind: 'stale',
        text: `exception ${x.exceptionId} expired ${x.expiresAt.slice(0, 10)}`,
        refs,
      });
    if (x.scope.signingPaths.length === 0 || x.scope.signingPaths.some((s) => /[*?]/.test(s)))
      findings.push({
        kind: 'escalation',
        text: `exception ${x.exceptionId} has an ambiguous scope (${x.scope.signingPaths.join(', ') || 'empty'})`,
        refs,
      });
  }
  if (valid.length === 0)
    findings.push({ kind: 'missing', text: `no current exception covers ${lib.bridgeSystem}`, refs });
  const covered = new Set(valid.flatMap((x) => x.scope.signingPaths));
  for (const p of paths)
    if (!covered.has(p.pathId))
      findings.push({
        kind: 'escalation',
        text: `signing path ${p.pathId} (${p.description}, added ${p.addedAt.slice(0, 10)}) is not in the approved exception scope`,
        refs,
      });
  const status: RequirementStatus = findings.some((f) => f.kind === 'missing')
    ? 'missing'
    : findings.some((f) => f.kind === 'stale')
      ? 'stale'
      : findings.length > 0
        ? 'partial'
        : 'exception-backed';
  return {
    status,
    findings,
    refs,
    rationale:
      status === 'exception-backed'
        ? `All ${paths.length} signing paths of ${lib.bridgeSystem} are inside exception ${valid.map((x) => x.exceptionId).join(', ')}.`
        : `${findings.length} finding(s) on ${lib.bridgeSystem}'s exception boundary.`,
  };
}

const EVALUATORS: Record<RequirementId, (r: Req, i: AttestInputs, lib: ControlLibrary) => Evaluated> = {
  'ATT-HSM-BACKED': hsmBacked,
  'ATT-DUAL-OPERATOR': dualOperator,
  'ATT-ESCROW-FRESH': escrowFresh,
  'ATT-ROSTER-MATCH': rosterMatch,
  'ATT-EXCEPTION-SCOPE': exceptionScope,
};

/**
 * Rules, in order: any stale, missing or mismatched evidence for a non-waivable requirement → remediate;
 * else any escalation finding (ambiguous exception scope, a signing path outside the exception, an
 * out-of-band quorum change) → escalate; else approvable as submitted.
 */
export function evaluateControls(lib: ControlLibrary, inputs: AttestInputs): Evaluation {
  const requirements = lib.requirements.map((r) => ({
    id: r.id,
    text: r.text,
    waivable: r.waivable,
    ...EVALUATORS[r.id](r, inputs, lib),
  }));
  const remediate = requirements.flatMap((r) =>
    r.waivable
      ? []
      : r.findings.filter((f) => f.kind !== 'escalation').map((f) => `${r.id} (${f.kind}): ${f.text}`),
  );
  const escalate = requirements.flatMap((r) =>
    r.findings.filter((f) => f.kind === 'escalation').map((f) => `${r.id}: ${f.text}`),
  );
  const recommendation: Recommendation =
    remediate.length > 0 ? 'remediate' : escalate.length > 0 ? 'escalate' : 'approvable';
  // Approvable with open findings on waivable requirements: say so, never hide them.
  const waived = requirements.flatMap((r) =>
    r.waivable
      ? r.findings
          .filter((f) => f.kind !== 'escalation')
          .map((f) => `waivable ${r.id} (${f.kind}): ${f.text}`)
      : [],
  );
  return {
    library: lib.library,
    libraryVersion: lib.version,
    requirements,
    recommendation,
    because: recommendation === 'remediate' ? remediate : recommendation === 'escalate' ? escalate : waived,
  };
}
