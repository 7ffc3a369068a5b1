import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const WRITE_FD = fileURLToPath(new URL('./write-fd.ts', import.meta.url));
const SIZE = 8 * 1024 * 1024;
// Node hands its children non-blocking stdio, and touching process.stdout makes a piped fd 1
// non-blocking anyway (libuv does): writes to a full pipe then fail with EAGAIN.
const WRITER = `
import { writeAllSync } from ${JSON.stringify(WRITE_FD)};
if (process.argv[2] === 'stdout-touched') void process.stdout;
const chunk = Buffer.alloc(1 << 20);
for (let i = 0; i < ${SIZE} >> 20; i++) writeAllSync(1, chunk.fill(i + 1));
process.stderr.write('done');
`;

function writer(mode: string) {
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', WRITER, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
}

const exitCode = (child: ReturnType<typeof writer>) => new Promise<number | null>((resolve) => child.on('exit', resolve));

describe('writeAllSync', () => {
  it.each(['untouched', 'stdout-touched'])('writes every byte in order into a pipe whose reader is slow (fd 1 %s)', async (mode) => {
    const child = writer(mode);
    const chunks: Buffer[] = [];
    child.stdout.pause();
    setTimeout(() => child.stdout.on('data', (d: Buffer) => chunks.push(d)).resume(), 500);
    const closed = new Promise((resolve) => child.stdout.once('close', resolve));
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    expect(await exitCode(child)).toBe(0);
    await closed;
    const out = Buffer.concat(chunks);
    expect(stderr).toBe('done');
    expect(out.length).toBe(SIZE);
    for (let mb = 0; mb < SIZE >> 20; mb++) expect(out[mb << 20]).toBe(mb + 1);
  });

  it('ends the process quietly with status 0 when the reader goes away (`| head`)', async () => {
    const child = writer('stdout-touched');
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    expect(await exitCode(child)).toBe(0);
    expect(stderr).toBe('');
  });
});

describe('writeStderr', () => {
  it('writes the message to fd 2 whole without process.stderr (whose pipe or terminal stream loads node:net or node:tty)', async () => {
    const script = `
import { writeStderr } from ${JSON.stringify(WRITE_FD)};
Object.defineProperty(process, 'stderr', { configurable: true, get() { throw new Error('process.stderr was used'); } });
writeStderr('ctscope (netlink): 3 flow entries have been shown.\\n');
`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise((resolve) => child.stderr.once('close', resolve));
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(0);
    await closed;
    expect(stderr).toBe('ctscope (netlink): 3 flow entries have been shown.\n');
  });
});
