import { useEffect, useReducer, useState, type FormEvent } from 'react';
import type { CustodyActInput, CustodyItemView } from '../../../shared/contract';
import { FieldError } from '../../components/FieldError';
import { useStation } from '../../app/store';
import { useConfirmedAct } from '../../components/ConfirmAct';
import { Badge } from '../../components/Badge';
import { RegisterItemForm } from './RegisterItemForm';

type ActType = CustodyActInput['type'];

/** Custody log of sealed media and devices: state per item, custody breaks, and the acts that change them. */
export function CustodyView() {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const refreshJournal = useStation((s) => s.verify);
  const [items, setItems] = useState<CustodyItemView[]>([]);
  const [selected, setSelected] = useState<string | null>(null);

  const [version, reload] = useReducer((n: number) => n + 1, 0);

  useEffect(() => {
    if (!api) return;
    let live = true;
    void api.custodyList({}).then((r) => {
      if (!live) return;
      if (r.ok) setItems(r.value);
      else showError(r.error);
    });
    return () => {
      live = false;
    };
  }, [api, showError, version]);

  const item = items.find((i) => i.itemId === selected) ?? null;

  return (
    <>
      <main className="main" aria-labelledby="custody-title">
        <h1 id="custody-title">Custody</h1>
        <table className="grid" aria-label="Custody items">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">Status</th>
              <th scope="col">Seal</th>
              <th scope="col">Where / who</th>
              <th scope="col">Inspection</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={i.itemId} className={selected === i.itemId ? 'selected' : undefined}>
                <td>
                  <button type="button" className="link" onClick={() => setSelected(i.itemId)}>
                    {i.itemId}
                  </button>
                  <div className="muted">{i.description}</div>
                </td>
                <td>
                  <Badge word={i.status} check={i.breaks.length > 0 ? i.breaks[0]?.check : undefined} />
                  {i.breaks.map((b) => (
                    <div key={b.seq} className="break" role="note">
                      custody break: {b.message}
                    </div>
                  ))}
                </td>
                <td>{i.sealed ? <code>{i.bagSerial}</code> : <span className="muted">unsealed</span>}</td>
                <td>
                  {i.location}
                  <div className="muted">{i.holder}</div>
                </td>
                <td>
                  <Badge word={i.inspection.status} check={i.inspection.check} />
                  <div className="muted">{i.inspection.reason}</div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {item ? (
          <ActForm
            item={item}
            onDone={async () => {
              reload();
              await refreshJournal();
            }}
          />
        ) : null}
        <RegisterItemForm
          onRegistered={async (registered) => {
            reload();
            setSelected(registered.itemId);
            await refreshJournal();
          }}
        />
      </main>
      <aside className="detail" aria-label="Custody history">
        {item ? (
          <>
            <h2>{item.itemId}</h2>
            <ol className="history">
              {item.events.map((e) => (
                <li key={String(e.seq)}>
                  <strong>{String(e.type)}</strong> · {String(e.at).replace('T', ' ').slice(0, 16)} ·{' '}
                  {String(e.actor)}
                  <div className="muted">{describe(e)}</div>
                </li>
              ))}
            </ol>
          </>
        ) : (
          <p className="hint">Select an item to see its custody history.</p>
        )}
      </aside>
    </>
  );
}

function describe(e: Record<string, unknown>): string {
  const parts = [
    'bagSerial',
    'bagSerialObserved',
    'location',
    'holder',
    'from',
    'to',
    'inspector',
    'reason',
    'note',
  ]
    .filter((k) => typeof e[k] === 'string' && e[k] !== '')
    .map((k) => `${k}: ${String(e[k])}`);
  if (typeof e.sealIntact === 'boolean') parts.push(e.sealIntact ? 'seal intact' : 'SEAL BROKEN');
  return parts.join(' · ');
}

