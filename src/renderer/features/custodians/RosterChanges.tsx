import { useState, type ChangeEvent, type FormEvent } from 'react';
import { PUBLIC_KEY_MAX_CHARS, type Output, type RosterEntryView } from '../../../shared/contract';
import { useStation } from '../../app/store';
import { useConfirmedAct } from '../../components/ConfirmAct';
import { Digest } from '../../components/Digest';
import { boundSession, QuorumActButton, QuorumBinding, type SessionSummary } from './QuorumBinding';
import './roster-changes.css';

interface Props {
  roster: readonly RosterEntryView[];
  sessions: readonly SessionSummary[];
  onOpened: (sessionId: string) => Promise<void>;
  onChanged: () => Promise<void>;
}

const dayStart = (day: string) => (day ? `${day}T00:00:00.000Z` : '');

/**
 * Roster changes at the console (`station roster add|revoke|credentials`): each shows the exact quorum
 * operation the station computes for it, opens a session bound to that operation, and — once the
 * custodians have checked in — records the change through its preview. Nothing here changes the roster
 * without a quorum of the roster as it is.
 */
export function RosterChanges(props: Props) {
  const active = props.roster.filter((c) => c.revokedAt === null);
  return (
    <section className="module" aria-label="Roster changes">
      <h2>Roster changes (under quorum)</h2>
      <p className="muted">
        Each change needs a quorum session opened for exactly that change: show its operation, preview a
        session for it, let the custodians check in on the session panel, then preview and record the change.
      </p>
      <AddCustodianForm {...props} />
      <RevokeCustodianForm {...props} active={active} />
      <CredentialsForm {...props} active={active} />
    </section>
  );
}

function AddCustodianForm(props: Props) {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const dismissError = useStation((s) => s.dismissError);
  const blank = {
    custodianId: '',
    name: '',
    roles: 'custodian',
    validFrom: new Date().toISOString().slice(0, 10),
    validUntil: '',
    publicKey: '',
  };
  const [f, setF] = useState(blank);
  const [bound, setBound] = useState<Output<'rosterAddOperation'> | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const act = useConfirmedAct('rosterAdd', {
    onDone: async (entry) => {
      setAdded(`${entry.name} (${entry.custodianId}) is on the roster: ${entry.status}.`);
      setF(blank);
      setBound(null);
      await props.onChanged();
    },
  });
  const custodian = {
    custodianId: f.custodianId.trim(),
    name: f.name,
    roles: f.roles
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean),
    validFrom: dayStart(f.validFrom),
    validUntil: dayStart(f.validUntil),
    publicKey: f.publicKey,
  };
  const set = (patch: Partial<typeof f>) => {
    setF({ ...f, ...patch });
    setBound(null);
    setAdded(null);
  };
  const readKeyFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    if (file.size > PUBLIC_KEY_MAX_CHARS) {
      showError({
        code: 'INVALID_INPUT',
        message: `${file.name} is ${file.size} bytes: a public key or certificate is at most ${PUBLIC_KEY_MAX_CHARS}`,
        data: { field: 'publicKey' },
      });
      return;
    }
    set({ publicKey: await file.text() });
  };
  const show = async () => {
    if (!api) return;
    const r = await api.rosterAddOperation({ custodian });
    if (!r.ok) return showError(r.error);
    dismissError();
    setBound(r.value);
  };
  const session = boundSession(props.sessions, bound?.operation ?? null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!session) return;
    await act.ask({ custodian, quorumSessionId: session.sessionId });
  };
  return (
    <form className="act-form" aria-label="Add a custodian" onSubmit={(e) => void submit(e)}>
      <h3>Add a custodian</h3>
      <div className="inline-form">
        <label className="field">
          <span>Custodian id</span>
          <input value={f.custodianId} onChange={(e) => set({ custodianId: e.target.value })} required />
        </label>
        <label className="field">
          <span>Name</span>
          <input value={f.name} onChange={(e) => set({ name: e.target.value })} required />
        </label>
        <label className="field">
          <span>Roles (comma separated)</span>
          <input value={f.roles} onChange={(e) => set({ roles: e.target.value })} required />
        </label>
        <label className="field">
          <span>Valid from (UTC day)</span>
          <input
            type="date"
            value={f.validFrom}
            onChange={(e) => set({ validFrom: e.target.value })}
            required
          />
        </label>
        <label className="field">
          <span>Valid until (UTC day)</span>
          <input
            type="date"
            value={f.validUntil}
            onChange={(e) => set({ validUntil: e.target.value })}
            required
          />
        </label>
      </div>
      <label className="field field-wide">
        <span>Public key or certificate (PEM)</span>
        <textarea
          className="pem"
          rows={6}
          value={f.publicKey}
          maxLength={PUBLIC_KEY_MAX_CHARS}
          onChange={(e) => set({ publicKey: e.target.value })}
          spellCheck={false}
          required
        />
      </label>
      <label className="field">
        <span>…or read it from a file</span>
        <input type="file" accept=".pem,.crt,.cer,.pub,.txt" onChange={(e) => void readKeyFile(e)} />
      </label>
      <div className="actions">
        <button type="button" onClick={() => void show()}>
          Show the operation to authorise
        </button>
      </div>
      {bound ? (
        <Digest
          hex={bound.fingerprint}
          words={bound.words}
          label={`Key fingerprint (${bound.algorithm}): the new custodian reads it back from their token`}
        />
      ) : null}
      <QuorumBinding
        operation={bound?.operation ?? null}
        session={session}
        ceremonyId="roster-change"
        step={`add ${custodian.custodianId}`.slice(0, 80)}
        onOpened={props.onOpened}
      />
      <QuorumActButton session={session} bound="this change">
        Preview the addition…
      </QuorumActButton>
      {act.panel}
      {added ? <p role="status">{added}</p> : null}
    </form>
  );
}

