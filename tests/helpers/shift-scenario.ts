import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { isoTime } from '../../src/core/schema';
import { tempDir } from './temp';

/**
 * A copy of a scenario folder with every ISO instant (in scenario.json and in its JSON and CSV sources)
 * moved by the same amount, so that the scenario's `asOf` becomes `now`: a child process (the built CLI)
 * judges it on the real clock exactly as the scenario does on its own instant.
 */
export function shiftedScenarioCopy(dir: string, now: Date): string {
  const out = join(tempDir('scenario-'), 'scenario');
  cpSync(dir, out, { recursive: true });
  const scenario = JSON.parse(readFileSync(join(out, 'scenario.json'), 'utf8')) as { asOf: string };
  const shift = now.getTime() - Date.parse(scenario.asOf);
  const move = (v: string) =>
    isoTime.safeParse(v).success ? new Date(Date.parse(v) + shift).toISOString() : v;
  const moved = (v: unknown): unknown =>
    typeof v === 'string'
      ? move(v)
      : Array.isArray(v)
        ? v.map(moved)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, moved(x)]))
          : v;
  const write = (path: string, value: unknown) => writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
  write(join(out, 'scenario.json'), moved(scenario));
  const sources = join(out, 'sources');
  for (const name of readdirSync(sources)) {
    const path = join(sources, name);
    if (name.endsWith('.json')) write(path, moved(JSON.parse(readFileSync(path, 'utf8'))));
    else if (name.endsWith('.csv')) {
      const rows = parse(readFileSync(path, 'utf8'), { relax_column_count: false }) as string[][];
      const quote = (c: string) => `"${c.replace(/"/g, '""')}"`;
      writeFileSync(
        path,
        `${rows.map((r, i) => r.map((c) => quote(i === 0 ? c : move(c))).join(',')).join('\n')}\n`,
      );
    }
  }
  return out;
}
