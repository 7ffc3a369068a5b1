/**
 * A small program run with `node -e` inside a test namespace.
 *   both   <hosts> <ports> <count>: echo servers plus `count` exchanges per host and port, then exit
 *   serve  <hosts> <ports>: echo servers only; prints "ready" and runs until killed
 *   client <hosts> <ports> <count>: `count` exchanges per host and port against someone else's servers
 * Each exchange uses a new client socket (a new conntrack entry). Prints {"replies": n} when done.
 */
export const UDP_EXCHANGE_SCRIPT = `
const dgram = require('node:dgram');
const [mode, hostsArg, portsArg, countArg] = process.argv.slice(1);
const hosts = hostsArg.split(','), ports = portsArg.split(',').map(Number), count = Number(countArg || 0);
const type = (host) => (host.includes(':') ? 'udp6' : 'udp4');
(async () => {
  const servers = [];
  if (mode !== 'client') for (const host of hosts) for (const port of ports) {
    const s = dgram.createSocket(type(host));
    s.on('message', (msg, rinfo) => s.send(msg, rinfo.port, rinfo.address));
    await new Promise((r) => s.bind(port, host, r));
    servers.push(s);
  }
  if (mode === 'serve') return console.log('ready');
  let replies = 0;
  for (const host of hosts) for (const port of ports) for (let i = 0; i < count; i++) {
    const c = dgram.createSocket(type(host));
    await new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no reply from ' + host + ':' + port)), 2000);
      c.once('message', () => { clearTimeout(t); replies++; resolve(); });
      c.send('ping', port, host);
    });
    c.close();
  }
  for (const s of servers) s.close();
  console.log(JSON.stringify({ replies }));
})().catch((e) => { console.error(e.message); process.exit(1); });
`;
