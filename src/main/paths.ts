export const DATABASE_FILE = 'station.sqlite';

/** A demo station's rehearsal volume, inside its data directory (src/main/station/station.ts). */
export const REHEARSAL_MEDIA = 'rehearsal-media';
