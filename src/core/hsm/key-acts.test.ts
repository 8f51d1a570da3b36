import { describe, expect, it } from 'vitest';
import { destructionChecks, destructionVerdict, escrowBackupVerdict, ESCROW_CHECK_IDS } from './key-acts';

const pair = [
  { class: 'private-key', label: 'k', id: '01', spkiSha256: null },
  { class: 'public-key', label: 'k', id: '01', spkiSha256: null },
] as const;
const ok = [
  { class: 'private-key', result: 'CKR_OK' },
  { class: 'public-key', result: 'CKR_OK' },
] as const;

describe('destruction verdict', () => {
  it('PROVEN only when every destroy call returned CKR_OK and nothing with the CKA_ID or label is left', () => {
    const checks = destructionChecks({
      before: [...pair],
      destroyed: [...ok],
      after: { byId: 0, byLabel: 0 },
    });
    expect(destructionVerdict({ checks })).toEqual({ verdict: 'PROVEN', failed: [] });
  });
  it.each([
    [{ destroyed: [ok[0], { class: 'public-key', result: 'CKR_ACTION_PROHIBITED' }] }, ['HSM-DESTROY-CALLS']],
    [{ destroyed: [ok[0]] }, ['HSM-DESTROY-CALLS']],
    [{ after: { byId: 1, byLabel: 0 } }, ['HSM-DESTROY-NONE-LEFT']],
    [{ after: { byId: 0, byLabel: 1 } }, ['HSM-DESTROY-NONE-LEFT']],
    [{ before: [], destroyed: [] }, ['HSM-DESTROY-CALLS']],
  ] as const)('%o → NOT PROVEN naming %o', (change, failed) => {
    const e = { before: [...pair], destroyed: [...ok], after: { byId: 0, byLabel: 0 }, ...change };
    expect(destructionVerdict({ checks: destructionChecks(e) })).toEqual({ verdict: 'NOT PROVEN', failed });
  });
});

describe('escrow backup verdict', () => {
  const all = ESCROW_CHECK_IDS.map((id) => ({ id, passed: true, detail: '' }));
  it('PROVEN only with every check present and passed; a missing check is never a pass', () => {
    expect(escrowBackupVerdict({ checks: all })).toEqual({ verdict: 'PROVEN', failed: [] });
    expect(escrowBackupVerdict({ checks: all.filter((c) => c.id !== 'HSM-ESCROW-SIGNATURE') })).toEqual({
      verdict: 'NOT PROVEN',
      failed: ['HSM-ESCROW-SIGNATURE'],
    });
    expect(
      escrowBackupVerdict({
        checks: all.map((c) => (c.id === 'HSM-ESCROW-SPKI' ? { ...c, passed: false } : c)),
      }),
    ).toEqual({ verdict: 'NOT PROVEN', failed: ['HSM-ESCROW-SPKI'] });
  });
});
