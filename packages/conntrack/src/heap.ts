import { setFlagsFromString } from 'node:v8';

/**
 * For processes that build a table of flows (the agent, `ctscope list`, benchmarks): keeps V8's young
 * generation at its initial size (1 MiB semi-spaces) instead of letting it grow to 16 MiB. Nearly every
 * object a dump allocates lives as long as the table, so a large young generation only copies them
 * back and forth, outside the CPU caches, before they are promoted anyway. It is what
 * `node --max-semi-space-size=1` does, set from inside the process because a launcher cannot add
 * command-line flags without starting Node twice; it applies from the next young collection on.
 */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
