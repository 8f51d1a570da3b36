import { spawn, spawnSync } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cliSignIn } from '../../../src/main/services/custodians';
import { signingRuns } from '../../../src/main/services/signing';
import { suiteTempDir } from '../../helpers/temp';
import {
  MODULE,
  PIN,
  SIGNER_PIN,
  gatedQuorum,
  openGate,
  sha256,
  signingWorld,
  writeMedia,
  type SigningWorld,
} from './world';

/**
 * SIGN-RESUME, crash-and-resume: the signing command runs as its own process and is SIGKILLed at a
 * random point of its batch, then `sign resume` is run (killed again sometimes) until the run completes.
 * Twenty runs. From the journal and the output folder: every manifest artifact is counted exactly once,
 * none is missed, nothing else is signed, and every signature verifies against the token's public key.
 */
/** 20 killed batches after one uninterrupted calibration batch. */
const RUNS = 21;
const ARTIFACTS = 24;
const root = resolve(import.meta.dirname, '..', '..', '..');
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
let suite: ReturnType<typeof suiteTempDir>;
let w: SigningWorld;
let runner: string;
/** SoftHSM2 token files put back after a kill cut them short (see `station`). */
let tokenRepairs = 0;

/** Each token's token.object in the suite's SoftHSM2 token directory, with its bytes. */
function tokenObjects(): Map<string, Buffer> {
  const tokens = join(dirname(w.conf), 'tokens');
  return new Map(
    readdirSync(tokens)
      .map((t) => join(tokens, t, 'token.object'))
      .filter((f) => existsSync(f))
      .map((f) => [f, readFileSync(f)]),
  );
}

beforeAll(async () => {
  suite = suiteTempDir('station-signing-crash-');
  w = await signingWorld(suite.dir);
  cliSignIn(w.station, { moduleId: MODULE, serial: w.custodianSerials.alice!, pin: PIN, minutes: 60 });
  // Built like the CLI (vite, ssr, natives external), inside the repository so node_modules resolves,
  // with the signing worker built beside it as the workers build lays it out (node/ and workers/), so
  // the killed processes do the attempt's work on the worker thread as the built CLI does.
  const base = join(root, 'dist', `test-signing-runner-${process.pid}`);
  const bundle = (dir: string, input: Record<string, string>) =>
    build({
      configFile: false,
      logLevel: 'warn',
      build: {
        ssr: true,
        outDir: join(base, dir),
        emptyOutDir: true,
        target: 'node20',
        rollupOptions: {
          input,
          external: ['electron', 'better-sqlite3', 'pkcs11js', /^pdfjs-dist(\/|$)/, ...nodeBuiltins],
          output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
        },
      },
    });
  await bundle('node', { runner: join(import.meta.dirname, 'crash-runner.ts') });
  await bundle('workers', { 'signing-worker': join(root, 'src', 'main', 'workers', 'signing-worker.ts') });
  runner = join(base, 'node', 'runner.js');
}, 120_000);

afterAll(() => {
  w?.station.close();
  suite?.remove();
  if (runner) spawnSync('rm', ['-rf', resolve(runner, '..', '..')]);
});

/**
 * Runs the signing command; with `killAfterMs`, SIGKILLs it then (if it is still running).
 *
 * SoftHSM2's file store rewrites a token's token.object in place on every C_Login (open, ftruncate to
 * 0, then the attributes in many writes): a process SIGKILLed inside that window leaves the file cut
 * short, and SoftHSM2 lists the token no more, for good (TOKEN_NOT_FOUND in every later process). A
 * real HSM keeps its state apart from a client that dies. So after a kill, a token.object shorter than
 * it was before the process started is put back as it was (counted, reported): it is SoftHSM2's record
 * of the token itself (label, serial, flags, PIN blobs) — not the keys, and nothing this test judges
 * (the journal and the output folder).
 */
function station(
  args: string[],
  env: Record<string, string>,
  killAfterMs: number | null,
): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  const before = tokenObjects();
  return new Promise((done) => {
    const child = spawn(process.execPath, [runner, '--data-dir', w.dataDir, ...args, '--pin-stdin'], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.stdin.end(`${SIGNER_PIN}\n`);
    const timer = killAfterMs === null ? null : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal === 'SIGKILL')
        for (const [path, bytes] of before) {
          if (readFileSync(path).length >= bytes.length) continue;
          writeFileSync(path, bytes);
          tokenRepairs++;
        }
      done({ code, signal, stderr });
    });
  });
}

