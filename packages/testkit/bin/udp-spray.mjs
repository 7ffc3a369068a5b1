#!/usr/bin/env node
// Creates COUNT distinct UDP conntrack entries with real packets: one socket on 127.0.0.1 sends one
// datagram to each of COUNT different (127.x.y.z, port) destinations on the namespace's loopback.
// Plain Node so it runs inside a namespace without tsx.
import dgram from 'node:dgram';
import { setImmediate } from 'node:timers';

const count = Math.max(0, Math.min(2_000_000, Number.parseInt(process.argv[2] ?? '0', 10) || 0));
const PORTS = 1000;
const socket = dgram.createSocket('udp4');
await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
const payload = Buffer.from('x');
let inFlight = 0;
for (let i = 0; i < count; i++) {
  const host = Math.floor(i / PORTS) + 1; // 127.0.0.0/8 is all loopback
  const address = `127.${(host >> 16) & 255}.${(host >> 8) & 255}.${host & 255}`;
  inFlight++;
  socket.send(payload, 10_000 + (i % PORTS), address, () => inFlight--);
  if (inFlight > 512) await new Promise((resolve) => setImmediate(resolve));
}
while (inFlight > 0) await new Promise((resolve) => setImmediate(resolve));
socket.close();
process.stdout.write(`${count}\n`);
