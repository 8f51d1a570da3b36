import { useEffect, useState, type FormEvent } from 'react';
import type { CoverageCellView, CoverageView, RosterEntryView } from '../../../shared/contract';
import { useStation } from '../../app/store';
import { useConfirmedAct } from '../../components/ConfirmAct';
import './coverage-grid.css';

type Cell = CoverageCellView;

/** Who said what for a cell, one line each: the title a cell carries, and the editor's list. */
function statementLines(cell: Cell): string[] {
  if (cell.statements.length === 0) return ['nobody has stated availability for this shift'];
  return cell.statements.map(
    (s) =>
      `${s.custodianId}: ${s.available ? 'available' : 'not available'}${
        s.available && !cell.available.includes(s.custodianId) ? ' (not valid on the roster that day)' : ''
      } — set by ${s.actor}, ${s.at.replace('T', ' ').slice(0, 16)} (entry ${s.seq})`,
  );
}

/**
 * Signer coverage by shift: days down, shifts across; each cell says COVERED or SHORT with the count
 * (COVERAGE-QUORUM, computed by the station) and, in its title, each custodian's latest statement and who
 * recorded it. A cell's "Set" opens the editor: one custodian's availability for that day and shift,
 * previewed and recorded under the signed-in operator (the station lets any operator state anyone's
 * availability, as `station coverage set` does; the journal says who did). The grid is then drawn again
 * from the station.
 */
export function CoverageGrid({ grid }: { grid: CoverageView }) {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const refreshJournal = useStation((s) => s.verify);
  // The grid as redrawn after an edit, for as long as the view shows the grid it was redrawn from.
  const [redrawn, setRedrawn] = useState<{ from: CoverageView; grid: CoverageView } | null>(null);
  const [editing, setEditing] = useState<{ date: string; shift: string } | null>(null);
  const [said, setSaid] = useState<string | null>(null);
  const shown = redrawn?.from === grid ? redrawn.grid : grid;
  const dates = [...new Set(shown.cells.map((c) => c.date))];
  const shifts = [...new Set(shown.cells.map((c) => c.shift))];

  const redraw = async (cell: Cell) => {
    if (!api) return;
    const r = await api.coverageGrid({ from: dates[0] ?? cell.date, days: dates.length, shifts });
    if (!r.ok) return showError(r.error);
    setRedrawn({ from: grid, grid: r.value });
    setSaid(
      `${cell.date} ${cell.shift}: ${cell.covered ? 'COVERED' : 'SHORT'} ${cell.available.length}/${r.value.threshold}`,
    );
    await refreshJournal();
  };

  const cellOf = (date: string, shift: string) =>
    shown.cells.find((c) => c.date === date && c.shift === shift) ?? null;
  const open = editing ? cellOf(editing.date, editing.shift) : null;

  return (
    <>
      <table className="grid coverage" aria-label="Signer coverage by shift">
        <thead>
          <tr>
            <th scope="col">Day</th>
            {shifts.map((s) => (
              <th key={s} scope="col">
                {s}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {dates.map((d) => (
            <tr key={d}>
              <th scope="row">{d}</th>
              {shifts.map((s) => {
                const cell = cellOf(d, s);
                if (!cell) return <td key={s} />;
                return (
                  <td
                    key={s}
                    className={cell.covered ? 'cell-good' : 'cell-bad'}
                    title={statementLines(cell).join('\n')}
                  >
                    <strong>{cell.covered ? 'COVERED' : 'SHORT'}</strong> {cell.available.length}/
                    {shown.threshold}
                    <div className="muted">{cell.available.join(', ')}</div>
                    <button
                      type="button"
                      className="coverage-set"
                      aria-label={`Set availability for ${d} ${s}`}
                      aria-pressed={editing?.date === d && editing.shift === s}
                      onClick={() => {
                        setSaid(null);
                        setEditing({ date: d, shift: s });
                      }}
                    >
                      Set…
                    </button>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="coverage-said" role="status">
        {said ? `Recorded. ${said}` : ''}
      </p>
      {open ? (
        <AvailabilityForm
          key={`${open.date}|${open.shift}`}
          cell={open}
          onClose={() => setEditing(null)}
          onDone={async (cell) => {
            setEditing(null);
            await redraw(cell);
          }}
        />
      ) : null}
    </>
  );
}

function AvailabilityForm(props: { cell: Cell; onClose: () => void; onDone: (cell: Cell) => Promise<void> }) {
  const { cell } = props;
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const [roster, setRoster] = useState<RosterEntryView[] | null>(null);
  // Nothing is pre-chosen: whose availability, and which way, is picked every time.
  const [custodianId, setCustodianId] = useState('');
  const [available, setAvailable] = useState<boolean | null>(null);

  useEffect(() => {
    if (!api) return;
    let live = true;
    void api.rosterList({}).then((r) => {
      if (!live) return;
      if (r.ok) setRoster(r.value.custodians);
      else showError(r.error);
    });
    return () => {
      live = false;
    };
  }, [api, showError]);

  const set = useConfirmedAct('coverageSet', { onDone: (c) => props.onDone(c) });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (custodianId === '' || available === null) return;
    await set.ask({ custodianId, date: cell.date, shift: cell.shift, available });
  };

  return (
    <>
      <form className="act-form coverage-edit" aria-label="Set availability" onSubmit={(e) => void submit(e)}>
        <h3>
          Availability for {cell.date} · {cell.shift}
        </h3>
        <ul className="plain coverage-statements" aria-label="Statements for this shift">
          {statementLines(cell).map((l) => (
            <li key={l}>{l}</li>
          ))}
        </ul>
        <label className="field">
          <span>Custodian</span>
          <select value={custodianId} onChange={(e) => setCustodianId(e.target.value)} required>
            <option value="">choose…</option>
            {(roster ?? []).map((c) => (
              <option key={c.custodianId} value={c.custodianId}>
                {c.custodianId} — {c.name} ({c.status})
              </option>
            ))}
          </select>
        </label>
        <fieldset className="choice">
          <legend>This shift</legend>
          <label className="check">
            <input
              type="radio"
              name="available"
              checked={available === true}
              onChange={() => setAvailable(true)}
              required
            />{' '}
            Available
          </label>
          <label className="check">
            <input
              type="radio"
              name="available"
              checked={available === false}
              onChange={() => setAvailable(false)}
            />{' '}
            Not available
          </label>
        </fieldset>
        <div className="actions">
          <button type="submit" className="primary">
            Preview the record…
          </button>
          <button type="button" onClick={props.onClose}>
            Close
          </button>
        </div>
      </form>
      {set.panel}
    </>
  );
}
