/**
 * The printable script is the file: every field of every step appears on a line that names the field
 * it comes from, in the file's order, with the value the file holds. The PDF renders this same model.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ceremonyScript, fieldPath, scriptText, type ScriptLine } from '../../../src/core/ceremony';
import { loadCeremonyFile } from '../../../src/main/adapters/ceremony';

const DIR = join(import.meta.dirname, '..', '..', '..', 'resources', 'ceremonies');
const EXAMPLES = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));

/** Every leaf value under a value, with its path. */
function leaves(value: unknown, path: (string | number)[]): [string, string][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
  }
  return [[fieldPath(path), String(value)]];
}

/** Whether a line's source covers a field path (is it, or an ancestor of it). */
const covers = (source: string | null, path: string) =>
  source !== null && (path === source || path.startsWith(`${source}.`) || path.startsWith(`${source}[`));

describe.each(EXAMPLES)('the script of %s', (name) => {
  const loaded = loadCeremonyFile(join(DIR, name));
  const script = ceremonyScript(loaded);
  const lines: ScriptLine[] = script.sections.flatMap((s) => s.lines);

  it('shows every step field of the file, with its value, on a line naming that field', () => {
    const missing = loaded.file.steps
      .flatMap((s, i) => leaves(s, ['steps', i]))
      .filter(
        ([path, value]) =>
          !lines.some((l) => covers(l.source, path) && `${l.label} ${l.text}`.includes(value)),
      );
    expect(missing).toEqual([]);
  });

  it('shows every participant, bag, device and key field too', () => {
    const { steps: _steps, ...rest } = loaded.file;
    const missing = Object.entries(rest)
      .filter(([k]) => k !== 'ceremony')
      .flatMap(([k, v]) => leaves(v, [k]))
      // A CSR subject is shown as its distinguished name (CN=…, O=…), which holds each attribute.
      .filter(
        ([path, value]) =>
          !lines.some((l) => covers(l.source, path) && `${l.label} ${l.text}`.includes(value)),
      );
    expect(missing).toEqual([]);
  });

  it('keeps the file order of the steps, each with a checkbox for its act and every condition', () => {
    const steps = script.sections.filter((s) => s.id.startsWith('step:'));
    expect(steps.map((s) => s.id)).toEqual(loaded.file.steps.map((s) => `step:${s.id}`));
    steps.forEach((section, i) => {
      const step = loaded.file.steps[i]!;
      const boxes = section.lines.filter((l) => l.kind === 'checkbox');
      const expected =
        step.preconditions.length + 1 + step.postconditions.length + (step.bags?.out.length ?? 0);
      expect(boxes).toHaveLength(expected);
      expect(section.lines.filter((l) => l.kind === 'signature')).toHaveLength(step.witnesses.count);
    });
  });

  it('heads the script with the digest of the exact file bytes, as hex and words', () => {
    const header = script.sections[0]!;
    expect(header.lines.find((l) => l.label === 'SHA-256')?.text).toBe(loaded.digest.sha256);
    expect(header.lines.find((l) => l.label === 'Words')?.text).toBe(loaded.digest.words.join(' '));
    const text = scriptText(script);
    expect(text).toContain(loaded.digest.sha256);
    expect(text.match(/^\[ \] /gm)?.length).toBe(lines.filter((l) => l.kind === 'checkbox').length);
  });
});
