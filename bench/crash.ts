/**
 * Crash loop (issue #10): a child process appends journal entries, signs checkpoints and exports
 * bundles to a media folder while the parent SIGKILLs it at a random moment; the parent then re-opens
 * the station and checks that
 *   - every entry the child acknowledged (it prints seq and hash after the commit returned) is present,
 *     byte for byte (ratio = acknowledged-and-present / acknowledged, target ≥ 1.00),
 *   - `PRAGMA integrity_check` says ok,
 *   - the journal verifies (VERIFIED or UNANCHORED, never TAMPERED: the token's mark is never ahead of
 *     the journal, at most behind it),
 *   - after the next media scan no `.partial` of this station is left on the media,
 *   - a bundle published but never recorded (killed between the link and `bundle.exported`) stays on
 *     the media and the next export recovers it (BND-RECOVER: verified, recorded, then
 *     BUNDLE_EXPORT_RECOVERED, after which the child exports again); one still unrecorded when its
 *     station is retired is recovered by one export from the parent. Every such file must end recorded.
 *
 *   node dist/bench/crash.js [--kills N] [--seed S] [--json]     (npm run bench crash: 1,000 kills)
 *   node dist/bench/crash.js child <seed> appends|exports       (a child; waits for "go" on stdin)
 *
 * Children are started ahead of their turn and learn their station only from the "go" line, so their
 * Node start-up overlaps the running child and the checks. A fresh demo station every STATION_EVERY
 * kills keeps the journal (and the journal segment every export carries) small. Recorded bundles are
 * carried off the media after each scan (the stick goes to the reviewers); unrecorded ones stay for
 * BND-RECOVER. CRASH_DEBUG=1 shows the children's errors, CRASH_KEEP=1 keeps the folders.
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { toHex } from '../src/core/bytes';
import { benchDir, ratioLine, seconds } from './support';

const SELF = fileURLToPath(import.meta.url);
const TARGET = 1;
/**
 * Kill moments: uniformly 0..max ms after the child was told to go (some land while it opens). Every
 * EXPORT_EVERY-th child exports, which takes a few hundred ms, so its window is longer.
 */
const MAX_KILL_MS = { appends: 120, exports: 600 } as const;
const EXPORT_EVERY = 5;
/** Children started ahead of their turn (their start-up overlaps the running child and the checks). */
const AHEAD = 2;
const STATION_EVERY = 100;

/** mulberry32: seeded, so a run can be repeated with --seed. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

// ---- child ------------------------------------------------------------------------------------------

/** One line on stdout, written synchronously: once written it survives the kill (a pipe on Linux). */
const say = (line: string) => writeSync(1, `${line}\n`);

/**
 * Waits for the parent's `go <pin> <data dir> <media dir>` line: the station is named only then, so
 * children can load ahead of time; the demo token's PIN travels on the pipe, never in argv.
 */
function waitForGo(): Promise<{ pin: string; dir: string; media: string }> {
  return new Promise((resolve) => {
    let got = '';
    process.stdin.on('data', (d: Buffer) => {
      got += d.toString();
      const lines = got.split('\n');
      if (lines.length < 2) return;
      const [, pin, dir, media] = (lines[0] as string).split(' ');
      resolve({ pin: pin as string, dir: dir as string, media: media as string });
    });
  });
}

/**
 * The child. `appends` cycles record notes (one commit each, 1–3 entries) and now and then sign a
 * checkpoint (event, then the token mark); `exports` cycles export a custody report (checkpoint, DSSE
 * signature, zip under a temporary name, fsync, link, read back, `bundle.exported`) between appends.
 * Modules load lazily: the append child is up in a fraction of the export child's start-up.
 */
