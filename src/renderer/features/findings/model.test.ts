import { describe, expect, it } from 'vitest';
import { outcomeWord, type Finding } from './model';

const finding = (blocking: boolean): Finding => ({
  checkId: 'DEF-HSM-ATTEST',
  category: 'disputed',
  blocking,
  waivable: false,
  subject: 'HSM-1',
  records: [],
  sentence: 'the latest attestation is a mismatch',
});

describe('outcomeWord (the findings view’s status word, ../shared/UI.md)', () => {
  it('is green READY for a clean outcome only when no finding blocks', () => {
    expect(outcomeWord('handoff-clean', [])).toMatchObject({ word: 'READY', tone: 'good' });
    expect(outcomeWord('approvable', [finding(false)])).toMatchObject({ word: 'READY', tone: 'good' });
    expect(outcomeWord('approvable', [finding(true)])).toMatchObject({ word: 'HOLD', tone: 'warn' });
  });

  it('holds are amber, stop and remediate red, exceptions amber', () => {
    expect(outcomeWord('hold-source-completion', [])).toMatchObject({ word: 'HOLD', tone: 'warn' });
    expect(outcomeWord('hold-scope-routing', [])).toMatchObject({ word: 'HOLD', tone: 'warn' });
    expect(outcomeWord('escalate', [])).toMatchObject({ word: 'HOLD', tone: 'warn' });
    expect(outcomeWord('handoff-with-exceptions', [])).toMatchObject({
      word: 'EXCEPTION-BACKED',
      tone: 'warn',
    });
    expect(outcomeWord('stop-and-escalate', [])).toMatchObject({ word: 'BLOCKED', tone: 'bad' });
    expect(outcomeWord('remediate', [])).toMatchObject({ word: 'REMEDIATE', tone: 'bad' });
  });
});
