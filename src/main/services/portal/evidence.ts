import { assertActor } from '../../../core/journal/events';
import type { Station } from '../../station/station';
import { exportBundle, type ExportResult } from '../bundles';
import type { JobProgress } from '../jobs';
import { assertOnline } from './submit';

/** Progress nobody watches (the IPC act answers when the bundle is written and read back). */
const quiet: JobProgress = { phase: () => undefined, add: () => undefined };

/**
 * `station portal evidence` and the Portal view's "Export the evidence bundle": one run's signed
 * `portal-evidence` bundle on a removable volume (the run, its approval trace, its masked screenshots
 * re-hashed against the journal, the journal segment and its signed checkpoint), signed by the station
 * identity on its token. A screenshot that is not the one the journal cites refuses the export
 * (PORTAL_EVIDENCE_TAMPERED, naming the file) before the PIN is used.
 */
export async function exportPortalEvidence(
  station: Station,
  input: { runId: string; volume?: string | undefined; pin: string; actor: string },
  progress: JobProgress = quiet,
): Promise<ExportResult> {
  assertActor(input.actor);
  assertOnline(station);
  return exportBundle(
    station,
    {
      kind: 'portal-evidence',
      runId: input.runId,
      ...(input.volume !== undefined ? { volume: input.volume } : {}),
      pin: input.pin,
      actor: input.actor,
    },
    progress,
  );
}