it(`${RUNS} batches SIGKILLed at random points and resumed: no artifact signed twice, none missed`, async () => {
  const key = createPublicKey({ key: w.spki, format: 'der', type: 'spki' });
  let kills = 0;
  let adoptedTotal = 0;
  // Kill points are drawn across the life of an uninterrupted batch measured on this machine now (a
  // fixed range would mostly miss on a fast machine and always hit start-up on a loaded one).
  let span = 1000;
  let tokenRetries = 0;
  for (let run = 0; run < RUNS; run++) {
    const declarationId = `DECL-CRASH-${run}`;
    const files: Record<string, string> = {};
    for (let i = 0; i < ARTIFACTS; i++)
      files[`r${run}-a${String(i).padStart(2, '0')}.bin`] = `run ${run} artifact ${i} ${'x'.repeat(i * 37)}`;
    const media = join(suite.dir, `media-${run}`);
    const out = join(suite.dir, `out-${run}`);
    mkdirSync(out);
    const manifest = writeMedia(media, files);
    writeMedia(media, { [`r${run}-stray.bin`]: 'off the manifest' });
    const gate = openGate(w, manifest, declarationId);
    const gateFile = join(suite.dir, `gate-${run}.json`);
    writeFileSync(gateFile, JSON.stringify(gate));
    const session = gatedQuorum(w, gate);
    const env = { SIGNING_TEST_GATE: gateFile, STATION_MEDIA_DIRS: suite.dir };

    // A random kill point across the process's life (start-up, claim, chunks, envelope, completion).
    const runArgs = ['sign', 'run', '--declaration', declarationId, '--media', media, '--out', out];
    runArgs.push('--quorum-session', session, '--chunk', '3');
    const started = Date.now();
    let r = await station(runArgs, env, run === 0 ? null : 100 + Math.floor(Math.random() * span));
    if (run === 0) {
      expect(r.code, r.stderr).toBe(0);
      span = Math.max(200, Math.floor((Date.now() - started) * 0.9));
    }
    for (let attempt = 0; r.code !== 0; attempt++) {
      // SoftHSM2 can report its token absent for a moment after a process holding it was killed (seen
      // about once in 60 kills on this machine); the operator's answer is to run resume again, and so
      // does the test — at most 3 times, counted. Anything else but our own kill fails the test.
      // A retry can meet the same moment again: it waits a little longer each time, within the 3.
      while (r.signal === null && r.stderr.includes('TOKEN_NOT_FOUND') && tokenRetries < 3) {
        tokenRetries++;
        await new Promise((d) => setTimeout(d, 300 * tokenRetries));
        r =
          signingRuns(w.station, declarationId)[0]?.state === 'open'
            ? await station(['sign', 'resume', '--declaration', declarationId, '--chunk', '3'], env, null)
            : await station(runArgs, env, null);
      }
      if (r.code === 0) break;
      expect(
        r.signal,
        `exit ${String(r.code)}: ${r.stderr} (token.object sizes: ${[...tokenObjects().values()].map((b) => b.length).join(', ')})`,
      ).toBe('SIGKILL');
      expect(attempt).toBeLessThan(8);
      kills++;
      // Killed after the completion landed: done. Killed before the run was journaled: nothing to
      // resume, the same command starts it. Otherwise `sign resume`.
      const state = signingRuns(w.station, declarationId)[0]?.state ?? null;
      if (state === 'completed') break;
      const killAgain = attempt < 2 && Math.random() < 0.5 ? 100 + Math.floor(Math.random() * span) : null;
      r =
        state === 'open'
          ? await station(['sign', 'resume', '--declaration', declarationId, '--chunk', '3'], env, killAgain)
          : await station(runArgs, env, killAgain);
    }

    // The journal: one completed run; every manifest artifact counted exactly once, nothing else.
    const runs = signingRuns(w.station, declarationId);
    expect(runs.map((x) => x.state)).toEqual(['completed']);
    const counted = runs[0]!.signed.map((s) => s.artifact);
    expect(counted.length).toBe(new Set(counted).size);
    expect([...counted].sort()).toEqual(manifest.map((a) => a.artifact).sort());
    adoptedTotal += runs[0]!.signed.filter((s) => s.adopted).length;

    // The output folder: exactly one signature per manifest artifact (none for the stray), the envelope,
    // no temporary file left under its final name; each signature is the journaled one and verifies.
    const sigs = readdirSync(out).filter((f) => f.endsWith('.sig'));
    expect(sigs.sort()).toEqual(manifest.map((a) => `${a.artifact}.sig`).sort());
    expect(existsSync(join(out, `r${run}-stray.bin.sig`))).toBe(false);
    for (const s of runs[0]!.signed) {
      const sig = readFileSync(join(out, s.signatureFile));
      expect(sha256(sig)).toBe(s.signatureSha256);
      expect(verify('sha256', readFileSync(join(media, s.artifact)), { key, dsaEncoding: 'der' }, sig)).toBe(
        true,
      );
    }
    expect(existsSync(join(out, runs[0]!.completed!.envelopeFile))).toBe(true);
  }
  // The kills really landed mid-batch: most runs were killed at least once.
  expect(kills).toBeGreaterThan((RUNS - 1) / 2);
  console.log(
    `crash-and-resume: ${kills} kills, ${tokenRetries} token-absent retries, ${tokenRepairs} SoftHSM2 token files put back, ${adoptedTotal} outputs adopted on resume`,
  );
}, 120_000);