function RevokeCustodianForm(props: Props & { active: readonly RosterEntryView[] }) {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const dismissError = useStation((s) => s.dismissError);
  const [f, setF] = useState({ custodianId: '', reason: '' });
  const [operation, setOperation] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const act = useConfirmedAct('rosterRevoke', {
    onDone: async (v) => {
      setDone(
        `${v.custodianId} is revoked${v.revokedAt ? ` as of ${v.revokedAt.replace('T', ' ').slice(0, 19)} UTC` : ''}.`,
      );
      setF({ custodianId: '', reason: '' });
      setOperation(null);
      await props.onChanged();
    },
  });
  const set = (patch: Partial<typeof f>) => {
    setF({ ...f, ...patch });
    setOperation(null);
    setDone(null);
  };
  const show = async () => {
    if (!api) return;
    const r = await api.rosterRevokeOperation({ custodianId: f.custodianId, reason: f.reason });
    if (!r.ok) return showError(r.error);
    dismissError();
    setOperation(r.value.operation);
  };
  const session = boundSession(props.sessions, operation);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!session) return;
    await act.ask({ custodianId: f.custodianId, reason: f.reason, quorumSessionId: session.sessionId });
  };
  return (
    <form className="act-form" aria-label="Revoke a custodian" onSubmit={(e) => void submit(e)}>
      <h3>Revoke a custodian</h3>
      <p>
        A revoked custodian no longer checks in, signs in or counts towards a quorum. This cannot be undone.
      </p>
      <div className="inline-form">
        <label className="field">
          <span>Custodian to revoke</span>
          <select value={f.custodianId} onChange={(e) => set({ custodianId: e.target.value })} required>
            <option value="">— choose —</option>
            {props.active.map((c) => (
              <option key={c.custodianId} value={c.custodianId}>
                {c.name} ({c.custodianId})
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Reason (recorded)</span>
          <input
            value={f.reason}
            maxLength={500}
            onChange={(e) => set({ reason: e.target.value })}
            required
          />
        </label>
      </div>
      <QuorumBinding
        onShow={() => void show()}
        operation={operation}
        session={session}
        ceremonyId="roster-change"
        step={`revoke ${f.custodianId}`}
        onOpened={props.onOpened}
      />
      <QuorumActButton session={session} bound="this change">
        Preview the revocation…
      </QuorumActButton>
      {act.panel}
      {done ? <p role="status">{done}</p> : null}
    </form>
  );
}

function CredentialsForm(props: Props & { active: readonly RosterEntryView[] }) {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const dismissError = useStation((s) => s.dismissError);
  const [f, setF] = useState({ custodianId: '', keyFile: 'allow' });
  const [operation, setOperation] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const keyFile = f.keyFile === 'allow';
  const act = useConfirmedAct('rosterSetCredentials', {
    onDone: async (v) => {
      setDone(`${v.custodianId} signs in with: ${v.credentials.join(', ')}.`);
      setOperation(null);
      await props.onChanged();
    },
  });
  const set = (patch: Partial<typeof f>) => {
    setF({ ...f, ...patch });
    setOperation(null);
    setDone(null);
  };
  const show = async () => {
    if (!api) return;
    const r = await api.rosterCredentialsOperation({ custodianId: f.custodianId, keyFile });
    if (!r.ok) return showError(r.error);
    dismissError();
    setOperation(r.value.operation);
  };
  const session = boundSession(props.sessions, operation);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!session) return;
    await act.ask({ custodianId: f.custodianId, keyFile, quorumSessionId: session.sessionId });
  };
  return (
    <form className="act-form" aria-label="Key-file sign-in" onSubmit={(e) => void submit(e)}>
      <h3>Key-file sign-in</h3>
      <p>
        Allows a custodian to sign in with their passphrase-protected key file as well as their token, or
        withdraws it (OPS-CREDENTIAL). The key file must hold the key the roster registered for them.
      </p>
      <div className="inline-form">
        <label className="field">
          <span>Custodian</span>
          <select value={f.custodianId} onChange={(e) => set({ custodianId: e.target.value })} required>
            <option value="">— choose —</option>
            {props.active.map((c) => (
              <option key={c.custodianId} value={c.custodianId}>
                {c.name} ({c.custodianId}) · now {c.credentials.join(', ')}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Sign-in</span>
          <select value={f.keyFile} onChange={(e) => set({ keyFile: e.target.value })}>
            <option value="allow">allow key file (and token)</option>
            <option value="withdraw">token only</option>
          </select>
        </label>
      </div>
      <QuorumBinding
        onShow={() => void show()}
        operation={operation}
        session={session}
        ceremonyId="roster-change"
        step={`credentials ${f.custodianId}`}
        onOpened={props.onOpened}
      />
      <QuorumActButton session={session} bound="this change">
        Preview the change…
      </QuorumActButton>
      {act.panel}
      {done ? <p role="status">{done}</p> : null}
    </form>
  );
}
