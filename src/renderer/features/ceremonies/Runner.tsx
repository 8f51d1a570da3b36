import { useCallback, useEffect, useReducer, useRef, useState, type FormEvent } from 'react';
import type { MediaView, Output } from '../../../shared/contract';
import { useStation } from '../../app/store';
import { Badge } from '../../components/Badge';
import { useConfirmedAct } from '../../components/ConfirmAct';
import { Digest } from '../../components/Digest';
import { PinField, takePin } from '../../components/PinField';
import { ExportPanel } from '../bundles/ExportPanel';
import { modeWord, phaseWord, resultWord, runStatusWord } from './words';

type RunView = Output<'ceremonyRun'>;
type Step = NonNullable<RunView['current']>;
type Modules = Output<'devicesModules'>;
type ShareFile = Output<'ceremonyShareFiles'>[number];

const when = (at: string) => `${at.replace('T', ' ').slice(0, 19)} UTC`;

/**
 * The step runner (docs/ceremonies.md): one step at a time in large type — what the master of ceremonies
 * says and what is checked aloud, who must act, the witnesses and who checked it off, the quorum drawn
 * as m of n seats — then the one thing the step needs next (check, act, check-off or the decision on a
 * deviation). Each is a confirmed act; a PIN is typed with the confirmation and never kept.
 */
export function Runner(props: { runId: string; onClose: () => void; onChanged: () => Promise<void> }) {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const [view, setView] = useState<RunView | null>(null);
  const [modules, setModules] = useState<Modules>([]);
  const [media, setMedia] = useState<MediaView | null>(null);
  const [exporting, setExporting] = useState(false);
  const [version, reload] = useReducer((n: number) => n + 1, 0);
  const { runId, onChanged } = props;

  useEffect(() => {
    if (!api) return;
    let live = true;
    void Promise.all([api.ceremonyRun({ runId }), api.devicesModules({})]).then(([r, m]) => {
      if (!live) return;
      if (r.ok) setView(r.value);
      else showError(r.error);
      if (m.ok) setModules(m.value);
      else showError(m.error);
    });
    return () => {
      live = false;
    };
  }, [api, runId, showError, version]);

  useEffect(() => {
    if (!api || !exporting) return;
    void api.mediaVolumes({}).then((r) => (r.ok ? setMedia(r.value) : showError(r.error)));
  }, [api, exporting, showError, version]);

  const changed = useCallback(async () => {
    reload();
    await onChanged();
  }, [onChanged]);

  if (!view)
    return (
      <main className="main ceremonies runner" aria-labelledby="runner-title">
        <h1 id="runner-title">Ceremony run</h1>
        <p role="status">Reading the run…</p>
      </main>
    );

  const total = view.steps.length;
  const c = view.current;
  const position = c ? c.index + 1 : view.done;
  return (
    <main className="main ceremonies runner" aria-labelledby="runner-title">
      {view.mode === 'rehearsal' ? (
        <p className="rehearsal-banner" role="note" aria-label="Rehearsal">
          <Badge word="REHEARSAL" large /> Scratch token {view.target?.tokenLabel ?? '—'} stands for{' '}
          {view.target?.fileToken ?? 'the HSM token'}: nothing made in this run may be used in production.
        </p>
      ) : null}
      <header className="runner-head">
        <h1 id="runner-title">
          {view.title} <Badge word={modeWord(view.mode)} /> <Badge word={runStatusWord(view.status)} />
        </h1>
        <div className="runner-progress">
          <label htmlFor="runner-progress-bar">
            Step {position} of {total} · {view.done} done
          </label>
          <progress id="runner-progress-bar" max={total} value={view.done}>
            {view.done} of {total}
          </progress>
        </div>
        <button type="button" onClick={props.onClose}>
          Back to the runs
        </button>
      </header>

      {c ? (
        <CurrentStep
          key={`${c.stepId}-${c.needs}`}
          view={view}
          step={c}
          modules={modules}
          onChanged={changed}
        />
      ) : (
        <section className="runner-step" aria-label="Run ended">
          <h2 className="step-title">
            {view.status === 'completed'
              ? 'Every step is done and witnessed: the run is complete.'
              : 'The run was aborted by the master of ceremonies: it takes no more steps.'}
          </h2>
        </section>
      )}

      <Digest
        hex={view.fileDigest}
        words={view.words}
        label="Ceremony file digest (SHA-256) this run performs"
      />
      <ExceptionSheet view={view} />
      <section className="runner-transcript" aria-label="Transcript for reviewers">
        <h2>Transcript for reviewers</h2>
        <p>
          The run&rsquo;s signed transcript bundle: its journal entries, the ceremony file, every output
          re-hashed and the annotated transcript PDF, marked{' '}
          {view.mode === 'rehearsal' ? 'REHEARSAL' : 'PRODUCTION'}
          {view.status === 'completed' || view.status === 'aborted'
            ? ''
            : ' and IN PROGRESS while the run is open'}
          .
        </p>
        {exporting ? (
          <ExportPanel media={media} onDone={changed} ceremonyRunId={runId} />
        ) : (
          <button type="button" onClick={() => setExporting(true)}>
            Export the transcript bundle…
          </button>
        )}
      </section>
    </main>
  );
}

