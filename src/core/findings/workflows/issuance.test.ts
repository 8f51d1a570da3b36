import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  baseline,
  CSR_A,
  fingerprintOf,
  custody,
  deadline,
  investigation,
  profile,
  run,
  SPKI_A,
  textSha,
  withRecords,
  withRequest,
} from '../rules/issuance/testkit';
import { canonicalBytes } from '../../canonical';
import { ENTRY_KEYS, entryViewSchema } from '../../portal/model';
import { entryText, issuanceOutcome, issuanceWorkflow } from './issuance';
import { WORKFLOWS } from './index';

const nodeSha = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');
const entryOf = (derived: unknown) => {
  const entry = entryViewSchema.parse(derived);
  const value = (take: string) => entry.fields.find((f) => f.take === take)?.value;
  return { entry, value };
};

describe('workflow portal-issuance: outcome and the entry the driver types', () => {
  it('is registered under its id with its policy name, reading its families and the roster', () => {
    expect(WORKFLOWS['portal-issuance']?.policy).toBe('portal-issuance');
    expect(issuanceWorkflow.families).toContain('roster-snapshot');
    expect(issuanceWorkflow.families).toContain('portal-request');
  });

  it('a ready request derives every take of the vocabulary from its records, each with its SHA-256', () => {
    const e = run(baseline());
    expect(e.outcome).toBe('ready-for-portal');
    const { entry, value } = entryOf(e.derived);
    expect(entry.fields.map((f) => f.take)).toEqual([...ENTRY_KEYS]);
    expect(entry.owner).toBe('elena.park');
    expect(entry.search).toEqual(['Northwind Package Signing 2027', fingerprintOf(CSR_A), SPKI_A]);
    expect(value('profile')).toBe('Production code signing (HSM)');
    expect(value('subscriberService')).toBe('Package signing service');
    expect(value('keyFingerprint')).toBe(SPKI_A);
    expect(value('csrPem')).toBe(CSR_A.trim());
    expect(value('sans')).toEqual([
      'dns:pkg-signing.northwind.example',
      'uri:https://releases.northwind.example/signing',
    ]);
    expect(value('approvalRefs')).toEqual([
      'APR-release-integrity-owner',
      'APR-cryptography-engineering-manager',
      'APR-ca-delegate',
    ]);
    // Each digest is SHA-256 of the value's text (lines joined with \n), as node:crypto computes it.
    for (const f of entry.fields) expect(f.sha256, f.take).toBe(nodeSha(entryText(f.value)));
    expect(entry.fields.find((f) => f.take === 'sans')?.sha256).toBe(
      textSha('dns:pkg-signing.northwind.example\nuri:https://releases.northwind.example/signing'),
    );
    // The entry digest: canonical JSON of the [take, sha256] pairs sorted by take.
    const pairs = [...entry.fields].sort((a, b) => (a.take < b.take ? -1 : 1)).map((f) => [f.take, f.sha256]);
    expect(entry.digest).toBe(nodeSha(canonicalBytes(pairs)));
  });

  it('the entry follows the records: another profile label, another custody id', () => {
    const e = run(
      withRequest(
        { custodyAttestationId: 'KCA-7' },
        profile({ portalLabel: 'Production code signing (HSM) v2' }),
        custody({ attestationId: 'KCA-7' }),
      ),
    );
    const { entry, value } = entryOf(e.derived);
    expect(value('profile')).toBe('Production code signing (HSM) v2');
    expect(value('custodyAttestation')).toBe('KCA-7');
    expect(entry.digest).not.toBe(entryOf(run(baseline()).derived).entry.digest);
  });

  it('any blocking finding stops before entry and derives no entry; an informational one does not', () => {
    const stopped = run([...baseline(), investigation({ spkiSha256: SPKI_A })]);
    expect(stopped.outcome).toBe('stop-before-entry');
    expect(entryOf(stopped.derived).entry).toMatchObject({ owner: 'elena.park', digest: null, fields: [] });
    expect(stopped.reason).toContain('ISS-INVESTIGATION INV-1');
    const informed = run(withRecords(baseline(), deadline({ expiresAt: '2026-12-20T00:00:00.000Z' })));
    expect(informed.outcome).toBe('ready-for-portal');
    expect(entryOf(informed.derived).entry.fields).toHaveLength(ENTRY_KEYS.length);
  });

  it('the outcome function alone: blocking findings stop, none is ready', () => {
    const f = {
      checkId: 'ISS-WINDOW',
      category: 'expired' as const,
      blocking: true,
      waivable: false,
      subject: 'WIN-1',
      records: [],
      sentence: 'closed',
    };
    expect(issuanceOutcome([f]).outcome).toBe('stop-before-entry');
    expect(issuanceOutcome([{ ...f, blocking: false }]).outcome).toBe('ready-for-portal');
    expect(issuanceOutcome([]).outcome).toBe('ready-for-portal');
  });

  it('every finding is blocking and non-waivable and names the owner; the trust-deadline notice only informs', () => {
    const e = run(withRequest({ windowId: 'WIN-404' }, profile({ status: 'retired' })));
    expect(e.findings.length).toBeGreaterThan(0);
    for (const f of e.findings) {
      expect(f.waivable).toBe(false);
      expect(f.blocking).toBe(true);
      expect(f.sentence).toContain('Return to elena.park (certificate-operations owner).');
    }
    const notice = run(withRecords(baseline(), deadline({ expiresAt: '2026-12-20T00:00:00.000Z' })))
      .findings[0];
    expect(notice?.blocking).toBe(false);
    expect(notice?.sentence).not.toContain('Return to');
  });
});
