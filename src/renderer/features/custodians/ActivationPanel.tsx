import { useEffect, useState, type FormEvent } from 'react';
import { KEY_ALGORITHMS as ALGORITHMS } from '../../../shared/contract';
import type { KeyView, Output, RosterEntryView } from '../../../shared/contract';
import { useStation } from '../../app/store';
import { Badge } from '../../components/Badge';
import { useConfirmedAct } from '../../components/ConfirmAct';
import { CeremonySignForm } from './CeremonySignForm';
import { QuorumActButton, type SessionSummary } from './QuorumBinding';

type Split = Output<'sharesList'>[number];

/**
 * M-of-N activation: custodians check their own share (share health), and a key is generated on the
 * ceremony token with M shares under a quorum session bound to exactly that generation. Share text is
 * typed into masked fields, sent once, and cleared; nothing of it is kept by the UI.
 */
export function ActivationPanel(props: {
  roster: readonly RosterEntryView[];
  openSessions: readonly SessionSummary[];
  onOpened: (sessionId: string) => Promise<void>;
  /** Bumped when a split is made elsewhere on the page: the splits are listed again. */
  splitsVersion?: number;
  /** An act used a quorum session: the lists are read again. */
  onActed?: () => Promise<void>;
}) {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const refreshJournal = useStation((s) => s.verify);
  const [splits, setSplits] = useState<Split[]>([]);
  const [splitId, setSplitId] = useState('');
  const [health, setHealth] = useState<string | null>(null);
  const [key, setKey] = useState({ label: '', algorithm: 'ec-p256' as (typeof ALGORITHMS)[number] });
  const [operation, setOperation] = useState<string | null>(null);
  const [generated, setGenerated] = useState<KeyView | null>(null);
  const openAct = useConfirmedAct('quorumOpen', { onDone: (v) => props.onOpened(v.sessionId) });

  useEffect(() => {
    if (!api) return;
    let live = true;
    void api.sharesList({}).then((r) => {
      if (!live) return;
      if (!r.ok) return showError(r.error);
      setSplits(r.value);
      // A void split's shares open nothing: the current one is chosen first.
      const first = r.value.find((s) => !s.supersededBy) ?? r.value[0];
      if (first) setSplitId((current) => current || first.splitId);
    });
    return () => {
      live = false;
    };
  }, [api, showError, props.splitsVersion]);

  const split = splits.find((s) => s.splitId === splitId) ?? null;
  if (splits.length === 0) {
    return (
      <section className="module" aria-label="M-of-N activation">
        <h2>M-of-N activation</h2>
        <p className="muted">No ceremony token is share-activated yet (`station shares split`).</p>
      </section>
    );
  }
  const session = operation
    ? props.openSessions.find((s) => s.operation === operation && s.closedReason === null)
    : undefined;

  const checkShare = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    const text = String(data.get('share') ?? '');
    (form.elements.namedItem('share') as HTMLInputElement).value = '';
    if (!api || !split) return;
    const custodianId = String(data.get('custodian'));
    const r = await api.sharesVerify({
      splitId: split.splitId,
      custodianId,
      shareText: text,
    });
    if (!r.ok) return showError(r.error);
    setHealth(
      r.value.ok
        ? `Share ${r.value.position} of ${custodianId} matches its commitment.`
        : `Refused (${r.value.code}): ${r.value.message}`,
    );
    await refreshJournal();
  };

  const bindOperation = async () => {
    if (!api || !split) return;
    const r = await api.ceremonyKeygenOperation({ splitId: split.splitId, key });
    if (!r.ok) return showError(r.error);
    setOperation(r.value.operation);
  };

  const openForIt = async () => {
    if (!operation) return;
    await openAct.ask({ operation, ceremonyId: `keygen-${key.label}`, step: 'generate', ttlMinutes: 60 });
  };

  const generate = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!api || !split || !session) return;
    const form = e.currentTarget;
    const shares = Array.from({ length: split.threshold }, (_, i) => {
      const input = form.elements.namedItem(`share-${i}`) as HTMLInputElement;
      const text = input.value;
      input.value = '';
      return { text, enteredBy: String(new FormData(form).get(`holder-${i}`)) };
    });
    const r = await api.ceremonyKeygen({
      splitId: split.splitId,
      quorumSessionId: session.sessionId,
      key,
      shares,
    });
    if (!r.ok) return showError(r.error);
    setGenerated(r.value);
    await refreshJournal();
  };

  const holders = split?.holders ?? [];
  const nameOf = (id: string) => props.roster.find((c) => c.custodianId === id)?.name ?? id;

  return (
    <section className="module" aria-label="M-of-N activation">
      <h2>M-of-N activation</h2>
      <label className="field">
        <span>Split</span>
        <select value={splitId} onChange={(e) => setSplitId(e.target.value)}>
          {splits.map((s) => (
            <option key={s.splitId} value={s.splitId}>
              token {s.tokenSerial} · {s.threshold} of {s.total} · {s.splitId.slice(0, 8)}…
              {s.supersededBy
                ? ` · SUPERSEDED ${s.supersededBy.at.slice(0, 10)}: its shares open nothing`
                : ''}
              {s.pendingReissue ? ' · PENDING re-issue: recover it first (station shares recover)' : ''}
            </option>
          ))}
        </select>
      </label>

      <form className="act-form" aria-label="Check my share" onSubmit={(e) => void checkShare(e)}>
        <h3>Share health</h3>
        <p>Checks your share against its commitment. Nothing is rebuilt, and the share is not kept.</p>
        <label className="field">
          <span>Custodian</span>
          <select name="custodian">
            {holders.map((h) => (
              <option key={h.custodianId} value={h.custodianId}>
                {nameOf(h.custodianId)} (share {h.position})
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Share (as printed)</span>
          <input name="share" type="password" autoComplete="off" spellCheck={false} required />
        </label>
        <button type="submit">Check my share</button>
        {health ? <p role="status">{health}</p> : null}
      </form>

      <form
        className="act-form"
        aria-label="Generate on the ceremony token"
        onSubmit={(e) => void generate(e)}
      >
        <h3>Generate a key on the ceremony token</h3>
        <label className="field">
          <span>Label</span>
          <input
            value={key.label}
            onChange={(e) => (setKey({ ...key, label: e.target.value }), setOperation(null))}
            required
          />
        </label>
        <label className="field">
          <span>Algorithm</span>
          <select
            value={key.algorithm}
            onChange={(e) => (
              setKey({ ...key, algorithm: e.target.value as typeof key.algorithm }),
              setOperation(null)
            )}
          >
            {ALGORITHMS.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </label>
        <div className="actions">
          <button type="button" onClick={() => void bindOperation()}>
            Show the operation to authorise
          </button>
          {operation && !session ? (
            <button type="button" onClick={() => void openForIt()}>
              Preview a quorum session for it…
            </button>
          ) : null}
        </div>
        {openAct.panel}
        {operation ? (
          <p>
            Operation <code>{operation}</code>{' '}
            {session?.reached ? (
              <Badge word="REACHED" detail={`${session.checkedIn} of ${session.threshold} checked in`} />
            ) : session ? (
              <Badge
                word="OPEN"
                detail={`${session.checkedIn} of ${session.threshold} checked in — custodians check in above`}
              />
            ) : (
              <Badge word="HOLD" detail="no open session" />
            )}
          </p>
        ) : null}
        {session && split
          ? Array.from({ length: split.threshold }, (_, i) => (
              <div key={i} className="inline-form">
                <label className="field">
                  <span>Share {i + 1} entered by</span>
                  <select name={`holder-${i}`} defaultValue={holders[i]?.custodianId}>
                    {holders.map((h) => (
                      <option key={h.custodianId} value={h.custodianId}>
                        {nameOf(h.custodianId)}
                      </option>
                    ))}
                  </select>
                </label>
                <label className="field">
                  <span>Share {i + 1}</span>
                  <input name={`share-${i}`} type="password" autoComplete="off" spellCheck={false} required />
                </label>
              </div>
            ))
          : null}
        <QuorumActButton session={session} bound="this generation">
          Rebuild the PIN in memory and generate
        </QuorumActButton>
        {generated ? (
          <p role="status">
            Generated {generated.keyType} {generated.size} “{generated.label}”{' '}
            <Badge word={generated.residency?.verdict ?? 'NOT CHECKED'} />
          </p>
        ) : null}
      </form>
      {split ? (
        <CeremonySignForm
          key={split.splitId}
          split={split}
          keysVersion={generated?.id ?? ''}
          nameOf={nameOf}
          sessions={props.openSessions}
          onOpened={props.onOpened}
          onSigned={async () => {
            await props.onActed?.();
            await refreshJournal();
          }}
        />
      ) : null}
    </section>
  );
}
