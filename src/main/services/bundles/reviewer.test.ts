import { generateKeyPairSync } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { softwareSigner } from './dsse';
import {
  generateReviewerKey,
  loadKeyFile,
  openAnyKeyFile,
  MAX_KEY_FILE_BYTES,
  protectKey,
  readKeyFile,
  SCRYPT_CEILING,
  SCRYPT_DEFAULT,
  writeKeyFile,
} from './reviewer';

/** Reviewer key files: scrypt at the OWASP cost, parameters recorded and floored, 0600 and never overwritten. */
const PASS = 'correct horse battery staple';
const dir = mkdtempSync(join(tmpdir(), 'reviewer-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const codeOf = (f: () => unknown) => {
  try {
    f();
    return null;
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
};

describe('reviewer key files (format 2: scrypt + AES-256-GCM)', () => {
  const k = generateReviewerKey(PASS, 'p256');
  const file = JSON.parse(k.text) as {
    kdf: { name: string; N: number; r: number; p: number };
    fingerprint: string;
    cipher: { name: string };
  };

  it('records scrypt N=2^17, r=8, p=1 and opens with the passphrase to the same key', () => {
    expect(file.kdf).toMatchObject({ name: 'scrypt', N: 131072, r: 8, p: 1 });
    expect(SCRYPT_DEFAULT).toEqual({ N: 131072, r: 8, p: 1 });
    expect(file.cipher.name).toBe('aes-256-gcm');
    expect(softwareSigner(loadKeyFile(k.text, PASS)).info.fingerprint).toBe(k.info.fingerprint);
    expect(file.fingerprint).toBe(k.info.fingerprint);
    expect(k.text).not.toContain('PRIVATE KEY');
  });

  it('a wrong passphrase, an edited header or a swapped public key does not open', () => {
    expect(codeOf(() => loadKeyFile(k.text, `${PASS}!`))).toBe('KEY_FILE_INVALID');
    const edited = (change: (f: Record<string, unknown>) => void) => {
      const f = JSON.parse(k.text) as Record<string, unknown>;
      change(f);
      return JSON.stringify(f);
    };
    // A higher N (still allowed) derives another key; the tag fails. A lowered N is refused the same way.
    const raised = edited((f) => ((f.kdf as { N: number }).N = 2 ** 18));
    expect(codeOf(() => loadKeyFile(raised, PASS))).toBe('KEY_FILE_INVALID');
    const other = generateReviewerKey(PASS, 'p256');
    const swapped = edited((f) => {
      const o = JSON.parse(other.text) as Record<string, unknown>;
      f.publicKey = o.publicKey;
      f.fingerprint = o.fingerprint;
    });
    expect(codeOf(() => loadKeyFile(swapped, PASS))).toBe('KEY_FILE_INVALID');
    expect(
      codeOf(() =>
        loadKeyFile(
          edited((f) => (f.extra = 1)),
          PASS,
        ),
      ),
    ).toBe('KEY_FILE_INVALID');
  });

  it('refuses a file below the floor (KEY_FILE_WEAK) and one beyond the ceiling without deriving', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const low = protectKey(privateKey, PASS, { N: 2 ** 14, r: 8, p: 1 });
    expect(codeOf(() => loadKeyFile(low, PASS))).toBe('KEY_FILE_WEAK');
    // rekey reads it, and the key is the same one.
    expect(openAnyKeyFile(low, PASS).weakness).toMatch(/below the floor N=131072/);
    const huge = JSON.parse(low) as { kdf: { N: number } };
    huge.kdf.N = 2 ** 30;
    const started = Date.now();
    expect(codeOf(() => loadKeyFile(JSON.stringify(huge), PASS))).toBe('KEY_FILE_INVALID');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses, at once, any cost beyond 256 MiB of memory or four times the default work (N·r·p)', () => {
    expect(SCRYPT_CEILING).toEqual({ memoryBytes: 256 * 1024 * 1024, work: 4 * 2 ** 17 * 8 });
    const costly = (kdf: { N: number; r: number; p: number }) => {
      const f = JSON.parse(k.text) as { kdf: Record<string, number> };
      Object.assign(f.kdf, kdf);
      return JSON.stringify(f);
    };
    // Each of these was within the old ceiling (1 GiB, p ≤ 16): up to ~30 s of blocking work.
    for (const kdf of [
      { N: 2 ** 19, r: 8, p: 1 }, // 512 MiB
      { N: 2 ** 17, r: 8, p: 16 }, // 16 × the work
      { N: 2 ** 17, r: 16, p: 3 }, // 256 MiB, 6 × the work
      { N: 2 ** 16, r: 8, p: 9 }, // 64 MiB, 4.5 × the work
    ]) {
      const started = Date.now();
      let message = '';
      try {
        loadKeyFile(costly(kdf), PASS);
      } catch (e) {
        message = (e as Error).message;
        expect((e as { code: string }).code).toBe('KEY_FILE_INVALID');
      }
      expect(message).toMatch(/beyond what the station computes/);
      expect(Date.now() - started).toBeLessThan(500);
    }
  });

  it('reads a key file only as a small regular file, and tells when others can read it', () => {
    const path = join(dir, 'read.key');
    writeFileSync(path, k.text, { mode: 0o600 });
    expect(readKeyFile(path)).toEqual({ text: k.text, exposedMode: null });
    const shared = join(dir, 'shared.key');
    writeFileSync(shared, k.text, { mode: 0o644 });
    expect(readKeyFile(shared).exposedMode).toBe(0o644);
    const huge = join(dir, 'huge.key');
    writeFileSync(huge, Buffer.alloc(MAX_KEY_FILE_BYTES + 1, 0x20));
    expect(codeOf(() => readKeyFile(huge))).toBe('KEY_FILE_INVALID');
    // A FIFO is refused without waiting for a writer.
    const fifo = join(dir, 'fifo.key');
    spawnSync('mkfifo', [fifo]);
    expect(codeOf(() => readKeyFile(fifo))).toBe('KEY_FILE_INVALID');
    expect(codeOf(() => readKeyFile(join(dir, 'missing.key')))).toBe('KEY_FILE_INVALID');
  });

  it('an old PBKDF2 PKCS#8 file is refused for signing with KEY_FILE_WEAK naming rekey, and rekey keeps the key', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const old = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASS });
    let message = '';
    try {
      loadKeyFile(old.toString(), PASS);
    } catch (e) {
      message = (e as Error).message;
      expect((e as { code: string }).code).toBe('KEY_FILE_WEAK');
    }
    expect(message).toMatch(/PBKDF2 at 2048 iterations.*station reviewer rekey/);
    const opened = openAnyKeyFile(old.toString(), PASS);
    expect(opened.weakness).not.toBeNull();
    const renewed = protectKey(opened.key, PASS);
    expect(softwareSigner(loadKeyFile(renewed, PASS)).info.fingerprint).toBe(
      softwareSigner(privateKey).info.fingerprint,
    );
    const plain = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(codeOf(() => loadKeyFile(plain, PASS))).toBe('KEY_FILE_WEAK');
  });

  it('writes 0600 whatever the umask, never over an existing file or through a link', () => {
    const path = join(dir, 'alice.key');
    const umask = process.umask(0);
    try {
      writeKeyFile(path, k.text);
    } finally {
      process.umask(umask);
    }
    expect(lstatSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toBe(k.text);
    expect(codeOf(() => writeKeyFile(path, 'other'))).toBe('OUTPUT_EXISTS');
    expect(readFileSync(path, 'utf8')).toBe(k.text);
    writeFileSync(join(dir, 'target'), 'x');
    symlinkSync(join(dir, 'target'), join(dir, 'link.key'));
    expect(codeOf(() => writeKeyFile(join(dir, 'link.key'), k.text))).toBe('OUTPUT_EXISTS');
    expect(readFileSync(join(dir, 'target'), 'utf8')).toBe('x');
  });
});
