/** PDF text extraction with pdf.js: no script evaluation, no fonts, bounded pages and text. */
export interface PdfJob {
  readonly path: string;
  readonly maxPages: number;
  readonly maxText: number;
}

export async function extractPdfText(
  data: Uint8Array,
  limits: { maxPages: number; maxText: number },
): Promise<{ pages: number; pagesRead: number; text: string }> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({
    data,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: true,
    verbosity: 0,
  }).promise;
  try {
    const pages = doc.numPages;
    if (pages > limits.maxPages) throw new Error(`the PDF has ${pages} pages (limit ${limits.maxPages})`);
    const parts: string[] = [];
    let length = 0;
    let pagesRead = 0;
    // Pages after the text limit are not read; the count lets the summary say so.
    for (let n = 1; n <= pages && length <= limits.maxText; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      const text = content.items.map((i) => ('str' in i ? i.str + (i.hasEOL ? '\n' : '') : '')).join('');
      parts.push(text);
      length += text.length;
      page.cleanup();
      pagesRead = n;
    }
    return { pages, pagesRead, text: parts.join('\n') };
  } finally {
    await doc.destroy();
  }
}