function CurrentStep(props: { view: RunView; step: Step; modules: Modules; onChanged: () => Promise<void> }) {
  const { view, step } = props;
  const halted = view.openDeviation !== null;
  return (
    <section className="runner-step" aria-label={`Step ${step.index + 1}: ${step.title}`}>
      <h2 className="step-title">{step.title}</h2>
      <dl className="say-check">
        <dt>Say:</dt>
        <dd className="say">{step.say}</dd>
        <dt>Check:</dt>
        <dd className="check">{step.check}</dd>
      </dl>

      <div className="runner-people">
        <section aria-label="Who must act">
          <h3>Who must act</h3>
          <p className="big">
            {step.by.role}: {step.by.people.map((p) => p.name).join(', ') || '—'}
          </p>
          <p>
            Now: <strong>{needsSentence(step.needs)}</strong>
          </p>
        </section>
        <section aria-label="Witnesses">
          <h3>
            Witnesses: {step.witnesses.checkedOff.length} of {step.witnesses.count} checked off
          </h3>
          <p className="muted">Any {step.witnesses.roles.join(' or ')}; never the person who acted.</p>
          <ul className="plain">
            {step.witnesses.eligible.map((p) => {
              const off = step.witnesses.checkedOff.find((w) => w.custodianId === p.id);
              return (
                <li key={p.id}>
                  {off ? (
                    <Badge word="VERIFIED" detail="checked off" check={`RUN-WITNESS`} />
                  ) : (
                    <Badge word="NOT CHECKED" />
                  )}{' '}
                  {p.name} ({p.role})
                </li>
              );
            })}
          </ul>
        </section>
        {step.quorum ? <QuorumState quorum={step.quorum} /> : null}
      </div>

      <section aria-label="Step checklist" className="step-checklist">
        <h3>Checklist</h3>
        <h4>
          Preconditions {/* A step with nothing to check is not green: there is no evidence to show. */}
          {step.preconditions.items.length > 0 ? <Badge word={phaseWord(step.preconditions.state)} /> : null}
        </h4>
        {step.preconditions.items.length === 0 ? (
          <p className="muted">None for this step.</p>
        ) : (
          <ul className="plain" aria-label="Preconditions">
            {step.preconditions.items.map((p, i) => (
              <li key={`${p.kind}-${i}`}>
                <Badge word={resultWord(p.result)} /> {p.sentence}
                {p.observed ? <div className="observed">Observed: {p.observed}</div> : null}
              </li>
            ))}
          </ul>
        )}
        <h4>
          Act <Badge word={step.act.state === 'done' ? 'RECORDED' : 'NOT DONE'} />
        </h4>
        <p>
          {step.act.sentence}
          {step.act.result ? <span className="observed"> Result: {step.act.result}</span> : null}
        </p>
        {step.postconditions.items.length > 0 ? (
          <>
            <h4>
              Postconditions <Badge word={phaseWord(step.postconditions.state)} />
            </h4>
            <ul className="plain" aria-label="Postconditions">
              {step.postconditions.items.map((p) => (
                <li key={p.kind}>
                  <Badge word={resultWord(p.result)} /> {p.sentence}
                  {p.observed ? <div className="observed">Observed: {p.observed}</div> : null}
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </section>

      {halted && view.openDeviation ? (
        <DecisionForm view={view} onChanged={props.onChanged} />
      ) : (
        <>
          <NextAct view={view} step={step} modules={props.modules} onChanged={props.onChanged} />
          <DeviationForm view={view} onChanged={props.onChanged} />
        </>
      )}
    </section>
  );
}

function needsSentence(needs: Step['needs']): string {
  switch (needs) {
    case 'check':
      return 'check the preconditions';
    case 'act':
      return 'perform the act';
    case 'witness':
      return 'the witnesses check the step off';
    case 'decision':
      return 'the master of ceremonies decides on the deviation';
  }
}

/** The quorum drawn as seats: m of the file's n custodians, filled by who checked in on its session. */
function QuorumState({ quorum }: { quorum: NonNullable<Step['quorum']> }) {
  const inSession = quorum.session?.checkedIn ?? [];
  return (
    <section aria-label="Quorum">
      <h3>
        Quorum: {quorum.m} of {quorum.n}{' '}
        {quorum.session?.reached ? (
          <Badge word="REACHED" />
        ) : (
          <Badge word="HOLD" detail={`${inSession.length} of ${quorum.m} checked in`} />
        )}
      </h3>
      <ol className="quorum-seats" aria-label="Custodian seats">
        {quorum.custodians.map((p) => {
          const here = inSession.includes(p.id);
          return (
            <li key={p.id} className={here ? 'seat seat-in' : 'seat'}>
              {p.name}: {here ? 'checked in' : 'not checked in'}
            </li>
          );
        })}
      </ol>
      {quorum.refused ? (
        <p role="status">
          <Badge word="HOLD" detail={quorum.refused} /> No session can be opened for this step yet:{' '}
          {quorum.refused}
        </p>
      ) : quorum.session ? (
        <p className="muted">
          Session <code>{quorum.session.sessionId.slice(0, 8)}</code>
          {quorum.session.closed ? ' (closed)' : ''}
        </p>
      ) : (
        <p>
          No session yet: open one in Custodians &amp; Quorum for <code>{quorum.operation}</code>; the
          custodians check in there with their own tokens.
        </p>
      )}
    </section>
  );
}

/** The one act the step needs now: check, act or a witness's check-off. */
function NextAct(props: { view: RunView; step: Step; modules: Modules; onChanged: () => Promise<void> }) {
  const { view, step } = props;
  const [bags, setBags] = useState<Record<string, { readAloud: string; intact: boolean }>>({});
  const [note, setNote] = useState('');
  const [token, setToken] = useState('');
  const [shareFiles, setShareFiles] = useState<readonly string[]>([]);
  const [shareOut, setShareOut] = useState('');
  // The escrow token's user PIN and the SO PIN live only in their inputs until the act is previewed:
  // taken (and cleared) into that one act's draft, which nothing keeps after it (useConfirmedAct).
  const escrowPinRef = useRef<HTMLInputElement>(null);
  const soPinRef = useRef<HTMLInputElement>(null);
  const done = async () => {
    setNote('');
    setShareFiles([]);
    await props.onChanged();
  };
  const checkAct = useConfirmedAct('ceremonyCheck', {
    needsPin: step.preconditions.needs.pin,
    onDone: done,
  });
  const actAct = useConfirmedAct('ceremonyAct', { needsPin: step.act.needs.pin, onDone: done });
  const witnessAct = useConfirmedAct('ceremonyWitness', { needsPin: true, onDone: done });
  const tokens = props.modules.flatMap((m) => m.tokens.map((t) => ({ moduleId: m.moduleId, ...t })));
  const bagSerials = step.bags.in.map((b) => b.serial);

  if (step.needs === 'check') {
    const submit = (e: FormEvent<HTMLFormElement>) => {
      e.preventDefault();
      void checkAct.ask(
        {
          runId: view.runId,
          stepId: step.stepId,
          ...(step.preconditions.needs.escrowPin ? { escrowPin: takePin(escrowPinRef) } : {}),
          ...(step.quorum?.session ? { quorumSessionId: step.quorum.session.sessionId } : {}),
          ...(bagSerials.length > 0
            ? {
                bags: bagSerials.map((serial) => ({
                  serial,
                  readAloud: bags[serial]?.readAloud ?? '',
                  intact: bags[serial]?.intact ?? false,
                })),
              }
            : {}),
        },
        e.currentTarget,
      );
    };
    return (
      <>
        <form className="act-form" aria-label="Check the preconditions" onSubmit={submit}>
          <h3>Check the preconditions</h3>
          {step.bags.in.map((b) => (
            <fieldset key={b.serial} className="bag-check">
              <legend>
                Bag {b.serial}: {b.contents}
              </legend>
              <label className="field">
                <span>Serial read aloud from bag {b.serial}</span>
                <input
                  autoComplete="off"
                  required
                  value={bags[b.serial]?.readAloud ?? ''}
                  onChange={(e) =>
                    setBags((x) => ({
                      ...x,
                      [b.serial]: { readAloud: e.target.value, intact: x[b.serial]?.intact ?? false },
                    }))
                  }
                />
              </label>
              <label>
                <input
                  type="checkbox"
                  checked={bags[b.serial]?.intact ?? false}
                  onChange={(e) =>
                    setBags((x) => ({
                      ...x,
                      [b.serial]: { readAloud: x[b.serial]?.readAloud ?? '', intact: e.target.checked },
                    }))
                  }
                />{' '}
                Bag {b.serial} is intact
              </label>
            </fieldset>
          ))}
          {step.preconditions.needs.escrowPin ? (
            <PinField inputRef={escrowPinRef} label="Escrow token user PIN (label checks there)" />
          ) : null}
          {step.preconditions.needs.pin ? (
            <p className="muted">The token&apos;s user PIN is typed with the confirmation.</p>
          ) : null}
          <button type="submit" className="primary">
            Preview the check…
          </button>
        </form>
        {checkAct.panel}
      </>
    );
  }

  if (step.needs === 'act') {
    const submit = (e: FormEvent<HTMLFormElement>) => {
      e.preventDefault();
      const needs = step.act.needs;
      void actAct.ask(
        {
          runId: view.runId,
          stepId: step.stepId,
          ...(needs.note ? { note } : {}),
          ...(needs.escrowPin ? { escrowPin: takePin(escrowPinRef) } : {}),
          ...(needs.soPin ? { soPin: takePin(soPinRef) } : {}),
          ...(needs.shares && shareFiles.length > 0 ? { shareFiles: [...shareFiles] } : {}),
          ...(needs.shareVolume && shareOut ? { shareOut } : {}),
        },
        e.currentTarget,
      );
    };
    return (
      <>
        <form className="act-form" aria-label="Perform the act" onSubmit={submit}>
          <h3>Perform the act</h3>
          {step.act.needs.note ? (
            <label className="field wide">
              <span>What was said or done (recorded)</span>
              <textarea value={note} onChange={(e) => setNote(e.target.value)} required rows={3} />
            </label>
          ) : null}
          {step.act.needs.shares ? (
            <ShareFilesPicker runId={view.runId} chosen={shareFiles} onChange={setShareFiles} />
          ) : null}
          {step.act.needs.shareVolume ? <ShareVolumePicker value={shareOut} onChange={setShareOut} /> : null}
          {step.act.needs.escrowPin ? (
            <PinField inputRef={escrowPinRef} label="Escrow token user PIN" />
          ) : null}
          {step.act.needs.soPin ? (
            <PinField
              inputRef={soPinRef}
              label="HSM token SO PIN (makes the one-time transport key trusted)"
            />
          ) : null}
          {step.act.needs.pin ? (
            <p className="muted">
              The {step.act.needs.soPin ? 'HSM (source) ' : ''}token&apos;s user PIN is typed with the
              confirmation.
            </p>
          ) : null}
          <button type="submit" className="primary">
            Preview the act…
          </button>
        </form>
        {actAct.panel}
      </>
    );
  }

  // witness
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const t = tokens.find((x) => x.serial === token);
    if (!t) return;
    void witnessAct.ask(
      { runId: view.runId, stepId: step.stepId, moduleId: t.moduleId, serial: t.serial },
      e.currentTarget,
    );
  };
  return (
    <>
      <form className="act-form" aria-label="Check the step off" onSubmit={submit}>
        <h3>Check the step off as a witness</h3>
        <p>
          Your own token signs the run, this step and the file digest with your roster key; its PIN is typed
          with the confirmation.
        </p>
        <label className="field">
          <span>Witness token</span>
          <select value={token} onChange={(e) => setToken(e.target.value)} required>
            <option value="">— choose —</option>
            {tokens.map((t) => (
              <option key={`${t.moduleId}/${t.serial}`} value={t.serial}>
                {t.label} ({t.serial})
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary">
          Preview the check-off…
        </button>
      </form>
      {witnessAct.panel}
    </>
  );
}

/**
 * The custodians' current share files for a share re-issue, as the station lists them for this run
 * (ceremonyShareFiles): share files at the top of a listed volume, and in a rehearsal the REHEARSAL shares
 * its readying wrote. Names are shown and the listed paths sent, never a share: the station reads them
 * at the act, and refuses a path it did not list.
 */
function ShareFilesPicker(props: {
  runId: string;
  chosen: readonly string[];
  onChange: (paths: readonly string[]) => void;
}) {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const [files, setFiles] = useState<readonly ShareFile[] | null>(null);
  const [version, look] = useReducer((n: number) => n + 1, 0);
  const { runId, chosen, onChange } = props;
  useEffect(() => {
    if (!api) return;
    let live = true;
    void api.ceremonyShareFiles({ runId }).then((r) => {
      if (!live) return;
      if (!r.ok) return showError(r.error);
      setFiles(r.value);
    });
    return () => {
      live = false;
    };
  }, [api, runId, showError, version]);
  const toggle = (path: string, on: boolean) =>
    onChange(on ? [...chosen.filter((p) => p !== path), path] : chosen.filter((p) => p !== path));
  return (
    <fieldset className="share-files">
      <legend>The custodians&apos; current share files ({chosen.length} chosen)</legend>
      {files === null ? (
        <p role="status">Looking at the media…</p>
      ) : files.length === 0 ? (
        <p className="hint">
          No share file (*-share-*.txt) on a listed volume: the custodians insert their own media.
        </p>
      ) : (
        <ul className="plain" aria-label="Share files">
          {files.map((f) => (
            <li key={f.path}>
              <label>
                <input
                  type="checkbox"
                  checked={chosen.includes(f.path)}
                  onChange={(e) => toggle(f.path, e.target.checked)}
                />{' '}
                {f.name}{' '}
                <span className="muted">
                  ({f.source === 'rehearsal' ? "this rehearsal's REHEARSAL share" : 'on a listed volume'})
                </span>
              </label>
            </li>
          ))}
        </ul>
      )}
      <button type="button" onClick={look}>
        Look at the media again
      </button>
    </fieldset>
  );
}

/**
 * Where a production re-issue writes the new shares: a removable volume the station lists as ready,
 * never the station's own disk (the station refuses any other path).
 */
function ShareVolumePicker(props: { value: string; onChange: (path: string) => void }) {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const [media, setMedia] = useState<MediaView | null>(null);
  const [version, look] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    if (!api) return;
    let live = true;
    void api.mediaVolumes({}).then((r) => {
      if (!live) return;
      if (r.ok) setMedia(r.value);
      else showError(r.error);
    });
    return () => {
      live = false;
    };
  }, [api, showError, version]);
  const ready = media?.volumes.filter((v) => v.state === 'ready') ?? [];
  return (
    <label className="field">
      <span>Removable volume for the new shares</span>
      <select value={props.value} onChange={(e) => props.onChange(e.target.value)} required>
        <option value="">{ready.length === 0 ? 'no ready volume' : 'choose a volume'}</option>
        {ready.map((v) => (
          <option key={v.path} value={v.path}>
            {v.label} — {v.path}
          </option>
        ))}
      </select>
      <button type="button" onClick={look}>
        Look at the media again
      </button>
    </label>
  );
}

/** Any participant reports what happened instead of what the step expected: the run halts. */
function DeviationForm(props: { view: RunView; onChanged: () => Promise<void> }) {
  const [expected, setExpected] = useState('');
  const [happened, setHappened] = useState('');
  const act = useConfirmedAct('ceremonyDeviation', {
    onDone: async () => {
      setExpected('');
      setHappened('');
      await props.onChanged();
    },
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    void act.ask({ runId: props.view.runId, expected, happened }, e.currentTarget);
  };
  return (
    <details className="deviation-report">
      <summary>Report a deviation</summary>
      <form aria-label="Report a deviation" onSubmit={submit}>
        <label className="field wide">
          <span>Expected</span>
          <textarea value={expected} onChange={(e) => setExpected(e.target.value)} required rows={2} />
        </label>
        <label className="field wide">
          <span>Happened</span>
          <textarea value={happened} onChange={(e) => setHappened(e.target.value)} required rows={2} />
        </label>
        <button type="submit">Preview the deviation…</button>
      </form>
      {act.panel}
    </details>
  );
}

/** The open deviation, and the master of ceremonies' decision on it (RUN-HALT). */
function DecisionForm(props: { view: RunView; onChanged: () => Promise<void> }) {
  const d = props.view.openDeviation;
  const [decision, setDecision] = useState<'continue' | 'abort'>('continue');
  const [reason, setReason] = useState('');
  const act = useConfirmedAct('ceremonyDecide', {
    onDone: async () => {
      setReason('');
      await props.onChanged();
    },
  });
  if (!d) return null;
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    void act.ask({ runId: props.view.runId, deviationSeq: d.seq, decision, reason }, e.currentTarget);
  };
  return (
    <section className="deviation-open" aria-label="Open deviation">
      <h3>
        <Badge word="HALTED" check={`RUN-HALT`} /> Deviation {d.seq} at step {d.stepId} ({d.phase})
      </h3>
      <dl className="deviation-facts">
        <dt>Expected</dt>
        <dd>{d.expected}</dd>
        <dt>Happened</dt>
        <dd>{d.happened}</dd>
      </dl>
      <form className="act-form" aria-label="Decide on the deviation" onSubmit={submit}>
        <h3>The master of ceremonies decides</h3>
        <fieldset>
          <legend>Decision</legend>
          <label>
            <input
              type="radio"
              name="deviation-decision"
              checked={decision === 'continue'}
              onChange={() => setDecision('continue')}
            />{' '}
            Continue: what happened is accepted and goes on the exception sheet
          </label>
          <label>
            <input
              type="radio"
              name="deviation-decision"
              checked={decision === 'abort'}
              onChange={() => setDecision('abort')}
            />{' '}
            Abort the run
          </label>
        </fieldset>
        <label className="field wide">
          <span>Reason (recorded)</span>
          <textarea value={reason} onChange={(e) => setReason(e.target.value)} required rows={2} />
        </label>
        <button type="submit" className="primary">
          Preview the decision…
        </button>
      </form>
      {act.panel}
    </section>
  );
}

/** Every deviation of the run with its decision: the exception sheet. */
function ExceptionSheet({ view }: { view: RunView }) {
  if (view.deviations.length === 0) return null;
  return (
    <section aria-label="Exception sheet" className="exception-sheet">
      <h2>Exception sheet</h2>
      <table>
        <caption className="visually-hidden">Deviations and decisions</caption>
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col">Expected</th>
            <th scope="col">Happened</th>
            <th scope="col">Decision</th>
          </tr>
        </thead>
        <tbody>
          {view.deviations.map((d) => (
            <tr key={d.seq}>
              <td>
                {d.stepId} ({d.phase}, seq {d.seq})
              </td>
              <td>{d.expected}</td>
              <td>{d.happened}</td>
              <td>
                {d.decision ? (
                  <>
                    <Badge word={d.decision.decision === 'continue' ? 'EXCEPTION-BACKED' : 'ABORTED'} />{' '}
                    {d.decision.decision} by {d.decision.actor}: {d.decision.reason}
                  </>
                ) : (
                  <Badge word="HALTED" detail="awaiting the decision" />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        Run started {when(view.startedAt)} by {view.startedBy}; each entry is recorded under the person signed
        in.
      </p>
    </section>
  );
}
