// A viewer's script in its own process: opens browser sockets and sends each request again as soon as it
// hears back, reconnecting whenever the dashboard closes a socket, for a while; prints what it heard as one
// JSON line. Used by limits.kernel.test.ts.
import { setImmediate } from 'node:timers/promises';
import { io } from 'socket.io-client';

const { url, cookie, protocolVersion, tabs, loopsPerRead, durationMs, reads } = JSON.parse(process.argv[2] ?? '{}');
const codes = {};
const count = (code) => (codes[code] = (codes[code] ?? 0) + 1);
const open = () => {
  const socket = io(`${url}/browsers`, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { protocolVersion }, extraHeaders: { cookie, origin: url } });
  return new Promise((resolve, reject) => socket.once('connect', () => resolve(socket)).once('connect_error', reject));
};
/** A tab: its current socket, replaced (once, whoever notices first) when the dashboard closes it. */
const tab = async () => {
  let current = await open();
  let replacing;
  return {
    socket: () => current,
    replace: () =>
      (replacing ??= open().then((socket) => {
        count('reconnected');
        current = socket;
        replacing = undefined;
      })),
  };
};
const opened = await Promise.all(Array.from({ length: tabs }, tab));
let stop = false;
const loop = async (t, event, payload) => {
  while (!stop) {
    const socket = t.socket();
    if (!socket.connected) {
      await t.replace();
      continue;
    }
    const answer = await socket.timeout(20_000).emitWithAck(event, payload).catch(() => ({ ok: false, code: socket.connected ? 'NO_ANSWER' : 'CLOSED' }));
    count(answer.ok ? `${event} ok` : ['RATE_LIMITED', 'CLOSED'].includes(answer.code) ? answer.code : `${event} ${answer.code}`);
    if (answer.ok && event === 'window:subscribe') socket.emit('window:unsubscribe', { subId: answer.data.subId });
    await setImmediate();
  }
};
const loops = opened.flatMap((t) => reads.flatMap(([event, payload]) => Array.from({ length: loopsPerRead }, () => loop(t, event, payload))));
setTimeout(() => (stop = true), durationMs);
await Promise.all(loops);
for (const t of opened) t.socket().close();
process.stdout.write(`${JSON.stringify(codes)}\n`);