async function child(seed: number, mode: Mode): Promise<void> {
  const pick = prng(seed);
  // Not runtime's systemDeps: that module wires every IPC handler, and the child needs none.
  const [{ Station }, { sha256 }, { signCheckpoint }, { journalRegistration }, { readConfig }] =
    await Promise.all([
      import('../src/main/station/station'),
      import('../src/main/crypto'),
      import('../src/main/services/identity/commands'),
      import('../src/main/services/devices'),
      import('../src/main/config'),
    ]);
  say('loaded');
  const { pin, dir, media } = await waitForGo();
  const config = { ...readConfig({}), mediaDirs: [media] };
  const station = Station.open(dir, {
    clock: () => new Date(),
    sha256,
    modules: journalRegistration,
    config,
  });
  const ack = (seq: number) => {
    const row = station.journal.get(seq);
    if (row) say(`ack ${seq} ${toHex(row.hash)}`);
  };
  say('ready');
  for (let i = 0; ; i++) {
    const roll = pick(100);
    if (mode === 'exports' && roll < 30) {
      const { exportBundle } = await import('../src/main/services/bundles/bundles');
      const progress = { phase: () => {}, add: () => {} };
      // BND-RECOVER: an earlier export's file published but unrecorded is recorded now and the export
      // stops (BUNDLE_EXPORT_RECOVERED); the operator then exports again, as the child does.
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          await exportBundle(station, { kind: 'custody-report', pin, actor: 'operator:crash' }, progress);
          ack(station.journal.head().seq);
          say('exported');
          break;
        } catch (e) {
          const code = (e as { code?: string }).code ?? 'ERROR';
          if (code === 'BUNDLE_EXPORT_RECOVERED') {
            ack(station.journal.head().seq);
            say('export-recovered');
            continue;
          }
          say(`export-refused ${code}`);
          if (process.env.CRASH_DEBUG) process.stderr.write(`${(e as Error).message}\n`);
          break;
        }
      }
    } else if (roll < 8) {
      const cp = await signCheckpoint(station, { pin });
      if (cp.eventSeq !== null) ack(cp.eventSeq);
    } else {
      const n = 1 + pick(3);
      const r = station.record(
        Array.from({ length: n }, (_, k) => ({
          kind: 'operator.note' as const,
          actor: 'operator:crash',
          body: { text: `crash loop ${seed}/${i}/${k}` },
        })),
      );
      for (let seq = r.firstSeq; seq <= r.lastSeq; seq++) ack(seq);
    }
  }
}

// ---- parent -----------------------------------------------------------------------------------------

/** The parent's services, loaded once, lazily: the child never pays for them. */
async function services() {
  const [station, runtime, bundles, demo, journal] = await Promise.all([
    import('../src/main/station/station'),
    import('../src/main/runtime'),
    import('../src/main/services/bundles/bundles'),
    import('../src/main/demo/demo'),
    import('../src/main/services/journal/queries'),
  ]);
  return {
    Station: station.Station,
    systemDeps: runtime.systemDeps,
    scanMedia: bundles.scanMedia,
    exportBundle: bundles.exportBundle,
    createDemoStation: demo.createDemoStation,
    DEMO_PINS: demo.DEMO_PINS,
    verifyStationJournal: journal.verifyStationJournal,
  };
}

/** The station's dependencies with a bench media folder as its removable volume. */
function onMedia<D extends { config: { mediaDirs: readonly string[] } }>(deps: D, media: string): D {
  return { ...deps, config: { ...deps.config, mediaDirs: [media] } };
}

interface Summary {
  seed: number;
  kills: number;
  acknowledged: number;
  present: number;
  integrityFailures: number;
  verdicts: Record<string, number>;
  marks: Record<string, number>;
  tampered: string[];
  exports: number;
  exportRefusals: Record<string, number>;
  partialsLeftByKills: number;
  partialsSwept: number;
  partialsLeft: number;
  /** Distinct bundle files found on the media, published but not recorded, after a kill. */
  publishedUnrecorded: number;
  /** Of those, recorded later by BND-RECOVER (`recovered: true`): by a child's export or the parent's. */
  recovered: number;
  /** Recovered by the parent's export when their station was retired (no child export came after). */
  recoveredAtRetirement: number;
  /** BUNDLE_EXPORT_RECOVERED answers the children saw. */
  recoveredByChildren: number;
  /** Bundle files still unrecorded on the media at the very end: must be 0. */
  unrecordedLeft: number;
  tokenRepairs: number;
  seconds: number;
}

type Mode = 'appends' | 'exports';
const modeOf = (k: number): Mode => (k % EXPORT_EVERY === EXPORT_EVERY - 1 ? 'exports' : 'appends');

interface Running {
  readonly mode: Mode;
  readonly proc: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<void>;
}

