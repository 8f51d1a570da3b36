import { contextBridge, ipcRenderer } from 'electron';
import { createStationApi, ipcChannel } from '../shared/contract';

/**
 * Exposes exactly the contract's methods as `window.station`; no generic invoke, no channel names in
 * the renderer's hands.
 */
contextBridge.exposeInMainWorld(
  'station',
  createStationApi((method, input) => ipcRenderer.invoke(ipcChannel(method), input)),
);
