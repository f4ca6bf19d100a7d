import { EntryPlan } from './entry-plan.js';
import { Envelope } from './envelope.js';

/** An entry is valid only if every tag still has the version seen when its load began. */
export function sameVersions(envelope: Envelope, current: (string | undefined)[]): boolean {
  const stored = envelope.tagVersions;
  if (stored.length !== current.length) return false;
  for (let i = 0; i < stored.length; i++) if (stored[i] !== current[i]) return false;
  return true;
}

/**
 * 'stale' past soft expiry; 'early' when XFetch (Vattani et al., VLDB 2015) decides to refresh:
 * now - loadTime * beta * ln(random) >= expiry, so slow-to-load hot keys refresh a little earlier.
 */
export function refreshNeed(envelope: Envelope, plan: EntryPlan): 'stale' | 'early' | undefined {
  const { freshUntil, loadMs, expiresAt } = envelope.meta;
  const beta = plan.earlyRefreshBeta;
  if (freshUntil <= 0 && !beta) return undefined; // plain TTL entry: nothing to decide
  const now = Date.now();
  if (freshUntil > 0 && now >= freshUntil) return 'stale';
  if (beta && loadMs > 0 && now - loadMs * beta * Math.log(Math.random()) >= expiresAt) return 'early';
  return undefined;
}
