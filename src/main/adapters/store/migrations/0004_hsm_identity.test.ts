import { describe, expect, it } from 'vitest';
import { databaseAt } from './helpers';

describe('migration 0004_hsm_identity', () => {
  it('creates the module and identity projections; an identity must name a registered module', () => {
    const db = databaseAt(4);
    db.pragma('foreign_keys = ON');
    const identity = db.prepare(
      `INSERT INTO station_identity (singleton, module_id, token_serial, token_label, key_label, key_id, algorithm, spki, fingerprint, certificate_pem, created_seq)
       VALUES (1, ?, 's', 'l', 'k', '01', 'ec-p256', x'00', ?, 'pem', 3)`,
    );
    expect(() => identity.run('missing', 'a'.repeat(64))).toThrow(/FOREIGN KEY/);
    db.prepare("INSERT INTO hsm_module VALUES ('demo', 'softhsm2', '/x.so', ?, '{}', 2)").run('b'.repeat(64));
    identity.run('demo', 'a'.repeat(64));
    expect(() => db.prepare("UPDATE station_identity SET fingerprint = 'short'").run()).toThrow(/CHECK/);
    expect(() => identity.run('demo', 'c'.repeat(64))).toThrow(/UNIQUE|PRIMARY KEY/);
  });
});
