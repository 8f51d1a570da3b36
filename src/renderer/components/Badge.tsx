/**
 * Status words and colours, the same everywhere (../shared/UI.md): colour is never the only signal,
 * every badge carries its word and, where a rule produced it, the rule's check ID.
 */
export type Tone = 'good' | 'warn' | 'bad' | 'neutral' | 'info';

export function toneOf(word: string): Tone {
  switch (word) {
    case 'VERIFIED':
    case 'SATISFIED':
    case 'READY':
    case 'RESIDENT':
      return 'good';
    case 'IMPORTED':
      return 'warn';
    case 'EXPOSABLE':
    case 'UNPROTECTED':
    case 'SESSION-ONLY':
    case 'FAILED':
      return 'bad';
    case 'HOLD':
    case 'STALE':
    case 'PARTIAL':
    case 'EXCEPTION-BACKED':
    case 'READ-ONLY':
      return 'warn';
    case 'BLOCKED':
    case 'MISSING':
    case 'TAMPERED':
    case 'REFUSED':
      return 'bad';
    default:
      return 'neutral';
  }
}

export function Badge(props: {
  word: string;
  detail?: string;
  check?: string;
  tone?: Tone;
  large?: boolean;
}) {
  const tone = props.tone ?? toneOf(props.word);
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
