import type { View } from '../../../shared/contract';
import { stationError } from '../../errors';
import type { Station } from '../../station/station';
import type { JobRegistry } from '../jobs';
import { approvalRefusals, importApproval } from './approvals';
import {
  evidenceFiles,
  exportBundle,
  importBundle,
  mediaFiles,
  mediaRefusals,
  type ExportRequest,
} from './bundles';
import { exportCeremonyTranscript } from './ceremony-transcript';

/**
 * Removable media as the UI and the CLI use it: files on the listed volumes, their import, the refusals
 * on record, and the export job (src/shared/contract/bundles.ts).
 */

/**
 * The renderer may name only files the station itself listed on a removable volume (`mediaFiles`, or
 * `packetEvidenceFiles` for evidence): a path it makes up — a file elsewhere on the machine — is refused
 * here before anything reads it, and a listed input passes through unchanged. Without a kind, any listed
 * bundle or approval file. The CLI, run by the operator, names files itself and is not held to this.
 */
export function listedOnMedia<I extends { readonly path: string }>(
  station: Station,
  input: I,
  kind?: 'bundle' | 'approval' | 'evidence',
): I {
  const listed =
    kind === 'evidence'
      ? evidenceFiles(station).some((f) => f.path === input.path)
      : mediaFiles(station).some((f) => f.path === input.path && (kind === undefined || f.type === kind));
  if (!listed)
    throw stationError(
      'BUNDLE_NOT_FOUND',
      `${input.path} is not ${kind === 'evidence' ? 'an evidence' : kind ? `a ${kind}` : 'a bundle or approval'} file on a listed volume`,
      { field: 'path' },
    );
  return input;
}

/**
 * Imports a file from media by what its name says it is, the rule the media listing uses: an
 * `*.approval.json` is a reviewer's approval, anything else a bundle. Staged and verified before use.
 */
export async function importMediaFile(
  station: Station,
  input: { path: string; actor: string },
): Promise<View<'mediaImport'>> {
  return input.path.endsWith('.approval.json')
    ? { type: 'approval', approval: await importApproval(station, input.path, input.actor) }
    : { type: 'bundle', bundle: await importBundle(station, input.path, input.actor) };
}

/** Bundle and approval files the station refused, newest first, each with its code and check ID. */
export function mediaRefusalsView(station: Station): View<'mediaRefusals'> {
  return { bundles: mediaRefusals(station), approvals: approvalRefusals(station) };
}

/**
 * Starts a signed export as a job (one login: checkpoint and signature) and answers at once with its id;
 * progress, the result or the refusal are read with the job's status.
 */
export function startBundleExport(
  station: Station,
  jobs: JobRegistry,
  input: Omit<ExportRequest, 'evidence' | 'title' | 'packetVersion'>,
): View<'bundleExportStart'> {
  // A ceremony run's transcript is printed for its bundle first (docs/ceremonies.md, "Transcript").
  if (input.kind === 'ceremony-transcript') {
    const runId = input.runId;
    if (runId === undefined)
      throw stationError('INVALID_INPUT', 'name the ceremony run whose transcript to export', {
        field: 'runId',
      });
    return {
      jobId: jobs.start('bundle-export', (progress, signal) =>
        exportCeremonyTranscript(
          station,
          { runId, volume: input.volume, pin: input.pin, actor: input.actor },
          progress,
          signal,
        ),
      ),
    };
  }
  return {
    jobId: jobs.start('bundle-export', (progress, signal) => exportBundle(station, input, progress, signal)),
  };
}
