import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { useStation } from './app/store';
import { connectStation } from './bridge/station';
import { installPrintHooks } from './print';
import './styles.css';
// After styles.css: in print, its rules give way to these.
import './print.css';

installPrintHooks();

const root = document.getElementById('root');
if (!root) throw new Error('no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

const { attach, setConnection, failConnect } = useStation.getState();
connectStation((state) => setConnection(state))
  .then(async (api) => {
    await attach(api);
    // Token presence and store state can change under the operator's hands: look again every 10 s.
    setInterval(() => void useStation.getState().refreshInfo(), 10_000);
  })
  .catch((e: unknown) => failConnect(e instanceof Error ? e.message : String(e)));
