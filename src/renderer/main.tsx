import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { useStation } from './app/store';
import { connectStation } from './bridge/station';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

const { attach, setConnection, failConnect } = useStation.getState();
connectStation((state) => setConnection(state))
  .then((api) => attach(api))
  .catch((e: unknown) => failConnect(e instanceof Error ? e.message : String(e)));
