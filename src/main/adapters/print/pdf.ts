import { rmSync } from 'node:fs';
import { CodedError } from '../../../core/errors';
import { CHROMIUM_HEADLESS_FLAGS, CHROMIUM_OFFLINE_FLAGS, findChromium } from '../../platform/chromium';
import { writeExclusive } from '../../platform/durable';

/**
 * Print layouts to PDF with the system Chromium (print-to-PDF of an HTML print view, the same engine the
 * station's window uses). Offline flags keep the renderer from reaching anything; pages carry no
 * scripts. Each PDF is written durably to a new file, readable by its owner only (exactly 0600), never
 * over an existing one (OUTPUT_EXISTS). All or none: on any failure the PDFs this call wrote are removed
 * (a name that was taken is someone else's file and is left alone). `chromiumPath`: the configured
 * executable (StationConfig.chromium), else the system's.
 *
 * `footer`: Chromium's footer template for every page of that PDF (escaped HTML with inline styles;
 * `<span class="pageNumber">` and `<span class="totalPages">` are filled in by Chromium, which is the
 * only way a page can say "page X of Y" without scripts).
 */
export interface PrintPage {
  readonly html: string;
  readonly path: string;
  readonly footer?: string;
}

export async function renderPdfs(pages: readonly PrintPage[], chromiumPath: string | null): Promise<void> {
  const executablePath = findChromium(chromiumPath);
  if (!executablePath)
    throw new CodedError('DEVICE_ERROR', 'Chromium is needed to print PDFs (apt package chromium)', {});
  // Loaded on first use: playwright-core is large, and most station commands never print.
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath,
    args: [...CHROMIUM_HEADLESS_FLAGS, ...CHROMIUM_OFFLINE_FLAGS],
  });
  const written: string[] = [];
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    for (const p of pages) {
      const page = await context.newPage();
      await page.setContent(p.html, { waitUntil: 'load' });
      const pdf = await page.pdf({
        format: 'A4',
        printBackground: true,
        margin: { top: '18mm', bottom: p.footer ? '24mm' : '18mm', left: '16mm', right: '16mm' },
        ...(p.footer
          ? { displayHeaderFooter: true, headerTemplate: '<span></span>', footerTemplate: p.footer }
          : {}),
      });
      await page.close();
      writeExclusive(p.path, pdf, { mode: 0o600, field: 'out' });
      written.push(p.path);
    }
  } catch (e) {
    for (const path of written) rmSync(path, { force: true });
    throw e;
  } finally {
    await browser.close();
  }
}
