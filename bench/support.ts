import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function benchDir(name: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `station-bench-${name}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export function rate(n: number, s: number): string {
  return `${Math.round(n / s).toLocaleString('en-US')}/s`;
}

/** The one closing line every bench prints (README: `ratio: X.XX (target ≥ Y)`). */
export function ratioLine(ratio: number, target: number): string {
  return `ratio: ${ratio.toFixed(2)} (target ≥ ${target.toFixed(2)})`;
}
