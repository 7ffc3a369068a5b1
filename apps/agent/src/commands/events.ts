import { formatFlowEvent, type EventType } from '@ctscope/conntrack';
import { parseOutputFormat, splitArgs, UsageError } from './args';
import { buildFilter } from './filter';
import { flowToJson, LineWriter } from './output';
import { openCommandSource } from './source';

export const EVENTS_USAGE = `usage: ctscope events [FILTER...] [--query QUERY] [-e NEW,UPDATE,DESTROY] [-b BYTES] [-o extended[,id]] [--json]

  Follows the kernel's conntrack events until Ctrl-C, like conntrack -E.
  -e         event types to receive (default all three)
  -b         socket receive buffer in bytes (forced past rmem_max when root, like conntrack -b)`;

const OPTIONS = [
  { name: 'query', takesValue: true },
  { name: 'output', short: 'o', takesValue: true },
  { name: 'json', takesValue: false },
  { name: 'event-mask', short: 'e', takesValue: true },
  { name: 'buffer-size', short: 'b', takesValue: true },
] as const;

const EVENT_TYPES: readonly EventType[] = ['NEW', 'UPDATE', 'DESTROY'];

export function parseEventMask(value: string | true | undefined): EventType[] {
  if (value === undefined) return [...EVENT_TYPES];
  if (value === true) throw new UsageError('-e needs event types, e.g. -e NEW,DESTROY');
  const types = value.split(',').map((t) => t.trim().toUpperCase());
  for (const t of types) if (!(EVENT_TYPES as readonly string[]).includes(t)) throw new UsageError(`unknown event type "${t}": use NEW, UPDATE, DESTROY`);
  return [...new Set(types)] as EventType[];
}

export function parseBufferSize(value: string | true | undefined): number | undefined {
  if (value === undefined) return undefined;
  const bytes = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 4096 || bytes > 2 ** 31 - 1) throw new UsageError('-b needs a buffer size in bytes between 4096 and 2147483647');
  return bytes;
}

export async function eventsCommand(argv: readonly string[]): Promise<number> {
  const { own, rest } = splitArgs(argv, OPTIONS);
  const format = parseOutputFormat(own.get('output'));
  const query = own.get('query');
  const filter = buildFilter(rest, typeof query === 'string' ? query : undefined);
  const events = parseEventMask(own.get('event-mask'));
  const bufferBytes = parseBufferSize(own.get('buffer-size'));
  const json = own.has('json');

  const source = await openCommandSource();
  const out = new LineWriter();
  let shown = 0;
  let pending = Promise.resolve();
  const flushTimer = setInterval(() => void (pending = pending.then(() => out.flush())), 100);
  return new Promise<number>((resolve) => {
    const subscription = source.subscribe(
      { events, ...(bufferBytes !== undefined ? { bufferBytes } : {}) },
      {
        onEvent: (event) => {
          if (!filter.matches(event.flow)) return;
          shown++;
          const line = json ? `{"type":"${event.type}","flow":${flowToJson(event.flow)}}` : formatFlowEvent(event.type, event.flow, { extended: format.extended, id: format.id });
          pending = pending.then(() => out.line(line));
        },
        onOverrun: ({ overruns, lostEvents }) => {
          const lost = lostEvents === undefined ? '' : `, ${lostEvents} events lost`;
          process.stderr.write(`WARNING: the kernel dropped events (ENOBUFS, ${overruns} so far${lost}): raise the buffer with -b\n`);
        },
        onError: (err) => {
          process.stderr.write(`ctscope: ${err.message}\n`);
          stop(1);
        },
      },
    );
    const stop = (code: number) => {
      clearInterval(flushTimer);
      subscription.close();
      source.close();
      void pending
        .then(() => out.flush())
        .then(() => {
          process.stderr.write(`ctscope (${source.kind}): ${shown} flow events have been shown.\n`);
          resolve(code);
        });
    };
    process.once('SIGINT', () => stop(0));
    process.once('SIGTERM', () => stop(0));
  });
}
