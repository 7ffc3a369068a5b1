import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * True when nf_conntrack is loaded or built in: either way the kernel lists it under /sys/module
 * (it has parameters, so a built-in one appears too). Cheap enough to call every tick.
 */
export function conntrackModuleLoaded(sysModule = '/sys/module'): boolean {
  return existsSync(join(sysModule, 'nf_conntrack'));
}
