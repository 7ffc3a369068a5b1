import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KmsgWatcher, TABLE_FULL, kmsgMessage, parseKmsgRecord, type KmsgIo } from './kmsg';

/** Records as /dev/kmsg returns them (one per read), captured on Linux 6.x hosts. */
const CAPTURED = {
  tableFull: '4,88512,938475629211,-;nf_conntrack: nf_conntrack: table full, dropping packet\n',
  tableFullOld: '4,1235,5678902,-;nf_conntrack: table full, dropping packet.\n',
  // Kernel 6.18, a test namespace's table over a lowered nf_conntrack_max.
  tableFullNetns: '4,395,36449291610,-;nf_conntrack: nf_conntrack: table full in netns 4026532246, dropping packet\n',
  withCaller: '12,90210,1234567,-,caller=C3;nf_conntrack: nf_conntrack: table full, dropping packet\n',
  continuation: '6,339,5140900,-;e1000e 0000:00:1f.6 eth0: NIC Link is Up 1000 Mbps Full Duplex\n SUBSYSTEM=net\n DEVICE=n2\n',
  escaped: '6,400,6000000,c;ctscope test:\\x09tab and \\x5c backslash\n',
  vmalloc: '6,401,6000001,-;nf_conntrack: falling back to vmalloc.\n',
  hashsize: '6,402,6000002,-;nf_conntrack: default automatic helper assignment has been turned off for security reasons\n',
};

describe('kernel log records', () => {
  it('parses priority, sequence, time and message', () => {
    expect(parseKmsgRecord(CAPTURED.tableFull)).toEqual({ level: 4, facility: 0, seq: 88512, usec: 938475629211, message: 'nf_conntrack: nf_conntrack: table full, dropping packet' });
    expect(parseKmsgRecord(CAPTURED.withCaller)).toMatchObject({ level: 4, facility: 1, seq: 90210 });
    expect(parseKmsgRecord(CAPTURED.continuation)?.message).toBe('e1000e 0000:00:1f.6 eth0: NIC Link is Up 1000 Mbps Full Duplex');
    expect(kmsgMessage(CAPTURED.escaped)).toBe('ctscope test:\ttab and \\ backslash');
    expect(parseKmsgRecord('no header here')).toBeNull();
    expect(parseKmsgRecord('x,1,2,-;bad priority')).toBeNull();
  });

  it('matches the table-full line in every spelling and nothing else from nf_conntrack', () => {
    const matches = Object.entries(CAPTURED)
      .filter(([, record]) => TABLE_FULL.test(kmsgMessage(record)))
      .map(([name]) => name);
    expect(matches).toEqual(['tableFull', 'tableFullOld', 'tableFullNetns', 'withCaller']);
  });
});

type Step = string | 'EAGAIN' | 'EPIPE' | 'EINVAL' | 'EIO';
const errno = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });

/** A /dev/kmsg stand-in: each read returns the next scripted record or throws the scripted errno. */
function scriptedIo(script: Step[], opts: { minBuffer?: number } = {}) {
  const calls = { open: 0, close: 0, reads: 0 };
  const io: KmsgIo = {
    open: () => (calls.open++, 42),
    close: () => void calls.close++,
    read: (_fd, buffer) => {
      calls.reads++;
      const step = script.shift();
      if (step === undefined || step === 'EAGAIN') throw errno('EAGAIN');
      if (step === 'EPIPE' || step === 'EIO') throw errno(step);
      if (step === 'EINVAL' || (opts.minBuffer !== undefined && buffer.length < opts.minBuffer)) {
        if (step !== 'EINVAL') script.unshift(step);
        throw errno('EINVAL');
      }
      return buffer.write(step);
    },
  };
  return { io, calls, script };
}

