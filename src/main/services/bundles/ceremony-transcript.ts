import { assertActor } from '../../../core/journal/events';
import type { Station } from '../../station/station';
import { ceremonyTranscriptPlan, transcriptPdf } from '../ceremonies';
import type { JobProgress } from '../jobs';
import { exportBundle, type ExportResult } from './bundles';

/** Progress nobody watches (the CLI passes its own). */
const quiet: JobProgress = { phase: () => undefined, add: () => undefined };

/**
 * `station ceremony bundle RUN`: one ceremony run's signed `ceremony-transcript` bundle on a removable
 * volume (docs/ceremonies.md, "Transcript"), signed by the station identity on its token. The run's
 * files are re-hashed first, so a changed file refuses the export (CEREMONY_FILE_CHANGED, naming it)
 * before the transcript is printed or the PIN is used; then the transcript PDF is printed for it (unless
 * `pdf: false`) and the bundle is exported, read back and verified like every other.
 */
export async function exportCeremonyTranscript(
  station: Station,
  input: { runId: string; volume?: string | undefined; pdf?: boolean; pin: string; actor: string },
  progress: JobProgress = quiet,
  signal?: AbortSignal,
): Promise<ExportResult> {
  assertActor(input.actor);
  station.assertWritable();
  ceremonyTranscriptPlan(station, input.runId);
  progress.phase('printing the transcript', 1);
  const pdf = input.pdf === false ? undefined : await transcriptPdf(station, input.runId);
  return exportBundle(
    station,
    {
      kind: 'ceremony-transcript',
      runId: input.runId,
      ...(pdf ? { transcriptPdf: pdf } : {}),
      ...(input.volume !== undefined ? { volume: input.volume } : {}),
      pin: input.pin,
      actor: input.actor,
    },
    progress,
    signal,
  );
}
