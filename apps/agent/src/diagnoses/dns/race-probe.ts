// Runs the insert-failed-race detector as the agent would (netlink source, mirror, a stats sample every
// 250 ms) inside a network namespace, for the kernel test. Prints "ready" once the mirror has its first
// dump, then on every SIGUSR2 takes a fresh sample and prints { diagnoses, rates } as one JSON line.
import { NetlinkSource } from '@ctscope/conntrack';
import type { StatsSample } from '@ctscope/protocol';
import pino from 'pino';
import { Mirror } from '../../mirror/mirror';
import { HooksProbe } from '../../stats/hooks';
import { takeSample } from '../../stats/sampler';
import { createInsertFailedRaceDetector } from '../insert-failed-race';

const source = new NetlinkSource();
const mirror = new Mirror(source, { logger: pino({ level: 'silent' }) });
await mirror.start();
const hooks = new HooksProbe();
let latest: StatsSample | null = null;
const sample = async () => {
  latest = await takeSample(source, hooks);
};
await sample();
const detector = createInsertFailedRaceDetector({
  latestSample: () => latest,
  onEvent: (listener) => mirror.onEvent(listener),
  options: { windowMs: 600_000, minFailures: 1, minDnsPerSecond: 1 },
});
detector.observe(Date.now());
setInterval(() => void sample().then(() => detector.observe(Date.now())), 250);
process.stdout.write('"ready"\n');
process.on('SIGUSR2', () => {
  void (async () => {
    await mirror.settled();
    await sample();
    const diagnoses = await detector.evaluate(Date.now());
    process.stdout.write(`${JSON.stringify({ diagnoses, rates: detector.observe(Date.now()) })}\n`);
  })();
});
