import type { ConntrackSource, Flow } from '@ctscope/conntrack';
import type { StatsSample } from '@ctscope/protocol';
import type { AgentConfig } from '../config';
import { readNetfilterInteger } from '../kernel/netfilter-values';
import type { FlowTable } from '../mirror/flow-table';
import type { Detector } from './detector';
import { InvalidDropsDetector } from './invalid-drops';
import { TableByStateDetector } from './table-by-state';
import { UdpBlackHoleDetector } from './udp-black-hole';

export type { Detector } from './detector';
export { DiagnosisEngine, DIAGNOSIS_REFRESH_MS, reportFingerprint } from './engine';

export interface DetectorDeps {
  config: Pick<AgentConfig, 'diagnoseUdpSilence' | 'diagnoseTableFull' | 'diagnoseInvalidRate'>;
  source: ConntrackSource;
  table(): FlowTable;
  /** The latest stats sample (per-CPU counters, count and max), null until one was taken. */
  latestSample(): StatsSample | null;
}

/** Sources that read one entry afresh (NetlinkSource; like `conntrack -G`). */
interface EntryReader {
  getFlow(flow: Flow): Promise<Flow | null>;
}
const readsEntries = (source: ConntrackSource): source is ConntrackSource & EntryReader => typeof (source as Partial<EntryReader>).getFlow === 'function';

/** Every detector the agent runs; add new ones here. */
export function createDetectors(deps: DetectorDeps): Detector[] {
  const { config, source } = deps;
  return [
    new UdpBlackHoleDetector({
      table: deps.table,
      ...(readsEntries(source) ? { readEntry: (flow: Flow) => source.getFlow(flow) } : {}),
      accounting: () => readNetfilterInteger('nf_conntrack_acct'),
      silenceMs: config.diagnoseUdpSilence * 1000,
    }),
    new InvalidDropsDetector({ latestSample: deps.latestSample, ratePerSecond: config.diagnoseInvalidRate, beLiberal: () => readNetfilterInteger('nf_conntrack_tcp_be_liberal') }),
    new TableByStateDetector({ table: deps.table, latestSample: deps.latestSample, fullRatio: config.diagnoseTableFull, dump: () => source.dump(), readSysctl: (name) => readNetfilterInteger(name) }),
  ];
}
