import { useState, type FormEvent, type ReactNode } from 'react';
import {
  CUSTODY_ITEM_KINDS,
  type CustodyItemView,
  type CustodyRegisterInput,
} from '../../../shared/contract';
import { useStation } from '../../app/store';
import { readableMessage } from '../../app/error-text';
import { useConfirmedAct } from '../../components/ConfirmAct';
import {
  checkRegisterDraft,
  isRegisterField,
  REGISTER_FIELDS,
  witnessLines,
  type RegisterField,
} from './register-fields';
import './register-item.css';

type Kind = CustodyRegisterInput['itemKind'];
const blank = {
  itemId: '',
  itemKind: '' as Kind | '',
  description: '',
  bag: '',
  location: '',
  holder: '',
  witnesses: '',
};

/**
 * Registers a custody item with its first seal, as `station custody register` and `station custody seal`
 * take them: checked at each field by the journal's own schemas before the preview, then previewed and
 * recorded under the signed-in operator. A refusal from the station that names a field (an id already
 * registered: CUSTODY_ITEM_EXISTS) is shown at that field, with its code.
 */
export function RegisterItemForm(props: { onRegistered: (item: CustodyItemView) => Promise<void> }) {
  const stationError = useStation((s) => s.error);
  const dismissError = useStation((s) => s.dismissError);
  const [f, setF] = useState(blank);
  const [errors, setErrors] = useState<Partial<Record<RegisterField, string>>>({});

  const register = useConfirmedAct('custodyRegister', {
    onDone: async (item) => {
      // Recorded: the next registration starts from an empty form.
      setF(blank);
      setErrors({});
      await props.onRegistered(item);
    },
  });

  // The station's refusal of this act, at the field it names (the notice above says it too).
  const refused = (() => {
    if (!stationError) return null;
    const mine =
      stationError.code === 'CUSTODY_ITEM_EXISTS' || stationError.data.method === 'custodyRegister';
    const path =
      typeof stationError.data.field === 'string' ? stationError.data.field.replace(/^input\./, '') : '';
    const field = path.startsWith('seal.witnesses') ? 'seal.witnesses' : path;
    return mine && isRegisterField(field)
      ? {
          field,
          message: `${stationError.code}: ${readableMessage(stationError.message, stationError.data.field)}`,
        }
      : null;
  })();
  const errorOf = (field: RegisterField): string | undefined =>
    errors[field] ?? (refused?.field === field ? refused.message : undefined);

  const set = (key: keyof typeof blank, field: RegisterField) => (value: string) => {
    setF((old) => ({ ...old, [key]: value }));
    setErrors((old) => ({ ...old, [field]: undefined }));
    // Editing the field the station refused answers that refusal.
    if (refused?.field === field) dismissError();
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (f.itemKind === '') return setErrors({ itemKind: `${REGISTER_FIELDS.itemKind.label}: choose one.` });
    const draft: CustodyRegisterInput = {
      itemId: f.itemId,
      itemKind: f.itemKind,
      description: f.description,
      seal: {
        bagSerial: f.bag,
        location: f.location,
        holder: f.holder,
        witnesses: witnessLines(f.witnesses),
      },
    };
    const found = checkRegisterDraft(draft);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    await register.ask(draft);
  };

  const field = (
    name: RegisterField,
    control: (a11y: { id: string; 'aria-invalid'?: true; 'aria-describedby': string }) => ReactNode,
  ) => {
    const id = `register-${name.replace('.', '-')}`;
    const error = errorOf(name);
    return (
      <div className="field register-field">
        <label htmlFor={id}>{REGISTER_FIELDS[name].label}</label>
        {control({
          id,
          ...(error ? { 'aria-invalid': true as const } : {}),
          'aria-describedby': `${id}-rule${error ? ` ${id}-error` : ''}`,
        })}
        <span className="register-rule" id={`${id}-rule`}>
          {REGISTER_FIELDS[name].rule}
        </span>
        {error ? (
          <span className="field-error" id={`${id}-error`} role="alert">
            {error}
          </span>
        ) : null}
      </div>
    );
  };

  return (
    <>
      <form
        className="act-form register-item"
        aria-label="Register custody item"
        noValidate
        onSubmit={(e) => void submit(e)}
      >
        <h3>Register a custody item</h3>
        {field('itemId', (a) => (
          <input {...a} value={f.itemId} onChange={(e) => set('itemId', 'itemId')(e.target.value)} />
        ))}
        {field('itemKind', (a) => (
          <select {...a} value={f.itemKind} onChange={(e) => set('itemKind', 'itemKind')(e.target.value)}>
            <option value="">choose…</option>
            {CUSTODY_ITEM_KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        ))}
        {field('description', (a) => (
          <input
            {...a}
            value={f.description}
            onChange={(e) => set('description', 'description')(e.target.value)}
          />
        ))}
        <fieldset className="register-seal">
          <legend>First seal</legend>
          {field('seal.bagSerial', (a) => (
            <input {...a} value={f.bag} onChange={(e) => set('bag', 'seal.bagSerial')(e.target.value)} />
          ))}
          {field('seal.location', (a) => (
            <input
              {...a}
              value={f.location}
              onChange={(e) => set('location', 'seal.location')(e.target.value)}
            />
          ))}
          {field('seal.holder', (a) => (
            <input {...a} value={f.holder} onChange={(e) => set('holder', 'seal.holder')(e.target.value)} />
          ))}
          {field('seal.witnesses', (a) => (
            <textarea
              {...a}
              rows={3}
              value={f.witnesses}
              onChange={(e) => set('witnesses', 'seal.witnesses')(e.target.value)}
            />
          ))}
        </fieldset>
        <button type="submit" className="primary">
          Preview the registration…
        </button>
      </form>
      {register.panel}
    </>
  );
}
