import { describe, expect, it } from 'vitest';
import { databaseAt } from './helpers';

const d = (c: string) => c.repeat(64);
const INSERT = `INSERT INTO operator_session (session_id, custodian_id, fingerprint, secret_sha256, via, started_at, expires_at, idle_minutes, started_seq)
  VALUES (?, 'alice', ?, ?, 'console', '2026-01-01T08:00:00.000Z', ?, ?, 7)`;

describe('migration 0012_operator_session', () => {
  it('keeps one session per secret, ending after it starts, with a bounded idle lock', () => {
    const db = databaseAt(12);
    const insert = db.prepare(INSERT);
    insert.run('s-1', d('a'), d('1'), '2026-01-01T16:00:00.000Z', 15);
    // The same secret twice would let one credential stand for two sessions.
    expect(() => insert.run('s-2', d('a'), d('1'), '2026-01-01T16:00:00.000Z', 15)).toThrow(/UNIQUE/);
    expect(() => insert.run('s-3', d('a'), d('2'), '2026-01-01T07:00:00.000Z', 15)).toThrow(/CHECK/);
    expect(() => insert.run('s-4', d('a'), d('3'), '2026-01-01T16:00:00.000Z', 0)).toThrow(/CHECK/);
    expect(() => insert.run('s-5', 'short', d('4'), '2026-01-01T16:00:00.000Z', 15)).toThrow(/CHECK/);
    expect(db.prepare('SELECT count(*) FROM operator_session').pluck().get()).toBe(1);
  });
});
