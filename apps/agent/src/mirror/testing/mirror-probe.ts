// Runs a Mirror inside a network namespace for kernel tests and the events benchmark. Prints "ready"
// once the first dump is in, then on every SIGUSR2 prints the settled mirror as JSON: { ids, keys,
// received, lostEvents, health } (keys: each entry's id and original tuple, as flowKey prints them).
// argv: [event buffer bytes (0: the agent's default)] [check interval ms (0: the agent's default)]
import { NetlinkSource, type EventType, type Flow, type SubscribeHandlers, type SubscribeOptions, type Subscription } from '@ctscope/conntrack';
import pino from 'pino';
import { Mirror } from '../mirror';

/** The agent's source, counting every event the kernel delivered to it (applied or not). */
class CountingSource extends NetlinkSource {
  readonly received: Record<EventType, number> = { NEW: 0, UPDATE: 0, DESTROY: 0 };
  /** The kernel's count of events it dropped for the subscription. */
  lostEvents = 0;

  override subscribe(options: SubscribeOptions, handlers: SubscribeHandlers): Subscription {
    return super.subscribe(options, {
      ...handlers,
      onEvent: (event) => {
        this.received[event.type]++;
        handlers.onEvent(event);
      },
      onOverrun: (info) => {
        this.lostEvents = info.lostEvents ?? this.lostEvents;
        handlers.onOverrun(info);
      },
    });
  }
}

/** `id proto src dst sport dport` of the original direction, the same fields the tests read from `conntrack -L -o id`. */
function flowKey(flow: Pick<Flow, 'id' | 'proto' | 'orig'>): string {
  const { src, dst, sport, dport } = flow.orig;
  return `${flow.id ?? '?'} ${flow.proto} ${src} ${dst} ${sport ?? '-'} ${dport ?? '-'}`;
}

const bufferBytes = Number(process.argv[2] ?? 0);
const checkIntervalMs = Number(process.argv[3] ?? 1000);
const source = new CountingSource();
const mirror = new Mirror(source, {
  logger: pino({ level: 'silent' }),
  ...(checkIntervalMs > 0 ? { checkIntervalMs } : {}),
  ...(bufferBytes > 0 ? { eventBufferBytes: bufferBytes } : {}),
});
await mirror.start();
process.stdout.write('"ready"\n');
process.on('SIGUSR2', () => {
  void mirror.settled().then(() => {
    const entries = mirror.entries();
    const ids = entries.map((e) => e.flow.id);
    const keys = entries.map((e) => flowKey(e.flow));
    process.stdout.write(`${JSON.stringify({ ids, keys, received: source.received, lostEvents: source.lostEvents, health: mirror.getHealth() })}\n`);
  });
});
setInterval(() => undefined, 1 << 30);
