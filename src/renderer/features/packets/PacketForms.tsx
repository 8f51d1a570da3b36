import { useEffect, useState, type FormEvent } from 'react';
import type { Output, PacketView } from '../../../shared/contract';
import type { Result } from '../../../shared/errors';
import { FieldError } from '../../components/FieldError';
import { useStation } from '../../app/store';
import { useConfirmedAct } from '../../components/ConfirmAct';

type Props = { packet: PacketView; onChanged: () => Promise<void> };

const text = (d: FormData, k: string) => String(d.get(k) ?? '').trim();
const isoDay = (v: string) => (v ? new Date(`${v}T00:00:00.000Z`).toISOString() : null);

/** Calls one edit channel; shows a coded error or, when evidence stopped the packet, says so. */
function useEdit(onChanged: () => Promise<void>) {
  const showError = useStation((s) => s.showError);
  const dismissError = useStation((s) => s.dismissError);
  return async (form: HTMLFormElement, call: () => Promise<Result<unknown>>) => {
    const r = await call();
    if (!r.ok) return showError(r.error);
    dismissError();
    form.reset();
    await onChanged();
  };
}

export function ClaimForm({ packet, onChanged }: Props) {
  const derived = packet.derived !== null;
  const blank = { claimId: '', text: '', evidence: [] as string[], checks: '', status: '' };
  const [f, setF] = useState(blank);
  const act = useConfirmedAct('packetSetClaim', {
    onDone: async () => {
      setF(blank);
      await onChanged();
    },
  });
  // Editing an existing claim starts from what it says now (its text, evidence, checks and status).
  const chooseId = (claimId: string) => {
    const c = packet.draft.claims.find((x) => x.claimId === claimId);
    setF(
      c
        ? {
            claimId,
            text: c.text,
            evidence: [...c.evidence],
            checks: (c.checks ?? []).join(', '),
            status: c.status ?? '',
          }
        : { ...f, claimId },
    );
  };
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const checks = f.checks
      .split(/[\s,]+/)
      .map((x) => x.trim())
      .filter(Boolean);
    void act.ask({
      packetId: packet.draft.packetId,
      claim: {
        claimId: f.claimId.trim(),
        text: f.text.trim(),
        evidence: f.evidence,
        ...(checks.length ? { checks } : {}),
        // A derived packet's claim takes its status from its checks: it is never typed.
        ...(derived ? {} : { status: f.status as 'supported' }),
      },
    });
  };
  const existing = packet.draft.claims.some((c) => c.claimId === f.claimId);
  return (
    <details>
      <summary>Set or edit a claim</summary>
      <form className="act-form" aria-label="Set claim" onSubmit={submit}>
        <label className="field">
          <span>
            Claim id — lower-case letters, digits and hyphens, up to 48 (an existing id edits that claim)
          </span>
          <input
            name="claimId"
            list="claim-ids"
            required
            maxLength={48}
            pattern="[a-z0-9][a-z0-9\-]{0,47}"
            value={f.claimId}
            onChange={(e) => chooseId(e.target.value)}
          />
          <datalist id="claim-ids">
            {packet.draft.claims.map((c) => (
              <option key={c.claimId} value={c.claimId} />
            ))}
          </datalist>
          <FieldError name="claimId" />
        </label>
        {existing ? (
          <p className="muted">Editing claim {f.claimId}: its current values are filled in.</p>
        ) : null}
        <label className="field">
          <span>Claim text — up to 1000 characters ({f.text.length} used)</span>
          <input
            name="text"
            required
            maxLength={1000}
            value={f.text}
            onChange={(e) => setF({ ...f, text: e.target.value })}
          />
          <FieldError name="text" />
        </label>
        <fieldset>
          <legend>Evidence it rests on (up to 50)</legend>
          {packet.draft.evidence.map((x) => (
            <label key={x.evidenceId} className="check">
              <input
                type="checkbox"
                checked={f.evidence.includes(x.evidenceId)}
                onChange={(e) =>
                  setF({
                    ...f,
                    evidence: e.target.checked
                      ? [...f.evidence, x.evidenceId]
                      : f.evidence.filter((y) => y !== x.evidenceId),
                  })
                }
              />{' '}
              {x.evidenceId}
            </label>
          ))}
          {packet.draft.evidence.length === 0 ? <p className="muted">None yet.</p> : null}
        </fieldset>
        <label className="field">
          <span>
            Checks it rests on — check IDs such as DEF-RUNWAY, separated by commas (up to 20)
            {derived ? ': its status is computed from their findings' : ''}
          </span>
          <input name="checks" value={f.checks} onChange={(e) => setF({ ...f, checks: e.target.value })} />
          <FieldError name="checks" />
        </label>
        {derived ? null : (
          <label className="field">
            <span>Status (a person’s assessment; “supported” needs evidence)</span>
            <select
              name="status"
              required
              value={f.status}
              onChange={(e) => setF({ ...f, status: e.target.value })}
            >
              <option value="" disabled>
                — choose —
              </option>
              <option value="supported">supported (needs evidence)</option>
              <option value="pending">pending</option>
              <option value="disputed">disputed</option>
              <option value="unsupported">unsupported</option>
            </select>
          </label>
        )}
        <button type="submit" className="primary">
          Preview the claim…
        </button>
      </form>
      {act.panel}
    </details>
  );
}

