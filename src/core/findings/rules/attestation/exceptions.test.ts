import { describe, expect, it } from 'vitest';
import {
  attExceptionBacked,
  attExceptionCover,
  attExceptionNewPath,
  attExceptionUnclear,
} from './exceptions';
import type { World } from './testkit';
import { brief, cleanWorld, runRule } from './testkit';

const all = (w: World) =>
  [attExceptionBacked, attExceptionNewPath, attExceptionUnclear, attExceptionCover].flatMap((r) =>
    brief(runRule(r, w)),
  );
const hotfix = {
  pathId: 'P3',
  keyId: 'K2',
  via: 'notary-bridge',
  viaKind: 'bridge',
  purpose: 'emergency hotfix bundles',
  addedAt: '2026-05-12',
};
const exception = (exceptionId: string, scope: string[], extra: Record<string, unknown> = {}) => ({
  exceptionId,
  control: 'ATT-EXCEPTION-BOUNDARY',
  scope,
  status: 'approved',
  validFrom: '2025-11-01',
  validUntil: '2026-12-31',
  ...extra,
});

describe('ATT-EXCEPTION-*', () => {
  it('ATT-EXCEPTION-BACKED: a bridge path listed by an exception in force is non-blocking, and a pipeline path needs none', () => {
    const f = runRule(attExceptionBacked, cleanWorld());
    expect(brief(f)).toEqual(['ATT-EXCEPTION-BACKED P2 policy-criterion-unmet']);
    expect(f[0]!.blocking).toBe(false);
    expect(f[0]!.records.map((r) => r.recordId)).toEqual(['P2', 'E1']);
  });

  it('ATT-EXCEPTION-NEW-PATH: a hotfix path added on the bridge after the exception, not listed, escalates', () => {
    const w = cleanWorld();
    w['signing-path']!.push(hotfix);
    expect(all(w)).toEqual([
      'ATT-EXCEPTION-BACKED P2 policy-criterion-unmet',
      'ATT-EXCEPTION-NEW-PATH P3 scope-unclear',
    ]);
  });

  it('ATT-EXCEPTION-NEW-PATH look-alike: a renewal in force that lists the new path covers it (the lapsed original does not matter)', () => {
    const w = cleanWorld();
    w['signing-path']!.push(hotfix);
    w['exception-record'] = [
      exception('E1', ['P2'], { validUntil: '2026-05-31', supersededBy: 'E2' }),
      exception('E2', ['P2', 'P3'], { validFrom: '2026-05-20', renews: 'E1' }),
    ];
    expect(all(w)).toEqual([
      'ATT-EXCEPTION-BACKED P2 policy-criterion-unmet',
      'ATT-EXCEPTION-BACKED P3 policy-criterion-unmet',
    ]);
  });

  it('ATT-EXCEPTION-COVER: a lapsed exception with no renewal is expired; a path never listed is missing', () => {
    const w = cleanWorld();
    w['exception-record'] = [exception('E1', ['P2'], { validUntil: '2026-06-30' })];
    expect(all(w)).toEqual(['ATT-EXCEPTION-COVER P2 expired']);
    w['exception-record'] = [exception('E7', ['P-other'], { control: 'CTRL-UNRELATED' })];
    expect(all(w)).toEqual(['ATT-EXCEPTION-COVER P2 missing']);
  });

  it('ATT-EXCEPTION-COVER: a later export that revokes the exception replaces its approval', () => {
    const w = cleanWorld();
    const records = w['exception-record']!;
    w['exception-record'] = [{ ...records[0]!, status: 'revoked' }];
    expect(all(w)).toEqual(['ATT-EXCEPTION-COVER P2 expired']);
  });

  it('ATT-EXCEPTION-UNCLEAR: an exception in force with only words for scope escalates and names the paths on it', () => {
    const w = cleanWorld();
    w['exception-record'] = [
      exception('E3', [], { scopeText: 'the legacy notarization bridge and related hotfix flows' }),
    ];
    w['signing-path']!.push(hotfix);
    const f = runRule(attExceptionUnclear, w);
    expect(brief(f)).toEqual(['ATT-EXCEPTION-UNCLEAR E3 scope-unclear']);
    expect(f[0]!.records.map((r) => r.recordId)).toEqual(['E3', 'P2', 'P3']);
    expect(all(w)).toEqual(['ATT-EXCEPTION-UNCLEAR E3 scope-unclear']);
  });

  it('ATT-EXCEPTION look-alike: a removed bridge path, a path of a key out of scope, and a path added after as-of are not judged', () => {
    const w = cleanWorld();
    w['signing-path']!.push(
      { ...hotfix, removedAt: '2026-06-01' },
      { ...hotfix, pathId: 'P4', keyId: 'K-test' },
      { ...hotfix, pathId: 'P5', addedAt: '2026-07-20' },
    );
    expect(all(w)).toEqual(['ATT-EXCEPTION-BACKED P2 policy-criterion-unmet']);
  });
});
