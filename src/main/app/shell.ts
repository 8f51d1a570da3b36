import type { BrowserWindow } from 'electron';

/**
 * The Electron lifecycle decisions that must hold in a release, apart from the Electron objects so a
 * unit test can drive them with fakes (the Electron runtime is not available in CI):
 *  - one instance per user: a second launch focuses the first window and exits, so two processes never
 *    write one station database or hold one HSM session;
 *  - the sandbox is on for every renderer before anything is created;
 *  - the station opens only once that lock is held, and its window is the hardened one.
 */
export interface ShellApp {
  requestSingleInstanceLock(): boolean;
  quit(): void;
  enableSandbox(): void;
  readonly isPackaged: boolean;
  on(event: 'second-instance', listener: () => void): unknown;
  whenReady(): Promise<void>;
}

export type ShellWindow = Pick<BrowserWindow, 'isMinimized' | 'restore' | 'focus' | 'show'>;

export interface ShellStart {
  /** Opens the station (database, handlers, protocol) and returns its one window. */
  openStation(opts: { packaged: boolean }): ShellWindow;
}

/** Returns false when another instance holds the lock (this one then quits without opening anything). */
export function runShell(app: ShellApp, start: ShellStart, log: (msg: string) => void): boolean {
  if (!app.requestSingleInstanceLock()) {
    log('another Ceremony Station window is already open: focusing it and exiting');
    app.quit();
    return false;
  }
  app.enableSandbox();
  let win: ShellWindow | null = null;
  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  });
  void app.whenReady().then(() => {
    win = start.openStation({ packaged: app.isPackaged });
  });
  return true;
}
