import type Database from 'better-sqlite3';
import { z } from 'zod';
import { EVENT_BODIES } from '../../../../core/journal/events';
import { jsonColumn, parseRows, statement } from './rows';

/** A PKCS#11 module as the `hsm_module` projection keeps it (the latest registration of its id). */
export interface ModuleRecord {
  readonly moduleId: string;
  readonly profile: string;
  readonly path: string;
  readonly librarySha256: string;
  readonly environment: Readonly<Record<string, string>>;
}

const registered = EVENT_BODIES['hsm.module-registered'].shape;

const moduleRow = z
  .object({
    module_id: z.string(),
    profile: z.string(),
    path: z.string(),
    library_sha256: z.string(),
    environment: jsonColumn(registered.environment),
  })
  .transform((r): ModuleRecord => ({
    moduleId: r.module_id,
    profile: r.profile,
    path: r.path,
    librarySha256: r.library_sha256,
    environment: r.environment,
  }));

const selectModules = statement(
  'SELECT module_id, profile, path, library_sha256, environment FROM hsm_module ORDER BY module_id',
);

/** Every registered module, by id (the projection: for listing; what is loaded comes from the journal). */
export function moduleRows(db: Database.Database): ModuleRecord[] {
  return parseRows('hsm_module', moduleRow, selectModules(db).all(), 'module_id');
}
