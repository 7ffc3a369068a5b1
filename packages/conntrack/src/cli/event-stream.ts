import { spawn, type ChildProcess } from 'node:child_process';
import type { EventType } from '../flow';
import type { SubscribeHandlers, SubscribeOptions, Subscription } from '../source';
import { TextParseError } from '../text/errors';
import { parseConntrackEventLine } from '../text/parse-event';
import type { CliLogger } from './cli-source';

const EVENT_NAMES: Readonly<Record<EventType, string>> = { NEW: 'NEW', UPDATE: 'UPDATES', DESTROY: 'DESTROY' };
const ENOBUFS_TEXT = 'We have hit ENOBUFS';

export interface EventStreamOptions {
  command: readonly string[];
  logger: CliLogger | undefined;
  restartDelayMs: number;
  /** Called with every child process started, so the source can kill them all on close(). */
  track(child: ChildProcess): () => void;
}

/**
 * Follows `conntrack -E -o id,extended`. ENOBUFS warnings on stderr become onOverrun; an exit that
 * we did not ask for is an overrun too (events were missed), and the CLI is started again.
 */
export function followEvents(options: SubscribeOptions, handlers: SubscribeHandlers, stream: EventStreamOptions): Subscription {
  if (options.events.length === 0) throw new TypeError('subscribe needs at least one event type');
  const [file, ...prefix] = stream.command;
  if (file === undefined) throw new TypeError('empty conntrack command');
  const args = [...prefix, '-E', '-o', 'id,extended', '-e', [...new Set(options.events)].map((e) => EVENT_NAMES[e]).join(',')];
  if (options.bufferBytes !== undefined) {
    if (!Number.isInteger(options.bufferBytes) || options.bufferBytes <= 0) throw new TypeError(`invalid bufferBytes ${options.bufferBytes}`);
    args.push('-b', String(options.bufferBytes));
  }
  let overruns = 0;
  let closed = false;
  let child: ChildProcess | undefined;
  let untrack: (() => void) | undefined;
  let restartTimer: NodeJS.Timeout | undefined;

  const overrun = () => {
    overruns++;
    handlers.onOverrun({ overruns });
  };

  const start = () => {
    const proc = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    untrack = stream.track(proc);
    let pending = '';
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.trim() === '') continue;
        try {
          handlers.onEvent(parseConntrackEventLine(line));
        } catch (err) {
          if (!(err instanceof TextParseError)) throw err;
          handlers.onError?.(err);
        }
      }
    });
    let errText = '';
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (chunk: string) => {
      errText += chunk;
      let nl: number;
      while ((nl = errText.indexOf('\n')) >= 0) {
        const line = errText.slice(0, nl);
        errText = errText.slice(nl + 1);
        if (line.includes(ENOBUFS_TEXT)) overrun();
        else if (line.startsWith('NOTICE:') || line.startsWith('This message') || line.startsWith('socket buffer') || line.startsWith('Please, check')) continue;
        else if (line.trim() !== '') stream.logger?.warn({ source: 'cli', stderr: line }, 'conntrack -E wrote to stderr');
      }
    });
    proc.once('error', (err) => handlers.onError?.(err));
    proc.once('exit', (code, signal) => {
      untrack?.();
      if (closed) return;
      stream.logger?.warn({ source: 'cli', code, signal }, 'conntrack -E exited: events were missed, restarting it');
      overrun();
      restartTimer = setTimeout(() => {
        if (!closed) start();
      }, stream.restartDelayMs);
    });
  };

  start();
  return {
    close() {
      closed = true;
      if (restartTimer) clearTimeout(restartTimer);
      child?.kill('SIGTERM');
    },
  };
}
