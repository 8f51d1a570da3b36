import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signCheckpoint } from '../../src/main/services/identity/commands';
import { JobRegistry } from '../../src/main/services/jobs';
import {
  journalFilterChoices,
  journalPage,
  journalVerifyOutcome,
  startJournalVerify,
  STEP,
  verifyStationJournal,
} from '../../src/main/services/journal';
import type { Station } from '../../src/main/station/station';
import { systemDeps } from '../../src/main/runtime';
import { Station as StationClass } from '../../src/main/station/station';
import { stationCli } from '../e2e/harness';
import { tamperJournalRow } from '../helpers/tamper';
import { tempDir } from '../helpers/temp';
import { notes, PIN, stationWithIdentity } from './journal/support';

/**
 * The journal view's reads through the real SQLite store: filters in SQL (kind, actor, seq range) with
 * their choices and counts, and verification as a job with progress and cancel.
 */

const log = (msg: string, err: unknown) => {
  throw new Error(`unexpected job fault: ${msg} ${String(err)}`);
};

/** Every row as the list shows it, read without any filter: the reference the SQL filter must agree with. */
function everything(station: Station) {
  const total = station.journal.head().seq;
  const all = [];
  for (let from = 1; from <= total; from += 500)
    all.push(...journalPage(station, { fromSeq: from, limit: 500 }).entries);
  return all;
}

async function finished(jobs: JobRegistry, jobId: string) {
  await expect.poll(() => jobs.status(jobId).state, { timeout: 30_000, interval: 5 }).not.toBe('running');
  return journalVerifyOutcome(jobs, { jobId });
}

describe('journal view: filters in SQL', () => {
  it('filters by kinds, actor and seq range, counts the matches, and pages by offset', async () => {
    const { station } = await stationWithIdentity();
    try {
      notes(station, 30, 'operator:alice');
      notes(station, 12, 'operator:bob');
      await signCheckpoint(station, { pin: PIN });
      notes(station, 5, 'operator:bob');
      const all = everything(station);
      const total = station.journal.head().seq;
      expect(all).toHaveLength(total);

      const choices = journalFilterChoices(station);
      expect(choices.total).toBe(total);
      // The choices are the kinds and actors present, each with its count, read from the journal.
      const countBy = (key: 'kind' | 'actor') => {
        const m = new Map<string, number>();
        for (const e of all) m.set(e[key], (m.get(e[key]) ?? 0) + 1);
        return [...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([value, count]) => ({ value, count }));
      };
      expect(choices.kinds).toEqual(countBy('kind'));
      expect(choices.actors).toEqual(countBy('actor'));
      expect(choices.kinds.map((k) => k.value)).toContain('journal.checkpoint');

      const cases = [
        { kinds: ['operator.note'] },
        { kinds: ['journal.checkpoint', 'station.initialised'] },
        { actor: 'operator:bob' },
        { kinds: ['operator.note'], actor: 'operator:bob', fromSeq: 20, toSeq: total - 2 },
        { fromSeq: 7, toSeq: 7 },
        { kinds: ['no.such-kind'] },
      ];
      for (const filter of cases) {
        const want = all.filter(
          (e) =>
            (!filter.kinds || filter.kinds.includes(e.kind)) &&
            (!filter.actor || e.actor === filter.actor) &&
            e.seq >= (filter.fromSeq ?? 1) &&
            e.seq <= (filter.toSeq ?? total),
        );
        const page = journalPage(station, { fromSeq: 1, limit: 500, filter });
        expect(page, JSON.stringify(filter)).toEqual({ entries: want, total, matched: want.length });
        // Paged by offset (a virtualised list's row index), the pages add up to the same list.
        const paged = [];
        for (let offset = 0; offset < want.length; offset += 4)
          paged.push(...journalPage(station, { fromSeq: 1, limit: 4, offset, filter }).entries);
        expect(paged).toEqual(want);
      }
      // The filter runs on the indexes of migration 0013, not a scan of every row.
      const plan = station.store.db
        .prepare("EXPLAIN QUERY PLAN SELECT seq FROM journal WHERE kind IN ('operator.note') ORDER BY seq")
        .all() as { detail: string }[];
      expect(plan.map((p) => p.detail).join(' ')).toMatch(/INDEX journal_by_kind/);
    } finally {
      station.close();
    }
  });

  it('refuses a bad range with INVALID_INPUT naming the field, in plain words', async () => {
    const { station } = await stationWithIdentity();
    try {
      const total = station.journal.head().seq;
      const page = (filter: object) => () => journalPage(station, { fromSeq: 1, limit: 10, filter });
      expect(page({ fromSeq: 4, toSeq: 2 })).toThrow(
        expect.objectContaining({
          code: 'INVALID_INPUT',
          data: { field: 'toSeq' },
          message: expect.stringMatching(/before from seq 4/),
        }),
      );
      expect(page({ toSeq: total + 1 })).toThrow(
        expect.objectContaining({
          code: 'INVALID_INPUT',
          data: { field: 'toSeq' },
          message: expect.stringContaining(`the journal's last entry is seq ${total}`),
        }),
      );
      expect(page({ fromSeq: total + 5 })).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT', data: { field: 'fromSeq' } }),
      );
    } finally {
      station.close();
    }
  });
});

