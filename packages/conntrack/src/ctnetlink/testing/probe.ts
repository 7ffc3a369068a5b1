// Runs NetlinkSource operations inside a network namespace for kernel tests (ctnetlink sockets belong to
// the namespace of the process that opens them). Usage: probe.ts <command> [json-argument]
// Prints one JSON value per line; `events` streams until SIGTERM.
import type { Flow } from '../../flow';
import { ByteSink } from '../../text/byte-sink';
import { NetlinkSource } from '../netlink-source';
import { writeMessageLine } from '../write-line';

const [, , command, arg] = process.argv;
const source = new NetlinkSource();
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`);

switch (command) {
  case 'dump':
    print(await source.dump(arg ? JSON.parse(arg) : undefined));
    break;
  case 'dump-table':
    print(await source.dump(undefined, JSON.parse(arg ?? '"conntrack"') as 'conntrack' | 'dying' | 'unconfirmed'));
    break;
  case 'expect':
    print(await source.dumpExpectations(arg ? (JSON.parse(arg) as 'ipv4' | 'ipv6') : undefined));
    break;
  case 'lines': {
    // Text lines written straight from the dump's bytes: {"extended": boolean, "id": boolean}.
    const { extended, id } = JSON.parse(arg ?? '{}') as { extended: boolean; id: boolean };
    const chunks: Buffer[] = [];
    const sink = new ByteSink((chunk) => chunks.push(chunk));
    await source.streamMessages(undefined, 'conntrack', (buf, start, end) => writeMessageLine(sink, buf, start, end, extended, { id }));
    sink.flush();
    print(Buffer.concat(chunks).toString('latin1'));
    break;
  }
  case 'stats':
    print({ global: await source.globalStats(), cpu: await source.cpuStats() });
    break;
  case 'get':
    print(await source.getFlow(JSON.parse(arg ?? '{}') as Flow));
    break;
  case 'delete':
    print(await source.deleteFlow(JSON.parse(arg ?? '{}') as Flow));
    break;
  case 'flush':
    await source.flush();
    print(true);
    break;
  case 'create':
    await source.create(JSON.parse(arg ?? '{}'));
    print(true);
    break;
  case 'update':
    await source.update(JSON.parse(arg ?? '{}'));
    print(true);
    break;
  case 'events': {
    const options = arg ? (JSON.parse(arg) as { bufferBytes?: number }) : {};
    let overruns = 0;
    source.subscribe(
      { events: ['NEW', 'UPDATE', 'DESTROY'], ...options },
      { onEvent: (e) => print({ type: e.type, flow: e.flow }), onOverrun: (o) => (overruns = o.overruns) },
    );
    process.on('SIGTERM', () => {
      print({ overruns });
      source.close();
      process.exit(0);
    });
    print('ready');
    await new Promise(() => undefined);
    break;
  }
  default:
    throw new Error(`unknown probe command ${command}`);
}
source.close();
