import type { Cidr } from './spec/address';
import type { PortRange } from './spec/primitives';
import type { NotrackSpec } from './spec/schemas';

/** One packet direction of a NOTRACK spec: where it is matched and how. */
export interface NotrackHalf {
  /** Raw-table hook: packets arriving (prerouting) or locally generated (output). */
  hook: 'prerouting' | 'output';
  /** Which side of the service connection this packet is: request (original) or reply. */
  leg: 'request' | 'reply';
  portField: 'dport' | 'sport';
  ports: PortRange[];
  saddr?: Cidr;
  daddr?: Cidr;
  iifname?: string;
  oifname?: string;
}

/**
 * Expands a NOTRACK spec into its packet halves (see the semantics in spec/schemas.ts).
 * Requests travel source → destination with dport = service port; replies travel back with
 * sport = service port and the addresses swapped.
 */
export function notrackHalves(spec: NotrackSpec): NotrackHalf[] {
  const halves: NotrackHalf[] = [];
  const wantIn = spec.direction !== 'outbound';
  const wantOut = spec.direction !== 'inbound';
  const serves = spec.role !== 'client';
  const connects = spec.role !== 'server';
  const add = (hook: NotrackHalf['hook'], leg: NotrackHalf['leg']) => {
    const half: NotrackHalf = { hook, leg, portField: leg === 'request' ? 'dport' : 'sport', ports: spec.ports };
    const [saddr, daddr] = leg === 'request' ? [spec.source, spec.destination] : [spec.destination, spec.source];
    if (saddr) half.saddr = saddr;
    if (daddr) half.daddr = daddr;
    if (spec.interface) {
      if (hook === 'prerouting') half.iifname = spec.interface;
      else half.oifname = spec.interface;
    }
    halves.push(half);
  };
  if (wantIn && serves) add('prerouting', 'request');
  if (wantOut && serves) add('output', 'reply');
  if (wantOut && connects) add('output', 'request');
  if (wantIn && connects) add('prerouting', 'reply');
  return halves;
}

/** The address families a spec's rules cover. */
export function specFamilies(family: 'ipv4' | 'ipv6' | 'both'): Array<'ipv4' | 'ipv6'> {
  return family === 'both' ? ['ipv4', 'ipv6'] : [family];
}

export function formatPorts(ports: readonly PortRange[], rangeSep: '-' | ':', listSep: string): string {
  return ports.map((r) => (r.from === r.to ? String(r.from) : `${r.from}${rangeSep}${r.to}`)).join(listSep);
}
