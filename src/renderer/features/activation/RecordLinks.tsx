import { refLabel, type RecordRef } from '../findings/model';
import type { GateFocus } from './model';

/** A line's or hold's records, each one click from its provenance in the detail pane. */
export function RecordLinks(props: { records: readonly RecordRef[]; onFocus: (f: GateFocus) => void }) {
  if (props.records.length === 0) return <span className="muted">no record</span>;
  return (
    <span className="gate-records">
      {props.records.map((r) => (
        <button
          key={refLabel(r)}
          type="button"
          className="link"
          onClick={() => props.onFocus({ type: 'record', ref: r })}
        >
          {refLabel(r)}
        </button>
      ))}
    </span>
  );
}
