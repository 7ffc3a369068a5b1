import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { skipKernelTests } from '@ctscope/testkit';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { conntrackModuleLoaded } from './module';
import { KmsgWatcher, TABLE_FULL } from './kmsg';

/** Writes to the host's kernel log: only clearly marked synthetic lines, never the real table-full wording. */
const log = (line: string) => writeFile('/dev/kmsg', `${line}\n`);
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe.skipIf(skipKernelTests())('kernel log watcher on /dev/kmsg', () => {
  it('counts matching lines written after it started, not the backlog, with their exact text', async () => {
    const marker = `ctscope test: kmsg watcher ${randomUUID()}`;
    await log(`${marker} (before start)`);
    const seen: string[] = [];
    const watcher = new KmsgWatcher(pino({ level: 'silent' }), new RegExp(escape(marker)), '/dev/kmsg', { onMatch: (m) => seen.push(m) });
    expect(watcher.start()).toBe(true);
    try {
      expect(watcher.count).toBe(0);
      await log(`${marker} one`);
      await log(`${marker} two`);
      watcher.drain();
      expect(watcher.count).toBe(2);
      expect(seen).toEqual([`${marker} one`, `${marker} two`]);
      watcher.drain();
      expect(watcher.count).toBe(2);
    } finally {
      watcher.stop();
    }
    await log(`${marker} after stop`);
    watcher.drain();
    expect(watcher.count).toBe(2);
  });

  it('the default pattern ignores our marker lines; the module probe agrees with /proc', async () => {
    const watcher = new KmsgWatcher(pino({ level: 'silent' }));
    expect(watcher.start()).toBe(true);
    try {
      await log(`ctscope test: table full marker ${randomUUID()} (not the kernel's wording)`);
      watcher.drain();
      expect(watcher.count).toBe(0);
      expect(TABLE_FULL.test('ctscope test: table full')).toBe(false);
    } finally {
      watcher.stop();
    }
    // The probe agrees with the sysctl directory the module creates.
    expect(conntrackModuleLoaded()).toBe(existsSync('/proc/sys/net/netfilter/nf_conntrack_max'));
  });
});
