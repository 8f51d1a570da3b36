import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunMode } from '../../../core/ceremony/run';
import { loadCeremonyFile } from '../../adapters/ceremony';
import { stepNeeds } from './console';

/** What the runner asks for at each step of the example files (resources/ceremonies), by mode. */
const needsOf = (name: string, mode: RunMode) => {
  const file = loadCeremonyFile(
    resolve(import.meta.dirname, '../../../../resources/ceremonies', `${name}.yaml`),
  ).file;
  return Object.fromEntries(file.steps.map((s) => [s.id, stepNeeds(file, s, mode)]));
};
const act = (
  o: Partial<Record<'note' | 'pin' | 'escrowPin' | 'soPin' | 'shares' | 'shareVolume', boolean>>,
) => ({
  note: false,
  pin: false,
  escrowPin: false,
  soPin: false,
  shares: false,
  shareVolume: false,
  ...o,
});

describe('stepNeeds', () => {
  it('a key backup in production asks the escrow user PIN and the SO PIN where runs.ts uses them', () => {
    const n = needsOf('key-backup', 'production');
    const unwrap = Object.values(n).find((x) => x.act.soPin)!;
    expect(unwrap.act).toEqual(act({ pin: true, escrowPin: true, soPin: true }));
    expect(Object.values(n).filter((x) => x.act.soPin)).toHaveLength(1);
    // A label check on the escrow token asks its own PIN at the check.
    expect(Object.values(n).some((x) => x.check.escrowPin)).toBe(true);
    expect(Object.values(n).every((x) => !x.act.shares)).toBe(true);
  });

  it('in a rehearsal the scratch tokens share the PIN typed at the start: only that PIN is asked', () => {
    for (const x of Object.values(needsOf('key-backup', 'rehearsal'))) {
      expect(x.act.escrowPin).toBe(false);
      expect(x.act.soPin).toBe(false);
      expect(x.check.escrowPin).toBe(false);
    }
    const n = needsOf('key-backup', 'rehearsal');
    expect(Object.values(n).some((x) => x.check.pin)).toBe(true);
  });

  it('notes for notes, the user PIN for a destruction, share files (and no PIN) for a re-issue', () => {
    const d = needsOf('key-destruction', 'production');
    expect(d['open-ceremony']!.act).toEqual(act({ note: true }));
    expect(d['destroy-key']!.act).toEqual(act({ pin: true }));
    const s = needsOf('share-reissue', 'production');
    // In production the new shares go to a removable volume the person chooses.
    expect(s['reissue-shares']!.act).toEqual(act({ shares: true, shareVolume: true }));
    expect(needsOf('share-reissue', 'rehearsal')['reissue-shares']!.act).toEqual(act({ shares: true }));
    expect(s['compare-digest']!.act).toEqual(act({ note: true }));
  });
});
