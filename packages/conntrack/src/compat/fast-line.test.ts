import { describe, expect, it } from 'vitest';
import { parseBatch, splitBatchLine } from './batch';
import { fastCreateLine } from './fast-line';
import { CompatError, parseCommandLine, type CtCommand } from './parse';

/** The general parser's answer: its command, or its exit code and message. */
function general(line: string): CtCommand | [number, string] {
  try {
    return parseCommandLine(splitBatchLine(line));
  } catch (err) {
    if (err instanceof CompatError) return [err.exitCode, err.message];
    throw err;
  }
}

/** The fast path's answer in the same form; undefined when it leaves the line to the general parser. */
function fast(line: string): CtCommand | [number, string] | undefined {
  try {
    return fastCreateLine(line);
  } catch (err) {
    if (err instanceof CompatError) return [err.exitCode, err.message];
    throw err;
  }
}

// Lines it takes: each must give exactly what parseCommandLine gives.
const TAKEN = [
  '-I -s 10.0.1.2 -d 10.200.0.1 -p tcp --sport 1024 --dport 443 --state ESTABLISHED -u SEEN_REPLY -t 600',
  '-A -s 10.0.1.2 -d 10.200.0.1 -p tcp --sport 1024 --dport 443 --state LISTEN -u SEEN_REPLY,ASSURED -t 600',
  '-I -t 30 -u UNSET -s 1.1.1.1 -d 2.2.2.2 -r 2.2.2.2 -q 1.1.1.1 -p udp --sport 53 --dport 5353 --reply-port-src 5353 --reply-port-dst 53',
  '-I  -s 001.002.003.004\t-d 255.255.255.255 -p tcp --sport 99999 --dport 0 --state TIME_WAIT -t 0600\r',
  '-I -s 1.1.1.1 -d 2.2.2.2 -p sctp --sport 1 --dport 2 --state COOKIE_WAIT -t 5',
  '-I -s 1.1.1.1 -d 2.2.2.2 -p udp --sport 1 --dport 2 -t 5 -u SRC_NAT',
];
// Lines it must leave to the general parser (other syntax, or refused there with conntrack's message).
const LEFT = [
  '-I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 1 --dport 2 --state BOGUS -t 5',
  '-I -s 1.1.1.1 -d 2.2.2.2 -p tcp --dport 2 --state LISTEN -t 5',
  '-I -s 1.1.1.1 -p tcp --sport 1 --dport 2 --state LISTEN -t 5',
  '-I -s 1.1.1.1 -d 2.2.2.2 --sport 1 --dport 2 -t 5',
  '-I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 1 --dport 2 --state LISTEN',
  '-I -s 1.1.1.256 -d 2.2.2.2 -p tcp --sport 1 --dport 2 --state LISTEN -t 5',
  '-I -s 1.1.1.0/24 -d 2.2.2.2 -p tcp --sport 1 --dport 2 --state LISTEN -t 5',
  '-I -s ::1 -d ::2 -p tcp --sport 1 --dport 2 --state LISTEN -t 5',
  '-I -s 1.1.1.1 -d 2.2.2.2 -p TCP --sport 1 --dport 2 --state LISTEN -t 5',
  '-I -s 1.1.1.1 -d 2.2.2.2 -p tcp --spo 1 --dport 2 --state LISTEN -t 5',
  '-I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport=1 --dport 2 --state LISTEN -t 5',
  '-I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 0x10 --dport 2 --state LISTEN -t 5',
  '-I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 1 --dport 2 --state LISTEN -t 5 -u BOGUS',
  '-I -s 1.1.1.1 -d 2.2.2.2 -p udp --sport 1 --dport 2 --state LISTEN -t 5',
  '-I -s 1.1.1.1 -d 2.2.2.2 -p icmp --icmp-type 8 --icmp-code 0 --icmp-id 1 -t 5',
  '-I -s 1.1.1.1 -d 2.2.2.2 -p tcp -p udp --sport 1 --dport 2 -t 5',
  '-I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 1 --dport 2 --state LISTEN -t 5 -m 7 -w 3',
  '-I conntrack -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 1 --dport 2 --state LISTEN -t 5',
  '-I -s 1.1.1.1 -d "2.2.2.2" -p tcp --sport 1 --dport 2 --state LISTEN -t 5',
  '-I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 1 --dport 2 --state LISTEN -t',
  '-s 1.1.1.1 -I -d 2.2.2.2 -p tcp --sport 1 --dport 2 --state LISTEN -t 5',
  '-D -s 1.1.1.1',
  '-L',
];

describe('the fast path of batch lines', () => {
  it.each(TAKEN)('reads %j exactly as the general parser does', (line) => {
    const mine = fast(line);
    expect(mine).toBeDefined();
    expect(mine).toEqual(general(line));
  });

  it.each(LEFT)('leaves %j to the general parser, or refuses it with its very message', (line) => {
    const mine = fast(line);
    if (mine !== undefined) expect(mine).toEqual(general(line));
  });

  it('encodes a batch read by either path into the same bytes', () => {
    const lines = TAKEN.filter((l) => !l.includes('SRC_NAT'));
    const fastBatch = parseBatch(`${lines.join('\n')}\n`);
    // Spelled --create/--add, the same lines take the general path.
    const generalBatch = parseBatch(`${lines.map((l) => l.replace(/^-I /, '--create ').replace(/^-A /, '--add ')).join('\n')}\n`);
    expect(fastBatch.steps).toHaveLength(lines.length);
    expect(Buffer.compare(fastBatch.messages, generalBatch.messages)).toBe(0);
  });
});
