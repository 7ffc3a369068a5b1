// A private redis-server for `npm run cluster`: loopback only, a password, no persistence, a temporary directory.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts redis-server in its own process group (so Ctrl-C reaches the dashboards first and they can say
 * goodbye to it); resolves with its URL and `stop`, which ends it and removes its directory.
 */
export async function startRedisServer() {
  const dir = mkdtempSync(join(tmpdir(), 'ctscope-redis-'));
  const port = await freePort();
  // The password goes in a 0600 file, not on the command line where `ps` would show it.
  const password = randomBytes(24).toString('hex');
  const conf = join(dir, 'redis.conf');
  writeFileSync(conf, `requirepass ${password}\n`, { mode: 0o600 });
  const child = spawn('redis-server', [conf, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  try {
    await new Promise((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start within 10 s:\n${output}`)), 10_000);
      child.once('error', (err) => reject(new Error(`redis-server could not start: ${err.message} (apt-get install redis-server)`)));
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}):\n${output}`)));
      child.stdout.on('data', (d) => {
        output += d.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          child.stdout.resume();
          resolve();
        }
      });
    });
  } catch (err) {
    child.kill('SIGKILL');
    removeDir();
    throw err;
  }
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      });
    }
    removeDir();
  };
  return { child, url: `redis://:${password}@127.0.0.1:${port}`, safeUrl: `redis://127.0.0.1:${port}`, stop };
}
