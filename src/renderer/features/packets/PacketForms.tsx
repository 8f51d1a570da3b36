import { useEffect, useState, type FormEvent } from 'react';
import type { Output, PacketView } from '../../../shared/contract';
import type { Result } from '../../../shared/errors';
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
  const act = useConfirmedAct('packetSetClaim', { onDone: onChanged });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const d = new FormData(e.currentTarget);
    void act.ask(
      {
        packetId: packet.draft.packetId,
        claim: {
          claimId: text(d, 'claimId'),
          text: text(d, 'text'),
          evidence: d.getAll('evidence').map(String),
          status: text(d, 'status') as 'supported',
        },
      },
      e.currentTarget,
    );
  };
  return (
    <details>
      <summary>Set a claim</summary>
      <form className="act-form" aria-label="Set claim" onSubmit={submit}>
        <label className="field">
          <span>Claim id (an existing id replaces that claim)</span>
          <input name="claimId" list="claim-ids" required pattern="[a-z0-9][a-z0-9\-]{0,47}" />
          <datalist id="claim-ids">
            {packet.draft.claims.map((c) => (
              <option key={c.claimId} value={c.claimId} />
            ))}
          </datalist>
        </label>
        <label className="field">
          <span>Claim text</span>
          <input name="text" required />
        </label>
        <IdChecks
          legend="Evidence it rests on"
          name="evidence"
          ids={packet.draft.evidence.map((x) => x.evidenceId)}
        />
        <label className="field">
          <span>Status</span>
          <select name="status" defaultValue="pending">
            <option value="supported">supported (needs evidence)</option>
            <option value="pending">pending</option>
            <option value="disputed">disputed</option>
            <option value="unsupported">unsupported</option>
          </select>
        </label>
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
  const act = useConfirmedAct('packetAnnotate', { onDone: onChanged });
  const findings = packet.derived?.register.map((r) => r.finding) ?? [];
  if (findings.length === 0) return null;
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const d = new FormData(e.currentTarget);
    const [checkId = '', ...rest] = text(d, 'finding').split(' ');
    void act.ask(
      {
        packetId: packet.draft.packetId,
        checkId,
        subject: rest.join(' '),
        note: text(d, 'note') || null,
        owner: text(d, 'owner') || null,
        dueAt: isoDay(text(d, 'due')),
      },
      e.currentTarget,
    );
  };
  return (
    <details>
      <summary>Annotate a finding</summary>
      <form className="act-form" aria-label="Annotate finding" onSubmit={submit}>
        <label className="field">
          <span>Finding</span>
          <select name="finding">
            {findings.map((f) => (
              <option key={`${f.checkId} ${f.subject}`} value={`${f.checkId} ${f.subject}`}>
                {f.checkId} {f.subject}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Note</span>
          <input name="note" />
        </label>
        <label className="field">
          <span>Owner</span>
          <input name="owner" />
        </label>
        <label className="field">
          <span>Due</span>
          <input name="due" type="date" />
        </label>
        <button type="submit" className="primary">
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
      </label>
      <label className="field">
        <span>Title</span>
        <input name="title" required />
      </label>
      <label className="field">
        <span>Source system</span>
        <input name="system" placeholder="ceremony-station" />
      </label>
      <label className="field">
        <span>Effective date (when the fact was true)</span>
        <input name="effective" type="date" />
      </label>
      <label className="field">
        <span>Freshness rule (days)</span>
        <input name="freshnessDays" type="number" min={1} max={3650} />
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
          <button type="submit" className="primary" disabled={files.length === 0}>
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

/** A set of checkboxes, one per item id, submitted under `name`. */
function IdChecks({ legend, name, ids }: { legend: string; name: string; ids: readonly string[] }) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {ids.map((id) => (
        <label key={id} className="check">
          <input type="checkbox" name={name} value={id} /> {id}
        </label>
      ))}
      {ids.length === 0 ? <p className="muted">None yet.</p> : null}
    </fieldset>
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
