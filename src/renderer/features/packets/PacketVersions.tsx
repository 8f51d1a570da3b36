import { useEffect, useState, type FormEvent } from 'react';
import type { MediaView, Output, PacketView } from '../../../shared/contract';
import { useStation } from '../../app/store';
import { Badge } from '../../components/Badge';
import { useConfirmedAct } from '../../components/ConfirmAct';
import { Digest } from '../../components/Digest';
import { ExportPanel } from '../bundles/ExportPanel';

type Change = Output<'packetDiff'>[number];

/**
 * Versions (append-only, with their digests), the diff between two, the handoff to named reviewers,
 * a printable PDF, and the signed export for the board.
 */
export function PacketVersions({
  packet,
  onChanged,
}: {
  packet: PacketView;
  onChanged: () => Promise<void>;
}) {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const { draft, versions, handoffs } = packet;
  const latest = versions.at(-1) ?? null;
  const stopped = packet.stops.some((s) => s.cleared === null);
  const [diff, setDiff] = useState<{ from: number; to: number; changes: Change[] } | null>(null);
  const [printed, setPrinted] = useState<Output<'packetPrint'> | null>(null);
  const [media, setMedia] = useState<MediaView | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!api) return;
    void api.mediaVolumes({}).then((r) => (r.ok ? setMedia(r.value) : showError(r.error)));
  }, [api, showError, handoffs.length]);

  const recordAct = useConfirmedAct('packetRecordVersion', { onDone: onChanged });
  const handoffAct = useConfirmedAct('packetHandoff', { onDone: onChanged });
  const showDiff = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!api) return;
    const d = new FormData(e.currentTarget);
    const from = Number(d.get('from'));
    const to = Number(d.get('to'));
    const r = await api.packetDiff({ packetId: draft.packetId, from, to });
    if (!r.ok) return showError(r.error);
    setDiff({ from, to, changes: r.value });
  };
  const handoff = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const d = new FormData(form);
    // A derived packet: each checked blocking finding, named by check ID and subject as the service expects.
    const acknowledge = d.getAll('finding').map((v) => {
      const [checkId = '', subject = ''] = String(v).split('\u0000');
      return { checkId, subject };
    });
    await handoffAct.ask(
      {
        packetId: draft.packetId,
        ...(packet.derived ? { acknowledge } : { acknowledgeBlockers: d.get('acknowledge') === 'on' }),
      },
      form,
    );
  };
  const print = async () => {
    if (!api) return;
    setBusy(true);
    const r = await api.packetPrint({ packetId: draft.packetId });
    setBusy(false);
    if (!r.ok) return showError(r.error);
    setPrinted(r.value);
  };

  const latestHandoff = latest ? handoffs.filter((h) => h.version === latest.version).at(-1) : undefined;
  return (
    <>
      <section className="module" aria-label="Versions">
        <h3>Versions</h3>
        <ol className="history" aria-label="Recorded versions">
          {versions.map((v) => (
            <li key={v.version}>
              <strong>v{v.version}</strong> {v.at.slice(0, 19).replace('T', ' ')} · gate {v.gate}
              {v.failedChecks.length ? ` (${v.failedChecks.join(', ')})` : ''}
              <div className="muted">
                <code>{v.digest.slice(0, 16)}…</code> {v.words.join(' ')}
              </div>
            </li>
          ))}
        </ol>
        {versions.length === 0 ? <p className="muted">No version recorded yet.</p> : null}
        <div className="actions">
          <button
            type="button"
            onClick={() => void recordAct.ask({ packetId: draft.packetId })}
            disabled={stopped}
            title={
              stopped
                ? 'The packet is stopped: escalate; no version can be recorded until the stop is cleared'
                : undefined
            }
          >
            Preview version {(latest?.version ?? 0) + 1} from the draft…
          </button>
        </div>
        {stopped ? (
          <p className="muted">No version can be recorded while the packet is stopped: escalate first.</p>
        ) : null}
        {recordAct.panel}
        {versions.length >= 2 ? (
          <form className="inline-form" aria-label="Compare versions" onSubmit={(e) => void showDiff(e)}>
            <label className="field">
              <span>From</span>
              <select name="from" defaultValue={versions.length - 1}>
                {versions.map((v) => (
                  <option key={v.version} value={v.version}>
                    v{v.version}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>To</span>
              <select name="to" defaultValue={versions.length}>
                {versions.map((v) => (
                  <option key={v.version} value={v.version}>
                    v{v.version}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit">Show changes</button>
          </form>
        ) : null}
        {diff ? (
          <ul className="plain" aria-label={`Changes from v${diff.from} to v${diff.to}`}>
            {diff.changes.map((c) => (
              <li key={`${c.section}-${c.id}`}>
                <Badge word={c.change.toUpperCase()} tone={c.change === 'removed' ? 'bad' : 'info'} />{' '}
                {c.section}/{c.id}
                {c.fields.length ? <span className="muted"> ({c.fields.join(', ')})</span> : null}
              </li>
            ))}
            {diff.changes.length === 0 ? <li className="muted">No changes.</li> : null}
          </ul>
        ) : null}
      </section>

      <section className="module" aria-label="Handoff">
        <h3>Handoff</h3>
        {handoffs.map((h) => (
          <article key={h.seq} className="handoff" aria-label={`Handoff record v${h.version}`}>
            <p>
              <Badge
                word={h.gate === 'READY' ? 'READY' : 'HOLD'}
                detail={h.gate === 'READY' ? 'complete' : 'blockers acknowledged'}
              />{' '}
              v{h.version} handed off by {h.recordedBy} at {h.at.slice(0, 19).replace('T', ' ')}
              {h.basis?.status === 'STALE-BASIS' ? (
                <>
                  {' '}
                  <Badge word="STALE-BASIS" detail={h.basis.sentence} />
                </>
              ) : null}
            </p>
            {h.basis?.status === 'STALE-BASIS' ? <p className="notice">{h.basis.sentence}</p> : null}
            <ul className="plain" aria-label="Named reviewers">
              {h.reviewers.map((r) => (
                <li key={r.role}>
                  {r.role}: <strong>{r.name}</strong>
                </li>
              ))}
            </ul>
            {h.evaluation ? (
              <p>
                On evaluation {h.evaluation.seq} as of {h.evaluation.asOf}: outcome{' '}
                <strong>{h.evaluation.outcome}</strong>, policy v{h.evaluation.policyVersion}
              </p>
            ) : null}
            {h.blockers.length > 0 ? (
              <ul aria-label={h.acknowledged ? 'Acknowledged findings' : 'Unresolved blockers'}>
                {h.blockers.map((b) => (
                  <li key={b}>{b}</li>
                ))}
              </ul>
            ) : null}
            <p className="boundary">{h.boundary}</p>
          </article>
        ))}
        {latest && !stopped ? (
          <form className="act-form" aria-label="Record handoff" onSubmit={(e) => void handoff(e)}>
            <p>
              Hands version {latest.version} (<code>{latest.digest.slice(0, 16)}…</code>) to the named
              reviewers with its completeness as it stands now.
            </p>
            <p className="muted">Recorded as handed off by you, the signed-in operator.</p>
            {packet.derived ? (
              <HandoffFindings derived={packet.derived} />
            ) : latest.gate !== 'READY' || packet.completeness.gate !== 'READY' ? (
              <label className="check">
                <input type="checkbox" name="acknowledge" /> I hand off version {latest.version} with its
                failing checks ({latest.failedChecks.join(', ') || 'as re-checked now'}); the record lists
                them
              </label>
            ) : null}
            <button type="submit" className="primary">
              Preview the handoff…
            </button>
          </form>
        ) : null}
        {handoffAct.panel}
      </section>

      {latest ? (
        <section className="module" aria-label="Print and export">
          <h3>Print and export version {latest.version}</h3>
          <Digest label={`Version ${latest.version} digest`} hex={latest.digest} words={latest.words} />
          <div className="actions">
            <button type="button" onClick={() => void print()} disabled={busy}>
              {busy ? 'Printing…' : 'Print packet (PDF)'}
            </button>
          </div>
          {printed ? (
            <p role="status">
              PDF written: <code>{printed.path}</code> ({printed.pages ?? '?'} pages), SHA-256{' '}
              <code>{printed.sha256.slice(0, 16)}…</code>
            </p>
          ) : null}
          {latestHandoff ? (
            <ExportPanel media={media} onDone={onChanged} packetId={draft.packetId} />
          ) : (
            <p className="muted">Record the handoff of this version before exporting it for the board.</p>
          )}
        </section>
      ) : null}
    </>
  );
}

/**
 * The blocking findings a derived packet's handoff must carry: a checkbox for each one of a category the
 * policy lets a handoff carry (the service refuses the handoff unless every one is acknowledged); any
 * other blocking finding refuses the handoff until a record that resolves it is imported.
 */
function HandoffFindings({ derived }: { derived: NonNullable<PacketView['derived']> }) {
  const blocking = derived.register.filter((r) => r.finding.blocking);
  if (blocking.length === 0) return null;
  return (
    <fieldset aria-label="Blocking findings to acknowledge">
      <legend>
        Blocking findings (the policy lets a handoff carry only{' '}
        {derived.handoffExceptionCategories.join(', ') || 'none'})
      </legend>
      {blocking.map((r) => {
        const name = `${r.finding.checkId} ${r.finding.subject}`;
        return r.acknowledgeable ? (
          <label key={name} className="check">
            <input type="checkbox" name="finding" value={`${r.finding.checkId}\u0000${r.finding.subject}`} />{' '}
            I acknowledge {name} ({r.finding.category}): {r.finding.sentence}
          </label>
        ) : (
          <p key={name}>
            <Badge word="REFUSES HANDOFF" /> {name} ({r.finding.category}): import the record that resolves it
            and evaluate again
          </p>
        );
      })}
    </fieldset>
  );
}
