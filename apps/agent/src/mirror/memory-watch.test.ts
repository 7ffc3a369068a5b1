import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { MemoryWatch } from './memory-watch';

const MB = 1024 * 1024;

function recordingLogger() {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
  return { logger, lines };
}

describe('MemoryWatch', () => {
  it('warns once when a full table would pass the cgroup limit, and says when it fits again', async () => {
    const { logger, lines } = recordingLogger();
    const watch = new MemoryWatch(logger, () => Promise.resolve(768 * MB));
    await watch.refresh(0);
    expect(watch.assess(262_144)).toMatchObject({ exceeds: false, capBytes: 768 * MB });
    expect(lines).toHaveLength(0);
    expect(watch.assess(8_388_608).exceeds).toBe(true);
    watch.assess(8_388_608);
    const warnings = lines.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toMatch(/nf_conntrack_max 8388608.*over this agent's memory limit of 768 MB/);
    watch.assess(262_144);
    expect(lines.at(-1)?.msg).toBe('a full table fits the memory limit again');
  });

  it('never warns without a limit', async () => {
    const { logger, lines } = recordingLogger();
    const watch = new MemoryWatch(logger, () => Promise.resolve(null));
    await watch.refresh(0);
    expect(watch.assess(100_000_000)).toMatchObject({ exceeds: false, capBytes: null });
    expect(lines).toHaveLength(0);
  });
});
