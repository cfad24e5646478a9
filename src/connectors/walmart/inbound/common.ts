import { invalid } from '../../http/normalize.js';
import type { NormalizeContext } from '../../types.js';
import type { WalmartConfig } from '../config.js';

/** What every Walmart normalizer receives (`settings.channel` is all it reads of the config). */
export type WalmartContext = NormalizeContext<Pick<WalmartConfig, 'settings'>>;

/**
 * Epoch milliseconds to ISO 8601 UTC. A value below 10^11 (before 1973 in milliseconds) is what
 * epoch seconds look like: refused rather than read as a date in January 1970.
 */
export function epochMillisToIso(ms: number, ctx: WalmartContext, topic: string, field: string): string {
  if (!Number.isSafeInteger(ms) || ms < 1e11 || ms > 1e14)
    throw invalid(ctx, topic, field, 'must be epoch milliseconds (this looks like seconds or is out of range)', { value: ms });
  return new Date(ms).toISOString();
}
