/** Wire constants of the browser-mode host, shared by the host (main) and its bridge (renderer). */
export const HOST_WS_PATH = '/ipc';
export const HOST_WS_PROTOCOL = 'station.v1';
/**
 * The launch URL carries a one-time ticket (`#ticket=<64 hex>`, never sent over HTTP). It reaches the
 * app window only through a launch file readable by the station's own user alone (never argv, never
 * the terminal unless asked). The socket that offers it as the subprotocol `ticket.<hex>` and completes
 * an authenticated upgrade spends it; the host's first message on that socket is a session secret the
 * page keeps for reconnecting (`session.<hex>`). Each successful reconnect spends that secret and
 * issues a new one, and the newest connection is the only one the session serves.
 */
export const HOST_TICKET_PREFIX = 'ticket.';
export const HOST_SESSION_PREFIX = 'session.';

/**
 * Largest request the host answers. A bigger one (up to HOST_HARD_MESSAGE_BYTES) gets the coded error
 * MESSAGE_TOO_LARGE; anything beyond that closes the socket with 1009. The bridge refuses to send an
 * oversize request in the first place.
 */
export const HOST_MAX_MESSAGE_BYTES = 1 << 20;
export const HOST_HARD_MESSAGE_BYTES = 4 << 20;

/** The first message the host sends on a socket it accepted: the secret for the next reconnect. */
export interface HostHello {
  readonly type: 'session';
  readonly secret: string;
}
