import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SourceRecord } from '../findings/model';
import {
  baseline,
  evidence,
  impact,
  incident,
  inventory,
  lineage,
  option,
  register,
  run,
  testHash,
} from '../findings/rules/compromise/testkit';
import { rec } from '../findings/rules/deferral/testkit';
import type { AuthorityView } from './model';
import {
  broadView,
  broadViewSchema,
  type FullAuthorityEvaluation,
  isRestrictedFamily,
  journalFileName,
  RESTRICTED_MARK,
  restrictedStrings,
} from './redact';

/** The testkit's records share one placeholder digest: give each its own (over what it holds). */
const digested = (records: readonly SourceRecord[]): SourceRecord[] =>
  records.map((r) => ({
    ...r,
    digest: testHash(new TextEncoder().encode(JSON.stringify([r.family, r.provenance.recordId, r.content]))),
  }));

function evaluated(records: readonly SourceRecord[], seq = 7): FullAuthorityEvaluation {
  const e = run(records);
  return {
    seq,
    workflow: e.workflow,
    subject: e.subject,
    inputs: e.inputs,
    findings: e.findings,
    outcome: e.outcome,
    reason: e.reason,
    findingsDigest: e.findingsDigest,
    authority: e.derived as AuthorityView,
  };
}

describe('broadView', () => {
  const records = digested(baseline());
  const full = evaluated(records);

  it('keeps lanes, holders, rules, requirements and options; withholds fact values and notes', () => {
    const before = structuredClone(full);
    const b = broadView(full, records);
    expect(full).toEqual(before); // new objects only: the full view is untouched
    expect(broadViewSchema.parse(b)).toEqual(b);
    expect(b.recommended).toBe(full.authority.recommended);
    expect(b.lanes.map((l) => [l.laneId, l.status, l.holder?.person, l.holder?.via])).toEqual(
      full.authority.lanes.map((l) => [l.laneId, l.status, l.holder?.person, l.holder?.via]),
    );
    expect(b.lanes.map((l) => l.triggers)).toEqual(full.authority.lanes.map((l) => l.triggers));
    expect(b.requirements).toEqual(full.authority.requirements);
    expect(b.facts.map((f) => f.fact)).toEqual(full.authority.facts.map((f) => f.fact));
    expect(new Set(b.facts.map((f) => f.value))).toEqual(new Set(['restricted']));
    expect(b.options.map((o) => o.optionId)).toEqual(full.authority.options.map((o) => o.optionId));
    expect(JSON.stringify(b)).not.toContain('re-enable by ceremony'); // the effect's note
    expect(b.options[0]?.effects[0]).toEqual({
      effect: 'key-revocation',
      scope: 'internal',
      reversibility: 'partly-reversible',
    });
    expect(b.incident).toEqual({
      incidentId: 'INC-1',
      title: 'Release signing key may have left the HSM',
      severity: 'sev1',
      status: 'declared',
      declaredAt: '2026-12-01T00:00:00.000Z',
      keyIds: ['K-1'],
    });
    expect(b.withheld.statement).toContain(`evaluation 7 (findings digest ${full.findingsDigest})`);
    expect(b.withheld.statement).toContain('approved channel');
  });

  it('titles each record with its family title and broad fields only, and lists what it withheld', () => {
    const b = broadView(full, records);
    const custody = records.find((r) => r.family === 'custody-evidence') as SourceRecord;
    expect(b.records.find((r) => r.digest === custody.digest)?.title).toBe(
      'Key custody evidence (residency, backups, forensics) — evidenceId: CE-1; kind: residency-check; observedAt: 2026-12-01T04:00:00.000Z',
    );
    const lin = records.find((r) => r.family === 'artifact-lineage') as SourceRecord;
    expect(b.records.find((r) => r.digest === lin.digest)?.title).toBe(
      'Artifact lineage (what a key signed and where it shipped)',
    );
    expect(b.records).toHaveLength(records.length);
    expect(b.withheld.records.find((r) => r.digest === custody.digest)?.fields).toEqual([
      'keyId',
      'hsmSerial',
      'conclusion',
      'location',
      'detail',
      'observedBy',
    ]);
    // An option's record is reduced (its effects), an incident's by its scope note.
    expect(b.withheld.records.map((r) => r.family)).toContain('runbook-option');
    const text = JSON.stringify(b);
    for (const secret of [
      'RESTRICTED-VAULT-B',
      'backup token unaccounted for',
      'custody.lead',
      'agent-3.pkg',
    ])
      expect(text).not.toContain(secret);
  });

  it('counts fact-gap findings by check and category and keeps routing findings in full', () => {
    const recs = digested([
      ...baseline(),
      impact({ product: 'build-agent', basis: 'SECRET-BASIS' }),
      lineage(99, { product: 'Payments-SDK', audience: 'public' }),
      register({ product: 'Payments-SDK', obligation: 'regulatory-notice', counterparty: 'Regulator-X' }),
    ]);
    const f = evaluated(recs);
    const gaps = f.findings.filter((x) => x.checkId === 'CMP-IMPACT' || x.checkId === 'CMP-LINEAGE');
    expect(gaps.length).toBeGreaterThan(0); // the case must have gaps to count
    const b = broadView(f, recs);
    for (const g of b.gaps) expect(g).toEqual({ checkId: g.checkId, category: g.category, count: g.count });
    const counted = b.gaps.reduce((n, g) => n + g.count, 0);
    expect(counted + b.findings.length).toBe(f.findings.length);
    expect(b.findings.every((x) => !['CMP-IMPACT', 'CMP-LINEAGE', 'CMP-CUSTODY'].includes(x.checkId))).toBe(
      true,
    );
    const text = JSON.stringify(b);
    expect(JSON.stringify(f)).toContain('Payments-SDK'); // the full view names it …
    expect(text).not.toContain('Payments-SDK'); // … the broad one does not
    expect(text).not.toContain('Regulator-X');
  });

  it('clears a restricted record id a kept sentence quotes (a stale prior packet naming its basis)', () => {
    const base = digested(baseline());
    const lin = base.find(
      (r) => r.family === 'artifact-lineage' && r.provenance.recordId === 'L-7',
    ) as SourceRecord;
    const prior = digested([
      rec('prior-recommendation', {
        packetRef: 'PKT-9',
        incidentId: 'INC-1',
        version: 1,
        recommendedLane: 'security-incident-lead',
        matrixVersion: 'other matrix',
        basis: [
          {
            family: 'artifact-lineage',
            system: lin.provenance.system,
            recordId: 'L-7',
            digest: 'f'.repeat(64),
          },
        ],
        issuedBy: 'someone',
        issuedAt: '2026-11-30T12:00:00.000Z',
      }),
    ]);
    const recs = [...base, ...prior];
    const f = evaluated(recs);
    const stale = f.findings.find((x) => x.checkId === 'CMP-PRIOR-STALE');
    expect(stale?.sentence).toContain('artifact-lineage L-7');
    const b = broadView(f, recs);
    const kept = b.findings.find((x) => x.checkId === 'CMP-PRIOR-STALE');
    expect(kept?.subject).toBe('PKT-9');
    expect(kept?.sentence).toContain(`artifact-lineage ${RESTRICTED_MARK}`);
    expect(kept?.sentence).not.toContain('L-7');
  });

  it('names the journal file of a restricted family by family and digest', () => {
    expect(journalFileName('customer-impact', 'ab'.repeat(32), 'ACME churn list.JSON')).toBe(
      'customer-impact-abababababab.json',
    );
    expect(journalFileName('customer-impact', 'ab'.repeat(32), 'noext')).toBe(
      'customer-impact-abababababab.bin',
    );
    expect(isRestrictedFamily('customer-impact')).toBe(true);
    expect(isRestrictedFamily('incident-scope')).toBe(true); // its scope note
    expect(isRestrictedFamily('hsm-audit-log')).toBe(true); // no broad fields at all
    expect(isRestrictedFamily('emergency-delegation')).toBe(false); // every field may go broad
    expect(isRestrictedFamily('roster-snapshot')).toBe(false); // no broad view reads it
  });

  it('property: no restricted value of any input record appears in the broad view', () => {
    // Tokens start with "Q": never hex, so never part of a digest by chance.
    const token = fc.stringMatching(/^Q[A-Za-z0-9]{7,11}$/);
    fc.assert(
      fc.property(
        fc.uniqueArray(token, { minLength: 16, maxLength: 16 }),
        fc.boolean(),
        fc.boolean(),
        (t, external, joinKey) => {
          const key = joinKey ? 'K-1' : (t[0] as string);
          const product = t[1] as string;
          const recs = digested([
            incident({ scopeNote: t[2] as string }),
            inventory({
              keyId: key,
              label: t[3] as string,
              purpose: t[4] as string,
              hsmSerial: t[5] as string,
            }),
            evidence({
              keyId: key,
              location: t[6] as string,
              detail: t[7] as string,
              observedBy: t[8] as string,
            }),
            lineage(1, {
              lineageId: t[9] as string,
              signedByKeyId: key,
              product,
              artifactName: t[10] as string,
              channel: t[11] as string,
              audience: external ? 'external-customer' : 'internal',
            }),
            impact({ estimateId: t[12] as string, product, basis: t[13] as string }),
            register({ entryId: t[14] as string, product, constraintText: t[15] as string }),
            // A stale prior packet whose sentence quotes the restricted lineage id it rested on.
            rec('prior-recommendation', {
              packetRef: 'PKT-9',
              incidentId: 'INC-1',
              version: 1,
              recommendedLane: 'security-incident-lead',
              matrixVersion: 'other matrix',
              basis: [
                {
                  family: 'artifact-lineage',
                  system: 'test-system',
                  recordId: t[9] as string,
                  digest: 'f'.repeat(64),
                },
              ],
              issuedBy: 'someone',
              issuedAt: '2026-11-30T12:00:00.000Z',
            }),
            option({
              effects: [
                {
                  effect: 'key-revocation',
                  scope: 'internal',
                  reversibility: 'irreversible',
                  note: t[15] as string,
                },
              ],
            }),
          ]);
          const full = evaluated(recs);
          expect(JSON.stringify(full.findings)).toContain(t[9]); // the full view quotes it
          const b = broadView(full, recs);
          const text = JSON.stringify(b);
          // Every token is a restricted value (the key id only when nothing broad names it).
          // Every token used is a restricted value (t[0] is used only as the unjoined key id).
          const restricted = joinKey ? t.slice(1) : t;
          expect(restrictedStrings(recs)).toEqual(expect.arrayContaining(restricted));
          for (const x of restricted) expect(text).not.toContain(x);
        },
      ),
      { seed: 14, numRuns: 60 },
    );
  });
});
