import { FLEET_RANGES, type FleetHistory, type FleetRange, type HistoryPoint } from '@ctscope/protocol';
import type { Store } from '../store/types';
import { sumFleet } from './fleet-sum';

/** Most stored points read per host for one fleet answer (24 h at a 10 s step is 8,640). */
const MAX_POINTS_PER_HOST = 20_000;

/**
 * The overview's fleet series: every registered host's stored history summed into at most the range's
 * point count. Buckets are never narrower than the stored step, so each holds a point of every online host.
 */
export async function fleetHistory(store: Pick<Store, 'listHosts' | 'listHistory'>, range: FleetRange, storedStepMs: number, now = Date.now()): Promise<FleetHistory> {
  const { ms, points } = FLEET_RANGES[range];
  const stepMs = Math.max(storedStepMs, Math.ceil(ms / points / 1000) * 1000);
  const since = now - ms;
  const hosts = await store.listHosts();
  const histories: HistoryPoint[][] = [];
  for (const host of hosts) histories.push(await store.listHistory(host.id, since, MAX_POINTS_PER_HOST));
  return { stepMs, points: sumFleet(histories, { since, until: now, stepMs, staleMs: 2 * Math.max(stepMs, storedStepMs) + storedStepMs }) };
}
