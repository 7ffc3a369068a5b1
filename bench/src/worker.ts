// Runs inside the benchmark namespace (ctnetlink sockets belong to the caller's namespace).
//   decode | raw       one dump; prints {"ms": in-process time, "count"}
//   decode-default     the same dump + decode with V8's default young generation (the harness starts
//                      `decode` with the agent's node flags, this one without)
//   events BYTES       counts NEW events until SIGTERM; prints {"received", "overruns"}
import { keepYoungGenerationSmall, NetlinkSource } from '@ctscope/conntrack';

const [, , mode, arg] = process.argv;
// (a) as the agent's process dumps (see keepYoungGenerationSmall); decode-default measures without it.
if (mode === 'decode') keepYoungGenerationSmall();
const source = new NetlinkSource();
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

if (mode === 'events') {
  let received = 0;
  let overruns = 0;
  source.subscribe({ events: ['NEW'], bufferBytes: Number(arg) }, { onEvent: () => received++, onOverrun: (o) => (overruns = o.overruns) });
  process.on('SIGTERM', () => {
    print({ received, overruns });
    process.exit(0);
  });
  print('ready');
} else {
  const started = process.hrtime.bigint();
  let count = 0;
  if (mode === 'decode' || mode === 'decode-default') count = (await source.dump()).length;
  else if (mode === 'raw') count = (await source.rawDump()).messages;
  else throw new Error(`unknown mode ${mode}: use decode, decode-default, raw or events`);
  print({ mode, ms: Number(process.hrtime.bigint() - started) / 1e6, count });
  source.close();
}
