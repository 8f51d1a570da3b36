import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: root });

async function restrictedImports(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('architecture walls are lint errors (STYLE.md)', () => {
  it.each([
    ['src/core/x.ts', "import { readFileSync } from 'node:fs';"],
    ['src/core/x.ts', "import Database from 'better-sqlite3';"],
    ['src/core/x.ts', "import { app } from 'electron';"],
    ['src/core/x.ts', "import * as p from 'pkcs11js';"],
    ['src/core/x.ts', "import { chromium } from 'playwright-core';"],
    ['src/core/x.ts', "import { ERROR_CATALOGUE } from '../shared/errors';"],
    ['src/shared/x.ts', "import { JournalVerifier } from '../core/journal/verify';"],
    ['src/shared/x.ts', "import { sha256 } from '../main/crypto';"],
    ['src/renderer/x.ts', "import { toHex } from '../core/bytes';"],
    ['src/renderer/features/a/x.tsx', "import { Station } from '../../../main/services/station';"],
    ['src/renderer/x.ts', "import { readFileSync } from 'node:fs';"],
    ['src/main/adapters/store/x.ts', "import { Station } from '../../services/station';"],
    ['src/main/adapters/store/x.ts', "import { x } from '../hsm/session';"],
    ['src/main/services/x.ts', "import { ipcMain } from 'electron';"],
    ['src/renderer/x.ts', "import { ipcRenderer } from 'electron';"],
  ])('%s: %s is refused', async (file, code) => {
    expect(await restrictedImports(file, code)).not.toEqual([]);
  });

  it.each([
    ['src/core/x.ts', "import { z } from 'zod';"],
    ['src/shared/x.ts', "import type { JournalVerdict } from '../core/journal/verify';"],
    ['src/renderer/x.ts', "import { contract } from '../shared/contract';"],
    ['src/main/services/x.ts', "import { JournalStore } from '../adapters/store/journal-store';"],
    ['src/main/ipc/electron-ipc.ts', "import type { IpcMain } from 'electron';"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await restrictedImports(file, code)).toEqual([]);
  });
});
