import type { WireFlow, WireTuple } from '@ctscope/protocol';
import { groupDigits } from './format';

/** An address with its port the way people write it: `10.0.0.1:443`, `[::1]:443`. */
export function formatEndpoint(address: string, port: number | undefined): string {
  if (port === undefined) return address;
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export function formatTuple(tuple: WireTuple): string {
  return `${formatEndpoint(tuple.src, tuple.sport)} → ${formatEndpoint(tuple.dst, tuple.dport)}`;
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '—';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export const formatNumber = (n: number | undefined): string => (n === undefined ? '—' : groupDigits(n));

/** A duration in seconds, short: `42 s`, `3 m 05 s`, `5 h 00 m`, `2 d 3 h`. */
export function formatSeconds(total: number | undefined): string {
  if (total === undefined) return '—';
  const s = Math.max(0, Math.round(total));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, '0')} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} m`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

export function formatClock(ms: number): string {
  const d = new Date(ms);
  return `${d.toLocaleTimeString('en-GB', { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

export const formatDateTime = (ms: number | undefined): string => (ms === undefined ? '—' : new Date(ms).toLocaleString());

export const packetsOf = (flow: WireFlow): number | undefined =>
  flow.packetsOrig === undefined && flow.packetsReply === undefined ? undefined : (flow.packetsOrig ?? 0) + (flow.packetsReply ?? 0);

export const bytesOf = (flow: WireFlow): number | undefined =>
  flow.bytesOrig === undefined && flow.bytesReply === undefined ? undefined : (flow.bytesOrig ?? 0) + (flow.bytesReply ?? 0);

/** Seconds since the kernel created the entry (needs nf_conntrack_timestamp). */
export const ageOf = (flow: WireFlow, now: number): number | undefined => (flow.startMs === undefined ? undefined : Math.max(0, (now - flow.startMs) / 1000));

/** ICMP identity in place of ports: `type 8 code 0 id 1234`. */
export function icmpText(tuple: WireTuple): string | null {
  if (tuple.icmpType === undefined) return null;
  return `type ${tuple.icmpType} code ${tuple.icmpCode ?? 0}${tuple.icmpId !== undefined ? ` id ${tuple.icmpId}` : ''}`;
}

/** One-line NAT summary, or null when the entry is not translated. */
export function natText(flow: WireFlow): string | null {
  const parts: string[] = [];
  const src = flow.nat?.src;
  const dst = flow.nat?.dst;
  if (src) parts.push(`SNAT ${formatEndpoint(src.from, src.fromPort)} → ${formatEndpoint(src.to, src.toPort)}`);
  if (dst) parts.push(`DNAT ${formatEndpoint(dst.from, dst.fromPort)} → ${formatEndpoint(dst.to, dst.toPort)}`);
  return parts.length ? parts.join(' · ') : null;
}

/** Download text as a file (the browser's save dialog; nothing leaves the machine). */
export function downloadText(filename: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
