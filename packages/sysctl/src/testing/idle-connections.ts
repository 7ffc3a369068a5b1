/**
 * Plain Node program (run with `node -e` inside a namespace): an echo server on 127.0.0.1 and two
 * client connections that exchange one byte each and then stay idle. Prints
 * {"port": server port, "sports": [client source ports]} when both are ESTABLISHED; on SIGUSR2 the
 * first client sends one more byte and prints "poked" when the echo is back.
 */
export const IDLE_CONNECTIONS_SCRIPT = `
const net = require('node:net');
const server = net.createServer((s) => s.on('data', (d) => s.write(d)).on('error', () => {}));
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  let ready = 0;
  const clients = [0, 1].map(() => {
    const c = net.connect(port, '127.0.0.1', () => c.write('x'));
    c.once('data', () => {
      if (++ready === 2) console.log(JSON.stringify({ port, sports: clients.map((k) => k.localPort) }));
    });
    c.on('error', () => {});
    return c;
  });
  process.on('SIGUSR2', () => {
    clients[0].once('data', () => console.log('poked'));
    clients[0].write('y');
  });
});
`;
