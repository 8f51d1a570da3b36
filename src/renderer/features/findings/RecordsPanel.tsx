import { useEffect, useReducer, useState, type FormEvent } from 'react';
import type { Output } from '../../../shared/contract';
import { ERROR_CATALOGUE, type StationErrorPayload } from '../../../shared/errors';
import { useStation } from '../../app/store';

type MediaFile = Output<'packetEvidenceFiles'>[number];
type Listing = Output<'recordsList'>;

/** Exports the records import reads: JSON envelopes and CSV files. */
const IMPORTABLE = /\.(json|csv)$/i;

/**
 * The records the station holds, by family, and the import of an export file the station listed on
 * removable media (the operator picks it; a path is never typed). A CSV names no family, system or
 * export time of its own: the operator gives them (the family is otherwise detected from the header).
 */
export function RecordsPanel(props: { onImported: () => Promise<void> }) {
  const api = useStation((s) => s.api);
  const [listing, setListing] = useState<Listing | null>(null);
  const [files, setFiles] = useState<readonly MediaFile[]>([]);
  const [path, setPath] = useState('');
  const [csv, setCsv] = useState({ family: '', system: '', exportedAt: '' });
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<StationErrorPayload | null>(null);

  const [version, reload] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    if (!api) return;
    let live = true;
    void Promise.all([api.recordsList({}), api.packetEvidenceFiles({})]).then(([l, f]) => {
      if (!live) return;
      if (l.ok) setListing(l.value);
      else setError(l.error);
      if (!f.ok) return setError(f.error);
      const importable = f.value.filter((x) => IMPORTABLE.test(x.name));
      setFiles(importable);
      setPath((p) => (importable.some((x) => x.path === p) ? p : (importable[0]?.path ?? '')));
    });
    return () => {
      live = false;
    };
  }, [api, version]);

  const isCsv = /\.csv$/i.test(path);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!api || !path) return;
    setBusy(true);
    setError(null);
    setResult(null);
    const r = await api.recordsImport({
      path,
      ...(isCsv && csv.family ? { family: csv.family } : {}),
      ...(isCsv && csv.system ? { system: csv.system } : {}),
      ...(isCsv && csv.exportedAt ? { exportedAt: csv.exportedAt } : {}),
    });
    setBusy(false);
    if (!r.ok) {
      setError(r.error);
      return;
    }
    const v = r.value;
    setResult(
      v.alreadyHeld
        ? `${v.fileName}: every record already held (${v.count} ${v.family} from ${v.system})`
        : `Imported ${v.fileName}: ${v.count} ${v.family} records from ${v.system} (${v.newRecords} new), journal entry ${v.seq}`,
    );
    reload();
    await props.onImported();
  };

  const name = (p: string) => files.find((f) => f.path === p)?.name ?? p;
  return (
    <section className="module" aria-label="Records">
      <h2>Records</h2>
      {listing && listing.families.length > 0 ? (
        <table className="grid" aria-label="Record families">
          <thead>
            <tr>
              <th scope="col">Family</th>
              <th scope="col">Records</th>
            </tr>
          </thead>
          <tbody>
            {listing.families.map((f) => (
              <tr key={f.family}>
                <td>{f.family}</td>
                <td>{f.records}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : listing === null ? (
        // Not read yet: never "none" before the station has answered.
        <p className="muted">Reading the records the station holds…</p>
      ) : (
        <p className="muted">No source records imported yet.</p>
      )}
      <form className="act-form" aria-label="Import records" onSubmit={(e) => void submit(e)}>
        <h3>Import an export from media</h3>
        <label className="field">
          <span>File on the removable volume</span>
          <select value={path} onChange={(e) => setPath(e.target.value)} required>
            {files.map((f) => (
              <option key={f.path} value={f.path}>
                {f.name} ({f.size} bytes)
              </option>
            ))}
          </select>
        </label>
        {files.length === 0 ? <p className="muted">No JSON or CSV export on the listed volumes.</p> : null}
        {isCsv ? (
          <fieldset>
            <legend>CSV export: what the file does not say</legend>
            <label className="field">
              <span>Family (empty: detected from the header)</span>
              <input
                value={csv.family}
                list="findings-families"
                onChange={(e) => setCsv({ ...csv, family: e.target.value })}
              />
              <datalist id="findings-families">
                {listing?.families.map((f) => (
                  <option key={f.family} value={f.family} />
                ))}
              </datalist>
            </label>
            <label className="field">
              <span>Source system</span>
              <input
                value={csv.system}
                onChange={(e) => setCsv({ ...csv, system: e.target.value })}
                required
              />
            </label>
            <label className="field">
              <span>Exported at (ISO UTC, e.g. 2026-11-30T09:00:00.000Z)</span>
              <input
                value={csv.exportedAt}
                onChange={(e) => setCsv({ ...csv, exportedAt: e.target.value })}
                required
              />
            </label>
          </fieldset>
        ) : null}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy || !path}>
            {busy ? 'Importing…' : 'Import records'}
          </button>
          <button type="button" onClick={reload}>
            Rescan media
          </button>
        </div>
        {result ? <p role="status">{result}</p> : null}
        {error ? (
          <div role="alert" className="import-error">
            <strong>{error.message}</strong> <code>{error.code}</code>
            {typeof error.data.field === 'string' ? <code> field: {error.data.field}</code> : null}
            <div>{ERROR_CATALOGUE[error.code].action}</div>
            {path ? <div className="muted">file: {name(path)}</div> : null}
          </div>
        ) : null}
      </form>
    </section>
  );
}
