import type { RuleContext, Workflow } from '../engine';
import {
  custodyRegistry,
  hsmKeyInventory,
  mediaLifecycle,
  rosterSnapshot,
  sealInspection,
} from '../families/catalogue';
import { CONTINUITY_FAMILIES } from '../families/continuity';
import type { Finding } from '../model';
import type { ActivationGatePolicy } from '../policy/activation-gate';
import { assess, type LedgerLine } from '../rules/activation/assess';
import { holdKindOf } from '../rules/activation/common';
import { ACTIVATION_RULES } from '../rules/activation/rules';

/**
 * Workflow 003 — offline-signing continuity activation gate. During a declared outage of the online
 * signing and attestation services, the station assembles one activation-ready packet for one critical
 * patch train: the readiness ledger (manifest binding, digest freshness, enclave readiness, signer
 * coverage by shift, rollback custody, publication safeguards, quarantine) and the hold register. It stops
 * at the approval gate: it never signs, publishes, restores a service or notifies anyone.
 *
 * Outcome, the first that applies:
 *   escalate-mismatch          — no declaration in force, or the manifest binding or a reproducibility
 *                                check contradicts the accepted sources (a bounded mismatch to escalate)
 *   hold                       — a non-waivable hold is open (the policy names which kinds are)
 *   ready-with-waivable-holds  — only holds the policy lets the approval owner accept remain
 *   ready-for-approval         — every prerequisite stands on current records
 */
export const ACTIVATION_OUTCOMES = [
  'escalate-mismatch',
  'hold',
  'ready-with-waivable-holds',
  'ready-for-approval',
] as const;
export type ActivationOutcome = (typeof ACTIVATION_OUTCOMES)[number];

/** What the workflow derives beside its findings: the readiness ledger, each line READY or HOLD. */
export interface ActivationLedger {
  readonly declarationId: string;
  readonly trainId: string | null;
  readonly manifest: {
    readonly manifestId: string;
    readonly manifestVersion: number;
    readonly artifacts: readonly { artifact: string; sha256: string; sizeBytes: number | null }[];
  } | null;
  readonly signingKey: { readonly hsmSerial: string; readonly keyId: string } | null;
  readonly approvalOwner: string | null;
  readonly lines: readonly (LedgerLine & {
    readonly state: 'ready' | 'hold' | 'quarantined';
    readonly checks: readonly string[];
  })[];
}

const AREA_CHECKS: Readonly<Record<LedgerLine['area'], readonly string[]>> = {
  declaration: ['ACT-DECLARATION'],
  manifest: ['ACT-MANIFEST', 'ACT-REPRO'],
  digest: ['ACT-DIGEST-FRESH'],
  enclave: ['ACT-ENCLAVE'],
  signers: ['ACT-QUORUM-SHIFT'],
  rollback: ['ACT-ROLLBACK'],
  publication: ['ACT-PUBLICATION'],
  quarantine: ['ACT-QUARANTINE'],
};

export function deriveLedger(
  ctx: RuleContext<ActivationGatePolicy>,
  findings: readonly Finding[],
): ActivationLedger {
  const a = assess(ctx);
  const d = a.declaration?.content ?? null;
  const first = a.manifest[0]?.content;
  return {
    declarationId: ctx.subject,
    trainId: d?.trainId ?? null,
    manifest:
      d && first
        ? {
            manifestId: first.manifestId,
            manifestVersion: first.manifestVersion,
            artifacts: a.manifest.map((l) => ({
              artifact: l.content.artifact,
              sha256: l.content.sha256,
              sizeBytes: l.content.sizeBytes,
            })),
          }
        : null,
    signingKey: d ? { hsmSerial: d.hsmSerial, keyId: d.keyId } : null,
    approvalOwner: d?.approvalOwner ?? null,
    lines: a.lines.map((l) => {
      const checks = AREA_CHECKS[l.area];
      const held = findings.some((f) => checks.includes(f.checkId) && f.subject === l.item);
      return {
        ...l,
        checks,
        state: l.area === 'quarantine' ? 'quarantined' : held ? 'hold' : 'ready',
      };
    }),
  };
}

export function activationOutcome(findings: readonly Finding[]): {
  outcome: ActivationOutcome;
  reason: string;
} {
  const name = (fs: readonly Finding[]) =>
    `${fs
      .slice(0, 3)
      .map((f) => `${f.checkId} ${f.subject}`)
      .join('; ')}${fs.length > 3 ? ` and ${fs.length - 3} more` : ''}`;
  const mismatch = findings.filter(
    (f) =>
      f.checkId === 'ACT-DECLARATION' ||
      ((f.checkId === 'ACT-MANIFEST' || f.checkId === 'ACT-REPRO') &&
        (f.category === 'disputed' || f.category === 'invalid')),
  );
  if (mismatch.length > 0)
    return {
      outcome: 'escalate-mismatch',
      reason: `The declaration or the manifest binding does not match the accepted sources: ${name(mismatch)}.`,
    };
  const hard = findings.filter((f) => f.blocking && !f.waivable);
  if (hard.length > 0)
    return {
      outcome: 'hold',
      reason: `${hard.length} non-waivable hold${hard.length === 1 ? '' : 's'} open (only a record that fixes the fact clears one): ${name(hard)}.`,
    };
  const soft = findings.filter((f) => f.blocking && f.waivable);
  if (soft.length > 0)
    return {
      outcome: 'ready-with-waivable-holds',
      reason: `Every non-waivable prerequisite stands; ${soft.length} waivable hold${soft.length === 1 ? '' : 's'} the approval owner must accept or see fixed: ${name(soft)}.`,
    };
  return {
    outcome: 'ready-for-approval',
    reason: 'Every prerequisite stands on current records; the packet awaits the approval owner.',
  };
}

export const activationWorkflow: Workflow<ActivationGatePolicy, ActivationOutcome, ActivationLedger> = {
  id: 'activation-gate',
  families: [
    ...Object.keys(CONTINUITY_FAMILIES),
    hsmKeyInventory.name,
    rosterSnapshot.name,
    custodyRegistry.name,
    mediaLifecycle.name,
    sealInspection.name,
  ],
  rules: ACTIVATION_RULES,
  derive: deriveLedger,
  outcome: (findings) => activationOutcome(findings),
};

/** The hold kind of a finding (the register groups by it). */
export { holdKindOf };
