import { existsSync } from 'node:fs';
import { z } from 'zod';
import { envVarName } from '../../../core/schema';
import { firstIssue } from '../../../core/validate';

/**
 * PKCS#11 module profiles: data in native/pkcs11/*.json (path candidates, quirks, notes), never code
 * and never credentials. Loaded and strictly validated at build time of the bundle.
 */
export const moduleProfileSchema = z
  .strictObject({
    template: z.boolean().optional(),
    /**
     * A module that exists only for tests (the fault-injection shim): never production, and no default
     * path, so it is loaded only where a test names its build output explicitly.
     */
    testOnly: z.literal(true).optional(),
    id: z.string().regex(/^[a-z0-9-]+$/),
    name: z.string().min(1),
    modulePaths: z.array(z.string().startsWith('/')),
    environment: z.array(envVarName),
    production: z.boolean(),
    quirks: z.strictObject({
      ecPointEncoding: z.enum(['der-octet-string', 'raw']),
      rejectsExtractableInPublicTemplate: z.boolean(),
      supportsEd25519: z.boolean(),
    }),
    notes: z.string(),
  })
  .refine((p) => (p.testOnly ? p.modulePaths.length === 0 && !p.production : p.modulePaths.length > 0), {
    message:
      'a test-only profile has no module paths and is not production; every other profile names a path',
  });

export type ModuleProfile = z.infer<typeof moduleProfileSchema>;

export function parseProfiles(files: Record<string, unknown>): ModuleProfile[] {
  return Object.entries(files)
    .map(([path, data]) => {
      const r = moduleProfileSchema.safeParse(data);
      if (!r.success) {
        const issue = firstIssue(r.error);
        const where = issue.path.length ? `${issue.field}: ` : '';
        throw new Error(`module profile ${path} is invalid: ${where}${issue.message}`);
      }
      return r.data;
    })
    .filter((p) => !p.template)
    .sort((a, b) => a.id.localeCompare(b.id));
}

export const MODULE_PROFILES: readonly ModuleProfile[] = parseProfiles(
  import.meta.glob('../../../../native/pkcs11/*.json', { eager: true, import: 'default' }),
);

export function findProfile(id: string): ModuleProfile | null {
  return MODULE_PROFILES.find((p) => p.id === id) ?? null;
}

/** The first candidate path of a profile that exists on this machine. */
export function resolveModulePath(profile: ModuleProfile): string | null {
  return profile.modulePaths.find((p) => existsSync(p)) ?? null;
}
