import { describe, expect, it } from 'vitest';
import { isStatusWord, toneOf } from '../../../shared/status';
import {
  factValue,
  holderLine,
  LANE_WORDS,
  laneOptions,
  limitWord,
  outcomeWords,
  reversibilityWord,
  ruleWord,
  type OptionView,
} from './model';

const option = (optionId: string): OptionView => ({
  optionId,
  runbookId: 'RB',
  title: optionId,
  decisions: ['release-freeze'],
  effects: [],
  worst: 'reversible',
  insideLanes: [],
  insideDelegated: [],
});

describe('compromise-authority view model', () => {
  it('says who holds a lane, how, until when, and who was passed over', () => {
    expect(
      holderLine({
        holder: {
          person: 'Hannah Lindqvist',
          via: 'succession',
          scope: null,
          record: 'ED-031',
          until: '2026-12-03T00:00:00.000Z',
        },
        skipped: [{ person: 'Daniel Mercer', why: 'unavailable (ED-030)' }],
      }),
    ).toBe(
      'Hannah Lindqvist — acting by succession ED-031 until 2026-12-03 00:00 UTC; Daniel Mercer unavailable (ED-030)',
    );
    expect(
      holderLine({
        holder: {
          person: 'Lena Fischer',
          via: 'delegation',
          scope: ['release-freeze'],
          record: 'ED-029',
          until: '2026-12-02T12:00:00.000Z',
        },
        skipped: [],
      }),
    ).toBe('Lena Fischer — acting by delegation ED-029 until 2026-12-02 12:00 UTC, for release-freeze');
    expect(
      holderLine({
        holder: { person: 'Ines Carvalho', via: 'holder', scope: null, record: null, until: null },
        skipped: [],
      }),
    ).toBe('Ines Carvalho — holder');
    expect(
      holderLine({ holder: null, skipped: [{ person: 'Ines Carvalho', why: 'unavailable (ED-9)' }] }),
    ).toBe('Nobody holds this lane now; Ines Carvalho unavailable (ED-9)');
  });

  it('uses only vocabulary words, and RECOMMENDED is never green', () => {
    const words = [
      ...Object.values(LANE_WORDS),
      ...(['holds', 'does-not-hold', 'unknown'] as const).flatMap((s) => [ruleWord(s), limitWord(s)]),
      ...(['reversible', 'partly-reversible', 'irreversible'] as const).map(reversibilityWord),
      ...['recommend', 'recommend-with-gaps', 'hold-scope', 'routing-unclear'].flatMap((o) =>
        outcomeWords(o, 'x').map((w) => w.word),
      ),
    ];
    expect(words.filter((w) => !isStatusWord(w))).toEqual([]);
    expect(toneOf('RECOMMENDED')).toBe('info');
    expect(words.filter((w) => toneOf(w) === 'good')).toEqual([]);
    expect(limitWord('unknown')).toBe('NOT SHOWN');
    expect(toneOf('EXCEEDED')).toBe('bad');
  });

  it('shows an unknown fact as UNKNOWN, never blank or zero', () => {
    expect(factValue({ fact: 'customersAffected', value: null })).toEqual({ unknown: true });
    expect(factValue({ fact: 'customersAffected', value: 0 })).toEqual({ unknown: false, text: '0' });
    expect(factValue({ fact: 'legalHold', value: false })).toEqual({ unknown: false, text: 'no' });
    expect(factValue({ fact: 'noticeDeadlineHours', value: 'none' })).toEqual({
      unknown: false,
      text: 'no deadline',
    });
  });

  it('lists every option in optionId order, marking only whether it fits inside the lane', () => {
    const rows = laneOptions({ laneId: 'l', options: ['OPT-B'] }, [
      option('OPT-C'),
      option('OPT-A'),
      option('OPT-B'),
    ]);
    expect(rows.map((r) => [r.option.optionId, r.inside])).toEqual([
      ['OPT-A', false],
      ['OPT-B', true],
      ['OPT-C', false],
    ]);
  });
});