/**
 * A note, owner or due date on one open finding of the latest evaluation. There is no field for its
 * category or whether it blocks: the station finds, people annotate.
 */
export function AnnotateForm({ packet, onChanged }: Props) {
  const register = packet.derived?.register ?? [];
  const keyOf = (f: { checkId: string; subject: string }) => `${f.checkId} ${f.subject}`;
  const blank = { finding: '', note: '', owner: '', due: '' };
  const [f, setF] = useState(blank);
  const act = useConfirmedAct('packetAnnotate', {
    onDone: async () => {
      setF(blank);
      await onChanged();
    },
  });
  if (register.length === 0) return null;
  // Choosing a finding fills in its owner and due date as they stand (a note is always a new one).
  const choose = (key: string) => {
    const r = register.find((x) => keyOf(x.finding) === key);
    setF({ finding: key, note: '', owner: r?.owner ?? '', due: r?.dueAt?.slice(0, 10) ?? '' });
  };
  const chosen = register.find((x) => keyOf(x.finding) === f.finding);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!chosen) return;
    void act.ask({
      packetId: packet.draft.packetId,
      checkId: chosen.finding.checkId,
      subject: chosen.finding.subject,
      note: f.note.trim() || null,
      owner: f.owner.trim() || null,
      dueAt: isoDay(f.due),
    });
  };
  return (
    <details>
      <summary>Annotate a finding</summary>
      <form className="act-form" aria-label="Annotate finding" onSubmit={submit}>
        <label className="field">
          <span>Finding</span>
          <select name="finding" required value={f.finding} onChange={(e) => choose(e.target.value)}>
            <option value="" disabled>
              — choose —
            </option>
            {register.map((r) => (
              <option key={keyOf(r.finding)} value={keyOf(r.finding)}>
                {r.finding.checkId} {r.finding.subject}
              </option>
            ))}
          </select>
        </label>
        {chosen && chosen.notes.length ? (
          <p className="muted">Notes so far: {chosen.notes.join(' · ')}</p>
        ) : null}
        <label className="field">
          <span>New note — up to 1000 characters</span>
          <input
            name="note"
            maxLength={1000}
            value={f.note}
            onChange={(e) => setF({ ...f, note: e.target.value })}
          />
          <FieldError name="note" />
        </label>
        <label className="field">
          <span>Owner (who must act on it)</span>
          <input
            name="owner"
            maxLength={80}
            value={f.owner}
            onChange={(e) => setF({ ...f, owner: e.target.value })}
          />
          <FieldError name="owner" />
        </label>
        <label className="field">
          <span>Due</span>
          <input name="due" type="date" value={f.due} onChange={(e) => setF({ ...f, due: e.target.value })} />
          <FieldError name="dueAt" />
        </label>
        <button
          type="submit"
          className="primary"
          disabled={!chosen}
          title={chosen ? undefined : 'Choose a finding first'}
        >
          Preview the annotation…
        </button>
      </form>
      {act.panel}
    </details>
  );
}

type MediaFile = Output<'packetEvidenceFiles'>[number];

