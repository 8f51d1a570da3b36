import { useCallback, useEffect, useReducer, useState } from 'react';
import type { IssuedView, MediaView, Output, TrustEntryView } from '../../../shared/contract';
import { useStation } from '../../app/store';
import { Badge } from '../../components/Badge';
import { ExportPanel } from './ExportPanel';
import { TrustPanel } from './TrustPanel';

type MediaFile = Output<'mediaFiles'>[number];
type Refusals = Output<'mediaRefusals'>;

const MEDIA_WORD: Record<MediaView['state'], string> = {
  ready: 'READY',
  'no-device': 'MISSING',
  'several-devices': 'HOLD',
  'read-only': 'READ-ONLY',
  'not-enough-space': 'HOLD',
};
const MEDIA_TEXT: Record<MediaView['state'], string> = {
  ready: 'one writable volume',
  'no-device': 'no removable volume mounted',
  'several-devices': 'several volumes: pick one explicitly',
  'read-only': 'the volume is read-only',
  'not-enough-space': 'not enough free space',
};

/**
 * Bundles & Approvals: removable media, signed export with progress and read-back verification, import
 * of bundles and approvals from media, issued packets with their approvals and missing roles, and the
 * trust store.
 */
export function BundlesView() {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const refreshJournal = useStation((s) => s.verify);
  const [media, setMedia] = useState<Output<'mediaVolumes'> | null>(null);
  const [files, setFiles] = useState<MediaFile[]>([]);
  const [issued, setIssued] = useState<IssuedView[]>([]);
  const [trust, setTrust] = useState<TrustEntryView[]>([]);
  const [refusals, setRefusals] = useState<Refusals>({ bundles: [], approvals: [] });
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const [version, reload] = useReducer((n: number) => n + 1, 0);

  useEffect(() => {
    if (!api) return;
    let live = true;
    void Promise.all([
      api.mediaVolumes({}),
      api.mediaFiles({}),
      api.bundleIssued({}),
      api.trustList({}),
      api.mediaRefusals({}),
    ]).then(([m, f, i, t, r]) => {
      if (!live) return;
      for (const x of [m, f, i, t, r]) if (!x.ok) return showError(x.error);
      if (m.ok) setMedia(m.value);
      if (f.ok) setFiles(f.value);
      if (i.ok) setIssued(i.value);
      if (t.ok) setTrust(t.value);
      if (r.ok) setRefusals(r.value);
    });
    return () => {
      live = false;
    };
  }, [api, showError, version]);

  const changed = useCallback(async () => {
    reload();
    await refreshJournal();
  }, [refreshJournal]);

  const importFile = async (f: MediaFile) => {
    if (!api) return;
    setOutcome(null);
    const r = await api.mediaImport({ path: f.path });
    if (!r.ok) {
      setOutcome({ ok: false, text: `${f.name} (${r.error.code}): ${r.error.message}` });
    } else if (r.value.type === 'approval') {
      const a = r.value.approval;
      setOutcome({
        ok: true,
        text: `${f.name}: approval by ${a.reviewer} as ${a.role} (${a.decision}) accepted for ${a.packetId} v${a.packetVersion}; missing roles: ${a.status.missingRoles.join(', ') || 'none'}`,
      });
    } else {
      const b = r.value.bundle;
      setOutcome({
        ok: true,
        text: `${f.name}: ${b.bundleKind} ${b.packetId} v${b.version} from ${b.signer} verified and imported (${b.files.length} files)`,
      });
    }
    await changed();
  };

  return (
    <main className="main" aria-labelledby="bundles-title">
      <h1 id="bundles-title">Bundles &amp; Approvals</h1>

      <section className="module" aria-label="Removable media">
        <h2>Removable media</h2>
        {media ? (
          <>
            <p>
              <Badge word={MEDIA_WORD[media.state]} detail={MEDIA_TEXT[media.state]} large />{' '}
              <button type="button" onClick={reload}>
                Look again
              </button>
            </p>
            <ul className="plain" aria-label="Volumes">
              {media.volumes.map((v) => (
                <li key={v.path}>
                  <Badge word={v.state.toUpperCase()} tone={v.state === 'ready' ? 'good' : 'warn'} />{' '}
                  <code>{v.path}</code>{' '}
                  <span className="muted">
                    {v.source === 'configured' ? 'rehearsal folder (STATION_MEDIA_DIRS)' : v.device} ·{' '}
                    {v.detail}
                  </span>
                </li>
              ))}
            </ul>
            {media.removedPartials.length > 0 && (
              <p role="status" aria-label="Interrupted exports removed">
                This scan removed {media.removedPartials.length} fragment
                {media.removedPartials.length === 1 ? '' : 's'} of an interrupted export by this station
                (journaled):{' '}
                {media.removedPartials.map((r) => `${r.name} (${r.size} bytes, ${r.volume})`).join('; ')}
              </p>
            )}
          </>
        ) : (
          <p className="muted">Looking for volumes…</p>
        )}
      </section>

      <ExportPanel media={media} onDone={changed} />

      <section className="module" aria-label="Issued bundles">
        <h2>Issued bundles and their approvals</h2>
        {issued.length === 0 ? <p className="muted">Nothing exported yet.</p> : null}
        {issued.slice(0, 50).map((v) => (
          <article
            key={`${v.packetId}-${v.version}`}
            className="issued"
            aria-label={`${v.packetId} version ${v.version}`}
          >
            <h3>
              {v.packetId} v{v.version} {v.current ? null : <Badge word="SUPERSEDED" />}
            </h3>
            <p className="muted">
              {v.title} · {v.fileName} · digest <code>{v.digest.slice(0, 16)}…</code> {v.words.join(' ')}
            </p>
            <ul className="plain" aria-label="Required roles">
              {v.requiredRoles.map((role) => (
                <li key={role}>
                  {v.status.satisfiedRoles.includes(role) ? (
                    <Badge word="SATISFIED" check="APR-ROLE" />
                  ) : v.status.objections.includes(role) ? (
                    <Badge word="HOLD" detail="objection" check="APR-ROLE" />
                  ) : (
                    <Badge word="MISSING" check="APR-ROLE" />
                  )}{' '}
                  {role}
                </li>
              ))}
            </ul>
            <table className="grid" aria-label="Approvals">
              <thead>
                <tr>
                  <th scope="col">Reviewer</th>
                  <th scope="col">Role</th>
                  <th scope="col">Decision</th>
                  <th scope="col">Sequence</th>
                  <th scope="col">Expires</th>
                </tr>
              </thead>
              <tbody>
                {v.status.approvals.map((a) => (
                  <tr key={a.seq}>
                    <td>{a.reviewer}</td>
                    <td>{a.role}</td>
                    <td>
                      <Badge
                        word={a.decision.toUpperCase()}
                        tone={a.decision === 'approve' ? 'good' : 'warn'}
                      />
                      {a.comment ? <div className="muted">{a.comment}</div> : null}
                    </td>
                    <td>{a.sequence}</td>
                    <td>{a.expired ? <Badge word="EXPIRED" /> : a.expiresAt}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </article>
        ))}
      </section>

      <section className="module" aria-label="Import from media">
        <h2>Import from media</h2>
        <p className="muted">
          Each file is copied into private staging, its signature checked against the trust store before any
          content is read, then every file digest. Only the staged copy is used.
        </p>
        <ul className="plain" aria-label="Files on media">
          {files.map((f) => (
            <li key={f.path}>
              <code>{f.name}</code>{' '}
              <span className="muted">
                ({f.type}, {f.size} bytes)
              </span>{' '}
              <button type="button" onClick={() => void importFile(f)} aria-label={`Import ${f.name}`}>
                Import
              </button>
            </li>
          ))}
          {files.length === 0 ? (
            <li className="muted">No bundle or approval files on the listed volumes.</li>
          ) : null}
        </ul>
        {outcome ? (
          <p role="status" className={outcome.ok ? 'outcome-good' : 'outcome-bad'}>
            <Badge word={outcome.ok ? 'VERIFIED' : 'REFUSED'} /> {outcome.text}
          </p>
        ) : null}
        {refusals.bundles.length + refusals.approvals.length > 0 ? (
          <details>
            <summary>Refused from media ({refusals.bundles.length + refusals.approvals.length})</summary>
            <ul className="plain" aria-label="Refusals">
              {refusals.bundles.map((r) => (
                <li key={r.seq}>
                  <Badge word="REFUSED" check={r.check ?? undefined} /> <code>{r.code}</code> {r.fileName}:{' '}
                  {r.detail}
                </li>
              ))}
              {refusals.approvals.map((r) => (
                <li key={r.seq}>
                  <Badge word="REFUSED" check={r.check ?? undefined} /> <code>{r.code}</code> approval
                  {r.packetId ? ` for ${r.packetId}` : ''}: {r.detail}
                </li>
              ))}
            </ul>
          </details>
        ) : null}
      </section>

      <TrustPanel entries={trust} files={files.filter((f) => f.type === 'bundle')} onDone={changed} />
    </main>
  );
}
