import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { METHODS, ipcChannel } from '../../shared/contract';
import type { Dispatch } from './dispatcher';
import type { SenderInfo } from './sender';

/** What the sender check needs from an Electron invoke event. */
export function senderFromEvent(event: Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>): SenderInfo {
  const frame = event.senderFrame;
  return { url: frame?.url ?? null, isMainFrame: frame !== null && frame === event.sender.mainFrame };
}

/** The only place ipcMain is touched: one handler per contract channel, each through the dispatcher. */
export function bindIpcMain(ipcMain: Pick<IpcMain, 'handle'>, dispatch: Dispatch): void {
  for (const method of METHODS) {
    ipcMain.handle(ipcChannel(method), (event, input: unknown) =>
      dispatch(method, input, senderFromEvent(event)),
    );
  }
}
