import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where a station lives when no --data-dir is given: $STATION_DATA_DIR, else the XDG data directory. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.STATION_DATA_DIR) return env.STATION_DATA_DIR;
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'ceremony-station');
}

export const DATABASE_FILE = 'station.sqlite';
