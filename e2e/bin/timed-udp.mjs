#!/usr/bin/env node
// Creates COUNT new UDP conntrack entries at known times, one every GAP ms (± a third, so sends do not
// line up with the agent's batching): datagram i goes from 127.0.0.1 to 127.0.0.1:(BASE + i). Prints one
// JSON line per datagram with the wall-clock time (ms, sub-ms precision) taken just before the send, the
// same clock a page reads as performance.timeOrigin + performance.now(). Plain Node: it runs inside a namespace.
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';

const [count, base, gap] = process.argv.slice(2, 5).map((v) => Number.parseInt(v ?? '', 10));
if (!(count > 0 && count <= 10_000 && base >= 1024 && base + count <= 65_536 && gap >= 10 && gap <= 10_000)) {
  process.stderr.write('usage: timed-udp.mjs COUNT BASE_PORT GAP_MS\n');
  process.exit(2);
}
const socket = dgram.createSocket('udp4');
await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
const payload = Buffer.from('t');
for (let i = 0; i < count; i++) {
  const port = base + i;
  const at = performance.timeOrigin + performance.now();
  await new Promise((resolve, reject) => socket.send(payload, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  process.stdout.write(`${JSON.stringify({ port, at })}\n`);
  await new Promise((resolve) => setTimeout(resolve, gap * (2 / 3 + Math.random() * 2 / 3)));
}
socket.close();