function startChild(seed: number, mode: Mode): Running {
  const proc = spawn(process.execPath, [SELF, 'child', String(seed), mode], {
    stdio: ['pipe', 'pipe', process.env.CRASH_DEBUG ? 'inherit' : 'ignore'],
  });
  const lines: string[] = [];
  let buf = '';
  proc.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    lines.push(...parts);
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return { mode, proc, lines, exited };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Fresh {
  readonly dir: string;
  readonly media: string;
  /** Each SoftHSM2 token's metadata file as created (see repairTokens). */
  readonly tokenFiles: ReadonlyMap<string, Buffer>;
}

async function freshStation(root: string, k: number): Promise<Fresh> {
  const dir = join(root, `station-${k}`);
  const media = join(root, `media-${k}`);
  mkdirSync(media, { recursive: true });
  const { createDemoStation, systemDeps } = await services();
  (await createDemoStation(dir, systemDeps)).close();
  const tokens = join(dir, 'softhsm', 'tokens');
  const tokenFiles = new Map(
    readdirSync(tokens).map((t) => {
      const path = join(tokens, t, 'token.object');
      return [path, readFileSync(path)] as const;
    }),
  );
  return { dir, media, tokenFiles };
}

/**
 * SoftHSM2's file store rewrites a token's `token.object` (label, serial, PIN blobs, flags) on every
 * C_Login, in place: a SIGKILL in that moment leaves it empty or gone and the token is no longer
 * listed. That is the rehearsal token's own weakness, not the station's (an HSM keeps its state across
 * power loss), and it would end every later token act in the loop; the harness puts the file back, as
 * restoring the device, and counts it. The key and mark objects are separate files and stay as they
 * are, so the token's mark can only be what the station last wrote.
 */
function repairTokens(files: ReadonlyMap<string, Buffer>): number {
  let repaired = 0;
  for (const [path, bytes] of files) {
    if (existsSync(path) && statSync(path).size > 0) continue;
    writeFileSync(path, bytes, { mode: 0o600 });
    repaired++;
  }
  return repaired;
}

async function crashLoop(kills: number, seed: number): Promise<Summary> {
  const pick = prng(seed);
  const { dir: root, cleanup } = benchDir('crash');
  const started = process.hrtime.bigint();
  const carried = join(root, 'carried');
  mkdirSync(carried);
  const s: Summary = {
    seed,
    kills: 0,
    acknowledged: 0,
    present: 0,
    integrityFailures: 0,
    verdicts: {},
    marks: {},
    tampered: [],
    exports: 0,
    exportRefusals: {},
    partialsLeftByKills: 0,
    partialsSwept: 0,
    partialsLeft: 0,
    publishedUnrecorded: 0,
    recovered: 0,
    recoveredAtRetirement: 0,
    recoveredByChildren: 0,
    unrecordedLeft: 0,
    tokenRepairs: 0,
    seconds: 0,
  };
  try {
    let station = await freshStation(root, 0);
    /** Every acknowledged (seq → hash) of the current station: checked after every kill. */
    let acked = new Map<number, string>();
    /** Published-but-unrecorded bundle files on the current station's media (by SHA-256), until recorded. */
    const pending = new Set<string>();
    const { DEMO_PINS } = await services();
    // Children load ahead, AHEAD at a time, while earlier ones run and are checked.
    const queue: Running[] = [];
    const topUp = (k: number) => {
      while (queue.length < AHEAD && k + queue.length < kills)
        queue.push(startChild(pick(2 ** 31), modeOf(k + queue.length)));
    };
    for (let k = 0; k < kills; k++) {
      topUp(k);
      const current = queue.shift() as Running;
      topUp(k + 1);
      // The kill window opens once the child's code is loaded.
      while (!current.lines.includes('loaded')) await sleep(2);
      current.proc.stdin?.write(`go ${DEMO_PINS.user} ${station.dir} ${station.media}\n`);
      await sleep(pick(MAX_KILL_MS[current.mode] + 1));
      current.proc.kill('SIGKILL');
      await current.exited;
      s.kills++;
      const renew = (k + 1) % STATION_EVERY === 0 && k + 1 < kills;
      for (const line of current.lines) {
        const [what, a, b] = line.split(' ');
        if (what === 'ack') acked.set(Number(a), b as string);
        else if (what === 'exported') s.exports++;
        else if (what === 'export-recovered') s.recoveredByChildren++;
        else if (what === 'export-refused')
          s.exportRefusals[a as string] = (s.exportRefusals[a as string] ?? 0) + 1;
      }
      s.tokenRepairs += repairTokens(station.tokenFiles);
      check(station.dir, acked, s, k);
      // Every acknowledgement is counted once, when its station is retired (or at the end).
      if (renew || k + 1 === kills) {
        s.acknowledged += acked.size;
        s.present += countPresent(station.dir, acked);
      }
      await verifyAfterKill(station, carried, s, k, pending);
      if (renew || k + 1 === kills) await recoverAtRetirement(station, carried, s, pending, DEMO_PINS.user);
      if (renew) {
        station = await freshStation(root, k + 1);
        acked = new Map();
      }
    }
  } finally {
    if (!process.env.CRASH_KEEP) cleanup();
    else process.stderr.write(`kept ${root}\n`);
  }
  s.seconds = seconds(started);
  return s;
}

/** Integrity and durability right after a kill, on a raw connection (nothing written). */
function check(dir: string, acked: ReadonlyMap<number, string>, s: Summary, k: number): void {
  const db = new Database(join(dir, 'station.sqlite'), { readonly: true });
  try {
    const ok = db.pragma('integrity_check', { simple: true });
    if (ok !== 'ok') s.integrityFailures++;
    const missing = [...acked].filter(([seq, hash]) => !rowMatches(db, seq, hash));
    if (missing.length > 0)
      s.tampered.push(`kill ${k}: ${missing.length} acknowledged entries missing or changed`);
  } finally {
    db.close();
  }
}

function rowMatches(db: Database.Database, seq: number, hash: string): boolean {
  const h = db.prepare('SELECT hash FROM journal WHERE seq = ?').pluck().get(seq) as Buffer | undefined;
  return h !== undefined && h.toString('hex') === hash;
}

function countPresent(dir: string, acked: ReadonlyMap<number, string>): number {
  const db = new Database(join(dir, 'station.sqlite'), { readonly: true });
  try {
    return [...acked].filter(([seq, hash]) => rowMatches(db, seq, hash)).length;
  } finally {
    db.close();
  }
}

/** SHA-256 of every bundle file this station's journal records as exported, and which were recovered. */
function recordedBundles(station: { store: { db: Database.Database } }): Map<string, boolean> {
  return new Map(
    (
      station.store.db
        .prepare("SELECT body FROM journal WHERE kind = 'bundle.exported'")
        .pluck()
        .all() as Buffer[]
    ).map((b) => {
      const body = JSON.parse(b.toString('utf8')) as { fileSha256: string; recovered?: boolean };
      return [body.fileSha256, body.recovered === true] as const;
    }),
  );
}

const fileSha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/**
 * The bundles on the media: a recorded one is carried off (the stick goes to the reviewers), so the
 * next export's name is free; one published but never recorded (killed between the link and the
 * journal) stays for the next export to recover, and is tracked until its record appears — which must
 * say `recovered`. Returns how many remain unrecorded.
 */
function sortBundles(
  media: string,
  recorded: ReadonlyMap<string, boolean>,
  carried: string,
  s: Summary,
  pending: Set<string>,
  tag: string,
): number {
  let unrecorded = 0;
  for (const f of readdirSync(media).filter((n) => n.endsWith('.bundle.zip'))) {
    const path = join(media, f);
    const sha = fileSha256(path);
    const wasRecovered = recorded.get(sha);
    if (wasRecovered === undefined) {
      if (!pending.has(sha)) {
        pending.add(sha);
        s.publishedUnrecorded++;
      }
      unrecorded++;
      continue;
    }
    if (pending.delete(sha)) {
      if (wasRecovered) s.recovered++;
      else s.tampered.push(`${tag}: ${f} was published unrecorded, then recorded without BND-RECOVER`);
    }
    renameSync(path, join(carried, `${tag}-${f}`));
  }
  return unrecorded;
}

/**
 * When a station is retired (or the run ends) with a bundle still unrecorded on its media, no child
 * export came after it: the parent exports once, as the operator would, and BND-RECOVER must record it
 * (BUNDLE_EXPORT_RECOVERED). Whatever is still unrecorded then is counted as left.
 */
async function recoverAtRetirement(
  at: { dir: string; media: string },
  carried: string,
  s: Summary,
  pending: Set<string>,
  pin: string,
): Promise<void> {
  const { Station, systemDeps, exportBundle } = await services();
  if (pending.size > 0) {
    const station = Station.open(at.dir, onMedia(systemDeps, at.media));
    try {
      const progress = { phase: () => {}, add: () => {} };
      try {
        await exportBundle(station, { kind: 'custody-report', pin, actor: 'operator:crash' }, progress);
        s.tampered.push(`retirement: the export was not stopped by BND-RECOVER`);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code !== 'BUNDLE_EXPORT_RECOVERED')
          s.tampered.push(`retirement: export refused ${code ?? 'ERROR'}`);
      }
      const before = s.recovered;
      sortBundles(at.media, recordedBundles(station), carried, s, pending, 'retired');
      s.recoveredAtRetirement += s.recovered - before;
    } finally {
      station.close();
    }
  }
  s.unrecordedLeft += pending.size;
  pending.clear();
}

