import { useEffect, useState } from 'react';
import type { Output, PacketView } from '../../../shared/contract';
import { useStation } from '../../app/store';
import { Badge } from '../../components/Badge';
import type { Selection } from './model';

type Evidence = PacketView['draft']['evidence'][number];

/** The right-hand pane: the evidence behind the selected claim, or one evidence item with its provenance. */
export function EvidencePane(props: {
  packet: PacketView | null;
  focus: Selection;
  onFocus: (s: Selection) => void;
}) {
  const { packet, focus } = props;
  if (!packet || !focus)
    return <p className="muted">Select a claim or an evidence item to see its evidence.</p>;
  if (focus.type === 'finding')
    return <FindingDetail packet={packet} checkId={focus.checkId} subject={focus.subject} />;
  const byId = new Map(packet.draft.evidence.map((e) => [e.evidenceId, e]));
  if (focus.type === 'claim') {
    const claim = packet.draft.claims.find((c) => c.claimId === focus.id);
    if (!claim) return null;
    const status =
      packet.derived?.claims.find((c) => c.claimId === claim.claimId)?.status ?? claim.status ?? 'pending';
    const findings = packet.derived?.findings.filter((f) => claim.checks?.includes(f.checkId)) ?? [];
    return (
      <>
        <h2>Claim {claim.claimId}</h2>
        <p>{claim.text}</p>
        <p>
          <Badge
            word={status === 'asserted' ? 'ASSERTED / NOT CHECKED' : status.toUpperCase()}
            tone={status === 'supported' ? 'good' : 'warn'}
          />
          {claim.checks?.length ? ` checks: ${claim.checks.join(', ')}` : null}
        </p>
        <h3>Evidence ({claim.evidence.length})</h3>
        {claim.evidence.length === 0 ? <p className="muted">No evidence cited.</p> : null}
        {claim.evidence.map((id) => {
          const e = byId.get(id);
          return e ? (
            <EvidenceCard key={id} e={e} fresh={packet.freshness[id] ?? null} />
          ) : (
            <p key={id}>{id}: not in the index</p>
          );
        })}
        {findings.length > 0 ? (
          <>
            <h3>Findings of its checks</h3>
            <ul className="plain">
              {findings.map((f) => (
                <li key={`${f.checkId} ${f.subject}`}>
                  <Badge word={f.category.toUpperCase()} tone="warn" /> {f.checkId} {f.subject}: {f.sentence}
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </>
    );
  }
  const e = byId.get(focus.id);
  if (!e) return null;
  const citing = packet.draft.claims.filter((c) => c.evidence.includes(e.evidenceId));
  return (
    <>
      <EvidenceCard e={e} fresh={packet.freshness[e.evidenceId] ?? null} />
      <h3>Cited by</h3>
      <ul className="plain">
        {citing.map((c) => (
          <li key={c.claimId}>
            <button
              type="button"
              className="link"
              onClick={() => props.onFocus({ type: 'claim', id: c.claimId })}
            >
              {c.claimId}
            </button>{' '}
            {c.text}
          </li>
        ))}
        {citing.length === 0 ? <li className="muted">No claim cites it.</li> : null}
      </ul>
    </>
  );
}

function EvidenceCard({ e, fresh }: { e: Evidence; fresh: PacketView['freshness'][string] }) {
  return (
    <section className="evidence-card" aria-label={`Evidence ${e.evidenceId}`}>
      <h3>
        {e.evidenceId}: {e.title}
      </h3>
      {e.indicators.length > 0 ? (
        <p>
          <Badge word="BLOCKED" check="PKT-STOP" detail={e.indicators.map((i) => i.indicator).join(', ')} />
        </p>
      ) : null}
      <dl className="facts">
        <dt>Origin</dt>
        <dd>
          {e.origin === 'attestation' ? `typed-in attestation by ${e.attestedBy ?? '?'}` : e.origin}
          {e.sensitive ? ' · sensitive (excerpted minimally in exports)' : ''}
        </dd>
        <dt>Source</dt>
        <dd>
          {e.source.system} · {e.source.recordId}
        </dd>
        <dt>Effective</dt>
        <dd>{e.effectiveAt?.slice(0, 10) ?? 'not stated'}</dd>
        <dt>Received</dt>
        <dd>
          {e.receivedAt.slice(0, 19).replace('T', ' ')} by {e.importedBy}
        </dd>
        <dt>Freshness</dt>
        <dd>
          {fresh ? (
            <Badge
              word={fresh.fresh ? 'FRESH' : 'STALE'}
              tone={fresh.fresh ? 'good' : 'warn'}
              detail={fresh.ageDays === null ? 'no effective date' : `${fresh.ageDays} days old`}
              check="PKT-EVIDENCE-FRESH"
            />
          ) : null}{' '}
          {e.freshnessDays ? `rule: at most ${e.freshnessDays} days old` : 'no rule'}
        </dd>
        <dt>Type</dt>
        <dd>
          {e.mediaType}, {e.sizeBytes} bytes
        </dd>
        <dt>SHA-256</dt>
        <dd>
          <code className="hash">{e.sha256}</code>
        </dd>
      </dl>
      {e.indicators.map((i) => (
        <p key={i.detail} className="break">
          {i.indicator}: {i.detail}
        </p>
      ))}
      {e.excerpt ? <pre className="excerpt">{e.excerpt}</pre> : null}
    </section>
  );
}

type RecordRef = PacketView['derived'] extends infer D
  ? D extends { findings: readonly (infer F)[] }
    ? F extends { records: readonly (infer R)[] }
      ? R
      : never
    : never
  : never;

/**
 * A finding of the packet's evaluation, linked to its rule (the check ID with the rule's title, as
 * docs/findings.md lists it) and to the exact records it rests on, each one openable as stored.
 */
function FindingDetail(props: { packet: PacketView; checkId: string; subject: string }) {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const finding = props.packet.derived?.findings.find(
    (f) => f.checkId === props.checkId && f.subject === props.subject,
  );
  const kind = props.packet.draft.kind;
  const workflow =
    kind === 'custody-attestation'
      ? 'attestation'
      : kind === 'compromise-authority'
        ? 'compromise-authority'
        : 'deferral';
  const [title, setTitle] = useState<string | null>(null);
  const [open, setOpen] = useState<{ ref: RecordRef; versions: Output<'recordsShow'>['versions'] } | null>(
    null,
  );
  useEffect(() => {
    if (!api) return;
    let live = true;
    void api.findingsSubjects({ workflow }).then((r) => {
      if (!live) return;
      if (!r.ok) return showError(r.error);
      setTitle(r.value.rules.find((x) => x.checkId === props.checkId)?.title ?? null);
    });
    return () => {
      live = false;
    };
  }, [api, showError, workflow, props.checkId]);
  if (!finding) return <p className="muted">That finding is not in the latest evaluation any more.</p>;
  const show = async (ref: RecordRef) => {
    if (!api) return;
    const r = await api.recordsShow({ family: ref.family, system: ref.system, recordId: ref.recordId });
    if (!r.ok) return showError(r.error);
    setOpen({ ref, versions: r.value.versions });
  };
  return (
    <>
      <h2>
        Finding <code>{finding.checkId}</code> {finding.subject}
      </h2>
      <p>
        <strong>Rule {finding.checkId}</strong>: {title ?? 'rule title loading…'} (docs/findings.md)
      </p>
      <p>
        <Badge word={finding.category.toUpperCase()} check={finding.checkId} />{' '}
        {finding.blocking ? 'blocking' : 'not blocking'} ·{' '}
        {finding.waivable ? 'waivable by policy' : 'not waivable'}
      </p>
      <p>{finding.sentence}</p>
      <h3>The records it rests on ({finding.records.length})</h3>
      <ul className="plain" aria-label={`Records of ${finding.checkId}`}>
        {finding.records.map((x) => (
          <li key={`${x.family}/${x.system}/${x.recordId}`}>
            <button type="button" className="link" onClick={() => void show(x)}>
              {x.family} · {x.system} / {x.recordId}
            </button>
          </li>
        ))}
      </ul>
      {open ? (
        <section aria-label={`Record ${open.ref.recordId}`}>
          <h3>
            {open.ref.family} {open.ref.system}/{open.ref.recordId}
          </h3>
          {open.versions.length === 0 ? <p className="muted">No stored version of this record.</p> : null}
          {open.versions.slice(-1).map((v) => (
            <div key={v.digest}>
              <p className="muted">
                exported {v.provenance.exportedAt} · imported at journal seq {v.importSeq} · sha256{' '}
                <code>{v.digest.slice(0, 16)}…</code>
                {open.versions.length > 1 ? ` · ${open.versions.length} versions stored` : ''}
              </p>
              <pre className="body" role="group" aria-label="Record content">
                {JSON.stringify(v.content, null, 2)}
              </pre>
            </div>
          ))}
        </section>
      ) : null}
    </>
  );
}
