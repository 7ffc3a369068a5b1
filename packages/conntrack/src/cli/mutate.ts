/** Argument builders for `conntrack -D/-I/-U` and the parsing of their summaries. */
import { STATUS_BITS, type Flow, type StatusFlag, type Tuple } from '../flow';
import { printConntrackArgs } from '../filter/cli-args';
import type { FlowFilter } from '../filter/types';
import { protoNumberToName } from '../filter/vocab';

const PORT_PROTOS = new Set([6, 17, 136, 132, 33]);
const ICMP_PROTOS = new Set([1, 58]);
const STATEFUL_PROTOS = new Set([6, 132, 33]);
const CLI_STATUS: readonly StatusFlag[] = ['ASSURED', 'SEEN_REPLY', 'FIXED_TIMEOUT', 'EXPECTED', 'OFFLOAD', 'HW_OFFLOAD'];

/** An entry's identity: what deletes or updates exactly one entry. */
export type FlowIdentity = Pick<Flow, 'family' | 'orig' | 'id' | 'zone'>;

/** What `create` accepts (the same shape as the netlink source's NewFlow, plus an optional state). */
export interface CliNewFlow {
  family: Flow['family'];
  orig: Tuple;
  reply: Tuple;
  timeout: number;
  statusBits?: number;
  mark?: number;
  zone?: number;
  /** TCP/SCTP/DCCP state; conntrack -I requires one for these protocols (default NONE). */
  state?: string;
}

export interface CliFlowUpdate extends FlowIdentity {
  timeout?: number;
  mark?: number;
  statusBits?: number;
}

const u32 = (n: number, what: string): string => {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new TypeError(`invalid ${what} ${n}`);
  return String(n);
};

function origArgs(orig: Tuple): string[] {
  const args = ['-p', protoNumberToName(orig.protoNum), '-s', safeAddress(orig.src), '-d', safeAddress(orig.dst)];
  if (PORT_PROTOS.has(orig.protoNum) && orig.sport !== undefined && orig.dport !== undefined) {
    args.push('--sport', u32(orig.sport, 'port'), '--dport', u32(orig.dport, 'port'));
  } else if (ICMP_PROTOS.has(orig.protoNum) && orig.icmpType !== undefined) {
    args.push('--icmp-type', u32(orig.icmpType, 'icmp type'), '--icmp-code', u32(orig.icmpCode ?? 0, 'icmp code'), '--icmp-id', u32(orig.icmpId ?? 0, 'icmp id'));
  }
  return args;
}

/**
 * The -u list for a status value. Bits conntrack cannot name (CONFIRMED, the NAT bits, DYING, ...)
 * are the kernel's to manage and are left out, so a dumped flow's statusBits can be passed back.
 */
function statusNames(bits: number): string {
  return STATUS_BITS.filter((flag, i) => (bits & (1 << i)) !== 0 && CLI_STATUS.includes(flag)).join(',');
}

/** Values come from parsed flows; still, a value that starts with "-" would be read as an option. */
function safeAddress(address: string): string {
  if (address === '' || address.startsWith('-')) throw new TypeError(`unsafe address "${address}"`);
  return address;
}

/**
 * `conntrack -D` options that select exactly this entry: its original tuple, zone, and id when known
 * (conntrack accepts `-i ID` and compares it exactly, so a reused tuple is not deleted by mistake).
 */
export function flowDeleteArgs(flow: FlowIdentity): string[] {
  return ['-D', ...identityArgs(flow)];
}

function identityArgs(flow: FlowIdentity): string[] {
  if (flow.family !== 'ipv4' && flow.family !== 'ipv6') throw new TypeError(`invalid family ${String(flow.family)}`);
  const args = ['-f', flow.family, ...origArgs(flow.orig)];
  if (flow.zone !== undefined) args.push('-w', u32(flow.zone, 'zone'));
  if (flow.id !== undefined) args.push('-i', u32(flow.id, 'id'));
  return args;
}

/** `conntrack -I` options for a new entry (conntrack infers the family from the addresses and refuses -f here). */
export function flowCreateArgs(flow: CliNewFlow): string[] {
  const { orig, reply } = flow;
  const args = ['-I', ...origArgs(orig), '-r', safeAddress(reply.src), '-q', safeAddress(reply.dst)];
  if (PORT_PROTOS.has(orig.protoNum) && reply.sport !== undefined && reply.dport !== undefined) {
    args.push('--reply-port-src', u32(reply.sport, 'port'), '--reply-port-dst', u32(reply.dport, 'port'));
  }
  args.push('-t', u32(flow.timeout, 'timeout'));
  if (STATEFUL_PROTOS.has(orig.protoNum)) {
    const state = flow.state ?? 'NONE';
    if (!/^[A-Z][A-Z0-9_]*$/.test(state)) throw new TypeError(`invalid state ${state}`);
    args.push('--state', state);
  }
  const status = statusNames(flow.statusBits ?? 0);
  if (status) args.push('-u', status);
  if (flow.mark !== undefined) args.push('-m', u32(flow.mark, 'mark'));
  if (flow.zone !== undefined) args.push('-w', u32(flow.zone, 'zone'));
  return args;
}

/** `conntrack -U` options: select the entry like a delete, then set timeout / mark / status. */
export function flowUpdateArgs(flow: CliFlowUpdate): string[] {
  const args = ['-U', ...identityArgs(flow)];
  if (flow.timeout !== undefined) args.push('-t', u32(flow.timeout, 'timeout'));
  if (flow.mark !== undefined) args.push('-m', u32(flow.mark, 'mark'));
  const status = statusNames(flow.statusBits ?? 0);
  if (status) args.push('-u', status);
  return args;
}

/** `conntrack -D` with a filter (the CLI deletes its matches one by one). Throws FilterNotExpressibleError. */
export function filterDeleteArgs(filter: FlowFilter): string[] {
  return ['-D', ...printConntrackArgs(filter)];
}

/** The count in "conntrack v1.4.7 (conntrack-tools): N flow entries have been deleted." (or created / updated). */
export function changedCount(stderr: string, verb: 'deleted' | 'created' | 'updated'): number | null {
  const match = new RegExp(`(\\d+) flow entries have been ${verb}`).exec(stderr);
  return match ? Number(match[1]) : null;
}
