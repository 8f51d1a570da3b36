import { describe, expect, it, vi } from 'vitest';
import { METHODS, ipcChannel } from '../../shared/contract';
import { bindIpcMain, senderFromEvent } from './electron-ipc';

describe('bindIpcMain', () => {
  it('registers exactly one handler per contract channel and routes through dispatch', async () => {
    const registered = new Map<string, (event: unknown, input: unknown) => unknown>();
    const ipcMain = {
      handle: vi.fn((channel: string, fn: (event: unknown, input: unknown) => unknown) =>
        registered.set(channel, fn),
      ),
    };
    const dispatch = vi.fn(async () => ({ ok: true as const, value: 1 }));
    bindIpcMain(ipcMain as never, dispatch);
    expect([...registered.keys()].sort()).toEqual(METHODS.map(ipcChannel).sort());

    const mainFrame = { url: 'app://station/index.html' };
    const event = { senderFrame: mainFrame, sender: { mainFrame } };
    await registered.get(ipcChannel('journalVerify'))?.(event, {});
    expect(dispatch).toHaveBeenCalledWith(
      'journalVerify',
      {},
      { url: 'app://station/index.html', isMainFrame: true },
    );
  });
});

describe('senderFromEvent', () => {
  it('marks a subframe as not the main frame', () => {
    const mainFrame = { url: 'app://station/index.html' };
    const sub = { url: 'app://station/index.html' };
    expect(senderFromEvent({ senderFrame: sub, sender: { mainFrame } } as never)).toEqual({
      url: sub.url,
      isMainFrame: false,
    });
  });

  it('handles a destroyed frame (senderFrame null)', () => {
    expect(senderFromEvent({ senderFrame: null, sender: { mainFrame: {} } } as never)).toEqual({
      url: null,
      isMainFrame: false,
    });
  });
});
