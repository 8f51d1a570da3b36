/**
 * The operator id an act is recorded under (`operator:<id>` in the journal). Typed by the person doing
 * the act, never defaulted to the station: the journal names who acted. Same grammar as the journal's
 * actor (letters, digits, . _ @ + -; no spaces).
 */
export function OperatorField(props: { value: string; onChange: (v: string) => void }) {
  return (
    <label className="field">
      <span>Your operator id</span>
      <input
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        required
        pattern="[A-Za-z0-9._@+\-]+"
        title="letters, digits, . _ @ + - (no spaces)"
        autoComplete="off"
      />
    </label>
  );
}

/** The journal actor for an operator id, or null while none is typed (the act stays disabled). */
export const operatorActor = (id: string): string | null =>
  /^[A-Za-z0-9._@+-]{1,64}$/.test(id.trim()) ? `operator:${id.trim()}` : null;
