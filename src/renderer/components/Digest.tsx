/** A digest or fingerprint as witnesses compare it: large hex in groups of four, and its words. */
export function Digest(props: { hex: string; words?: readonly string[]; label: string }) {
  const groups = props.hex.match(/.{1,4}/g) ?? [];
  return (
    <figure className="digest" aria-label={props.label}>
      <figcaption>{props.label}</figcaption>
      <code className="digest-hex">{groups.join(' ')}</code>
      {props.words ? <div className="digest-words">{props.words.join(' · ')}</div> : null}
    </figure>
  );
}
