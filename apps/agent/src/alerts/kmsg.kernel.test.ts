import { writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { skipKernelTests } from '@ctscope/testkit';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { KmsgWatcher } from './kmsg';

describe.skipIf(skipKernelTests())('kernel log watcher', () => {
  it('counts matching lines written after it started, not the backlog', async () => {
    const marker = `ctscope test: kmsg watcher ${randomUUID()}`;
    await writeFile('/dev/kmsg', `${marker} (before start)\n`);
    const watcher = new KmsgWatcher(pino({ level: 'silent' }), new RegExp(marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    expect(watcher.start()).toBe(true);
    try {
      expect(watcher.count).toBe(0);
      await writeFile('/dev/kmsg', `${marker} one\n`);
      await writeFile('/dev/kmsg', `${marker} two\n`);
      watcher.drain();
      expect(watcher.count).toBe(2);
    } finally {
      watcher.stop();
    }
  });
});
