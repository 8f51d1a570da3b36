import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { tempDir } from '../helpers/temp';

/**
 * Release hardening that cannot run here (no Electron runtime, packaging needs the network) is held as
 * configuration: electron-builder.yml, the fuse hook it names, and the shell's start-up. Each check
 * fails when the setting it guards is missing.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
const config = parse(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as {
  asar?: boolean;
  asarUnpack?: string[];
  afterPack?: string;
  files?: string[];
  extraMetadata?: { main?: string };
};

interface FuseHook {
  STATION_FUSES: Record<string, boolean>;
  applyStationFuses(binary: string): Promise<Record<number, number>>;
}
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const ON = 0x31;
const OFF = 0x30;

/** A stand-in for the Electron binary: bytes around a fuse wire with Electron's default settings. */
function standInBinary(): string {
  const wire = Buffer.from([1, 9, ON, OFF, ON, ON, OFF, OFF, OFF, OFF, ON]);
  const path = join(tempDir(), 'electron');
  writeFileSync(path, Buffer.concat([randomBytes(4096), Buffer.from(SENTINEL), wire, randomBytes(4096)]));
  return path;
}

describe('packaging hardening (electron-builder.yml and the fuse hook)', () => {
  const hook = require(join(ROOT, config.afterPack ?? 'missing-afterPack')) as FuseHook;

  it('names an afterPack hook that sets every release fuse', () => {
    expect(config.afterPack).toBe('scripts/electron-after-pack.cjs');
    expect(hook.STATION_FUSES).toMatchObject({
      RunAsNode: false,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      OnlyLoadAppFromAsar: true,
      EnableEmbeddedAsarIntegrityValidation: true,
    });
  });

  it('the hook flips the fuses in a binary and reads them back (RunAsNode, NODE_OPTIONS, inspect off; asar only, integrity on)', async () => {
    const binary = standInBinary();
    const wire = await hook.applyStationFuses(binary);
    // FuseV1Options: 0 RunAsNode, 2 NodeOptions, 3 inspect, 4 asar integrity, 5 only asar.
    expect([wire[0], wire[2], wire[3], wire[4], wire[5]]).toEqual([OFF, OFF, OFF, ON, ON]);
    // A fuse this version of @electron/fuses does not know keeps Electron's own setting.
    expect(wire[8]).toBe(ON);
  });

  it('the hook fails packaging on a binary without a fuse wire instead of shipping it unfused', async () => {
    const path = join(tempDir(), 'not-electron');
    writeFileSync(path, randomBytes(8192));
    await expect(hook.applyStationFuses(path)).rejects.toThrow(/sentinel/);
  });

  it('keeps all main-process code inside app.asar: only native addons and worker bundles are unpacked', () => {
    expect(config.asar).toBe(true);
    expect(config.files).toContain('dist/**');
    expect(config.extraMetadata?.main).toBe('dist/node/electron.js');
    const allowed = ['**/*.node', 'dist/workers/**', 'node_modules/pdfjs-dist/**'];
    for (const pattern of config.asarUnpack ?? []) expect(allowed, pattern).toContain(pattern);
    expect(config.asarUnpack).toContain('**/*.node');
    expect(config.asarUnpack).not.toContain('dist/node/**');
  });

  it('the Electron entry goes through the single-instance shell, and DevTools depend on the build being unpackaged', () => {
    const file = join(ROOT, 'src', 'main', 'app', 'electron-main.ts');
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const calls: string[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) calls.push(node.expression.getText(source));
      ts.forEachChild(node, visit);
    };
    visit(source);
    expect(calls).toContain('runShell');
    expect(calls).toContain('secureWindowOptions');
    // The window factory is only called inside the shell's openStation, after the lock is held.
    expect(calls).not.toContain('app.requestSingleInstanceLock');
  });
});
