import { fileURLToPath } from 'node:url';
import { createNetns, type Netns } from '@ctscope/testkit';

export const SPRAY_SCRIPT = fileURLToPath(new URL('../bin/udp-spray.mjs', import.meta.url));

/**
 * A namespace holding `entries` real UDP conntrack entries. UDP entries normally expire after 30 s;
 * the namespace's own UDP timeout is raised so the table stays put for the whole benchmark.
 */
export async function populatedNetns(entries: number): Promise<Netns> {
  const ns = await createNetns();
  try {
    await ns.sysctl('net.netfilter.nf_conntrack_udp_timeout', 3600);
    await ns.sysctl('net.netfilter.nf_conntrack_udp_timeout_stream', 3600);
    await ns.exec(process.execPath, [SPRAY_SCRIPT, String(entries)]);
    const count = Number((await ns.conntrack(['-C'])).stdout.trim());
    if (count < entries) throw new Error(`namespace holds ${count} entries, wanted ${entries} (is nf_conntrack_max too low?)`);
    return ns;
  } catch (err) {
    await ns.destroy();
    throw err;
  }
}
