import { describe, expect, it } from 'vitest';
import { documentTitle } from './title';

describe('documentTitle', () => {
  it('names the view, what it has open, and the station', () => {
    expect(documentTitle({ view: 'deferral', stationName: 'Vault B', subject: 'packet DEF-2026-03' })).toBe(
      'Deferral — packet DEF-2026-03 — Ceremony Station (Vault B)',
    );
    expect(documentTitle({ view: 'journal', stationName: 'Vault B', subject: null })).toBe(
      'Journal — Ceremony Station (Vault B)',
    );
  });
  it('says only the application before the station has answered', () => {
    expect(documentTitle({ view: 'custody', stationName: null, subject: null })).toBe(
      'Custody — Ceremony Station',
    );
  });
});
