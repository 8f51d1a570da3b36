import { openSync, writeSync, fsyncSync, closeSync } from 'node:fs';
import { CodedError } from '../../../core/errors';
import { CHROMIUM_HEADLESS_FLAGS, CHROMIUM_OFFLINE_FLAGS, findChromium } from '../../platform/chromium';

/**
 * Print layouts to PDF with the system Chromium (print-to-PDF of an HTML print view, the same engine the
 * station's window uses). Offline flags keep the renderer from reaching anything; pages carry no
 * scripts. Each PDF is written to a new file (never overwritten) and fsynced. `chromiumPath`: the
 * configured executable (StationConfig.chromium), else the system's.
 */
export async function renderPdfs(
  pages: readonly { html: string; path: string }[],
  chromiumPath: string | null,
): Promise<void> {
  const executablePath = findChromium(chromiumPath);
  if (!executablePath)
    throw new CodedError('DEVICE_ERROR', 'Chromium is needed to print PDFs (apt package chromium)', {});
  // Loaded on first use: playwright-core is large, and most station commands never print.
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath,
    args: [...CHROMIUM_HEADLESS_FLAGS, ...CHROMIUM_OFFLINE_FLAGS],
  });
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    for (const p of pages) {
      const page = await context.newPage();
      await page.setContent(p.html, { waitUntil: 'load' });
      const pdf = await page.pdf({
        format: 'A4',
        printBackground: true,
        margin: { top: '18mm', bottom: '18mm', left: '16mm', right: '16mm' },
      });
      await page.close();
      writeNew(p.path, pdf);
    }
  } finally {
    await browser.close();
  }
}

function writeNew(path: string, data: Buffer): void {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      throw new CodedError('OUTPUT_EXISTS', `${path} already exists`, { field: 'out', path });
    throw e;
  }
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
