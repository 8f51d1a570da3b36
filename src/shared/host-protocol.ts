/** Wire constants of the browser-mode host, shared by the host (main) and its bridge (renderer). */
export const HOST_WS_PATH = '/ipc';
export const HOST_WS_PROTOCOL = 'station.v1';
/**
 * The launch URL carries a one-time ticket (`#ticket=<64 hex>`, never sent over HTTP). The first
 * socket offers it as the subprotocol `ticket.<hex>` and spends it; the host answers that socket's
 * first message with a session secret the page keeps for reconnecting (`session.<hex>`). A ticket read
 * off a process list later is worthless.
 */
export const HOST_TICKET_PREFIX = 'ticket.';
export const HOST_SESSION_PREFIX = 'session.';

/** The first message the host sends on a socket opened with the ticket. */
export interface HostHello {
  readonly type: 'session';
  readonly secret: string;
}
