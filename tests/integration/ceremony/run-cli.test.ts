/**
 * One ceremony run through the built CLI (`station ceremony run`, `station ceremony step …`), as a
 * headless station performs it: each person signs in with their own token, the example key-generation
 * ceremony is rehearsed on a scratch token to the end, then production of other bytes is refused.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stationCli } from '../../e2e/harness';
import { suiteTempDir } from '../../helpers/temp';
import { ceremonyRoom, example, PIN, SCRATCH_PIN } from './support';

const EXAMPLE = example('key-generation');
let suite: ReturnType<typeof suiteTempDir>;
let dir: string;
let serial: Record<string, string> = {};

const cli = (args: string[], input?: string) => {
  const r = stationCli([...args, '--data-dir', dir], input);
  return r;
};
const ok = (args: string[], input?: string) => {
  const r = cli(args, input);
  expect(r.status, `${args.join(' ')}\n${r.stdout}${r.stderr}`).toBe(0);
  return r.stdout;
};
let signedIn = '';
const signIn = (who: string) => {
  if (signedIn === who) return;
  ok(['session', 'sign-in', '--token', serial[who]!, '--pin-stdin'], `${PIN}\n`);
  signedIn = who;
};

interface Status {
  status: string;
  current: { index: number; stepId: string; needs: string } | null;
  quorumOperation: string | null;
  openDeviation: { seq: number; stepId: string; happened: string } | null;
  steps: { stepId: string; by: string; witnesses: { custodianId: string }[] }[];
}

beforeAll(async () => {
  suite = suiteTempDir();
  dir = join(suite.dir, 'st');
  const room = await ceremonyRoom(suite.dir, dir);
  serial = room.serial;
  room.station.close();
});

afterAll(() => suite?.remove());

describe('station ceremony run / step (built CLI)', () => {
  it('a backup rehearsal makes its backup-capable key on the scratch token; a backup act takes three PINs, one per line', () => {
    signIn('ana-ruiz');
    const backup = example('key-backup');
    const started = JSON.parse(
      ok(
        [
          'ceremony',
          'run',
          backup,
          '--rehearsal',
          '--out-dir',
          join(suite.dir, 'out-backup'),
          '--pin-stdin',
          '--json',
        ],
        `${SCRATCH_PIN}\n`,
      ),
    ) as { runId: string; prepared: { label: string; backup: boolean } | null };
    expect(started.prepared).toMatchObject({ backup: true });
    expect(readFileSync(backup, 'utf8')).toContain(`label: ${started.prepared!.label}`);
    // The PINs are read before anything is touched: two lines for three PINs is refused as such.
    const short = cli(['ceremony', 'step', 'act', started.runId, '--backup-pins', '--pin-stdin'], '1\n2\n');
    expect(short.status).not.toBe(0);
    expect(short.stderr).toContain('3 PINs');
    // Three are read, and the act is then judged by the run (the current step is not the backup yet).
    const three = cli(
      ['ceremony', 'step', 'act', started.runId, '--backup-pins', '--pin-stdin'],
      '1\n2\n3\n',
    );
    expect(three.stderr).not.toContain('3 PINs');
  });

  it('rehearses the example end to end; production of a changed file is refused', () => {
    signIn('ana-ruiz');
    const out = join(suite.dir, 'out');
    const started = JSON.parse(
      ok(
        ['ceremony', 'run', EXAMPLE, '--rehearsal', '--out-dir', out, '--pin-stdin', '--json'],
        `${SCRATCH_PIN}\n`,
      ),
    ) as { runId: string; fileDigest: string };
    const runId = started.runId;

    const status = () => JSON.parse(ok(['ceremony', 'step', 'status', runId, '--json'])) as Status;
    let decided = 0;
    for (let guard = 0; guard < 80; guard++) {
      const s = status();
      if (s.status !== 'open' && s.status !== 'halted') break;
      const c = s.current!;
      const step = s.steps[c.index]!;
      const by = step.by === 'master-of-ceremonies' ? 'ana-ruiz' : 'ben-ortiz';
      if (c.needs === 'decision') {
        signIn('ana-ruiz');
        expect(s.openDeviation!.happened).toContain('attested 7.8.4');
        ok([
          'ceremony',
          'step',
          'decide',
          runId,
          '--deviation',
          String(s.openDeviation!.seq),
          '--continue',
          '--reason',
          'rehearsal on SoftHSM2',
        ]);
        decided++;
      } else if (c.needs === 'check') {
        signIn(by);
        const args = ['ceremony', 'step', 'check', runId, '--pin-stdin', '--bag', 'TB-104233=TB-104233'];
        if (s.quorumOperation) {
          const opened = ok([
            'quorum',
            'open',
            '--operation',
            s.quorumOperation,
            '--ceremony',
            'intermediate-2027-rotation',
            '--step',
            c.stepId,
          ]);
          const session = /^session (\S+)/.exec(opened)![1]!;
          for (const who of ['erin-walsh', 'greta-lind'])
            ok(
              ['quorum', 'checkin', '--session', session, '--token', serial[who]!, '--pin-stdin'],
              `${PIN}\n`,
            );
          args.push('--quorum', session);
        }
        ok(args, `${SCRATCH_PIN}\n`);
      } else if (c.needs === 'act') {
        signIn(by);
        ok(
          ['ceremony', 'step', 'act', runId, '--note', `done: ${c.stepId}`, '--pin-stdin'],
          `${SCRATCH_PIN}\n`,
        );
      } else {
        const done = step.witnesses.map((w) => w.custodianId);
        const who = ['chloe-meyer', 'hugo-brandt'].find((w) => !done.includes(w))!;
        ok(['ceremony', 'step', 'witness', runId, '--token', serial[who]!, '--pin-stdin'], `${PIN}\n`);
      }
    }
    const end = status();
    expect(end.status).toBe('completed');
    expect(decided).toBe(1);
    expect(ok(['ceremony', 'step', 'status', runId])).toMatch(/^status COMPLETED$/m);
    const csr = readFileSync(join(out, 'intermediate-2027-rotation-create-csr.REHEARSAL.csr.pem'), 'utf8');
    expect(csr).toMatch(/^REHEARSAL of ceremony intermediate-2027-rotation/);

    // Journal: every run event is recorded under the person signed in, never operator:cli.
    const journal = ok(['journal', 'export'])
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; actor: string });
    const runEvents = journal.filter((e) => e.kind.startsWith('ceremony.'));
    expect(new Set(runEvents.map((e) => e.actor))).toEqual(
      new Set(['operator:ana-ruiz', 'operator:ben-ortiz']),
    );
    expect(runEvents.at(-1)!.kind).toBe('ceremony.run-completed');

    // Production: the rehearsed bytes start; one byte changed is refused with the state exit code.
    const changed = join(suite.dir, 'changed.yaml');
    writeFileSync(changed, readFileSync(EXAMPLE, 'utf8').replace('Frankfurt', 'frankfurt'));
    signIn('ana-ruiz');
    const refused = cli(['ceremony', 'run', changed, '--production', '--out-dir', out]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('CEREMONY_NOT_REHEARSED');
    expect(ok(['ceremony', 'run', EXAMPLE, '--production', '--out-dir', join(out, 'prod')])).toMatch(
      /^run \S+ \(production\) started$/m,
    );
  }, 240_000);
});
