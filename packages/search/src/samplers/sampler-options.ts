import type { z } from 'zod';
import { SamplerError } from './sampler-error.js';

/** Options checked against a sampler's zod schema; a SamplerError naming every bad option otherwise. */
export function parseSamplerOptions<S extends z.ZodType>(sampler: string, schema: S, options: unknown): z.infer<S> {
  const parsed = schema.safeParse(options);
  if (!parsed.success) throw new SamplerError(sampler, `invalid options: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
