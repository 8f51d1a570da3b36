import { useEffect } from 'react';
import type { View } from './store';

/**
 * The window's title follows the view and the station: "Deferral — packet deferral-rsk-2024 — Ceremony
 * Station (Demo Station — Rehearsal Room B)". A window list, a screen recording and a printed page's
 * header then say which station and which work they show.
 */
export const VIEW_TITLES: Readonly<Record<View, string>> = {
  decisions: 'Decisions pending',
  station: 'Station',
  devices: 'Devices',
  custodians: 'Custodians & Quorum',
  custody: 'Custody',
  deferral: 'Deferral',
  attestation: 'Custody attestation',
  authority: 'Compromise authority',
  'authority-packets': 'Compromise packets',
  activation: 'Activation gate',
  'activation-packets': 'Activation packets',
  portal: 'Portal submissions',
  ceremonies: 'Ceremonies',
  findings: 'Findings',
  bundles: 'Bundles & Approvals',
  journal: 'Journal',
};

export const APP_TITLE = 'Ceremony Station';

export function documentTitle(p: {
  view: View;
  stationName: string | null;
  /** What the view has open (e.g. "packet deferral-rsk-2024", "entry 42"), when it has one. */
  subject: string | null;
}): string {
  return [VIEW_TITLES[p.view], p.subject, p.stationName ? `${APP_TITLE} (${p.stationName})` : APP_TITLE]
    .filter((part): part is string => Boolean(part))
    .join(' — ');
}

/**
 * What the main pane has open, as its own accessible name says: a packet view's open packet is the
 * article named "Packet <id>" (the name tests and screen readers use too).
 */
function openPacket(): string | null {
  const name = document.querySelector('main article[aria-label^="Packet "]')?.getAttribute('aria-label');
  return name ? `packet ${name.slice('Packet '.length)}` : null;
}

/** Keeps document.title in step with the view, the station's name and what the view has open. */
export function useDocumentTitle(view: View, stationName: string | null, selectedSeq: number | null): void {
  useEffect(() => {
    const subject = (): string | null => {
      if (view === 'deferral' || view === 'attestation') return openPacket();
      if (view === 'journal' && selectedSeq !== null) return `entry ${selectedSeq}`;
      return null;
    };
    const apply = () => {
      const title = documentTitle({ view, stationName, subject: subject() });
      if (document.title !== title) document.title = title;
    };
    apply();
    if (view !== 'deferral' && view !== 'attestation') return;
    // The packet opens after the view does (it is fetched): follow the main pane until the view changes.
    const observer = new MutationObserver(apply);
    const root = document.getElementById('root') ?? document.body;
    observer.observe(root, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ['aria-label'],
    });
    return () => observer.disconnect();
  }, [view, stationName, selectedSeq]);
}
