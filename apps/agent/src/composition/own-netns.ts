import { statSync } from 'node:fs';
import type { NetnsCount } from '@ctscope/protocol';

/**
 * The namespace this process runs in, named `host` as the namespace counter and the host page's
 * Namespaces panel name it (the agent watches the host's table from there), keyed by its inode.
 */
export function ownNetns(): Omit<NetnsCount, 'entries'> {
  let own = 'unknown';
  try {
    own = String(statSync('/proc/self/ns/net').ino);
  } catch {
    // no /proc: the key stays unknown
  }
  return { netns: own, name: 'host', source: 'host' };
}
