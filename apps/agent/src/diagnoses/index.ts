import type { ConntrackSource, Flow, FlowEvent } from '@ctscope/conntrack';
import type { StatsSample } from '@ctscope/protocol';
import type { AgentConfig } from '../config';
import { readNetfilterInteger } from '../kernel/netfilter-values';
import type { FlowTable, MirrorEntry } from '../mirror/flow-table';
import type { Detector } from './detector';
import { InvalidDropsDetector } from './invalid-drops';
import { TableByStateDetector } from './table-by-state';
import { UdpBlackHoleDetector } from './udp-black-hole';

export type { Detector } from './detector';
export { DiagnosisEngine, DIAGNOSIS_REFRESH_MS, reportFingerprint } from './engine';

export interface DetectorDeps {
  config: Pick<AgentConfig, 'diagnoseUdpSilence' | 'diagnoseTableFull' | 'diagnoseInvalidRate' | 'paths'>;
  source: ConntrackSource;
  table(): FlowTable;
  /** Every kernel event as the mirror receives it (`Mirror.onEvent`); returns an unsubscribe. */
  onEvent(listener: (event: FlowEvent, entry: MirrorEntry) => void): () => void;
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
  // Read under --path.procfs; a simulated host replays a recording: this machine's sysctls are not its own.
  const sysctl = (name: string) => (source.kind === 'replay' ? Promise.resolve(undefined) : readNetfilterInteger(name, config.paths.procfs));
  return [
    new UdpBlackHoleDetector({
      table: deps.table,
      ...(readsEntries(source) ? { readEntry: (flow: Flow) => source.getFlow(flow) } : {}),
      accounting: () => sysctl('nf_conntrack_acct'),
      silenceMs: config.diagnoseUdpSilence * 1000,
    }),
    new InvalidDropsDetector({ latestSample: deps.latestSample, ratePerSecond: config.diagnoseInvalidRate, beLiberal: () => sysctl('nf_conntrack_tcp_be_liberal') }),
    new TableByStateDetector({ table: deps.table, latestSample: deps.latestSample, fullRatio: config.diagnoseTableFull, dump: () => source.dump(), readSysctl: sysctl }),
  ];
}
