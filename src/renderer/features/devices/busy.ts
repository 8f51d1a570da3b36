import type { TokenView } from '../../../shared/contract';

/** Token busy: what holds it and since when (the station runs one operation per token at a time). */
export function busyDetail(busy: NonNullable<TokenView['busy']>): string {
  const waiting = busy.waiting > 0 ? `, ${busy.waiting} waiting` : '';
  return `${busy.purpose}${busy.loggedIn ? ' (logged in)' : ''} since ${busy.since}${waiting}`;
}
