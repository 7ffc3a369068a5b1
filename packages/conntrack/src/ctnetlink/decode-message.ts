import type { CpuStats, EventType, Flow } from '../flow';
import type { GlobalStats } from '../source';
import { u16be, u16le, u32be, u32le } from './bytes';
import { CTA_STATS_CPU, CTA_STATS_GLOBAL, IPCTNL_MSG_CT_DELETE, IPCTNL_MSG_CT_NEW, NFNL_SUBSYS_CTNETLINK, NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN, NLMSG_OVERRUN, NLM_F_CREATE } from './constants';
import { decodeFlow, forEachAttr } from './decode-flow';
import { DecodeError } from './errors';

export interface NetlinkHeader {
  type: number;
  flags: number;
  seq: number;
}

export type NetlinkMessage =
  | { kind: 'done'; header: NetlinkHeader }
  | { kind: 'error'; header: NetlinkHeader; errno: number }
  | { kind: 'overrun'; header: NetlinkHeader }
  | { kind: 'body'; header: NetlinkHeader; start: number; end: number };

/** Splits a datagram into netlink messages; `visit` returns false to stop early. */
export function forEachMessage(buf: Uint8Array, visit: (message: NetlinkMessage) => boolean | void): void {
  let off = 0;
  while (off + NLMSG_HDRLEN <= buf.length) {
    const len = u32le(buf, off);
    if (len < NLMSG_HDRLEN || off + len > buf.length) throw new DecodeError(`netlink message length ${len} is impossible`, off);
    const header = { type: u16le(buf, off + 4), flags: u16le(buf, off + 6), seq: u32le(buf, off + 8) };
    let message: NetlinkMessage;
    if (header.type === NLMSG_DONE) message = { kind: 'done', header };
    else if (header.type === NLMSG_ERROR) {
      if (len < NLMSG_HDRLEN + 4) throw new DecodeError('truncated netlink error message', off);
      const errno = u32le(buf, off + NLMSG_HDRLEN) | 0;
      message = { kind: 'error', header, errno: -errno };
    } else if (header.type === NLMSG_OVERRUN) message = { kind: 'overrun', header };
    else message = { kind: 'body', header, start: off + NLMSG_HDRLEN, end: off + len };
    if (visit(message) === false) return;
    off += (len + 3) & ~3;
  }
}

const CT_NEW = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
const CT_DELETE = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE;

export function isFlowMessage(type: number): boolean {
  return type === CT_NEW || type === CT_DELETE;
}

/** NEW and UPDATE both arrive as CT_NEW, told apart by NLM_F_CREATE; DESTROY arrives as CT_DELETE. */
export function eventTypeOf(header: NetlinkHeader): EventType | null {
  if (header.type === CT_DELETE) return 'DESTROY';
  if (header.type === CT_NEW) return header.flags & NLM_F_CREATE ? 'NEW' : 'UPDATE';
  return null;
}

/** Decodes every flow in a dump datagram into `out`; returns true when the dump is complete. */
export function decodeDumpDatagram(buf: Uint8Array, out: Flow[], onError: (errno: number) => void): boolean {
  let done = false;
  forEachMessage(buf, (m) => {
    if (m.kind === 'body') {
      if (isFlowMessage(m.header.type)) out.push(decodeFlow(buf, m.start, m.end));
    } else if (m.kind === 'done') {
      done = true;
      return false;
    } else if (m.kind === 'error') {
      if (m.errno !== 0) onError(m.errno);
      done = true;
      return false;
    }
    return true;
  });
  return done;
}

/** One IPCTNL_MSG_CT_GET_STATS_CPU reply: the CPU number is the nfgenmsg res_id. */
export function decodeCpuStats(buf: Uint8Array, start: number, end: number): CpuStats {
  if (end - start < 4) throw new DecodeError('stats message shorter than its nfgenmsg header', start);
  const stats: CpuStats = { cpu: u16be(buf, start + 2) };
  forEachAttr(buf, start + 4, end, (type, p, pend) => {
    const name = CTA_STATS_CPU[type];
    if (name === undefined) return;
    if (pend - p < 4) throw new DecodeError(`statistic ${name} needs 4 bytes`, p);
    (stats as unknown as Record<string, number>)[name] = u32be(buf, p);
  });
  return stats;
}

export function decodeGlobalStats(buf: Uint8Array, start: number, end: number): GlobalStats {
  if (end - start < 4) throw new DecodeError('stats message shorter than its nfgenmsg header', start);
  let entries: number | undefined;
  let maxEntries: number | undefined;
  forEachAttr(buf, start + 4, end, (type, p, pend) => {
    if (pend - p < 4) throw new DecodeError('global statistic needs 4 bytes', p);
    if (type === CTA_STATS_GLOBAL.ENTRIES) entries = u32be(buf, p);
    else if (type === CTA_STATS_GLOBAL.MAX_ENTRIES) maxEntries = u32be(buf, p);
  });
  if (entries === undefined || maxEntries === undefined) throw new DecodeError('global statistics without entries and max', start);
  return { entries, maxEntries };
}
