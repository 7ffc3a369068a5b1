import type { EventType, FlowEvent } from '../flow';
import { readFlow, type TextParseOptions } from './parse-line';
import { TextParseError } from './errors';
import { TokenReader, scanTokens } from './scan';

/** A parsed `conntrack -E` line: the event plus what the CLI adds around it. */
export interface ConntrackEventLine extends FlowEvent {
  /** `-o timestamp`: when the CLI printed it, in epoch microseconds. */
  printedAtMicros?: number;
  /** The event was caused by a userspace program ([USERSPACE] portid=… progname=…). */
  userspace?: { portid: number; progname?: string };
}

const USERSPACE = /^ \[USERSPACE\] portid=(\d{1,10})(?: progname=(.+))?$/;
const TYPES: Readonly<Record<string, EventType>> = { '[NEW]': 'NEW', '[UPDATE]': 'UPDATE', '[DESTROY]': 'DESTROY' };

/** Parses one line of `conntrack -E [-o id,extended,timestamp,ktimestamp]`. */
export function parseConntrackEventLine(line: string, options: TextParseOptions = {}): ConntrackEventLine {
  // The program name runs to the end of the line and may contain spaces.
  const suffixAt = line.indexOf(' [USERSPACE] ');
  const suffix = suffixAt < 0 ? undefined : USERSPACE.exec(line.slice(suffixAt));
  if (suffixAt >= 0 && !suffix) throw new TextParseError(line, suffixAt + 1, 'expected [USERSPACE] portid=N [progname=NAME]');
  const body = suffixAt < 0 ? line : line.slice(0, suffixAt);
  const reader = new TokenReader(line, scanTokens(body));
  let printedAtMicros: number | undefined;
  const first = reader.peek();
  const stamp = first && /^\[(\d+)\.(\d{6})\]$/.exec(first.text);
  if (stamp) {
    reader.next();
    printedAtMicros = Number(stamp[1]) * 1_000_000 + Number(stamp[2]);
  }
  const typeToken = reader.next();
  const type = typeToken && TYPES[typeToken.text];
  if (!type) return reader.fail('expected [NEW], [UPDATE] or [DESTROY]', typeToken?.start ?? line.length);
  const flow = readFlow(reader, options);
  const event: ConntrackEventLine = { type, flow };
  if (printedAtMicros !== undefined) event.printedAtMicros = printedAtMicros;
  if (!reader.done()) reader.fail('expected the end of the line');
  if (suffix) {
    const portid = Number(suffix[1]);
    if (portid > 0xffffffff) throw new TextParseError(line, suffixAt + 1, 'portid must fit in 32 bits');
    event.userspace = suffix[2] === undefined ? { portid } : { portid, progname: suffix[2] };
  }
  return event;
}
