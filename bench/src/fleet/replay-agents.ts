// Many agent connections in one process, each replaying recorded statistics through the agent protocol:
// the load of a big fleet on the dashboard without the cost of running the agent's mirror and queries for
// every host (see replayed-samples.ts for what a sample holds).
// usage: node --import tsx replay-agents.ts DASHBOARD_URL TOKENS_DIR RECORDING FIRST HOSTNAME...
//   each HOSTNAME's token is read from TOKENS_DIR/HOSTNAME.token; FIRST is the fleet-wide number of the first
//   (it spreads the hosts' sampling moments over the second); prints "ready N" once all are welcomed.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AGENT_NAMESPACE, ErrorCode, PROTOCOL_VERSION, type AgentHandshake } from '@ctscope/protocol';
import { io, type Socket } from 'socket.io-client';
import { readRecordedSamples, type SampleTemplate } from './replayed-samples';

const INTERVAL_MS = 1_000;
/** 250 hosts of one process connect over 5 s instead of in the same instant. */
const CONNECT_SPACING_MS = 20;
const HOSTNAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** Answers what a dashboard may ask a host that only replays statistics: a ping; anything else is refused. */
function answerRequests(socket: Socket): void {
  socket.onAny((event: string, ...args: unknown[]) => {
    const ack = args[args.length - 1];
    if (typeof ack !== 'function') return;
    if (event === 'agent:ping') ack({ ok: true, data: { at: Date.now() } });
    else if (event === 'stats:history') ack({ ok: true, data: [] });
    else ack({ ok: false, code: ErrorCode.Unavailable, message: 'this simulated host only replays recorded statistics' });
  });
}

const reported = new Set<string>();
/** Each distinct problem once (a refused token would otherwise repeat at every reconnection). */
function reportOnce(text: string, kind: string): void {
  if (reported.has(kind)) return;
  reported.add(kind);
  process.stderr.write(`replay-agents: ${text}\n`);
}

/** Golden-ratio start offsets: samples spread over the second, as real agents started at unrelated times. */
const startDelay = (index: number) => Math.floor(((index * 0.618_033_988_75) % 1) * INTERVAL_MS);

async function main(): Promise<void> {
  const [url, tokensDir, recording, firstText, ...hostnames] = process.argv.slice(2);
  const first = Number(firstText);
  if (!url || !tokensDir || !recording || !Number.isInteger(first) || first < 0 || hostnames.length === 0) throw new Error('usage: replay-agents.ts DASHBOARD_URL TOKENS_DIR RECORDING FIRST HOSTNAME...');
  const bad = hostnames.find((h) => !HOSTNAME.test(h));
  if (bad) throw new Error(`not a host name: ${bad}`);
  const samples: SampleTemplate[] = await readRecordedSamples(recording);
  const sockets: Socket[] = [];
  const timers: NodeJS.Timeout[] = [];
  let welcomed = 0;
  const stop = () => {
    for (const t of timers) clearInterval(t); // clearInterval clears timeouts too
    for (const s of sockets) s.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop).on('SIGINT', stop);
  await Promise.all(
    hostnames.map(async (hostname, index) => {
      // Connections open a few at a time, as a fleet's agents come up at different moments.
      await new Promise((resolve) => setTimeout(resolve, index * CONNECT_SPACING_MS));
      const token = (await readFile(join(tokensDir, `${hostname}.token`), 'utf8')).trim();
      const auth: AgentHandshake = { protocolVersion: PROTOCOL_VERSION, token, info: { hostname, agentVersion: 'bench-replay', kernel: 'recorded', source: 'replay' } };
      const socket = io(new URL(AGENT_NAMESPACE, url).href, { auth, transports: ['websocket'], timeout: 60_000 });
      sockets.push(socket);
      answerRequests(socket);
      socket.on('connect_error', (err) => reportOnce(`${hostname}: ${err.message}`, err.message));
      await new Promise<void>((resolve) => socket.once('welcomed', () => resolve()));
      welcomed++;
      // Each host starts at its own point of the recording (a prime step, so neighbours differ).
      let next = ((first + index) * 31) % samples.length;
      const send = () => {
        const template = samples[next++ % samples.length] as SampleTemplate;
        if (socket.connected) socket.emit('stats:sampled', { ...template, at: Date.now() });
      };
      timers.push(
        setTimeout(() => {
          send();
          timers.push(setInterval(send, INTERVAL_MS));
        }, startDelay(first + index)),
      );
    }),
  );
  process.stdout.write(`ready ${welcomed}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`replay-agents: ${(err as Error).message}\n`);
  process.exit(1);
});
