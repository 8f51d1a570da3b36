import { useEffect, useState, type FormEvent } from 'react';
import type { JournalFilterInput } from '../../../shared/contract';
import { useStation, type FilterFieldError } from '../../app/store';

/**
 * Which entries the list shows: kinds (one or more, from those the journal holds), one actor (from
 * those present), a seq range. The station filters in SQL and checks the range (from ≤ to, inside
 * 1..total); a refusal is shown at the field it names. Clearing returns the whole journal, at its head.
 */
export function FilterForm(props: { onApplied: (filtered: boolean) => void }) {
  const choices = useStation((s) => s.journalChoices);
  const loadChoices = useStation((s) => s.loadJournalChoices);
  const total = useStation((s) => s.journalTotal);
  const matched = useStation((s) => s.journalMatched);
  const applied = useStation((s) => s.journalFilter);
  const serverError = useStation((s) => s.journalFilterError);
  const setFilter = useStation((s) => s.setJournalFilter);
  // The form opens on the filter the list shows (the view may have been left and come back to).
  const [kinds, setKinds] = useState<string[]>(applied?.kinds ?? []);
  const [actor, setActor] = useState(applied?.actor ?? '');
  const [from, setFrom] = useState(applied?.fromSeq?.toString() ?? '');
  const [to, setTo] = useState(applied?.toSeq?.toString() ?? '');
  const [localError, setLocalError] = useState<FilterFieldError | null>(null);
  const error = localError ?? serverError;

  // The choices follow the journal: a new entry may bring a kind or an actor not seen before.
  useEffect(() => {
    void loadChoices();
  }, [loadChoices, total]);

  const apply = async (e: FormEvent) => {
    e.preventDefault();
    setLocalError(null);
    const filter: JournalFilterInput = {};
    if (kinds.length > 0) filter.kinds = kinds;
    if (actor) filter.actor = actor;
    for (const [field, text, label] of [
      ['fromSeq', from, 'From'],
      ['toSeq', to, 'To'],
    ] as const) {
      if (text.trim() === '') continue;
      const n = Number(text);
      // What the number field cannot carry to the station (a fraction) is said here, in the same words.
      if (!Number.isSafeInteger(n))
        return setLocalError({ field, message: `${label} seq must be a whole number of at least 1.` });
      filter[field] = n;
    }
    const any = Object.keys(filter).length > 0;
    if (await setFilter(any ? filter : null)) props.onApplied(any);
  };

  const clear = async () => {
    setKinds([]);
    setActor('');
    setFrom('');
    setTo('');
    setLocalError(null);
    if (await setFilter(null)) props.onApplied(false);
  };

  const fieldProps = (field: FilterFieldError['field']) =>
    error?.field === field
      ? { 'aria-invalid': true as const, 'aria-describedby': `journal-filter-${field}-error` }
      : {};
  const fieldError = (field: FilterFieldError['field']) =>
    error?.field === field ? (
      <span className="field-error" id={`journal-filter-${field}-error`} role="alert">
        {error.message}
      </span>
    ) : null;

  return (
    // Folded by default: at 700 px the list, not the form, must have the room (open while it is used).
    <details className="journal-filter-box" open={applied !== null || error !== null || undefined}>
      <summary>
        Filter entries by kind, actor or seq range ·{' '}
        <span role="status" aria-label="Matching entries">
          {applied ? `${matched} of ${total} entries match` : `all ${total} entries`}
        </span>
      </summary>
      <form className="journal-filter" aria-label="Filter entries" onSubmit={(e) => void apply(e)}>
        <fieldset className="journal-filter-kinds" {...fieldProps('kinds')}>
          <legend>Kinds</legend>
          <div className="journal-filter-choices">
            {(choices?.kinds ?? []).map((k) => (
              <label key={k.value}>
                <input
                  type="checkbox"
                  checked={kinds.includes(k.value)}
                  onChange={(e) =>
                    setKinds((ks) =>
                      e.target.checked ? [...ks, k.value] : ks.filter((other) => other !== k.value),
                    )
                  }
                />{' '}
                <code>{k.value}</code> <span className="journal-filter-count">({k.count})</span>
              </label>
            ))}
          </div>
          {fieldError('kinds')}
        </fieldset>
        <div className="journal-filter-fields">
          <label className="field">
            <span>Actor</span>
            <select value={actor} onChange={(e) => setActor(e.target.value)} {...fieldProps('actor')}>
              <option value="">any actor</option>
              {(choices?.actors ?? []).map((a) => (
                <option key={a.value} value={a.value}>
                  {a.value} ({a.count})
                </option>
              ))}
            </select>
            {fieldError('actor')}
          </label>
          <label className="field">
            <span>From seq</span>
            <input
              type="number"
              inputMode="numeric"
              value={from}
              onChange={(e) => setFrom(e.target.value)}
              {...fieldProps('fromSeq')}
            />
            {fieldError('fromSeq')}
          </label>
          <label className="field">
            <span>To seq</span>
            <input
              type="number"
              inputMode="numeric"
              value={to}
              onChange={(e) => setTo(e.target.value)}
              {...fieldProps('toSeq')}
            />
            {fieldError('toSeq')}
          </label>
          <div className="journal-filter-buttons">
            <button type="submit" className="primary">
              Apply filter
            </button>
            <button type="button" onClick={() => void clear()} disabled={!applied && !error}>
              Clear filters
            </button>
          </div>
        </div>
      </form>
    </details>
  );
}
