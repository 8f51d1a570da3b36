/** Wire constants of the browser-mode host, shared by the host (main) and its bridge (renderer). */
export const HOST_WS_PATH = '/ipc';
export const HOST_WS_PROTOCOL = 'station.v1';
/** The per-launch token travels as a second offered subprotocol: `token.<64 hex>`. */
export const HOST_TOKEN_PROTOCOL_PREFIX = 'token.';
