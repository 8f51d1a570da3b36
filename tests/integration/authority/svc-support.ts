import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseline, register } from '../../../src/core/findings/rules/compromise/testkit';
import type { SourceRecord } from '../../../src/core/findings/model';

/**
 * Export files for workflow 002 from the core testkit's baseline incident (INC-1 on key K-1, declared
 * 2026-12-01T00:00Z; internal-only, custody suspected, everything traced): one JSON envelope per family,
 * as a source system would export them. As of 2026-12-01T06:00Z platform security is recommended.
 */
export const AS_OF = '2026-12-01T06:00:00.000Z';
export const EXPORTED = '2026-12-01T05:00:00.000Z';

/** Writes one envelope file per family of `records`; returns their paths. */
export function writeExports(
  dir: string,
  records: readonly SourceRecord[],
  exportedAt = EXPORTED,
  tag = 'base',
): string[] {
  const byFamily = new Map<string, unknown[]>();
  for (const r of records) byFamily.set(r.family, [...(byFamily.get(r.family) ?? []), r.content]);
  return [...byFamily].map(([family, contents]) => {
    const path = join(dir, `${tag}-${family}.json`);
    writeFileSync(
      path,
      JSON.stringify({ family, familyVersion: 1, system: `${family}-source`, exportedAt, records: contents }),
    );
    return path;
  });
}

export const baselineExports = (dir: string) => writeExports(dir, baseline());

/** A later disclosure-register export: DR-9, a contractual notice open on the affected product. */
export const contractualNoticeExport = (dir: string, exportedAt = '2026-12-01T05:30:00.000Z') =>
  writeExports(
    dir,
    [register({ entryId: 'DR-9', obligation: 'contractual-notice', recordedAt: exportedAt })],
    exportedAt,
    `notice-${exportedAt.replace(/[^0-9]/g, '')}`,
  );
