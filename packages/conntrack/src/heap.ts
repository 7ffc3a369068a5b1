import { setFlagsFromString } from 'node:v8';

const SEMI_SPACE_FLAG = /--max-semi-space-size[= ]/;

/** Whether node was started with a semi-space limit (`node --max-semi-space-size=N`, or NODE_OPTIONS). */
export function youngGenerationBoundedAtStart(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): boolean {
  return execArgv.some((arg) => SEMI_SPACE_FLAG.test(`${arg} `)) || SEMI_SPACE_FLAG.test(`${nodeOptions} `);
}

/**
 * For processes that build a table of flows (the agent, benchmarks): keeps V8's young generation small
 * (1 MiB semi-spaces instead of up to 16 MiB). Nearly every object a dump allocates lives as long as the
 * table, so a large young generation only copies them back and forth, outside the CPU caches, before
 * they are promoted anyway.
 *
 * The launcher's `--max-semi-space-size` (bin/node-flags.mjs) is the better way, and when it was given
 * this does nothing: V8 decides to allocate a site's objects straight into the old generation
 * (pretenuring) only after scavenges of a young generation at its maximum size. Limiting the growth at
 * run time instead keeps it below a maximum it never reaches, so every flow of a dump is copied twice
 * (measured on 200,000 entries: 40-66 scavenges and 570-730 ms of scavenge pauses with the run-time
 * limit, 19-21 and 100-130 ms with the launcher's flag). The run-time limit stays the fallback for a
 * process started without the flag (node cannot add its own flags without starting twice).
 */
export function keepYoungGenerationSmall(): void {
  if (youngGenerationBoundedAtStart()) return;
  setFlagsFromString('--semi-space-growth-factor=1');
}
