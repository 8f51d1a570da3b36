import { z } from 'zod';
import { errorPayload, type Channels } from './common';
import { exportResultSchema } from './bundles';

/** Long work with progress and cancellation (services/jobs): today the bundle export. */

export const jobViewSchema = z.strictObject({
  jobId: z.string().uuid(),
  kind: z.string(),
  state: z.enum(['running', 'done', 'failed', 'cancelled']),
  phase: z.string(),
  done: z.number(),
  total: z.number(),
  result: exportResultSchema.nullable(),
  error: errorPayload.nullable(),
});

const jobRef = z.strictObject({ jobId: z.string().uuid() });

export const jobsChannels = {
  jobStatus: { input: jobRef, output: jobViewSchema },
  jobCancel: { input: jobRef, output: jobViewSchema },
} as const satisfies Channels;

export type JobView = z.output<typeof jobViewSchema>;
