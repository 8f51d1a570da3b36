import { isStatusWord, toneOf, type Tone } from '../../shared/status';

/**
 * Status words and colours, the same everywhere (../shared/UI.md, docs/status.md): colour is never the
 * only signal, every badge carries its word and, where a rule produced it, the rule's check ID. A word of
 * the vocabulary (src/shared/status.ts) always has its own colour; `tone` only colours a word outside it.
 */
export type { Tone };
export { toneOf };

export function Badge(props: {
  word: string;
  detail?: string;
  check?: string;
  tone?: Tone;
  large?: boolean;
}) {
  const tone = isStatusWord(props.word) ? toneOf(props.word) : (props.tone ?? 'neutral');
  return (
    <span
      className={`badge badge-${tone}${props.large ? ' badge-large' : ''}`}
      data-status={props.word}
      // Where a narrow banner hides the detail, it is still one hover away.
      title={
        props.detail ? `${props.word} ${props.detail}${props.check ? ` (${props.check})` : ''}` : undefined
      }
    >
      <strong>{props.word}</strong>
      {props.detail ? <span className="badge-detail"> {props.detail}</span> : null}
      {props.check ? <code className="badge-check">{props.check}</code> : null}
    </span>
  );
}
