import { afterEach, describe, expect, it } from 'vitest';
import { findStation } from './station';
import { refusal, testStore, type TestStore } from './test-support';

const open: TestStore[] = [];
const store = () => {
  const s = testStore();
  open.push(s);
  return s;
};
afterEach(() => open.splice(0).forEach((s) => s.close()));

const initialised = (stationId: string, name: string) =>
  ({ stationId, name, mode: 'offline', demo: true }) as const;

describe('station repository', () => {
  it('reads the station row as a typed record (demo as a boolean), null before the first entry', () => {
    const s = store();
    expect(findStation(s.db)).toBeNull();
    s.record('station.initialised', initialised('0b5f0c1e-1c2d-4e3f-8a9b-0c1d2e3f4a5b', 'Room B'));
    expect(findStation(s.db)).toEqual({
      stationId: '0b5f0c1e-1c2d-4e3f-8a9b-0c1d2e3f4a5b',
      name: 'Room B',
      mode: 'offline',
      demo: true,
      createdAt: '2026-05-01T10:00:00.000Z',
    });
  });

  it('keeps its prepared statement per connection: two stations never read each other', () => {
    const a = store();
    const b = store();
    a.record('station.initialised', initialised('0b5f0c1e-1c2d-4e3f-8a9b-0c1d2e3f4a5b', 'Room A'));
    b.record('station.initialised', initialised('1b5f0c1e-1c2d-4e3f-8a9b-0c1d2e3f4a5b', 'Room B'));
    expect(findStation(a.db)?.name).toBe('Room A');
    expect(findStation(b.db)?.name).toBe('Room B');
  });

  it.each([
    ['mode', "UPDATE station SET mode = 'sideways'"],
    ['demo', 'UPDATE station SET demo = 2'],
  ])('a station row whose %s is not what was written is refused, naming the column', (column, sql) => {
    const s = store();
    s.record('station.initialised', initialised('0b5f0c1e-1c2d-4e3f-8a9b-0c1d2e3f4a5b', 'Room B'));
    s.tamper(sql);
    expect(refusal(() => findStation(s.db))).toMatchObject({
      code: 'STORE_ROW_INVALID',
      data: { table: 'station', column, row: 'singleton=1' },
      message: expect.stringContaining(`station row singleton=1: column ${column}`),
    });
  });
});
