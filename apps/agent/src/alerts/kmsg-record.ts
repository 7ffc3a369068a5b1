/**
 * The kernel's line when the conntrack table overflows. Kernels print it as
 * "nf_conntrack: nf_conntrack: table full, dropping packet" (net_warn_ratelimited with the pr_fmt
 * prefix), recent ones (6.x) name the namespace: "nf_conntrack: nf_conntrack: table full in netns
 * 4026532246, dropping packet", and older ones print "nf_conntrack: table full, dropping packet."; all match.
 */
export const TABLE_FULL = /nf_conntrack: (?:nf_conntrack: )?table full(?: in netns \d+)?, dropping packet/;

/** One /dev/kmsg record: "prio,seq,usec,flags[,...];message\n[ KEY=value\n...]". */
export interface KmsgRecord {
  /** Syslog priority, 0 (emerg) … 7 (debug). */
  level: number;
  facility: number;
  seq: number;
  /** Microseconds since boot (monotonic). */
  usec: number;
  message: string;
}

/** Parses one record as read() returns it; null when it does not look like one. */
export function parseKmsgRecord(record: string): KmsgRecord | null {
  const semicolon = record.indexOf(';');
  if (semicolon < 0) return null;
  const [prio, seq, usec] = record.slice(0, semicolon).split(',');
  const p = Number(prio);
  const s = Number(seq);
  const u = Number(usec);
  if (!Number.isInteger(p) || !Number.isInteger(s) || !Number.isInteger(u) || p < 0 || s < 0 || u < 0) return null;
  return { level: p & 7, facility: p >> 3, seq: s, usec: u, message: kmsgMessage(record) };
}

/** The message of a record (continuation lines with KEY=value dropped, \xNN escapes decoded). */
export function kmsgMessage(record: string): string {
  const semicolon = record.indexOf(';');
  const message = semicolon >= 0 ? record.slice(semicolon + 1) : record;
  const newline = message.indexOf('\n');
  const line = newline >= 0 ? message.slice(0, newline) : message;
  return line.replace(/\\x([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