describe('station journal show: the same filter from the CLI', () => {
  it('--kind (repeatable), --actor, --from and --to print the journalPage view; a bad range names the flag', () => {
    const dataDir = join(tempDir(), 'station');
    expect(stationCli(['demo', '--data-dir', dataDir]).status).toBe(0);
    // A listing is no act: it needs nobody signed in, --actor included (it names whose entries to show).
    const cli = (...args: string[]) => stationCli(['journal', 'show', '--data-dir', dataDir, ...args]);
    const station = StationClass.open(dataDir, systemDeps);
    try {
      const total = station.journal.head().seq;
      const filter = { kinds: ['operator.note', 'journal.checkpoint'], fromSeq: 2, toSeq: total - 1 };
      const want = journalPage(station, { fromSeq: 2, limit: 500, filter });
      expect(want.matched).toBeGreaterThan(1);
      expect(want.matched).toBeLessThan(total);
      const args = [
        '--kind',
        'operator.note',
        '--kind',
        'journal.checkpoint',
        '--from',
        '2',
        '--to',
        String(total - 1),
      ];
      const json = cli(...args, '--limit', '500', '--json');
      expect(json.status, json.stderr).toBe(0);
      expect(JSON.parse(json.stdout)).toEqual(want);
      const text = cli(...args, '--limit', '500');
      for (const e of want.entries)
        expect(text.stdout).toContain(`${e.seq}  ${e.at}  ${e.actor}  ${e.kind}  `);
      expect(text.stdout).toContain(`${want.matched} of ${total} entries match`);

      const actor = want.entries.find((e) => e.kind === 'operator.note')?.actor ?? 'station';
      const byActor = journalPage(station, { fromSeq: 1, limit: 500, filter: { actor } });
      const shown = cli('--actor', actor, '--limit', '500', '--json');
      expect(shown.status, shown.stderr).toBe(0);
      expect(JSON.parse(shown.stdout)).toEqual(byActor);
      expect(byActor.entries.every((e) => e.actor === actor)).toBe(true);

      const backwards = cli('--from', '9', '--to', '3');
      expect(backwards.status).toBe(3);
      expect(backwards.stderr).toContain('INVALID_INPUT');
      expect(backwards.stderr).toContain('To seq 3 is before from seq 9');
      const past = cli('--kind', 'operator.note', '--to', String(total + 1));
      expect(past.status).toBe(3);
      expect(past.stderr).toContain(`the journal's last entry is seq ${total}`);
    } finally {
      station.close();
    }
  });
});

