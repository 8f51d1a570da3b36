import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { isoTime } from '../../src/core/schema';
import { issuanceRequest } from '../../src/core/findings/families/issuance';
import { requestDigest } from '../../src/core/findings/rules/issuance/common';
import { sha256hex } from '../../src/main/services/records/records';
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
  // An approval binds the digest of its request's content, instants included: a request moved in time is
  // another content, so what was bound to the original is bound to the moved one (and what was bound to
  // something else stays bound to something else).
  const rebound = new Map<string, string>();
  for (const name of readdirSync(sources).filter((n) => n.endsWith('.json'))) {
    const file = JSON.parse(readFileSync(join(sources, name), 'utf8')) as {
      family?: string;
      records?: unknown[];
    };
    if (file.family !== issuanceRequest.name) continue;
    for (const r of file.records ?? []) {
      const before = issuanceRequest.schema.parse(r);
      const after = issuanceRequest.schema.parse(moved(r));
      rebound.set(requestDigest(sha256hex, before), requestDigest(sha256hex, after));
    }
  }
  const rebind = (v: string) => rebound.get(v) ?? v;
  const movedAndBound = (v: unknown): unknown =>
    typeof v === 'string'
      ? rebind(move(v))
      : Array.isArray(v)
        ? v.map(movedAndBound)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, movedAndBound(x)]))
          : v;
  for (const name of readdirSync(sources)) {
    const path = join(sources, name);
    if (name.endsWith('.json')) write(path, movedAndBound(JSON.parse(readFileSync(path, 'utf8'))));
    else if (name.endsWith('.csv')) {
      const rows = parse(readFileSync(path, 'utf8'), { relax_column_count: false }) as string[][];
      const quote = (c: string) => `"${c.replace(/"/g, '""')}"`;
      writeFileSync(
        path,
        `${rows.map((r, i) => r.map((c) => quote(i === 0 ? c : rebind(move(c)))).join(',')).join('\n')}\n`,
      );
    }
  }
  return out;
}
