import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodedError } from '../../../src/core/errors';
import { fileIdentity } from '../../../src/main/adapters/media/signing-outputs';
import { SigningThread } from '../../../src/main/services/signing/thread';
import { tempDir } from '../../helpers/temp';

/**
 * The signing attempt's work beside the token, on the built signing worker (src/main/workers/signing-
 * worker.ts, as the workers build makes it) and on the calling thread (no worker file): the same jobs
 * give the same answers — digests, refusals, verifications, creates, read-backs and their coded errors.
 */
const root = resolve(import.meta.dirname, '..', '..', '..');
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const base = join(root, 'dist', `test-signing-worker-${process.pid}`);
const workerPath = join(base, 'signing-worker.js');
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      ssr: true,
      outDir: base,
      emptyOutDir: true,
      target: 'node20',
      rollupOptions: {
        input: { 'signing-worker': join(root, 'src', 'main', 'workers', 'signing-worker.ts') },
        external: nodeBuiltins,
        output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  });
}, 120_000);

afterAll(() => {
  spawnSync('rm', ['-rf', base]);
});

for (const where of ['worker', 'this thread'] as const) {
  describe(`signing jobs on ${where}`, () => {
    const thread = () => {
      const t = new SigningThread(publicKey, where === 'worker' ? workerPath : null);
      expect(t.where).toBe(where);
      return t;
    };

    it('hashes each file once (never past the manifest size; absent, a FIFO or a folder: missing) and verifies signatures against what it held', async () => {
      const media = tempDir();
      const small = Buffer.from('a small artifact');
      const large = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
      writeFileSync(join(media, 'small.bin'), small);
      writeFileSync(join(media, 'large.img'), large);
      writeFileSync(join(media, 'long.bin'), Buffer.alloc(100, 1));
      execFileSync('mkfifo', [join(media, 'pipe.bin')]);
      mkdirSync(join(media, 'dir.bin'));
      const t = thread();
      try {
        const r = await t.hash(media, [
          { name: 'small.bin', max: small.length },
          { name: 'large.img', max: null },
          { name: 'absent.bin', max: null },
          { name: 'long.bin', max: 99 },
          { name: 'pipe.bin', max: null },
          { name: 'dir.bin', max: null },
        ]);
        expect(r.map((x) => ('error' in x ? x.error : [x.sha256, x.size]))).toEqual([
          [sha256(small), small.length],
          [sha256(large), large.length],
          'missing',
          'size',
          'missing',
          'missing',
        ]);
        const [s, l] = r as { key: number }[];
        // After the hashing pass the files change on the media: what was held is what is verified.
        writeFileSync(join(media, 'small.bin'), 'changed');
        writeFileSync(join(media, 'large.img'), 'changed');
        const good = (b: Buffer) => sign('sha256', b, privateKey);
        const bad = (b: Buffer) => {
          const sig = good(b);
          sig[sig.length - 1]! ^= 1;
          return sig;
        };
        expect(
          await t.verifyHeld([
            { key: s!.key, sha256: sha256(small), signature: good(small) },
            { key: l!.key, sha256: sha256(large), signature: good(large) },
          ]),
        ).toEqual([true, true]);
        // Each held file is used once: asked again, nothing is held under its key.
        expect(await t.verifyHeld([{ key: s!.key, sha256: sha256(small), signature: good(small) }])).toEqual([
          false,
        ]);
        const again = await t.hash(media, [
          { name: 'small.bin', max: null },
          { name: 'large.img', max: null },
        ]);
        writeFileSync(join(media, 'x.bin'), small);
        const [s2, l2] = again as { key: number; sha256: string }[];
        // A signature over other bytes, an altered one, or a digest other than the held bytes': false.
        expect(
          await t.verifyHeld([
            { key: s2!.key, sha256: s2!.sha256, signature: good(small) },
            { key: l2!.key, sha256: l2!.sha256, signature: bad(Buffer.from('changed')) },
          ]),
        ).toEqual([false, false]);
        const third = (await t.hash(media, [{ name: 'x.bin', max: null }])) as { key: number }[];
        expect(
          await t.verifyHeld([
            { key: third[0]!.key, sha256: sha256(Buffer.from('x')), signature: good(small) },
          ]),
        ).toEqual([false]);
        // Dropped: not held any more.
        const fourth = (await t.hash(media, [{ name: 'x.bin', max: null }])) as { key: number }[];
        t.drop([fourth[0]!.key]);
        expect(
          await t.verifyHeld([{ key: fourth[0]!.key, sha256: sha256(small), signature: good(small) }]),
        ).toEqual([false]);
      } finally {
        await t.close();
      }
    });

    it('creates outputs without replacing anything, syncs, reads them back (identity as read), and a read-back that differs crosses as SIGNING_WRITE_FAILED with the file removed', async () => {
      const out = tempDir();
      writeFileSync(join(out, 'taken.sig'), 'someone else');
      const files = [
        { name: 'a.sig', bytes: Buffer.from('signature a') },
        { name: 'taken.sig', bytes: Buffer.from('signature t') },
        { name: 'b.sig', bytes: Buffer.from('signature b') },
      ];
      const t = thread();
      try {
        expect(await t.write(out, files, { mode: 0o644, field: 'outDir' })).toEqual([
          'written',
          'exists',
          'written',
        ]);
        expect(readFileSync(join(out, 'taken.sig'), 'utf8')).toBe('someone else');
        expect(lstatSync(join(out, 'a.sig')).mode & 0o777).toBe(0o644);
        await t.sync(out, ['a.sig', 'b.sig']);
        const mine = [files[0]!, files[2]!];
        const ids = await t.readBack(out, mine);
        expect(ids).toEqual(mine.map((f) => fileIdentity(lstatSync(join(out, f.name), { bigint: true }))));
        writeFileSync(join(out, 'b.sig'), 'signature B');
        const e = await t.readBack(out, mine).then(
          () => null,
          (x: unknown) => x,
        );
        expect(e).toBeInstanceOf(CodedError);
        expect((e as CodedError).code).toBe('SIGNING_WRITE_FAILED');
        expect((e as CodedError).data.path).toBe(join(out, 'b.sig'));
        expect(existsSync(join(out, 'b.sig'))).toBe(false);
        // An OS error keeps its code: a folder that does not exist.
        const missing = await t.write(join(out, 'nope'), files, { mode: 0o644 }).then(
          () => null,
          (x: unknown) => x as NodeJS.ErrnoException,
        );
        expect(missing?.code).toBe('ENOENT');
      } finally {
        await t.close();
      }
    });

    it('after close, hashing fails; on the worker every job fails (never an answer as if a signature did not verify)', async () => {
      const media = tempDir();
      writeFileSync(join(media, 'a.bin'), 'a');
      const t = thread();
      const [h] = (await t.hash(media, [{ name: 'a.bin', max: null }])) as { key: number }[];
      await t.close();
      if (where === 'worker')
        await expect(
          t.verifyHeld([{ key: h!.key, sha256: sha256(Buffer.from('a')), signature: Buffer.alloc(8) }]),
        ).rejects.toThrow(/signing worker/);
      await expect(t.hash(media, [{ name: 'a.bin', max: null }])).rejects.toThrow();
    });
  });
}
