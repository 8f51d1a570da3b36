/**
 * The one sender check (after GitHub Desktop's safeListener). Every contract call, whether it arrives
 * over Electron IPC or the browser-mode host's WebSocket, passes through `isTrustedSender` before any
 * input is parsed. Unit-tested in sender.test.ts.
 */
export interface SenderInfo {
  /** URL of the frame that sent the call (Electron: event.senderFrame.url; host: the socket's Origin). */
  readonly url: string | null;
  /** True when the sender is the top-level frame of a station window. */
  readonly isMainFrame: boolean;
}

/** The origins allowed to call the station: app://station in Electron, the host's own loopback origin. */
export type TrustedOrigins = readonly string[];

export function isTrustedSender(sender: SenderInfo, trusted: TrustedOrigins): boolean {
  if (!sender.isMainFrame || sender.url === null) return false;
  let origin: string;
  try {
    const u = new URL(sender.url);
    // URL.origin is "null" for non-special schemes such as app:, so build it from protocol and host.
    origin = `${u.protocol}//${u.host}`;
  } catch {
    return false;
  }
  return trusted.includes(origin);
}
