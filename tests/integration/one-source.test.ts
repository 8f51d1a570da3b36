import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Source files of src/, except this module and tests. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [p] : [];
  });
}

describe('one source', () => {
  it('no module outside src/core/schema.ts declares the ISO-time, SHA-256 or UUID grammar again', () => {
    const src = join(__dirname, '..', '..', 'src');
    const patterns = [
      /\\d\{4\}-\\d\{2\}-\\d\{2\}T\\d\{2\}/, // ISO date-time regex
      /\[0-9a-f\]\{64\}/, // SHA-256 hex regex
      /\[0-9a-f\]\{8\}-\[0-9a-f\]\{4\}/, // UUID regex
    ];
    // Not declarations of these primitives: a partial-file name embeds a UUID inside a longer file-name
    // grammar, and the renderer reads a 32-byte session ticket (not a digest) from its URL fragment.
    const allowed = new Set([
      'core/schema.ts',
      'main/adapters/media/partials.ts',
      'renderer/bridge/station.ts',
    ]);
    const offenders = sources(src)
      .filter((f) => !allowed.has(relative(src, f)))
      .filter((f) => {
        const text = readFileSync(f, 'utf8');
        return patterns.some((p) => p.test(text));
      })
      .map((f) => relative(src, f));
    expect(offenders).toEqual([]);
  });

  it('a string grammar (`.regex(`) is declared in core/schema.ts, or in a file allowed here for its reason', () => {
    const src = join(__dirname, '..', '..', 'src');
    // Each entry: grammars only this file uses, none of them a primitive another module also checks.
    const allowed: Record<string, string> = {
      'core/schema.ts': 'the home of the shared primitives',
      'main/config.ts': 'environment text read as a whole number, before it becomes a StationConfig',
      'main/adapters/hsm/profiles.ts': "a module profile's id in the station's own profile table",
      'core/packet/model.ts': "a packet evidence item's id: the packet model is its one home",
      'core/hsm/csr-request.ts': "a CSR's X.509 subject attributes (common name, email, country)",
      'core/hsm/key-spec.ts': 'the CKA_LABEL of a key the station generates',
      'core/findings/policy/authority-matrix.ts':
        "an authority matrix's own lane, decision and rule ids (PSC-T1): the matrix is their one home",
    };
    const offenders = sources(src)
      .map((f) => relative(src, f))
      .filter((f) => !(f in allowed) && /\.regex\(/.test(readFileSync(join(src, f), 'utf8')));
    expect(offenders).toEqual([]);
    // An allow-list entry for a file that no longer declares a grammar is stale: drop it.
    const stale = Object.keys(allowed).filter((f) => !/\.regex\(/.test(readFileSync(join(src, f), 'utf8')));
    expect(stale).toEqual([]);
  });

  /** Files under src/ (relative) whose text matches `pattern`, other than `home`. */
  const writers = (pattern: RegExp, home: string): string[] => {
    const src = join(__dirname, '..', '..', 'src');
    return sources(src)
      .map((f) => relative(src, f))
      .filter((f) => f !== home && pattern.test(readFileSync(join(src, f), 'utf8')));
  };

  it('a zod error is put into words only by core/validate.ts (firstIssue)', () => {
    expect(writers(/\.issues\[0\]/, 'core/validate.ts')).toEqual([]);
  });

  it('HTML is escaped only by core/html.ts', () => {
    expect(writers(/replace\(\/\[?&/, 'core/html.ts')).toEqual([]);
    expect(writers(/['"`]&(amp|lt|quot);/, 'core/html.ts')).toEqual([]);
  });

  it('a quorum operation text is written only by core/custody/operation.ts', () => {
    expect(
      writers(
        /`(ceremony-keygen|ceremony-sign|roster-change|packet-stop-clear|ceremony-presence):[^`\n]*\$\{|(ceremony-keygen|ceremony-sign|roster-change|packet-stop-clear|ceremony-presence):\{/,
        'core/custody/operation.ts',
      ),
    ).toEqual([]);
  });
});
