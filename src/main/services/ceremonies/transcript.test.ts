import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { foldRun, type RunEvent } from '../../../core/ceremony/run';
import { unescapeHtml } from '../../../core/html';
import { parseCeremonyBytes } from '../../adapters/ceremony';
import { buildTranscript, IN_PROGRESS, transcriptFooter, transcriptHtml } from './transcript';

const EXAMPLE = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  '..',
  'resources',
  'ceremonies',
  'key-generation.yaml',
);
const loaded = parseCeremonyBytes(readFileSync(EXAMPLE), 'key-generation.yaml');
const RUN = '0f4b3c2a-1111-4222-8333-944455556666';
const MC = 'operator:ana-ruiz';
const AT = (seq: number) => `2027-03-16T08:00:${String(seq).padStart(2, '0')}.000Z`;
const HOSTILE_NOTE = '<script>alert(1)</script>';
const HOSTILE_HAPPENED = '<img src=x onerror=alert(2)>';
const HOSTILE_REASON = 'R & <b>D</b>';

/** A run of the example that acts its first step, has a deviation reported there, and (`end`) is aborted. */
function run(mode: 'rehearsal' | 'production', end: 'aborted' | 'halted'): RunEvent[] {
  const e = (seq: number, kind: RunEvent['kind'], body: object): RunEvent =>
    ({ seq, at: AT(seq), actor: MC, kind, body: { runId: RUN, ...body } }) as RunEvent;
  const events = [
    e(1, 'ceremony.run-started', {
      fileDigest: loaded.digest.sha256,
      ceremonyId: loaded.file.id,
      type: loaded.file.type,
      mode,
      source: '/media/ceremony/key-generation.yaml',
      outDir: '/tmp/out',
      target: null,
      participants: loaded.file.participants.map((p) => ({ custodianId: p.id, role: p.role })),
    }),
    e(2, 'ceremony.step-acted', {
      stepId: 'open-ceremony',
      act: 'record-note',
      marking: mode === 'rehearsal' ? 'REHEARSAL' : 'PRODUCTION',
      result: HOSTILE_NOTE,
      postconditions: [],
      outputs: [],
    }),
    e(3, 'ceremony.deviation', {
      stepId: 'open-ceremony',
      phase: 'reported',
      expected: 'every participant is present',
      happened: HOSTILE_HAPPENED,
    }),
  ];
  if (end === 'halted') return events;
  return [
    ...events,
    e(4, 'ceremony.decision', { deviationSeq: 3, decision: 'abort', reason: HOSTILE_REASON }),
    e(5, 'ceremony.run-aborted', { deviationSeq: 3, reason: HOSTILE_REASON }),
  ];
}

function print(events: RunEvent[]) {
  const state = foldRun(loaded.file, events);
  const t = buildTranscript(loaded, events, state, (seq) => String(seq).repeat(64).slice(0, 64));
  return { t, html: transcriptHtml(t, loaded, state, events), footer: transcriptFooter(t) };
}

/** The text of an HTML page, tags dropped and entities read back, compared without whitespace. */
const flat = (t: string) => t.replace(/\s+/g, '');
const text = (html: string) => flat(unescapeHtml(html.replace(/<[^>]*>/g, ' ').replaceAll('&nbsp;', ' ')));
const has = (html: string, needle: string) => expect(text(html)).toContain(flat(needle));

describe('the transcript of a run', () => {
  it('escapes what the journal holds: a note, a deviation or a reason cannot put markup on the page', () => {
    const { html } = print(run('rehearsal', 'aborted'));
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>D');
    for (const t of [HOSTILE_NOTE, HOSTILE_HAPPENED, HOSTILE_REASON]) has(html, t);
  });

  it('an aborted run is final: its outcome names the deviation and reason, its sheet ticks abort', () => {
    const { t, html, footer } = print(run('rehearsal', 'aborted'));
    expect(t.final).toBe(true);
    expect(t.outcome).toBe(`ABORTED at seq 5 (${AT(5)}) by ${MC} on deviation 3: ${HOSTILE_REASON}`);
    expect(html).toContain('Exception sheet 1 of 1 (filled from the journal)');
    has(html, 'Decision: ☐ continue ☒ abort');
    has(html, `Decided by Ana Ruiz (ana-ruiz, master-of-ceremonies) at seq 4 · ${AT(4)}`);
    has(footer, 'REHEARSAL · transcript of run');
    expect(html + footer).not.toContain(IN_PROGRESS);
    // Every entry with its hash, in the journal table.
    for (const e of t.entries) expect(html).toContain(e.hash);
  });

  it('a halted run prints IN PROGRESS on every page (the footer) and an OPEN sheet', () => {
    const { t, html, footer } = print(run('production', 'halted'));
    expect(t.final).toBe(false);
    expect(t.outcome).toBe(
      `${IN_PROGRESS}: halted at step open-ceremony by deviation 3, awaiting the master of ceremonies' decision`,
    );
    has(footer, `${IN_PROGRESS} · transcript of run ${RUN}`);
    has(html, 'OPEN: no decision of the master of ceremonies');
    // Production: no REHEARSAL anywhere on it.
    expect(html + footer).not.toContain('REHEARSAL');
    has(html, 'As performed (journal) — NOT REACHED');
  });
});
