/**
 * The ceremony-file adapter: reads and strictly decodes ceremony files (YAML) into the pure model of
 * src/core/ceremony. It imports no other adapter.
 */
export { loadCeremonyFile, parseCeremonyBytes } from './file';
