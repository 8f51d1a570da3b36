import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ModuleView, RosterEntryView, WindowInput } from '../../shared/contract';
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
    badge = <Badge word="NO ROSTER" detail="nobody can sign in yet" check="OPS-PROVEN" />;
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
        title={`${session.actor} · roles ${session.roles.join(', ')} · signed in with ${session.credential === 'key-file' ? 'a key file' : 'a token'} at ${session.startedAt} (journal seq ${session.seq}) · locks ${session.locksAt} unless an act is made · ends ${session.expiresAt} (OPS-ACTIVE)`}
      >
        <Badge word="SIGNED IN" />
        <strong className="operator-name">{session.name}</strong>
        {session.credential === 'key-file' ? (
          // A key file is the weaker credential: the banner says so, not only its title.
          <span className="banner-sub operator-credential">key file</span>
        ) : null}
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

/** What a key file is read as in the window: its text, never more than the station reads. */
const KEY_FILE_MAX_BYTES = 16_384;

/**
 * Sign in as yourself (OPS-PROVEN): your own token signs the station's fresh challenge after your PIN —
 * or, where your roster entry allows it (OPS-CREDENTIAL), your passphrase-protected key file does. The
 * PIN, the passphrase and the key file's text live only in their form fields, are read once on submit
 * and cleared; the station checks the signature with your key as the roster registered it.
 */
function SignInDialog(props: { onClose: () => void }) {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const dismissError = useStation((s) => s.dismissError);
  const refreshOperator = useStation((s) => s.refreshOperator);
  const verify = useStation((s) => s.verify);
  const dialog = useRef<HTMLDialogElement>(null);
  const pin = useRef<HTMLInputElement>(null);
  const passphrase = useRef<HTMLInputElement>(null);
  const keyFile = useRef<HTMLInputElement>(null);
  const [credential, setCredential] = useState<'token' | 'key-file'>('token');
  const [modules, setModules] = useState<ModuleView[]>([]);
  const [roster, setRoster] = useState<RosterEntryView[]>([]);
  const [token, setToken] = useState('');
  const [custodianId, setCustodianId] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    dialog.current?.showModal();
    if (!api) return;
    void api.devicesModules({}).then((r) => (r.ok ? setModules(r.value) : showError(r.error)));
    void api.rosterList({}).then((r) => (r.ok ? setRoster(r.value.custodians) : showError(r.error)));
  }, [api, showError]);

  const tokens = modules.flatMap((m) => m.tokens.map((t) => ({ moduleId: m.moduleId, ...t })));
  const members = roster.filter((c) => c.status === 'VALID');

  /** The chosen key file's text, read once and the field emptied; null (with the reason shown) if unfit. */
  const takeKeyFile = async (): Promise<string | null> => {
    const input = keyFile.current;
    const file = input?.files?.[0];
    if (input) input.value = '';
    if (!file) return null;
    if (file.size > KEY_FILE_MAX_BYTES) {
      showError({
        code: 'SIGNIN_KEY_FILE_INVALID',
        message: `${file.name} is ${file.size} bytes: a key file is at most ${KEY_FILE_MAX_BYTES}`,
        data: { field: 'keyFile' },
      });
      return null;
    }
    return file.text();
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!api) return;
    let request: WindowInput<'operatorSignIn'>;
    if (credential === 'token') {
      const t = tokens.find((x) => `${x.moduleId}|${x.serial}` === token);
      const secret = takePin(pin);
      if (!t) return;
      request = { moduleId: t.moduleId, serial: t.serial, pin: secret };
    } else {
      const secret = takePin(passphrase);
      const keyPem = await takeKeyFile();
      if (keyPem === null || !custodianId) return;
      request = { credential: 'key-file', custodianId, keyPem, passphrase: secret };
    }
    setBusy(true);
    const r = await api.operatorSignIn(request);
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
        <fieldset className="choice">
          <legend>Sign in with</legend>
          <label className="check">
            <input
              type="radio"
              name="credential"
              checked={credential === 'token'}
              onChange={() => setCredential('token')}
            />{' '}
            Token and PIN
          </label>
          <label className="check">
            <input
              type="radio"
              name="credential"
              checked={credential === 'key-file'}
              onChange={() => setCredential('key-file')}
            />{' '}
            Key file and passphrase (where the roster allows it)
          </label>
        </fieldset>
        {credential === 'token' ? (
          <>
            <p>
              Your own token signs a fresh challenge of this station after your PIN. The station checks the
              signature against your key on the approved roster; every act until you sign out is recorded
              under your roster entry, never a typed name.
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
          </>
        ) : (
          <>
            <p>
              Your passphrase-protected key file (encrypted PKCS#8 PEM) signs the same fresh challenge. The
              station checks the signature with your key as the roster registered it — never with anything the
              file says of itself — and only if your roster entry allows a key file. A wrong passphrase is
              journaled; the passphrase itself never is.
            </p>
            <label className="field">
              <span>Who you are</span>
              <select value={custodianId} onChange={(e) => setCustodianId(e.target.value)} required>
                <option value="">— choose —</option>
                {members.map((c) => (
                  <option key={c.custodianId} value={c.custodianId}>
                    {c.name} ({c.custodianId})
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>Your key file</span>
              <input ref={keyFile} type="file" accept=".pem,.key,.p8,application/x-pem-file" required />
            </label>
            <label className="field">
              <span>Key file passphrase</span>
              <input
                ref={passphrase}
                type="password"
                autoComplete="off"
                spellCheck={false}
                maxLength={1024}
                required
              />
            </label>
          </>
        )}
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