describe('journal view: verification as a job', () => {
  it('reports entries checked of total, and its verdict is the one-call verdict', async () => {
    const { station } = await stationWithIdentity();
    try {
      notes(station, 3000);
      await signCheckpoint(station, { pin: PIN });
      const jobs = new JobRegistry(log);
      const { jobId } = startJournalVerify(station, jobs);
      // The walk yields between steps: timers run while it is under way (the main process answers).
      let sawRunning = 0;
      const timer = setInterval(() => {
        const v = jobs.status(jobId);
        if (v.state === 'running' && v.done > 0 && v.done < v.total) sawRunning++;
      }, 0);
      const outcome = await finished(jobs, jobId);
      clearInterval(timer);
      expect(sawRunning).toBeGreaterThan(0);
      const total = station.journal.head().seq;
      expect(jobs.status(jobId)).toMatchObject({ state: 'done', done: total, total, kind: 'journal-verify' });
      expect(outcome).toEqual({ state: 'complete', report: await verifyStationJournal(station) });
      expect(outcome).toMatchObject({ report: { verdict: { status: 'VERIFIED', entries: total } } });
    } finally {
      station.close();
    }
  });

  it('cancelled mid-way it is never VERIFIED; a row tampered after the cancel point is found by a full verify', async () => {
    const { dir, station } = await stationWithIdentity();
    try {
      notes(station, 3000);
      await signCheckpoint(station, { pin: PIN });
      const total = station.journal.head().seq;
      const jobs = new JobRegistry(log);

      // Untampered, cancelled after the first step: the outcome is CANCELLED at the first seq not checked.
      const first = startJournalVerify(station, jobs).jobId;
      expect(jobs.status(first)).toMatchObject({ state: 'running', total });
      expect(jobs.status(first).done).toBeGreaterThan(0);
      jobs.cancel(first);
      const cancelled = await finished(jobs, first);
      expect(cancelled.state).toBe('cancelled');
      // The job itself reads as cancelled (never done), with the reason.
      expect(jobs.status(first)).toMatchObject({
        state: 'cancelled',
        error: { code: 'JOURNAL_VERIFY_CANCELLED', message: expect.stringMatching(/not verified/) },
      });
      if (cancelled.state !== 'cancelled') return;
      const at = cancelled.verdict.cancelledAtSeq;
      expect(at).toBe(jobs.status(first).done + 1);
      expect(at).toBeLessThan(total);
      expect(cancelled.verdict).toEqual({
        status: 'CANCELLED',
        entries: at - 1,
        total,
        cancelledAtSeq: at,
        reason: expect.stringMatching(new RegExp(`cancelled at seq ${at}.*not verified`)),
      });
      expect(JSON.stringify(cancelled)).not.toContain('VERIFIED"');

      // A row after the cancel point is rewritten: a cancelled walk never reached it, a full one does.
      const bad = total - 100;
      expect(bad).toBeGreaterThan(at + STEP);
      tamperJournalRow(join(dir, 'station.sqlite'), bad);
      const again = startJournalVerify(station, jobs).jobId;
      jobs.cancel(again);
      expect((await finished(jobs, again)).state).toBe('cancelled');
      const full = await finished(jobs, startJournalVerify(station, jobs).jobId);
      expect(full).toMatchObject({
        state: 'complete',
        report: { verdict: { status: 'TAMPERED', check: 'JNL-HASH', firstBadSeq: bad, entries: bad - 1 } },
      });
      expect(full).toEqual({ state: 'complete', report: await verifyStationJournal(station) });
    } finally {
      station.close();
    }
  });

  it('an unknown job has no outcome', () => {
    const jobs = new JobRegistry(log);
    expect(() => journalVerifyOutcome(jobs, { jobId: crypto.randomUUID() })).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND', data: { field: 'jobId' } }),
    );
  });
});
