import { readFileSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import type { z } from 'zod';
import { CodedError } from '../../../core/errors';
import {
  POLICY_SCHEMAS,
  policyFileSchema,
  validatePolicy,
  type PolicyVersion,
} from '../../../core/findings/policy';
import { assertActor } from '../../../core/journal/events';
import { parseOrThrow } from '../../../core/validate';
import type { View } from '../../../shared/contract';
import { keepObject, stageCopy } from '../../adapters/fs/staging';
import {
  inWriteTransaction,
  insertPolicyRecord,
  policyInForce,
  policyRecordRows,
} from '../../adapters/store/repos/records';
import { stationError } from '../../errors';
import type { Station } from '../../station/station';
import { sha256hex } from './records';

/**
 * Policy records (docs/records.md, "Policy records"): the numbers an organisation owns, imported with
 * provenance. The station's defaults (resources/policy/<name>.json) are in force until a version of that
 * policy has taken effect; an imported version is in force from its `exportedAt` until a later one.
 */

/** A policy file is small: a control library or a set of thresholds. */
const MAX_POLICY_BYTES = 1024 * 1024;

// The default files, inlined by the bundler (a default added with its policy is picked up).
const DEFAULT_FILES = import.meta.glob<unknown>('../../../../resources/policy/*.json', {
  import: 'default',
  eager: true,
});

type Schemas = Readonly<Record<string, z.ZodType>>;

/**
 * The station's default of a policy: resources/policy/<name>.json, written as a policy file
 * ({policy, version, content}) or as the bare content (then version 1). Null when there is none.
 */
export function defaultPolicy(name: string, schemas: Schemas = POLICY_SCHEMAS): PolicyVersion | null {
  const entry = Object.entries(DEFAULT_FILES).find(([path]) => basename(path) === `${name}.json`);
  if (!entry) return null;
  const asFile = policyFileSchema.safeParse(entry[1]);
  const p =
    asFile.success && asFile.data.policy === name
      ? asFile.data
      : { policy: name, version: 1, content: entry[1] };
  return validatePolicy(p, `resources/policy/${name}.json`, sha256hex, schemas);
}

export interface PolicyInForce extends PolicyVersion {
  readonly source: 'default' | 'imported';
  readonly seq: number | null;
  readonly system: string | null;
  readonly exportedAt: string | null;
  readonly fileName: string | null;
}

/** The version of a policy in force at `asOf`: the latest imported one by then, else the default. */
export function policyAt(
  station: Station,
  name: string,
  asOf: string,
  schemas: Schemas = POLICY_SCHEMAS,
): PolicyInForce {
  const row = policyInForce(station.store.db, name, asOf);
  if (row)
    return {
      policy: row.policy,
      version: row.version,
      content: row.content,
      digest: row.digest,
      source: 'imported',
      seq: row.seq,
      system: row.system,
      exportedAt: row.exportedAt,
      fileName: row.fileName,
    };
  const d = defaultPolicy(name, schemas);
  if (!d)
    throw stationError(
      'POLICY_UNKNOWN',
      `no ${name} policy is in force as of ${asOf}: import one (station policy import FILE)`,
      { field: 'policy', policy: name },
    );
  return { ...d, source: 'default', seq: null, system: null, exportedAt: null, fileName: null };
}

/**
 * Imports a policy file {policy, version, content, system?, exportedAt?}: its content is validated by
 * the schema registered for its name (POLICY_INVALID names `<file>.content.<field>`), the file kept
 * content-addressed, one `policy.imported` entry. `system` and `exportedAt` come from the file, else from
 * the caller, else `station-operator` and now. A refused file journals `policy.import-refused`.
 */
export async function importPolicyFile(
  station: Station,
  input: {
    readonly path: string;
    readonly actor: string;
    readonly system?: string | undefined;
    readonly exportedAt?: string | undefined;
  },
  schemas: Schemas = POLICY_SCHEMAS,
): Promise<PolicyInForce> {
  assertActor(input.actor);
  station.assertWritable();
  const fileName = basename(input.path);
  const staged = await stageCopy(station, input.path, MAX_POLICY_BYTES);
  try {
    let version: PolicyVersion;
    let file;
    try {
      let data: unknown;
      try {
        data = JSON.parse(readFileSync(staged.path, 'utf8')) as unknown;
      } catch {
        throw new CodedError('POLICY_INVALID', `${fileName} is not JSON`, { field: fileName });
      }
      file = parseOrThrow(policyFileSchema, data, fileName, 'POLICY_INVALID');
      version = validatePolicy(file, fileName, sha256hex, schemas);
    } catch (e) {
      if (e instanceof CodedError && (e.code === 'POLICY_INVALID' || e.code === 'POLICY_UNKNOWN')) {
        const field = typeof e.data.field === 'string' ? e.data.field : fileName;
        station.record([
          {
            kind: 'policy.import-refused',
            actor: input.actor,
            body: { fileSha256: staged.sha256, fileName, code: e.code, field: field.slice(0, 300) },
          },
        ]);
      }
      throw e;
    }
    // What the file says wins; the caller's values stand in only where the file is silent.
    const system = file.system ?? input.system ?? 'station-operator';
    const exportedAt = file.exportedAt ?? input.exportedAt ?? station.deps.clock().toISOString();
    keepObject(station, staged.sha256, staged.path);
    const body = {
      policy: version.policy,
      version: version.version,
      system,
      exportedAt,
      fileSha256: staged.sha256,
      fileName,
      digest: version.digest,
    };
    return inWriteTransaction(station.store.db, () => {
      const seq = station.record([{ kind: 'policy.imported', actor: input.actor, body }]).firstSeq;
      insertPolicyRecord(station.store.db, { seq, ...body, content: version.content });
      return { ...version, source: 'imported' as const, seq, system, exportedAt, fileName };
    });
  } finally {
    rmSync(staged.dir, { recursive: true, force: true });
  }
}

/** The policy in force now for every policy the station knows, and every imported version. */
export function showPolicies(station: Station, schemas: Schemas = POLICY_SCHEMAS): View<'policyShow'> {
  const now = station.deps.clock().toISOString();
  const imported = policyRecordRows(station.store.db);
  const names = [...new Set([...Object.keys(schemas), ...imported.map((p) => p.policy)])].sort();
  const inForce = names.flatMap((name) => {
    try {
      return [policyAt(station, name, now, schemas)];
    } catch (e) {
      // A known policy with neither a default nor an import yet is simply not listed.
      if (e instanceof CodedError && e.code === 'POLICY_UNKNOWN') return [];
      throw e;
    }
  });
  return {
    inForce,
    imported: imported.map((p) => ({
      policy: p.policy,
      version: p.version,
      digest: p.digest,
      source: 'imported' as const,
      seq: p.seq,
      system: p.system,
      exportedAt: p.exportedAt,
      fileName: p.fileName,
    })),
  };
}