function ActForm(props: { item: CustodyItemView; onDone: () => Promise<void> }) {
  const [type, setType] = useState<ActType>('inspected');
  // Nothing is pre-filled or pre-ticked: what the inspector found is chosen every time (no risky default).
  const blank = { bag: '', location: '', holder: '', to: '', note: '', intact: null as boolean | null };
  const [f, setF] = useState(blank);

  const act = (): CustodyActInput => {
    switch (type) {
      case 'sealed':
        return { type, bagSerial: f.bag, location: f.location, holder: f.holder, witnesses: [] };
      case 'unsealed':
        return { type, bagSerialObserved: f.bag, reason: f.note, holder: f.holder };
      case 'transferred':
        return { type, bagSerialObserved: f.bag, from: f.holder, to: f.to, location: f.location };
      case 'inspected':
        return {
          type,
          bagSerialObserved: f.bag,
          sealIntact: f.intact === true,
          inspector: f.holder,
          note: f.note,
        };
      case 'media-replaced':
        return { type, note: f.note };
      default: {
        const never: never = type;
        throw new Error(`unknown act ${String(never)}`);
      }
    }
  };

  const record = useConfirmedAct('custodyRecord', {
    onDone: async () => {
      // Recorded: the next act starts from an empty form, never the last one's values.
      setF(blank);
      await props.onDone();
    },
  });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await record.ask({ itemId: props.item.itemId, act: act() });
  };

  const needsBag = type !== 'media-replaced';
  return (
    <>
      <form className="act-form" aria-label="Record custody act" onSubmit={(e) => void submit(e)}>
        <h3>Record for {props.item.itemId}</h3>
        <label className="field">
          <span>Act</span>
          <select value={type} onChange={(e) => setType(e.target.value as ActType)}>
            <option value="inspected">inspection</option>
            <option value="sealed">seal into a new bag</option>
            <option value="unsealed">unseal</option>
            <option value="transferred">transfer</option>
            <option value="media-replaced">media replaced</option>
          </select>
        </label>
        {needsBag ? (
          <label className="field">
            <span>{type === 'sealed' ? 'New bag serial' : 'Bag serial as read now'}</span>
            <input value={f.bag} onChange={(e) => setF({ ...f, bag: e.target.value })} required />
            <FieldError name="bagSerial" />
            <FieldError name="bagSerialObserved" />
          </label>
        ) : null}
        {type !== 'media-replaced' ? (
          <label className="field">
            <span>{type === 'inspected' ? 'Inspector' : type === 'transferred' ? 'From' : 'Holder'}</span>
            <input value={f.holder} onChange={(e) => setF({ ...f, holder: e.target.value })} required />
            <FieldError name="holder" />
            <FieldError name="inspector" />
            <FieldError name="from" />
          </label>
        ) : null}
        {type === 'transferred' ? (
          <label className="field">
            <span>To</span>
            <input value={f.to} onChange={(e) => setF({ ...f, to: e.target.value })} required />
            <FieldError name="to" />
          </label>
        ) : null}
        {type === 'sealed' || type === 'transferred' ? (
          <label className="field">
            <span>Location</span>
            <input value={f.location} onChange={(e) => setF({ ...f, location: e.target.value })} required />
            <FieldError name="location" />
          </label>
        ) : null}
        {type === 'inspected' ? (
          <fieldset className="choice">
            <legend>Seal as found</legend>
            <label className="check">
              <input
                type="radio"
                name="seal"
                checked={f.intact === true}
                onChange={() => setF({ ...f, intact: true })}
                required
              />{' '}
              Seal intact
            </label>
            <label className="check">
              <input
                type="radio"
                name="seal"
                checked={f.intact === false}
                onChange={() => setF({ ...f, intact: false })}
              />{' '}
              Seal broken or tampered
            </label>
          </fieldset>
        ) : null}
        {type !== 'sealed' && type !== 'transferred' ? (
          <label className="field">
            <span>{type === 'unsealed' ? 'Reason' : 'Note'}</span>
            <input
              value={f.note}
              onChange={(e) => setF({ ...f, note: e.target.value })}
              required={type !== 'inspected'}
            />
            <FieldError name="note" />
            <FieldError name="reason" />
          </label>
        ) : null}
        <button type="submit" className="primary">
          Preview the record…
        </button>
      </form>
      {record.panel}
    </>
  );
}
