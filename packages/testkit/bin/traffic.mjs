#!/usr/bin/env node
// Real TCP/UDP/ICMP traffic on the loopback of the network namespace it runs in (`ip netns exec NS node traffic.mjs`).
// Prints one JSON summary line per round. Plain Node on purpose: it runs inside namespaces without tsx.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    tcp: { type: 'string', default: '0' }, // connections opened, used and closed
    hold: { type: 'string', default: '0' }, // connections kept ESTABLISHED until exit
    udp: { type: 'string', default: '0' }, // request/response exchanges, each from its own source port
    icmp: { type: 'string', default: '0' }, // echo requests
    ipv6: { type: 'boolean', default: false }, // also run every kind over ::1
    loop: { type: 'string', default: '0' }, // repeat every N seconds until killed (0: run once)
  },
});
const num = (v) => Math.max(0, Math.min(100_000, Number.parseInt(v, 10) || 0));
const plan = { tcp: num(values.tcp), hold: num(values.hold), udp: num(values.udp), icmp: num(values.icmp) };
const hosts = values.ipv6 ? ['127.0.0.1', '::1'] : ['127.0.0.1'];

function tcpServer(host) {
  return new Promise((resolve) => {
    const server = net.createServer((s) => s.on('data', (d) => s.write(d)).on('error', () => {}));
    server.listen(0, host, () => resolve(server));
  });
}

function tcpExchange(host, port, keep) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host, () => socket.write('ping'));
    socket.once('data', () => (keep ? resolve(socket) : socket.end(() => resolve(null))));
    socket.once('error', reject);
  });
}

function udpServer(host) {
  return new Promise((resolve) => {
    const server = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    server.on('message', (msg, rinfo) => server.send(msg, rinfo.port, rinfo.address));
    server.bind(0, host, () => resolve(server));
  });
}

function udpExchange(host, port) {
  return new Promise((resolve) => {
    const client = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const timer = setTimeout(() => (client.close(), resolve(false)), 2000);
    client.on('message', () => (clearTimeout(timer), client.close(), resolve(true)));
    client.send('ping', port, host);
  });
}

function ping(host, count) {
  if (count === 0) return Promise.resolve(0);
  return new Promise((resolve) => {
    const child = spawn('ping', ['-n', '-q', '-c', String(count), '-i', '0.01', '-W', '1', host], { stdio: 'ignore' });
    child.on('error', () => resolve(0));
    child.on('exit', (code) => resolve(code === 0 ? count : 0));
  });
}

let held = [];
async function round() {
  const done = { tcp: 0, hold: 0, udp: 0, icmp: 0 };
  // Each round replaces the connections the previous one held, so a looping generator stays bounded.
  for (const socket of held) socket.destroy();
  held = [];
  for (const host of hosts) {
    const tcp = await tcpServer(host);
    const udp = await udpServer(host);
    const tcpPort = tcp.address().port;
    for (let i = 0; i < plan.tcp; i++) if ((await tcpExchange(host, tcpPort, false)) === null) done.tcp++;
    for (let i = 0; i < plan.hold; i++) {
      held.push(await tcpExchange(host, tcpPort, true));
      done.hold++;
    }
    for (let i = 0; i < plan.udp; i++) if (await udpExchange(host, udp.address().port)) done.udp++;
    done.icmp += await ping(host, plan.icmp);
    udp.close();
    // A listening server would stay forever; held connections keep working without it.
    tcp.close();
  }
  process.stdout.write(`${JSON.stringify(done)}\n`);
}

const loopSeconds = num(values.loop);
await round();
if (loopSeconds > 0) {
  setInterval(() => void round(), loopSeconds * 1000);
} else if (held.length > 0) {
  // Keep the held connections open until killed.
  setInterval(() => {}, 1 << 30);
}
