/**
 * Errors in the operator's words: the station's coded errors name fields by their path in the request
 * (`input.exception.title`), which the operator never typed. These read them as the form shows them.
 */

/** A field path as the operator reads it: `input.exception.title` → "exception › title", items from 1. */
export function fieldName(path: string): string {
  return (
    path
      .replace(/^input\.?/, '')
      .split('.')
      .filter((p) => p !== '')
      .map((p) => (/^\d+$/.test(p) ? `#${Number(p) + 1}` : p))
      .join(' › ') || 'the request'
  );
}

/** The message with its leading field path (as the dispatcher writes it) in the operator's words. */
export function readableMessage(message: string, field: unknown): string {
  if (typeof field !== 'string' || !message.startsWith(`${field}: `)) return message;
  return `${fieldName(field)}: ${message.slice(field.length + 2)}`;
}
