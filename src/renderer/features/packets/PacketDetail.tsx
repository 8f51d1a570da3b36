import type { PacketView } from '../../../shared/contract';
import { encodeOperation } from '../../../shared/operation';
import { Badge } from '../../components/Badge';
import { AttestationPanel } from '../attest/AttestationPanel';
import { EvidenceIndex } from './EvidenceIndex';
import {
  AnnotateForm,
  ClaimForm,
  EvaluateAgain,
  EvaluateFirst,
  EvidenceForms,
  ReviewersForm,
} from './PacketForms';
import { GATE_WORD, type Selection } from './model';
import { PacketVersions } from './PacketVersions';
import { RunwayChart } from './RunwayChart';

const CLAIM_WORD: Record<string, string> = {
  supported: 'SATISFIED',
  pending: 'MISSING',
  disputed: 'HOLD',
  unsupported: 'MISSING',
};

/** One packet: gate and checklist, scope and boundary, runway, claims ↔ evidence, register, versions. */
export function PacketDetail(props: {
  packet: PacketView;
  focus: Selection;
  onFocus: (s: Selection) => void;
  onChanged: () => Promise<void>;
}) {
  const { packet, onFocus, onChanged } = props;
  const { draft, completeness: c } = packet;
  const stopped = packet.stops.some((s) => s.cleared === null);
  const gate = stopped ? GATE_WORD.STOPPED : GATE_WORD[c.gate];
  const now = new Date().toISOString();
  return (
    <article aria-label={`Packet ${draft.packetId}`}>
      <h2>
        {draft.title} <code>{draft.packetId}</code>
      </h2>
      <p>
        <Badge word={gate.word} detail={gate.detail} large />{' '}
        <span>
          {c.passed} of {c.checks.length} checks pass
        </span>
      </p>
      {packet.stops.map((s) => (
        <section
          key={s.seq}
          className={s.cleared ? 'module' : 'escalation'}
          role={s.cleared ? undefined : 'alert'}
          aria-label={s.cleared ? 'Cleared stop' : 'Escalation notice'}
        >
          <h3>
            {s.cleared ? 'Cleared stop' : 'Escalation notice'} (journal seq {s.seq})
          </h3>
          <p>{s.notice}</p>
          {s.cleared ? (
            <p>
              <Badge word="CLEARED" /> by {s.cleared.clearedBy} under quorum session{' '}
              <code>{s.cleared.quorumSessionId.slice(0, 8)}</code> (journal seq {s.cleared.seq}):{' '}
              {s.cleared.reason}
            </p>
          ) : (
            <p className="muted">
              Only a custodian quorum bound to{' '}
              <code>
                {encodeOperation({ kind: 'packet-stop-clear', packetId: draft.packetId, stopSeq: s.seq })}
              </code>{' '}
              can clear it, after review (<code>station packet clear-stop</code>).
            </p>
          )}
          <ul>
            {s.findings.map((f) => (
              <li key={`${f.evidenceId}-${f.detail}`}>
                <button
                  type="button"
                  className="link"
                  onClick={() => onFocus({ type: 'evidence', id: f.evidenceId })}
                >
                  {f.evidenceId}
                </button>
                : {f.indicator} — {f.detail}
              </li>
            ))}
          </ul>
        </section>
      ))}

      <section className="module" aria-label="Scope">
        <h3>Scope</h3>
        <p>{draft.scope.covers}</p>
        <p className="boundary">
          <strong>Where the station stops:</strong> {draft.scope.boundary}
        </p>
        {Object.keys(draft.subject).length > 0 ? (
          <dl className="facts">
            {Object.entries(draft.subject).map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{/^\d{4}-\d{2}-\d{2}T/.test(v) ? v.slice(0, 10) : v}</dd>
              </div>
            ))}
          </dl>
        ) : null}
      </section>

      <section className="module" aria-label="Completeness">
        <h3>
          Completeness: {c.passed} passed, {c.failed} failed
        </h3>
        <ul className="plain checklist" aria-label="Completeness checks">
          {c.checks.map((x) => (
            <li key={x.id}>
              <Badge word={x.pass ? 'SATISFIED' : x.group === 'stop' ? 'BLOCKED' : 'HOLD'} check={x.id} />{' '}
              {x.title}
              {x.findings.length > 0 ? (
                <ul>
                  {x.findings.map((f) => (
                    <li key={f}>{f}</li>
                  ))}
                </ul>
              ) : null}
            </li>
          ))}
        </ul>
      </section>

      {draft.kind === 'custody-attestation' ? (
        <AttestationPanel packetId={draft.packetId} onFocus={onFocus} onChanged={onChanged} />
      ) : null}

      {draft.kind === 'rotation-deferral' ? (
        <section className="module" aria-label="Validity runway">
          <h3>Validity runway</h3>
          <RunwayChart runway={packet.runway} now={now} />
        </section>
      ) : null}

      <section className="module" aria-label="Claims and evidence">
        <h3>Claims and their evidence</h3>
        {draft.claims.length === 0 ? <p className="muted">No claims yet.</p> : null}
        <table className="grid" aria-label="Claims" hidden={draft.claims.length === 0}>
          <thead>
            <tr>
              <th scope="col">Claim</th>
              <th scope="col">Status</th>
              <th scope="col">Evidence</th>
            </tr>
          </thead>
          <tbody>
            {draft.claims.map((cl) => (
              <tr
                key={cl.claimId}
                className={
                  props.focus?.type === 'claim' && props.focus.id === cl.claimId ? 'selected' : undefined
                }
              >
                <td>
                  <button
                    type="button"
                    className="link"
                    onClick={() => onFocus({ type: 'claim', id: cl.claimId })}
                  >
                    {cl.claimId}
                  </button>
                  <div>{cl.text}</div>
                </td>
                <td>
                  <ClaimBadge
                    status={
                      packet.derived?.claims.find((x) => x.claimId === cl.claimId)?.status ??
                      cl.status ??
                      'pending'
                    }
                    checks={cl.checks ?? []}
                  />
                </td>
                <td>
                  {cl.evidence.map((id) => (
                    <button
                      key={id}
                      type="button"
                      className="link chip"
                      onClick={() => onFocus({ type: 'evidence', id })}
                    >
                      {id}
                    </button>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {!stopped ? <ClaimForm packet={packet} onChanged={onChanged} /> : null}
      </section>

      <section className="module" aria-label="Evidence index">
        <h3>Evidence index ({draft.evidence.length})</h3>
        <EvidenceIndex
          evidence={draft.evidence}
          freshness={packet.freshness}
          focus={props.focus}
          onFocus={onFocus}
        />
        {!stopped ? <EvidenceForms packet={packet} onChanged={onChanged} /> : null}
      </section>

      {packet.derived ? (
        <section className="module" aria-label="Exception register">
          <h3>
            Exception register ({packet.derived.register.length} open findings)
            {packet.derived.evaluation
              ? ` — outcome ${packet.derived.evaluation.outcome}, evaluation ${packet.derived.evaluation.seq} as of ${packet.derived.evaluation.asOf}, policy v${packet.derived.evaluation.policy.version}`
              : ' — not evaluated yet'}
          </h3>
          {packet.derived.evaluation?.status === 'STALE' ? (
            <p role="alert">
              <Badge word="STALE" detail={packet.derived.evaluation.sentence} /> Evaluate again before handing
              off.
            </p>
          ) : null}
          {!stopped && !packet.derived.evaluation ? (
            <EvaluateFirst packetId={draft.packetId} onChanged={onChanged} />
          ) : null}
          {!stopped && packet.derived.evaluation ? (
            <EvaluateAgain
              packetId={draft.packetId}
              asOf={packet.derived.evaluation.asOf}
              onChanged={onChanged}
            />
          ) : null}
          {packet.derived.evaluation ? <p>{packet.derived.evaluation.reason}</p> : null}
          <table className="grid" aria-label="Findings">
            <thead>
              <tr>
                <th scope="col">Check</th>
                <th scope="col">Category</th>
                <th scope="col">Finding</th>
                <th scope="col">Owner / due / notes</th>
              </tr>
            </thead>
            <tbody>
              {packet.derived.register.map((r) => (
                <tr key={`${r.finding.checkId} ${r.finding.subject}`}>
                  <td>
                    <button
                      type="button"
                      className="link"
                      title="Show its rule and the records it rests on"
                      onClick={() =>
                        onFocus({ type: 'finding', checkId: r.finding.checkId, subject: r.finding.subject })
                      }
                    >
                      {r.finding.checkId}
                    </button>
                    <div>{r.finding.subject}</div>
                  </td>
                  <td>
                    <Badge word={r.finding.category.toUpperCase()} tone="warn" />
                    {r.finding.blocking ? <div className="muted">blocking</div> : null}
                  </td>
                  <td>
                    {r.finding.sentence}
                    <div className="muted">
                      {r.finding.records.map((x) => `${x.family} ${x.system}/${x.recordId}`).join('; ')}
                    </div>
                  </td>
                  <td>{[r.owner, r.dueAt?.slice(0, 10), ...r.notes].filter(Boolean).join(' · ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {!stopped ? <AnnotateForm packet={packet} onChanged={onChanged} /> : null}
        </section>
      ) : null}

      <section className="module" aria-label="Reviewers">
        <h3>Reviewers</h3>
        <ReviewersForm packet={packet} onChanged={onChanged} disabled={stopped} />
      </section>

      <PacketVersions packet={packet} onChanged={onChanged} />
    </article>
  );
}

/** A supported claim with an open exception against it is on hold, not satisfied. */
function ClaimBadge({ status, checks }: { status: string; checks: readonly string[] }) {
  if (status === 'asserted') return <Badge word="ASSERTED" detail="not checked" />;
  if (checks.length > 0)
    return <Badge word={CLAIM_WORD[status] ?? 'MISSING'} detail={`${status}: ${checks.join(', ')}`} />;
  return <Badge word={CLAIM_WORD[status] ?? 'MISSING'} detail={status} />;
}
