import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { JobView, MediaView, Output } from '../../../shared/contract';
import { useStation } from '../../app/store';
import { Badge } from '../../components/Badge';
import { Digest } from '../../components/Digest';
import { PinField, takePin } from '../../components/PinField';

type Kind = 'journal-segment' | 'custody-report' | 'identity' | 'packet' | 'ceremony-transcript';
type Preview = Output<'bundleExportPreview'>;
const KINDS: { kind: Kind; label: string }[] = [
  { kind: 'custody-report', label: 'Custody report' },
  { kind: 'journal-segment', label: 'Journal segment' },
  { kind: 'identity', label: 'Station identity (for reviewers to trust this station)' },
];

/**
 * Export: shows exactly what will be written, then one PIN entry signs; progress until verified. With
 * `packetId` it exports that governance packet's latest handed-off version, with `ceremonyRunId` that
 * ceremony run's transcript (no kind to choose either way).
 */
export function ExportPanel(props: {
  media: MediaView | null;
  onDone: () => Promise<void>;
  packetId?: string;
  ceremonyRunId?: string;
}) {
  const { onDone, packetId, ceremonyRunId } = props;
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  // The export signs on the station token: without it the form waits, saying why (no PIN to waste).
  const hsm = useStation((s) => s.info?.hsm);
  const tokenHold =
    hsm === undefined
      ? null
      : hsm === null
        ? 'no station token'
        : hsm.status === 'PRESENT' || hsm.status === 'BUSY'
          ? null
          : `station token ${hsm.status.toLowerCase()}`;
  const [chosenKind, setKind] = useState<Kind>('custody-report');
  const kind: Kind = packetId ? 'packet' : ceremonyRunId ? 'ceremony-transcript' : chosenKind;
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [volume, setVolume] = useState('');
  const [job, setJob] = useState<JobView | null>(null);
  const pin = useRef<HTMLInputElement>(null);
  const ready = props.media?.volumes.filter((v) => v.state === 'ready') ?? [];
  const chosen = ready.some((v) => v.path === volume) ? volume : (ready[0]?.path ?? '');

  useEffect(() => {
    if (!api) return;
    let live = true;
    void api.bundleExportPreview({ kind, packetId, runId: ceremonyRunId }).then((r) => {
      if (!live) return;
      setPreview(r.ok ? r.value : null);
      setPreviewError(r.ok ? null : `${r.error.code}: ${r.error.message}`);
    });
    return () => {
      live = false;
    };
  }, [api, kind, packetId, ceremonyRunId, showError, job?.state]);

  useEffect(() => {
    if (!api || !job || job.state !== 'running') return;
    const timer = setInterval(() => {
      void api.jobStatus({ jobId: job.jobId }).then((r) => {
        if (!r.ok) return showError(r.error);
        setJob(r.value);
        if (r.value.state !== 'running') void onDone();
      });
    }, 250);
    return () => clearInterval(timer);
  }, [api, job, onDone, showError]);

  const start = async (e: FormEvent) => {
    e.preventDefault();
    if (!api) return;
    const r = await api.bundleExportStart({
      kind,
      packetId,
      runId: ceremonyRunId,
      volume: chosen,
      pin: takePin(pin),
    });
    if (!r.ok) return showError(r.error);
    setJob({
      jobId: r.value.jobId,
      kind: 'bundle-export',
      state: 'running',
      phase: 'starting',
      done: 0,
      total: 0,
      result: null,
      error: null,
    });
  };
  const cancel = async () => {
    if (!api || !job) return;
    const r = await api.jobCancel({ jobId: job.jobId });
    if (!r.ok) showError(r.error);
  };

  const running = job?.state === 'running';
  const pct = job && job.total > 0 ? Math.min(100, Math.round((job.done / job.total) * 100)) : 0;
  return (
    <section className="module" aria-label="Export a bundle">
      <h2>Export a signed bundle{packetId || ceremonyRunId ? ' for the reviewers' : ''}</h2>
      <form className="act-form" aria-label="Export" onSubmit={(e) => void start(e)}>
        {packetId || ceremonyRunId ? null : (
          <label className="field">
            <span>What to export</span>
            <select value={kind} onChange={(e) => setKind(e.target.value as Kind)} disabled={running}>
              {KINDS.map((k) => (
                <option key={k.kind} value={k.kind}>
                  {k.label}
                </option>
              ))}
            </select>
          </label>
        )}
        {previewError ? <p className="muted">{previewError}</p> : null}
        {preview ? (
          <div role="group" aria-label="What will be written">
            <p>
              Writes <code>{preview.fileName}</code>: {preview.packetId} version {preview.version}, signed by
              this station&rsquo;s identity key after a checkpoint over the journal head. Approvals needed
              from: {preview.requiredRoles.join(', ') || 'none'}.
            </p>
            <ul className="plain">
              {preview.files.map((f) => (
                <li key={f.name}>
                  <code>{f.name}</code> <span className="muted">(about {f.size} bytes)</span>
                </li>
              ))}
              <li>
                <code>bundle.dsse.json</code> <span className="muted">(the signature envelope)</span>
              </li>
            </ul>
          </div>
        ) : null}
        <label className="field">
          <span>Volume</span>
          <select value={chosen} onChange={(e) => setVolume(e.target.value)} disabled={running} required>
            {ready.length === 0 ? <option value="">no ready volume</option> : null}
            {ready.map((v) => (
              <option key={v.path} value={v.path}>
                {v.label} — {v.path}
              </option>
            ))}
          </select>
        </label>
        {tokenHold ? (
          <p role="status">
            <Badge word="HOLD" detail={tokenHold} check="JNL-IDENTITY" /> The bundle is signed with the
            station token: present it first.
          </p>
        ) : null}
        <PinField inputRef={pin} label="Station token PIN" disabled={running || tokenHold !== null} />
        <div className="actions">
          <button
            type="submit"
            className="primary"
            disabled={running || ready.length === 0 || !preview || tokenHold !== null}
            title={
              tokenHold ??
              (ready.length === 0
                ? 'No removable volume is ready to write to'
                : !preview
                  ? 'Waiting for the export preview'
                  : undefined)
            }
          >
            Sign, write and verify
          </button>
          {running ? (
            <button type="button" onClick={() => void cancel()}>
              Cancel
            </button>
          ) : null}
        </div>
        {job ? (
          <div role="status" aria-label="Export progress">
            {running ? (
              <>
                <progress max={100} value={pct} aria-label={`${job.phase} ${pct}%`} /> {job.phase} — {pct}%
              </>
            ) : null}
            {job.state === 'done' && job.result ? (
              <>
                <p>
                  <Badge word="VERIFIED" detail="read back from the media" /> {job.result.path} (
                  {job.result.sizeBytes} bytes)
                </p>
                <Digest
                  label="Bundle digest (what reviewers approve)"
                  hex={job.result.digest}
                  words={job.result.words}
                />
              </>
            ) : null}
            {job.state === 'failed' || job.state === 'cancelled' ? (
              <p>
                <Badge word={job.state === 'cancelled' ? 'HOLD' : 'FAILED'} /> {job.error?.code}:{' '}
                {job.error?.message}
              </p>
            ) : null}
          </div>
        ) : null}
      </form>
    </section>
  );
}
