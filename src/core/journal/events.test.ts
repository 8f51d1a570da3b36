import { describe, expect, it } from 'vitest';
import { EVENT_BODIES, prepareEntry } from './events';

const at = new Date('2026-03-04T05:06:07.089Z');
const station = {
  stationId: '0b5f0c1e-1c2d-4e3f-8a9b-0c1d2e3f4a5b',
  name: 'Room B',
  mode: 'offline',
  demo: false,
};

describe('prepareEntry', () => {
  it('stores the canonical JSON of the parsed body and an ISO time', () => {
    const e = prepareEntry(
      { kind: 'station.initialised', actor: 'operator:alice', body: { ...station, name: '  Room B ' } },
      at,
    );
    expect(e.at).toBe('2026-03-04T05:06:07.089Z');
    expect(new TextDecoder().decode(e.body)).toBe(
      '{"demo":false,"mode":"offline","name":"Room B","stationId":"0b5f0c1e-1c2d-4e3f-8a9b-0c1d2e3f4a5b"}',
    );
  });

  it('refuses an unknown kind', () => {
    expect(() => prepareEntry({ kind: 'station.deleted', actor: 'station', body: {} }, at)).toThrowError(
      expect.objectContaining({ code: 'JOURNAL_KIND_UNKNOWN', data: { field: 'kind' } }),
    );
  });

  it('refuses an actor that is not `role:name`-shaped', () => {
    for (const actor of [
      '',
      'Operator',
      'operator:al ice',
      'operator:\u0000',
      `operator:${'x'.repeat(65)}`,
    ]) {
      expect(() => prepareEntry({ kind: 'operator.note', actor, body: { text: 'x' } }, at)).toThrowError(
        expect.objectContaining({ code: 'JOURNAL_ENTRY_INVALID', data: { field: 'actor' } }),
      );
    }
  });

  it('names the exact body field that is wrong, and refuses unknown keys', () => {
    expect(() =>
      prepareEntry({ kind: 'station.initialised', actor: 'demo', body: { ...station, mode: 'airgap' } }, at),
    ).toThrowError(
      expect.objectContaining({
        code: 'JOURNAL_BODY_INVALID',
        data: expect.objectContaining({ field: 'body.mode' }),
      }),
    );
    expect(() =>
      prepareEntry({ kind: 'operator.note', actor: 'demo', body: { text: 'x', extra: 1 } }, at),
    ).toThrowError(expect.objectContaining({ code: 'JOURNAL_BODY_INVALID' }));
    expect(() =>
      prepareEntry({ kind: 'operator.note', actor: 'demo', body: { text: '   ' } }, at),
    ).toThrowError(expect.objectContaining({ data: expect.objectContaining({ field: 'body.text' }) }));
  });

  it('refuses an invalid clock reading', () => {
    expect(() =>
      prepareEntry({ kind: 'operator.note', actor: 'demo', body: { text: 'x' } }, new Date(Number.NaN)),
    ).toThrowError(expect.objectContaining({ data: { field: 'at' } }));
  });
});

describe('legacy shapes stay readable, and are never written again', () => {
  const legacy = {
    packetId: 'deferral-rsk-2024',
    change: {
      op: 'set-exception',
      exception: {
        exceptionId: 'x-signers',
        kind: 'missing',
        title: 'Signer availability not confirmed',
        owner: 'Release PM',
        dueAt: '2026-12-15T00:00:00.000Z',
        status: 'open',
        blocking: true,
        claims: [],
        evidence: [],
        resolution: null,
      },
    },
  };

  it('a typed exception recorded before the register was derived still parses (no false tamper verdict)', () => {
    expect(EVENT_BODIES['packet.edited'].safeParse(legacy).success).toBe(true);
  });

  it('the journal refuses to record one now', () => {
    expect(() =>
      prepareEntry({ kind: 'packet.edited', actor: 'operator:pm', body: legacy }, new Date()),
    ).toThrowError(
      expect.objectContaining({
        code: 'JOURNAL_BODY_INVALID',
        message: expect.stringMatching(/set-exception/),
      }),
    );
  });
});