describe('KmsgWatcher (scripted kmsg)', () => {
  const logger = pino({ level: 'silent' });
  afterEach(() => vi.restoreAllMocks());

  it('skips the backlog, then counts matches and survives EAGAIN and EPIPE', () => {
    const { io, script } = scriptedIo([CAPTURED.tableFull, CAPTURED.vmalloc, 'EAGAIN']);
    const seen: string[] = [];
    const watcher = new KmsgWatcher(logger, TABLE_FULL, '/dev/kmsg', { io, onMatch: (m) => seen.push(m) });
    expect(watcher.start()).toBe(true);
    expect(watcher.count).toBe(0); // backlog read and discarded
    script.push(CAPTURED.tableFull, 'EPIPE', CAPTURED.continuation, CAPTURED.tableFullOld, 'EAGAIN');
    watcher.drain();
    expect(watcher.count).toBe(2);
    expect(watcher.lost).toBe(1);
    expect(watcher.lastMatch?.message).toBe('nf_conntrack: table full, dropping packet.');
    expect(seen).toHaveLength(2);
    watcher.drain(); // nothing pending: EAGAIN
    expect(watcher.count).toBe(2);
    watcher.stop();
  });

  it('grows its buffer for an oversized record, within a bound', () => {
    const { io, script } = scriptedIo(['EAGAIN'], { minBuffer: 16_384 });
    const watcher = new KmsgWatcher(logger, TABLE_FULL, '/dev/kmsg', { io });
    watcher.start();
    script.push(CAPTURED.tableFull, 'EAGAIN');
    watcher.drain();
    expect(watcher.count).toBe(1);
    watcher.stop();
  });

  it('logs an unexpected error once and keeps polling', () => {
    const warn = vi.fn();
    const log = Object.assign(pino({ level: 'silent' }), { warn });
    const { io, script } = scriptedIo(['EAGAIN']);
    const watcher = new KmsgWatcher(log, TABLE_FULL, '/dev/kmsg', { io });
    watcher.start();
    script.push('EIO');
    watcher.drain();
    script.push('EIO');
    watcher.drain();
    expect(warn).toHaveBeenCalledTimes(1);
    script.push(CAPTURED.tableFull);
    watcher.drain();
    expect(watcher.count).toBe(1);
    watcher.stop();
  });

  it('reads a bounded number of records per poll', () => {
    const { io, script, calls } = scriptedIo(['EAGAIN']);
    const watcher = new KmsgWatcher(logger, TABLE_FULL, '/dev/kmsg', { io });
    watcher.start();
    for (let i = 0; i < 10_500; i++) script.push(CAPTURED.tableFull);
    const before = calls.reads;
    watcher.drain();
    expect(calls.reads - before).toBe(10_000);
    expect(watcher.count).toBe(10_000);
    watcher.drain();
    expect(watcher.count).toBe(10_500);
    watcher.stop();
  });

  it('reports an unreadable log and closes once', () => {
    const failing: KmsgIo = { open: () => { throw errno('EACCES'); }, read: () => 0, close: () => undefined };
    expect(new KmsgWatcher(logger, TABLE_FULL, '/dev/kmsg', { io: failing }).start()).toBe(false);
    const { io, calls } = scriptedIo(['EAGAIN']);
    const watcher = new KmsgWatcher(logger, TABLE_FULL, '/dev/kmsg', { io });
    watcher.start();
    expect(watcher.running).toBe(true);
    watcher.stop();
    watcher.stop();
    expect(calls.close).toBe(1);
    expect(watcher.running).toBe(false);
    watcher.drain(); // after stop: no read
  });

  it('polls on its own timer once started', () => {
    vi.useFakeTimers();
    try {
      const { io, script } = scriptedIo(['EAGAIN']);
      const watcher = new KmsgWatcher(logger, TABLE_FULL, '/dev/kmsg', { io, pollMs: 500 });
      watcher.start();
      script.push(CAPTURED.tableFull, 'EAGAIN');
      vi.advanceTimersByTime(499);
      expect(watcher.count).toBe(0);
      vi.advanceTimersByTime(1);
      expect(watcher.count).toBe(1);
      watcher.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
