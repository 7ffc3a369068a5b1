import { FLEET_TROUBLE_KEYS, type EventRates, type FleetPoint, type FleetTroubleKey, type HistoryPoint } from '@ctscope/protocol';

type TroubleRates = Record<FleetTroubleKey, number>;

interface HostBucket {
  count: number;
  max: number;
  at: number;
  eventRates?: EventRates;
  rates?: TroubleRates;
}

const mean = <K extends string>(points: readonly Partial<Record<K, number>>[], keys: readonly K[]): Record<K, number> =>
  Object.fromEntries(keys.map((k) => [k, points.reduce((sum, p) => sum + (p[k] ?? 0), 0) / points.length])) as Record<K, number>;

/** One host's points in one bucket: the last count and max, rates averaged over the bucket. */
function reduceBucket(points: readonly HistoryPoint[]): HostBucket {
  const last = points[points.length - 1] as HistoryPoint;
  const bucket: HostBucket = { count: last.count, max: last.max, at: last.at };
  const withEvents = points.flatMap((p) => (p.eventRates ? [p.eventRates] : []));
  if (withEvents.length) bucket.eventRates = mean(withEvents, ['NEW', 'UPDATE', 'DESTROY'] as const);
  const withRates = points.flatMap((p) => (p.rates ? [p.rates] : []));
  if (withRates.length) bucket.rates = mean(withRates, FLEET_TROUBLE_KEYS);
  return bucket;
}

function addInto<K extends string>(total: Record<K, number> | undefined, part: Record<K, number>): Record<K, number> {
  if (!total) return { ...part };
  for (const key of Object.keys(part) as K[]) total[key] += part[key];
  return total;
}

/**
 * Sums hosts' histories over time buckets ending at `until`. A host without a point in a bucket keeps
 * counting with its previous bucket while that is at most `staleMs` old (stored points come every few
 * seconds, not on bucket edges), so a fleet line does not dip where one host's points happen to fall.
 * Each history must be sorted by time.
 */
export function sumFleet(histories: readonly (readonly HistoryPoint[])[], options: { since: number; until: number; stepMs: number; staleMs: number }): FleetPoint[] {
  const { since, until, stepMs, staleMs } = options;
  const buckets = Math.max(1, Math.ceil((until - since) / stepMs));
  const start = until - buckets * stepMs;
  const points: FleetPoint[] = [];
  const cursors = histories.map(() => 0);
  const previous: (HostBucket | undefined)[] = histories.map(() => undefined);
  for (let b = 0; b < buckets; b++) {
    const end = start + (b + 1) * stepMs;
    const point: FleetPoint = { at: end, count: 0, max: 0, hosts: 0 };
    let eventRates: EventRates | undefined;
    let rates: TroubleRates | undefined;
    for (let h = 0; h < histories.length; h++) {
      const history = histories[h] as readonly HistoryPoint[];
      let i = cursors[h] ?? 0;
      const inBucket: HistoryPoint[] = [];
      while (i < history.length && (history[i] as HistoryPoint).at <= end) {
        if ((history[i] as HistoryPoint).at > end - stepMs) inBucket.push(history[i] as HistoryPoint);
        i++;
      }
      cursors[h] = i;
      const prior = previous[h];
      const bucket = inBucket.length ? reduceBucket(inBucket) : prior && end - prior.at <= staleMs ? prior : undefined;
      previous[h] = bucket ?? prior;
      if (!bucket) continue;
      point.hosts++;
      point.count += bucket.count;
      point.max += bucket.max;
      if (bucket.eventRates) eventRates = addInto(eventRates, bucket.eventRates);
      if (bucket.rates) rates = addInto(rates, bucket.rates);
    }
    if (point.hosts === 0) continue;
    if (eventRates) point.eventRates = eventRates;
    if (rates) point.rates = rates;
    points.push(point);
  }
  return points;
}
