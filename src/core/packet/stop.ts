import { z } from 'zod';
import { STOP_INDICATORS, type StopIndicator } from './model';

/**
 * Stop triggers: deterministic phrase rules (data: resources/policy/stop-triggers.json) run over the text
 * of imported evidence. A match does not decide anything about the incident; it stops packet assembly so a
 * human escalates instead of completing a routine packet on top of it.
 */
export const stopRulesSchema = z.strictObject({
  version: z.number().int().min(1),
  note: z.string(),
  rules: z
    .array(z.strictObject({ indicator: z.enum(STOP_INDICATORS), pattern: z.string().min(3).max(200) }))
    .min(1),
});
export type StopRules = z.infer<typeof stopRulesSchema>;

export interface StopFinding {
  readonly indicator: StopIndicator;
  readonly detail: string;
}

/** Every rule that matches, once per indicator and line, with the matching line (trimmed) as detail. */
export function detectStopIndicators(text: string, rules: StopRules, maxFindings = 20): StopFinding[] {
  const compiled = rules.rules.map((r) => ({
    indicator: r.indicator,
    re: new RegExp(`\\b(?:${r.pattern})\\b`, 'i'),
  }));
  const found: StopFinding[] = [];
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length && found.length < maxFindings; n++) {
    const line = lines[n] ?? '';
    for (const r of compiled) {
      if (found.length >= maxFindings) break;
      if (!r.re.test(line) || seen.has(`${r.indicator}:${n}`)) continue;
      seen.add(`${r.indicator}:${n}`);
      found.push({ indicator: r.indicator, detail: `line ${n + 1}: ${line.trim().slice(0, 200)}` });
    }
  }
  return found;
}
