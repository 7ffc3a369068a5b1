import { createNetns, fillConntrack, type Netns } from '@ctscope/testkit';

/** A namespace holding `entries` real UDP conntrack entries that stay for the whole benchmark. */
export async function populatedNetns(entries: number): Promise<Netns> {
  const ns = await createNetns();
  try {
    await fillConntrack(ns, entries);
    return ns;
  } catch (err) {
    await ns.destroy();
    throw err;
  }
}
