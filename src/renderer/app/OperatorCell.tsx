import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ModuleView } from '../../shared/contract';
import { Badge } from '../components/Badge';
import { PinField, takePin } from '../components/PinField';
import { useStation } from './store';

const clock = (ms: number): string => {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
};

/**
 * The banner's operator cell (OPS-ACTIVE): who every act at this console is recorded under, until when,
 * and when it locks for idleness — or that nobody is signed in, and acts are refused until somebody is.
 */
export function OperatorCell() {
  const operator = useStation((s) => s.operator);
  const refreshOperator = useStation((s) => s.refreshOperator);
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const [now, setNow] = useState(() => Date.now());
  const [signingIn, setSigningIn] = useState(false);

  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 1000);
    // The station is the judge of the state (idle clock, expiry); the countdown only reads its times.
    const poll = setInterval(() => void refreshOperator(), 30_000);
    return () => {
      clearInterval(tick);
      clearInterval(poll);
    };
  }, [refreshOperator]);

  const session = operator?.session ?? null;
  let state = session?.state ?? null;
  // Between polls the countdown may pass a limit: show the worse state at once, never a stale green.
  if (session && state === 'ACTIVE') {
    if (now >= Date.parse(session.expiresAt)) state = 'EXPIRED';
    else if (now >= Date.parse(session.locksAt)) state = 'LOCKED';
  }

  const signOut = async () => {
    if (!api) return;
    const r = await api.operatorSignOut({});
    if (!r.ok) showError(r.error);
    await refreshOperator();
  };

  let badge;
  if (!operator) badge = <Badge word="NOT CHECKED" detail="operator" />;
  else if (!operator.required)
    badge = <Badge word="NO ROSTER" tone="warn" detail="nobody can sign in yet" check="OPS-PROVEN" />;
  else if (!session || state !== 'ACTIVE')
    badge = (
      <Badge
        word={state ?? 'NOT SIGNED IN'}
        tone={state === null ? 'warn' : 'bad'}
        detail={session && state !== 'ENDED' ? `${session.name}: sign in again` : 'acts are refused'}
        check="OPS-ACTIVE"
      />
    );
  else
    badge = (
      <span
        className="operator-who"
        title={`${session.actor} · roles ${session.roles.join(', ')} · signed in at ${session.startedAt} (journal seq ${session.seq}) · locks ${session.locksAt} unless an act is made · ends ${session.expiresAt} (OPS-ACTIVE)`}
      >
        <Badge word="SIGNED IN" tone="good" />
        <strong className="operator-name">{session.name}</strong>
        <span
          className={`banner-sub operator-locks${Date.parse(session.locksAt) - now < 5 * 60_000 ? ' soon' : ''}`}
        >
          locks {clock(Date.parse(session.locksAt) - now)}
        </span>
      </span>
    );

  return (
    <div className="banner-cell banner-operator" role="group" aria-label="Operator">
      <span className="banner-label">Operator</span>
      {badge}
      {operator?.required ? (
        session && state === 'ACTIVE' ? (
          <button type="button" className="banner-button" onClick={() => void signOut()}>
            Sign out
          </button>
        ) : (
          <>
            <button type="button" className="banner-button" onClick={() => setSigningIn(true)}>
              Sign in
            </button>
            {session && session.state !== 'ENDED' ? (
              // A locked or expired session is still open in the journal until its person signs out.
              <button type="button" className="banner-button" onClick={() => void signOut()}>
                Sign out
              </button>
            ) : null}
          </>
        )
      ) : null}
      {signingIn ? <SignInDialog onClose={() => setSigningIn(false)} /> : null}
    </div>
  );
}

/** Sign in with your own token: it signs the station's fresh challenge after your PIN (OPS-PROVEN). */
function SignInDialog(props: { onClose: () => void }) {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const dismissError = useStation((s) => s.dismissError);
  const refreshOperator = useStation((s) => s.refreshOperator);
  const verify = useStation((s) => s.verify);
  const dialog = useRef<HTMLDialogElement>(null);
  const pin = useRef<HTMLInputElement>(null);
  const [modules, setModules] = useState<ModuleView[]>([]);
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    dialog.current?.showModal();
    if (!api) return;
    void api.devicesModules({}).then((r) => (r.ok ? setModules(r.value) : showError(r.error)));
  }, [api, showError]);

  const tokens = modules.flatMap((m) => m.tokens.map((t) => ({ moduleId: m.moduleId, ...t })));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const t = tokens.find((x) => `${x.moduleId}|${x.serial}` === token);
    const secret = takePin(pin);
    if (!api || !t) return;
    setBusy(true);
    const r = await api.operatorSignIn({ moduleId: t.moduleId, serial: t.serial, pin: secret });
    setBusy(false);
    await refreshOperator();
    if (!r.ok) return showError(r.error);
    dismissError();
    await verify();
    props.onClose();
  };

  return (
    <dialog ref={dialog} className="sign-in" aria-label="Sign in" onClose={props.onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <h2>Sign in as yourself</h2>
        <p>
          Your own token signs a fresh challenge of this station after your PIN. The station checks the
          signature against your key on the approved roster; every act until you sign out is recorded under
          your roster entry, never a typed name.
        </p>
        <label className="field">
          <span>Your token</span>
          <select value={token} onChange={(e) => setToken(e.target.value)} required>
            <option value="">— choose —</option>
            {tokens.map((t) => (
              <option key={`${t.moduleId}|${t.serial}`} value={`${t.moduleId}|${t.serial}`}>
                {t.label} ({t.serial})
              </option>
            ))}
          </select>
        </label>
        <PinField inputRef={pin} label="Token PIN" />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Signing…' : 'Sign in'}
          </button>
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
