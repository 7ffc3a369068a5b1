// Runs a Mirror inside a network namespace for kernel tests. Prints "ready" once the first dump is in,
// then on every SIGUSR2 prints the settled mirror as JSON: { ids, health }.
import { NetlinkSource } from '@ctscope/conntrack';
import pino from 'pino';
import { Mirror } from '../mirror';

const bufferBytes = Number(process.argv[2] ?? 0);
const mirror = new Mirror(new NetlinkSource(), {
  logger: pino({ level: 'silent' }),
  checkIntervalMs: 1000,
  ...(bufferBytes > 0 ? { eventBufferBytes: bufferBytes } : {}),
});
await mirror.start();
process.stdout.write('"ready"\n');
process.on('SIGUSR2', () => {
  void mirror.settled().then(() => {
    const ids = mirror.entries().map((e) => e.flow.id);
    process.stdout.write(`${JSON.stringify({ ids, health: mirror.getHealth() })}\n`);
  });
});
setInterval(() => undefined, 1 << 30);
