import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conntrackModuleLoaded } from './module';

describe('conntrackModuleLoaded', () => {
  it('looks for nf_conntrack under /sys/module', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ctscope-sysmod-'));
    try {
      expect(conntrackModuleLoaded(root)).toBe(false);
      await mkdir(join(root, 'nf_conntrack_ftp'));
      expect(conntrackModuleLoaded(root)).toBe(false);
      await mkdir(join(root, 'nf_conntrack'));
      expect(conntrackModuleLoaded(root)).toBe(true);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
