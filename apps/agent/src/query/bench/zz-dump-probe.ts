import { NetlinkSource } from '@ctscope/conntrack';
const source = new NetlinkSource();
for (let i = 0; i < 3; i++) {
  const c = process.cpuUsage(); const t = performance.now(); let n = 0;
  await source.stream(undefined, 'conntrack', () => { n++; });
  const u = process.cpuUsage(c);
  console.log(JSON.stringify({ n, wall: performance.now() - t, user: u.user / 1000, sys: u.system / 1000 }));
}
process.exit(0);
