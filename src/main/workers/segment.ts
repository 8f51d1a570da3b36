import type { Sha256 } from '../../core/bytes';
import { SegmentVerifier, type SegmentResult } from '../../core/journal/verify';
import type { JournalReader } from '../adapters/store/journal-reader';

/** Verifies one seq range of the journal as the store holds it (used in-process and by each worker). */
export function verifySegment(
  reader: JournalReader,
  sha256: Sha256,
  fromSeq: number,
  toSeq: number,
  watch: ReadonlySet<number>,
  collect: ReadonlySet<string> = new Set(),
): SegmentResult {
  const seg = new SegmentVerifier(sha256, fromSeq, toSeq, watch, collect);
  try {
    for (const row of reader.rows(fromSeq, toSeq)) if (!seg.push(row)) break;
  } catch (e) {
    // A damaged page, or a row whose columns are not of the types the station wrote (STORE_ROW_INVALID
    // from the reader's schema), is evidence, not a crash: the first seq that could not be read is reported.
    const code = (e as { code?: unknown }).code;
    if (code !== 'SQLITE_CORRUPT' && code !== 'SQLITE_NOTADB' && code !== 'STORE_ROW_INVALID') throw e;
    seg.unreadable((e as Error).message);
  }
  return seg.finish();
}
