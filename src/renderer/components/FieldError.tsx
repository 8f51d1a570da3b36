import { fieldName, readableMessage } from '../app/error-text';
import { useStation } from '../app/store';
import './field-error.css';

/**
 * Whether a coded error's field (`input.claim.text`, `claim.evidence.2`, `claimId`) is the form field
 * `name` (`text`, `claim.text`, `evidence`): the path without `input.` and item numbers ends with it.
 */
export function fieldMatches(field: string, name: string): boolean {
  const path = field
    .replace(/^input\.?/, '')
    .split('.')
    .filter((p) => p !== '' && !/^\d+$/.test(p))
    .join('.');
  return path === name || path.endsWith(`.${name}`);
}

/**
 * The station's refusal shown at the field it names, in the operator's words, as well as in the
 * notice above the view; it goes when the error does (a view change, an act that went through).
 */
export function FieldError({ name }: { name: string }) {
  const error = useStation((s) => s.error);
  const field = typeof error?.data.field === 'string' ? error.data.field : null;
  if (!error || field === null || !fieldMatches(field, name)) return null;
  const text = readableMessage(error.message, field);
  return (
    <span className="field-error" data-field={fieldName(field)}>
      {text.startsWith(`${fieldName(field)}: `) ? text.slice(fieldName(field).length + 2) : text}
    </span>
  );
}
