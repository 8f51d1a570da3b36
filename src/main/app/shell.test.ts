import { describe, expect, it, vi } from 'vitest';
import { runShell, type ShellApp, type ShellWindow } from './shell';

function fakeApp(lock: boolean, isPackaged = true) {
  const listeners = new Map<string, () => void>();
  const calls: string[] = [];
  const app: ShellApp = {
    isPackaged,
    requestSingleInstanceLock: () => (calls.push('lock'), lock),
    quit: () => void calls.push('quit'),
    enableSandbox: () => void calls.push('sandbox'),
    on: (event, listener) => listeners.set(event, listener),
    whenReady: () => Promise.resolve(),
  };
  return { app, calls, listeners };
}

function fakeWindow(minimized: boolean) {
  const calls: string[] = [];
  const win: ShellWindow = {
    isMinimized: () => minimized,
    restore: () => void calls.push('restore'),
    show: () => void calls.push('show'),
    focus: () => void calls.push('focus'),
  };
  return { win, calls };
}

describe('Electron shell lifecycle', () => {
  it('a second instance quits before opening the station (one process per station database)', async () => {
    const { app, calls } = fakeApp(false);
    const openStation = vi.fn();
    expect(runShell(app, { openStation }, () => {})).toBe(false);
    await Promise.resolve();
    expect(calls).toEqual(['lock', 'quit']);
    expect(openStation).not.toHaveBeenCalled();
  });

  it('the first instance takes the lock, sandboxes renderers, then opens the station; a later launch focuses it', async () => {
    const { app, calls, listeners } = fakeApp(true);
    const { win, calls: winCalls } = fakeWindow(true);
    const openStation = vi.fn(() => win);
    expect(runShell(app, { openStation }, () => {})).toBe(true);
    expect(calls).toEqual(['lock', 'sandbox']);
    await new Promise((r) => setTimeout(r, 0));
    expect(openStation).toHaveBeenCalledWith({ packaged: true });
    listeners.get('second-instance')?.();
    expect(winCalls).toEqual(['restore', 'show', 'focus']);
  });

  it('passes whether the app is packaged, which decides DevTools', async () => {
    const { app } = fakeApp(true, false);
    const openStation = vi.fn(() => fakeWindow(false).win);
    runShell(app, { openStation }, () => {});
    await new Promise((r) => setTimeout(r, 0));
    expect(openStation).toHaveBeenCalledWith({ packaged: false });
  });
});
