import type { Flow, PlainFlow } from '@ctscope/conntrack';
import { describe, expect, it } from 'vitest';
import { AddressPool } from './address-pool';
import { FlowTable } from './flow-table';

const v4 = (text: string) => text.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);

/** What scanPlainFlow reads from the kernel's message of a plain flow. */
function plainOf(f: Flow): PlainFlow {
  return {
    protoNum: f.protoNum,
    statusBits: f.statusBits,
    state: f.state,
    timeout: f.timeout ?? 0,
    mark: f.mark ?? 0,
    use: f.use ?? 0,
    id: f.id ?? 0,
    zone: f.zone ?? -1,
    origSrc: v4(f.orig.src),
    origDst: v4(f.orig.dst),
    origSport: f.orig.sport ?? 0,
    origDport: f.orig.dport ?? 0,
    replySrc: v4(f.reply.src),
    replyDst: v4(f.reply.dst),
    replySport: f.reply.sport ?? 0,
    replyDport: f.reply.dport ?? 0,
  };
}

interface Spec {
  id: number;
  src?: string;
  dst?: string;
  sport?: number;
  /** The reply's source when the destination was NATed. */
  to?: string;
  tcp?: boolean;
  state?: string;
  timeout?: number;
  zone?: number;
  assured?: boolean;
}

/** A flow as decodeFlow returns one of the plain shape. */
function flow(s: Spec): Flow {
  const protoNum = s.tcp ? 6 : 17;
  const src = s.src ?? '10.0.0.1';
  const dst = s.dst ?? '10.0.0.2';
  const sport = s.sport ?? 40_000;
  const f: Flow = {
    family: 'ipv4',
    proto: s.tcp ? 'tcp' : 'udp',
    protoNum,
    orig: { src, dst, protoNum, sport, dport: 53 },
    reply: { src: s.to ?? dst, dst: src, protoNum, sport: 53, dport: sport },
    status: s.assured ? ['SEEN_REPLY', 'ASSURED', 'CONFIRMED'] : ['CONFIRMED'],
    statusBits: s.assured ? 0b1110 : 0b1000,
    timeout: s.timeout ?? 30,
    mark: 0,
    use: 1,
    id: s.id,
  };
  if (s.state !== undefined) f.state = s.state;
  if (s.zone !== undefined) f.zone = s.zone;
  return f;
}

/** Everything a query can read of a table: its entries in row order and its counts. */
const contents = (t: FlowTable) => ({ size: t.size, eventless: t.eventless, entries: t.entries(), spans: t.addresses.span });

describe('FlowTable.setPlain', () => {
  it('stores a dumped plain entry exactly as set() stores its Flow, through loads, merges, events and sweeps', () => {
    const byFlow = new FlowTable();
    const byPlain = new FlowTable();
    const dump = (specs: Spec[], seenAt: number) => {
      for (const s of specs) {
        byFlow.set(flow(s), seenAt, false);
        byPlain.setPlain(plainOf(flow(s)), seenAt);
      }
    };
    const first: Spec[] = [
      { id: 1, tcp: true, state: 'ESTABLISHED', assured: true, timeout: 431_999 },
      { id: 2 },
      { id: 3, zone: 7 },
      { id: 4_000_000_000, src: '192.168.1.1', dst: '8.8.8.8', sport: 1 },
      { id: 5, tcp: true, state: 'SYN_SENT', to: '172.16.0.9' },
      { id: 6, src: '255.255.255.255', dst: '0.0.0.0' },
    ];
    dump(first, 10);
    expect(contents(byPlain)).toEqual(contents(byFlow));

    // An event makes entry 2 followed by events; a plain dump must not make it eventless again.
    byFlow.set(flow({ id: 2, timeout: 29 }), 11, true);
    byPlain.set(flow({ id: 2, timeout: 29 }), 11, true);
    for (const t of [byFlow, byPlain]) t.beginMerge();
    dump(
      [
        { id: 1, tcp: true, state: 'FIN_WAIT', assured: true, timeout: 119 }, // state and timeout changed
        { id: 2, timeout: 28 },
        { id: 3, zone: 7, assured: true },
        { id: 5, tcp: true, state: 'ESTABLISHED', to: '172.16.0.10', assured: true }, // NAT target moved
        { id: 7, src: '10.0.0.3' }, // new
        { id: 3, zone: 8 }, // another entry: same id, other zone
      ],
      20,
    );
    expect(contents(byPlain)).toEqual(contents(byFlow));
    expect(byPlain.sweep()).toBe(byFlow.sweep());
    expect(contents(byPlain)).toEqual(contents(byFlow));
    expect(byPlain.eventless).toBe(5);
    expect(byPlain.find(flow({ id: 5, tcp: true }))?.flow.reply.src).toBe('172.16.0.10');
    // The address only the swept entries used is gone; the ones still in use stay.
    expect(byPlain.entries().some((e) => e.flow.orig.dst === '8.8.8.8')).toBe(false);
    expect(byPlain.addresses.acquire('8.8.8.8')).toBe(byFlow.addresses.acquire('8.8.8.8'));
  });

  it('finds an entry stored from a Flow (events, the CLI source) by its numbers, and the other way round', () => {
    const table = new FlowTable();
    table.set(flow({ id: 9, tcp: true, state: 'ESTABLISHED' }), 0, true);
    table.beginMerge();
    table.setPlain(plainOf(flow({ id: 9, tcp: true, state: 'CLOSE' })), 1);
    expect(table.size).toBe(1);
    expect(table.eventless).toBe(0);
    expect(table.find(flow({ id: 9, tcp: true }))?.flow.state).toBe('CLOSE');
    table.setPlain(plainOf(flow({ id: 10 })), 1);
    table.set(flow({ id: 10, timeout: 5 }), 2, true);
    expect(table.size).toBe(2);
    expect(table.eventless).toBe(0);
  });
});

describe('AddressPool numbers of IPv4 addresses', () => {
  it('names an address by one number whether it came as text or as its 32-bit value, and frees both ways', () => {
    const pool = new AddressPool();
    const a = pool.acquire('10.1.2.3');
    expect(pool.acquireIpv4(v4('10.1.2.3'))).toBe(a);
    const b = pool.acquireIpv4(v4('192.168.0.255'));
    expect(pool.strings[b]).toBe('192.168.0.255');
    expect(pool.acquire('192.168.0.255')).toBe(b);
    expect(pool.ipv4[pool.acquire('fd00::1')]).toBe(-1);
    // Text that is not how the decoder writes the address keeps a number of its own.
    expect(pool.acquire('010.1.2.3')).not.toBe(a);
    pool.release(a);
    pool.release(a);
    expect(pool.ipv4[a]).toBe(-1);
    const again = pool.acquireIpv4(v4('10.1.2.3'));
    expect(pool.strings[again]).toBe('10.1.2.3');
    expect(pool.ipv4[again]).toBe(v4('10.1.2.3'));
  });
});
