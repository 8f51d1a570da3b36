import { useState, type FormEvent } from 'react';
import { sha256Hex } from '../../../shared/contract/common';
import { hexDigestWords } from '../../../shared/words';
import { useStation } from '../../app/store';
import { Badge } from '../../components/Badge';
import { useConfirmedAct } from '../../components/ConfirmAct';
import { Digest } from '../../components/Digest';
import { GateLineage } from './GateLineage';
import { HoldRegister, QuarantineList } from './HoldRegister';
import { LedgerPanel } from './LedgerPanel';
import { shortTime, type GateFocus, type GateView, type LineageStep } from './model';
import { SigningPanel } from './SigningPanel';
import { VersionsPanel } from './VersionsPanel';

/** One activation-gate packet: its gate, ledger, holds, quarantine, versions, approvals and lineage. */
export function GateDetail(props: {
  gate: GateView;
  lineage: readonly LineageStep[];
  onGate: (g: GateView) => Promise<void>;
  onFocus: (f: GateFocus) => void;
}) {
  const { gate: g } = props;
  return (
    <article className="gate" aria-label={`Gate ${g.packetId}`}>
      <GatePanel gate={g} onGate={props.onGate} />
      <HoldRegister holds={g.holds} evaluated={g.evaluation !== null} onFocus={props.onFocus} />
      <QuarantineList gate={g} onFocus={props.onFocus} />
      {g.ledger ? (
        <LedgerPanel ledger={g.ledger} holds={g.holds} onFocus={props.onFocus} />
      ) : (
        <section className="module" aria-label="Readiness ledger">
          <h2>Readiness ledger</h2>
          <p className="muted">
            No ledger yet: {g.evaluation ? 'the evaluation derived none.' : 'evaluate the declaration.'}
          </p>
        </section>
      )}
      <VersionsPanel gate={g} />
      <SigningPanel gate={g} />
      <GateLineage steps={props.lineage} />
    </article>
  );
}

/**
 * The gate's state as one large word with the station's sentence, what the latest evaluation rests on,
 * and the two acts of this view: evaluate now, and record a version (only when the ledger needs one).
 */
function GatePanel(props: { gate: GateView; onGate: (g: GateView) => Promise<void> }) {
  const { gate: g } = props;
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const show = useStation((s) => s.show);
  const openGatePackets = useStation((s) => s.openGatePackets);
  const operator = useStation((s) => s.operator?.session ?? null);
  const [asOf, setAsOf] = useState('');
  const [busy, setBusy] = useState<'evaluate' | null>(null);
  // Recording a version is a confirmed act: the station's preview (person, journal head, digest) first.
  const recordAct = useConfirmedAct('gateRecordVersion', { onDone: (v) => props.onGate(v) });
  const e = g.evaluation;
  const current = g.versions.find((v) => v.current) ?? null;
  const canVersion = g.state === 'VERSION-NEEDED' && e !== null && e.status === 'FRESH';

  const evaluate = async (ev: FormEvent) => {
    ev.preventDefault();
    if (!api) return;
    setBusy('evaluate');
    const r = await api.gateEvaluate({ packetId: g.packetId, ...(asOf.trim() ? { asOf: asOf.trim() } : {}) });
    setBusy(null);
    if (!r.ok) return showError(r.error);
    await props.onGate(r.value);
  };

  return (
    <section className="module gate-state" aria-label="Gate">
      <h2>
        Gate of {g.packetId} — declaration {g.declarationId}
      </h2>
      <p className="gate-word">
        <Badge word={g.state} large />
      </p>
      <p className="gate-sentence">{g.sentence}</p>
      {e ? (
        <dl className="facts" aria-label="Latest evaluation">
          <dt>Evaluation</dt>
          <dd>
            #{e.seq} as of {shortTime(e.asOf)} <Badge word={e.status} />{' '}
            {e.status === 'STALE' ? <span>{e.sentence}: nobody decides on it.</span> : null}
          </dd>
          <dt>Outcome</dt>
          <dd>
            <code>{e.outcome}</code>: {e.reason}
          </dd>
          <dt>Approval owner</dt>
          <dd>
            {g.approvalOwner ?? 'UNKNOWN'} <span className="muted">as {g.approvalRole}</span>
          </dd>
          <dt>Current version</dt>
          <dd>
            {current
              ? `${current.version}${current.ledgerDigest === e.ledgerDigest ? ', binds this ledger' : ', binds an earlier ledger'}`
              : 'none yet'}
          </dd>
        </dl>
      ) : null}
      {e ? (
        <div className="gate-digests">
          <Digest
            label="Ledger digest (what a version binds)"
            hex={e.ledgerDigest}
            words={words(e.ledgerDigest)}
          />
          <Digest label="Policy digest" hex={e.policyDigest} words={words(e.policyDigest)} />
        </div>
      ) : null}
      <form className="act-form gate-acts" aria-label="Gate acts" onSubmit={(ev) => void evaluate(ev)}>
        <label className="field">
          <span>As of (ISO UTC; empty: now)</span>
          <input value={asOf} onChange={(ev) => setAsOf(ev.target.value)} spellCheck={false} />
        </label>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy !== null}>
            {busy === 'evaluate' ? 'Evaluating…' : 'Evaluate now'}
          </button>
          <button
            type="button"
            disabled={!canVersion || busy !== null}
            aria-describedby="gate-version-why"
            onClick={() => void recordAct.ask({ packetId: g.packetId })}
          >
            Record version {current ? current.version + 1 : 1}…
          </button>
        </div>
        <p id="gate-version-why" className="muted">
          {canVersion
            ? 'The ledger changed since the current version: a new version binds it for the approval owner.'
            : `A version is recorded only when the gate is VERSION-NEEDED (it is ${g.state}).`}
        </p>
      </form>
      {canVersion && e ? (
        <section className="gate-preview" aria-label="Record version: what will happen">
          <h3>
            Recording version {current ? current.version + 1 : 1} of {g.packetId}
          </h3>
          <ul>
            <li>
              The packet&apos;s subject binds evaluation #{e.seq} and its ledger digest (below); the version
              is recorded under <strong>{operator ? operator.actor : 'the signed-in operator'}</strong>.
            </li>
            <li>
              {current
                ? `Every approval of version ${current.version} or earlier stops counting: it is listed as invalidated.`
                : 'No approval exists yet.'}{' '}
              The gate then awaits {g.approvalOwner ?? 'the named owner'} ({g.approvalRole}).
            </li>
            <li>Nothing is signed, published or handed off by this act.</li>
          </ul>
          <Digest label="Ledger digest to bind" hex={e.ledgerDigest} words={words(e.ledgerDigest)} />
        </section>
      ) : null}
      {recordAct.panel}
      <p className="gate-links">
        Hand-off, bundle export and the approval import are done on the packet:{' '}
        <button type="button" className="link" onClick={() => openGatePackets({ packetId: g.packetId })}>
          Open {g.packetId} in Activation packets
        </button>{' '}
        ·{' '}
        <button type="button" className="link" onClick={() => show('bundles')}>
          Bundles &amp; Approvals
        </button>
      </p>
    </section>
  );
}

function words(hex: string): readonly string[] | undefined {
  return sha256Hex.safeParse(hex).success ? hexDigestWords(hex) : undefined;
}