export function EvidenceForms({ packet, onChanged }: Props) {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const [files, setFiles] = useState<MediaFile[]>([]);
  const [imported, setImported] = useState<string | null>(null);
  const edit = useEdit(onChanged);
  const attestAct = useConfirmedAct('packetAttest', { onDone: onChanged });
  useEffect(() => {
    if (!api) return;
    void api.packetEvidenceFiles({}).then((r) => (r.ok ? setFiles(r.value) : showError(r.error)));
  }, [api, showError, packet.draft.evidence.length]);

  const meta = (d: FormData) => {
    const days = text(d, 'freshnessDays');
    return {
      packetId: packet.draft.packetId,
      evidenceId: text(d, 'evidenceId'),
      title: text(d, 'title'),
      system: text(d, 'system') || 'ceremony-station',
      effectiveAt: isoDay(text(d, 'effective')),
      freshnessDays: days ? Number(days) : null,
      sensitive: d.get('sensitive') === 'on',
    };
  };
  const importFile = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!api) return;
    const d = new FormData(e.currentTarget);
    void edit(e.currentTarget, async () => {
      const r = await api.packetImportEvidence({
        ...meta(d),
        path: text(d, 'path'),
      });
      if (r.ok) setImported(r.value.summary);
      return r;
    });
  };
  const attest = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const d = new FormData(e.currentTarget);
    void attestAct.ask(
      { ...meta(d), text: text(d, 'text'), attestedBy: text(d, 'attestedBy') },
      e.currentTarget,
    );
  };
  const common = (
    <>
      <label className="field">
        <span>Evidence id</span>
        <input name="evidenceId" required pattern="[a-z0-9][a-z0-9\-]{0,47}" />
        <FieldError name="evidenceId" />
      </label>
      <label className="field">
        <span>Title</span>
        <input name="title" required />
        <FieldError name="title" />
      </label>
      <label className="field">
        <span>Source system</span>
        <input name="system" placeholder="ceremony-station" />
        <FieldError name="system" />
      </label>
      <label className="field">
        <span>Effective date (when the fact was true)</span>
        <input name="effective" type="date" />
        <FieldError name="effectiveAt" />
      </label>
      <label className="field">
        <span>Freshness rule (days)</span>
        <input name="freshnessDays" type="number" min={1} max={3650} />
        <FieldError name="freshnessDays" />
      </label>
      <label className="check">
        <input type="checkbox" name="sensitive" /> Sensitive (digest and title only in exports)
      </label>
    </>
  );
  return (
    <>
      <details>
        <summary>Import evidence from media</summary>
        <form className="act-form" aria-label="Import evidence" onSubmit={importFile}>
          <label className="field">
            <span>File on the removable volume</span>
            <select name="path" required>
              {files.map((f) => (
                <option key={f.path} value={f.path}>
                  {f.name} ({f.size} bytes)
                </option>
              ))}
            </select>
          </label>
          {common}
          <p className="muted">Recorded as imported by you, the signed-in operator.</p>
          <button
            type="submit"
            className="primary"
            disabled={files.length === 0}
            title={files.length === 0 ? 'No file is listed on a removable volume' : undefined}
          >
            Copy, digest and add
          </button>
          {imported ? <p role="status">Imported: {imported}</p> : null}
        </form>
      </details>
      <details>
        <summary>Record a typed attestation</summary>
        <form className="act-form" aria-label="Attestation" onSubmit={attest}>
          {common}
          <label className="field">
            <span>Attested by (whose words these are; you are recorded as typing them in)</span>
            <input name="attestedBy" required />
            <FieldError name="attestedBy" />
          </label>
          <label className="field">
            <span>What they attest</span>
            <textarea name="text" required rows={3} />
          </label>
          <button type="submit" className="primary">
            Preview the attestation…
          </button>
        </form>
        {attestAct.panel}
      </details>
    </>
  );
}

export function ReviewersForm({ packet, onChanged, disabled }: Props & { disabled: boolean }) {
  const api = useStation((s) => s.api);
  const edit = useEdit(onChanged);
  const { requiredRoles, reviewers } = packet.draft.routing;
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!api) return;
    const d = new FormData(e.currentTarget);
    void edit(e.currentTarget, () =>
      api.packetSetReviewers({
        packetId: packet.draft.packetId,
        reviewers: requiredRoles
          .map((role) => ({ role, name: text(d, `role:${role}`) }))
          .filter((r) => r.name !== ''),
      }),
    );
  };
  return (
    <form className="inline-form" aria-label="Name reviewers" onSubmit={submit}>
      {requiredRoles.map((role) => (
        <label key={`${role}-${reviewers.find((r) => r.role === role)?.name ?? ''}`} className="field">
          <span>{role}</span>
          <input
            name={`role:${role}`}
            defaultValue={reviewers.find((r) => r.role === role)?.name ?? ''}
            disabled={disabled}
          />
        </label>
      ))}
      <button type="submit" disabled={disabled}>
        Name reviewers
      </button>
    </form>
  );
}

/**
 * Evaluates the packet's subject again at the same instant as its latest evaluation: after records that
 * resolve a finding were imported, this is how the register, the claims and the outcome catch up.
 */
export function EvaluateAgain(props: { packetId: string; asOf: string; onChanged: () => Promise<void> }) {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const dismissError = useStation((s) => s.dismissError);
  const evaluate = async () => {
    if (!api) return;
    const r = await api.packetEvaluate({ packetId: props.packetId, asOf: props.asOf });
    if (!r.ok) return showError(r.error);
    dismissError();
    await props.onChanged();
  };
  return (
    <div className="actions">
      <button type="button" onClick={() => void evaluate()}>
        Evaluate again as of {props.asOf}
      </button>
    </div>
  );
}

/**
 * The first evaluation of a derived packet's subject (an incident, a request), as of an instant the
 * operator gives (empty: now): the register, the claims and the outcome come from it.
 */
export function EvaluateFirst(props: { packetId: string; onChanged: () => Promise<void> }) {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const dismissError = useStation((s) => s.dismissError);
  const evaluate = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!api) return;
    const asOf = String(new FormData(e.currentTarget).get('asOf') ?? '').trim();
    const r = await api.packetEvaluate({ packetId: props.packetId, ...(asOf ? { asOf } : {}) });
    if (!r.ok) return showError(r.error);
    dismissError();
    await props.onChanged();
  };
  return (
    <form className="act-form" aria-label="Evaluate the packet" onSubmit={(e) => void evaluate(e)}>
      <label className="field">
        <span>As of (ISO UTC; empty: now)</span>
        <input name="asOf" spellCheck={false} />
        <FieldError name="asOf" />
      </label>
      <button type="submit" className="primary">
        Evaluate
      </button>
    </form>
  );
}
