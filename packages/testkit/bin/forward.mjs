#!/usr/bin/env node
// Listens on 127.0.0.1:PORT (given, or any free one) inside the namespace it runs in and forwards every connection to a unix
// socket path (filesystem sockets are shared across network namespaces). Prints the port once ready.
import net from 'node:net';

const [, , socketPath, port = '0'] = process.argv;
if (!socketPath) {
  process.stderr.write('usage: forward.mjs UNIX_SOCKET_PATH [PORT]\n');
  process.exit(2);
}
const server = net.createServer((client) => {
  const upstream = net.connect(socketPath);
  client.pipe(upstream).pipe(client);
  const close = () => (client.destroy(), upstream.destroy());
  client.on('error', close);
  upstream.on('error', close);
});
server.listen(Number(port), '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
