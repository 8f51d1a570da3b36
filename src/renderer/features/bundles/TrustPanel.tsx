import { useState, type FormEvent } from 'react';
import type { Output, TrustEntryView } from '../../../shared/contract';
import { FieldError } from '../../components/FieldError';
import { useStation } from '../../app/store';
import { Badge } from '../../components/Badge';
import { useConfirmedAct } from '../../components/ConfirmAct';
import { Digest } from '../../components/Digest';

type MediaFile = Output<'mediaFiles'>[number];
type Registration = Output<'trustInspect'>;
const ROLES = [
  'release-integrity-owner',
  'release-security-owner',
  'cryptography-engineering-manager',
  'ca-delegate',
  'board-reviewer',
];

/**
 * The trust store. A key enters only from a registration bundle signed by that key, after the operator
 * types back the fingerprint words the key holder reads out over an independent channel.
 */
export function TrustPanel(props: {
  entries: readonly TrustEntryView[];
  files: readonly MediaFile[];
  onDone: () => Promise<void>;
}) {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const dismissError = useStation((s) => s.dismissError);
  const [candidate, setCandidate] = useState<{ path: string; reg: Registration } | null>(null);

  const inspect = async (path: string) => {
    if (!api) return;
    const r = await api.trustInspect({ path });
    if (!r.ok) return showError(r.error);
    setCandidate({ path, reg: r.value });
  };

  const registerAct = useConfirmedAct('trustRegister', {
    onDone: async () => {
      setCandidate(null);
      await props.onDone();
    },
  });
  const [revoking, setRevoking] = useState<string | null>(null);
  const revokeAct = useConfirmedAct('trustRevoke', {
    onDone: async () => {
      setRevoking(null);
      await props.onDone();
    },
  });

  const register = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!candidate) return;
    const data = new FormData(e.currentTarget);
    const day = String(data.get('validUntil'));
    await registerAct.ask(
      {
        path: candidate.path,
        trustId: String(data.get('trustId')),
        roles: data.getAll('roles').map(String),
        validUntil: day ? new Date(`${day}T00:00:00.000Z`).toISOString() : '',
        confirmFingerprint: String(data.get('confirm')),
      },
      e.currentTarget,
    );
  };
  const revoke = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!revoking) return;
    const data = new FormData(e.currentTarget);
    await revokeAct.ask(
      { trustId: revoking, reason: String(data.get('reason') ?? '').trim() },
      e.currentTarget,
    );
  };

  return (
    <section className="module" aria-label="Trust store">
      <h2>Trust store</h2>
      {props.entries.length === 0 ? <p className="muted">No key is trusted yet.</p> : null}
      <table className="grid" aria-label="Trusted keys" hidden={props.entries.length === 0}>
        <thead>
          <tr>
            <th scope="col">Who</th>
            <th scope="col">Roles</th>
            <th scope="col">Status</th>
            <th scope="col">Fingerprint</th>
          </tr>
        </thead>
        <tbody>
          {props.entries.map((t) => (
            <tr key={t.trustId}>
              <td>
                {t.name}{' '}
                <div className="muted">
                  {t.trustId} · {t.entryKind}
                </div>
              </td>
              <td>{t.roles.join(', ') || <span className="muted">none</span>}</td>
              <td>
                <Badge word={t.status} tone={t.status === 'VALID' ? 'good' : 'bad'} />
                <div className="muted">until {t.validUntil.slice(0, 10)}</div>
                {t.status === 'VALID' ? (
                  <button
                    type="button"
                    onClick={() => {
                      dismissError();
                      setRevoking(t.trustId);
                    }}
                    aria-label={`Revoke ${t.trustId}`}
                  >
                    Revoke…
                  </button>
                ) : null}
              </td>
              <td>
                <code>{t.fingerprint.slice(0, 16)}…</code>
                <div className="muted">{t.words.join(' ')}</div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {revoking ? (
        <form className="act-form" aria-label="Revoke key" onSubmit={(e) => void revoke(e)}>
          <p>
            Revokes <strong>{revoking}</strong>: from then on nothing it signs is trusted here. This cannot be
            undone (a revoked key is registered again only as a new entry).
          </p>
          <label className="field">
            <span>Reason (recorded)</span>
            <input name="reason" required maxLength={500} />
            <FieldError name="reason" />
          </label>
          <div className="actions">
            <button type="submit" className="primary">
              Preview the revocation…
            </button>
            <button type="button" onClick={() => setRevoking(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      {revokeAct.panel}
      <h3>Register a key from media</h3>
      <ul className="plain" aria-label="Registration bundles on media">
        {props.files.map((f) => (
          <li key={f.path}>
            <code>{f.name}</code>{' '}
            <button type="button" onClick={() => void inspect(f.path)} aria-label={`Inspect ${f.name}`}>
              Inspect
            </button>
          </li>
        ))}
      </ul>
      {candidate ? (
        <form className="act-form" aria-label="Register key" onSubmit={(e) => void register(e)}>
          <p>
            {candidate.reg.bundleKind} for <strong>{candidate.reg.holder}</strong>
            {candidate.reg.organisation ? ` (${candidate.reg.organisation})` : ''}, {candidate.reg.algorithm}.
            Signed by the key it carries. Ask the holder to read their fingerprint words to you over the phone
            or in person, and type what you hear.
          </p>
          <Digest label="Key fingerprint" hex={candidate.reg.fingerprint} words={candidate.reg.words} />
          {candidate.reg.alreadyRegistered ? (
            <p>
              <Badge word="HOLD" detail={`already registered as ${candidate.reg.alreadyRegistered}`} />
            </p>
          ) : null}
          <label className="field">
            <span>Words read back by the key holder</span>
            <input name="confirm" autoComplete="off" spellCheck={false} required />
            <FieldError name="confirmFingerprint" />
          </label>
          <label className="field">
            <span>Trust id</span>
            <input name="trustId" pattern="[a-z][a-z0-9-]{0,39}" required />
            <FieldError name="trustId" />
          </label>
          <fieldset>
            <legend>Roles</legend>
            {ROLES.map((r) => (
              <label key={r} className="check">
                <input type="checkbox" name="roles" value={r} /> {r}
              </label>
            ))}
          </fieldset>
          <label className="field">
            <span>Valid until</span>
            <input name="validUntil" type="date" required />
            <FieldError name="validUntil" />
          </label>
          <p className="muted">Recorded as compared by you, the signed-in operator.</p>
          <button type="submit" className="primary">
            Preview the registration…
          </button>
        </form>
      ) : null}
      {registerAct.panel}
    </section>
  );
}
