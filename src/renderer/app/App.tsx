import { ActivationView } from '../features/activation/ActivationView';
import { AuthorityView } from '../features/authority/AuthorityView';
import { BundlesView } from '../features/bundles/BundlesView';
import { CeremoniesView } from '../features/ceremonies/CeremoniesView';
import { CustodiansView } from '../features/custodians/CustodiansView';
import { CustodyView } from '../features/custody/CustodyView';
import { DecisionsView } from '../features/decisions/DecisionsView';
import { DevicesView } from '../features/devices/DevicesView';
import { FindingsView } from '../features/findings/FindingsView';
import { JournalView } from '../features/journal/JournalView';
import { PacketsView } from '../features/packets/PacketsView';
import { PortalView } from '../features/portal/PortalView';
import { StationView } from '../features/identity/StationView';
import { Banner } from './Banner';
import { ErrorNotice } from './ErrorNotice';
import { useStation, type View } from './store';
import { useDocumentTitle } from './title';

const NAV: { view: View; label: string; online?: true; offline?: true }[] = [
  { view: 'decisions', label: 'Decisions pending' },
  { view: 'station', label: 'Station' },
  { view: 'devices', label: 'Devices' },
  { view: 'custodians', label: 'Custodians & Quorum' },
  { view: 'custody', label: 'Custody' },
  { view: 'deferral', label: 'Rotation deferral' },
  { view: 'attestation', label: 'Custody attestation' },
  { view: 'authority', label: 'Compromise authority' },
  { view: 'authority-packets', label: 'Compromise packets' },
  { view: 'activation', label: 'Activation gate' },
  { view: 'activation-packets', label: 'Activation packets' },
  // Online stations only (the portal workstation).
  { view: 'portal', label: 'Portal submissions', online: true },
  // Offline stations only (key ceremonies act on the HSM).
  { view: 'ceremonies', label: 'Ceremonies', offline: true },
  { view: 'findings', label: 'Findings' },
  { view: 'bundles', label: 'Bundles & Approvals' },
  { view: 'journal', label: 'Journal' },
];

export function App() {
  const view = useStation((s) => s.view);
  const show = useStation((s) => s.show);
  const connection = useStation((s) => s.connection);
  const connectError = useStation((s) => s.connectError);
  const stationName = useStation((s) => s.info?.name ?? null);
  const selectedSeq = useStation((s) => s.selectedSeq);
  const online = useStation((s) => s.info?.mode === 'online');
  useDocumentTitle(view, stationName, selectedSeq);

  if (connection === 'failed') {
    return (
      <main className="fatal" role="alert">
        <h1>The station is not reachable</h1>
        <p>{connectError}</p>
      </main>
    );
  }

  return (
    <div className="shell">
      <Banner />
      <nav className="nav" aria-label="Workflows">
        <ul>
          {NAV.filter((n) => (n.online ? online : n.offline ? !online : true)).map((n) => (
            <li key={n.view}>
              <button
                type="button"
                aria-current={view === n.view ? 'page' : undefined}
                onClick={() => show(n.view)}
              >
                {n.label}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <ErrorNotice />
      <Workspace view={view} />
    </div>
  );
}

function Workspace({ view }: { view: View }) {
  switch (view) {
    case 'decisions':
      return <DecisionsView />;
    case 'station':
      return <StationView />;
    case 'devices':
      return <DevicesView />;
    case 'custodians':
      return <CustodiansView />;
    case 'custody':
      return <CustodyView />;
    case 'deferral':
      return <PacketsView key="deferral" kind="rotation-deferral" />;
    case 'attestation':
      return <PacketsView key="attestation" kind="custody-attestation" />;
    case 'authority':
      return <AuthorityView />;
    case 'authority-packets':
      return <PacketsView key="authority-packets" kind="compromise-authority" />;
    case 'activation':
      return <ActivationView />;
    case 'activation-packets':
      return <PacketsView key="activation-packets" kind="activation-gate" />;
    case 'portal':
      return <PortalView />;
    case 'ceremonies':
      return <CeremoniesView />;
    case 'findings':
      return <FindingsView />;
    case 'bundles':
      return <BundlesView />;
    case 'journal':
      return <JournalView />;
    default: {
      const never: never = view;
      throw new Error(`unknown view ${String(never)}`);
    }
  }
}
