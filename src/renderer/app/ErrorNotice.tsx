import { ERROR_CATALOGUE } from '../../shared/errors';
import { fieldName, readableMessage } from './error-text';
import { useStation } from './store';

/** Errors say what happened, why, and what to do next, with the error code. */
export function ErrorNotice() {
  const error = useStation((s) => s.error);
  const dismiss = useStation((s) => s.dismissError);
  if (!error) return null;
  return (
    <div className="error-notice" role="alert">
      <div>
        <strong>{readableMessage(error.message, error.data.field)}</strong>
        <div>{ERROR_CATALOGUE[error.code].action}</div>
        <code>{error.code}</code>
        {typeof error.data.field === 'string' ? <span> · field: {fieldName(error.data.field)}</span> : null}
      </div>
      <button type="button" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}
