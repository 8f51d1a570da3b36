import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { RunMode } from '../../../core/ceremony/run';
import { journalTime } from '../../../core/journal/events';
import type { View } from '../../../shared/contract';
import type { Station } from '../../station/station';
import { listedCeremonyFile } from './queries';
import { startRun } from './runs';

/**
 * The console's way into a run (contract/ceremonies.ts): the window names a ceremony file the station
 * listed on media, never a path of its choosing, and the run's outputs go to a new folder of the run
 * under the station's data directory (outputs are never overwritten).
 */
export function startConsoleRun(
  station: Station,
  input: { path: string; mode: RunMode; pin?: string | undefined; actor: string },
): View<'ceremonyStart'> {
  const file = listedCeremonyFile(station, input.path);
  const stamp = journalTime(station.deps.clock()).replace(/[^0-9]/g, '').slice(0, 14);
  const outDir = join(
    station.dataDir,
    'ceremony-outputs',
    `${stamp}-${input.mode}-${randomBytes(4).toString('hex')}`,
  );
  const r = startRun(station, {
    file,
    mode: input.mode,
    outDir,
    scratchPin: input.pin,
    actor: input.actor,
  });
  return { runId: r.runId, fileDigest: r.fileDigest, words: [...r.words], outDir };
}