/** The real verify path (token mark included) and the next media scan, as the operator would run them. */
async function verifyAfterKill(
  at: { dir: string; media: string },
  carried: string,
  s: Summary,
  k: number,
  pending: Set<string>,
): Promise<void> {
  const { Station, systemDeps, verifyStationJournal, scanMedia } = await services();
  const station = Station.open(at.dir, onMedia(systemDeps, at.media));
  try {
    const { verdict } = await verifyStationJournal(station);
    s.verdicts[verdict.status] = (s.verdicts[verdict.status] ?? 0) + 1;
    if (verdict.status === 'TAMPERED') s.tampered.push(`kill ${k}: ${verdict.check} ${verdict.reason}`);
    else s.marks[verdict.mark.status] = (s.marks[verdict.mark.status] ?? 0) + 1;
    const before = readdirSync(at.media).filter((f) => f.endsWith('.partial')).length;
    const scan = scanMedia(station, {});
    if (!scan.volumes.some((v) => v.path === at.media))
      s.tampered.push(`kill ${k}: the scan did not see the media`);
    s.partialsLeftByKills += before;
    s.partialsSwept += scan.removedPartials.length;
    // Read from the folder itself, not from what the scan reports.
    s.partialsLeft += readdirSync(at.media).filter((f) => f.endsWith('.partial')).length;
    sortBundles(at.media, recordedBundles(station), carried, s, pending, String(k));
  } finally {
    station.close();
  }
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'child') return child(Number(argv[1]), argv[2] as Mode);
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const kills = Number(arg('--kills') ?? 1000);
  const seed = Number(arg('--seed') ?? Math.floor(Math.random() * 2 ** 31));
  const s = await crashLoop(kills, seed);
  if (argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(s)}\n`);
    return;
  }
  const line = (k: string, v: unknown) => process.stdout.write(`${k.padEnd(28)} ${String(v)}\n`);
  line('seed', s.seed);
  line('kills (SIGKILL)', `${s.kills} in ${s.seconds.toFixed(1)} s`);
  line('acknowledged entries', s.acknowledged);
  line('acknowledged and present', s.present);
  line('integrity_check failures', s.integrityFailures);
  line('verdicts after a kill', JSON.stringify(s.verdicts));
  line('token mark after a kill', JSON.stringify(s.marks));
  line('exports completed', s.exports);
  line('exports refused', JSON.stringify(s.exportRefusals));
  line('partials left by kills', s.partialsLeftByKills);
  line('partials swept by the scan', s.partialsSwept);
  line('partials left after the scan', s.partialsLeft);
  line('published, not recorded', s.publishedUnrecorded);
  line('  recovered (BND-RECOVER)', `${s.recovered} (${s.recoveredAtRetirement} at retirement)`);
  line('  BUNDLE_EXPORT_RECOVERED seen', s.recoveredByChildren);
  line('  still unrecorded at the end', s.unrecordedLeft);
  line('SoftHSM2 token.object put back', s.tokenRepairs);
  for (const t of s.tampered.slice(0, 10)) line('FAILED', t);
  const clean =
    s.integrityFailures === 0 &&
    s.tampered.length === 0 &&
    s.partialsLeft === 0 &&
    s.unrecordedLeft === 0 &&
    s.recovered === s.publishedUnrecorded;
  process.stdout.write(
    `${ratioLine(clean && s.acknowledged > 0 ? s.present / s.acknowledged : 0, TARGET)}\n`,
  );
  if (!clean) process.exitCode = 1;
}

await main(process.argv.slice(2));
