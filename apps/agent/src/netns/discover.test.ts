import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverNamespaces } from './discover';

const ID = 'ab'.repeat(32);

/** A fixture /proc and /run/netns: files stand in for nsfs inodes (same filesystem, like nsfs), symlinks for ns/net. */
describe('discoverNamespaces over a fixture tree', () => {
  let root: string;
  let proc: string;
  let run: string;
  const proces = (pid: number, link: string, comm: string, cgroup: string) => {
    mkdirSync(join(proc, String(pid), 'ns'), { recursive: true });
    symlinkSync(link, join(proc, String(pid), 'ns', 'net'));
    writeFileSync(join(proc, String(pid), 'comm'), `${comm}\n`);
    writeFileSync(join(proc, String(pid), 'cgroup'), cgroup);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ctscope-netns-'));
    proc = join(root, 'proc');
    run = join(root, 'run-netns');
    mkdirSync(join(proc, 'self', 'ns'), { recursive: true });
    mkdirSync(run);
    writeFileSync(join(proc, 'self', 'ns', 'net'), '');
    writeFileSync(join(run, 'blue'), '');
    writeFileSync(join(run, 'alpha'), '');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('host first, then names, then processes by their lowest pid; one per inode', () => {
    const host = String(statSync(join(proc, 'self', 'ns', 'net')).ino);
    const blue = String(statSync(join(run, 'blue')).ino);
    proces(1, `net:[${host}]`, 'init', '0::/init.scope\n');
    proces(30, `net:[${blue}]`, 'dnsmasq', '0::/\n');
    proces(120, 'net:[4026532900]', 'sleep', `0::/system.slice/docker-${ID}.scope\n`);
    proces(77, 'net:[4026532900]', 'containerd-shim', '0::/system.slice/containerd.service\n');
    proces(400, 'net:[4026532901]', 'pause', '0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod11111111_2222_3333_4444_555555555555.slice/cri-containerd-x.scope\n');
    proces(401, 'net:[4026532902]', 'nginx', `0::/system.slice/docker-${ID}.scope\n`);
    proces(402, 'mnt:[4026532903]', 'odd', '0::/\n');
    mkdirSync(join(proc, '403'));
    mkdirSync(join(proc, 'sys'));

    const found = discoverNamespaces({ procRoot: proc, runNetns: run });
    expect(found.namespaces.map(({ netns, name, source }) => ({ netns, name, source }))).toEqual([
      { netns: host, name: 'host', source: 'host' },
      { netns: String(statSync(join(run, 'alpha')).ino), name: 'alpha', source: 'named' },
      { netns: blue, name: 'blue', source: 'named' },
      { netns: '4026532900', name: 'containerd-shim (pid 77)', source: 'process' },
      { netns: '4026532901', name: '11111111-2222-3333-4444-555555555555', source: 'pod' },
      { netns: '4026532902', name: ID.slice(0, 12), source: 'container' },
    ]);
    expect(found.namespaces[3]?.path).toBe(join(proc, '77', 'ns', 'net'));
    expect(found.namespaces[1]?.path).toBe(join(run, 'alpha'));
    expect(found).toMatchObject({ seen: 6, truncated: false });
  });

  it('a namespace a CNI plugin named (cni-<uuid>) goes by the pod in it; a name someone chose stays', () => {
    const cni = 'cni-0f3c2a1b-5d6e-7f80-9a1b-2c3d4e5f6a7b';
    writeFileSync(join(run, cni), '');
    const cniInode = String(statSync(join(run, cni)).ino);
    const blue = String(statSync(join(run, 'blue')).ino);
    const pod = '0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod11111111_2222_3333_4444_555555555555.slice/cri-containerd-x.scope\n';
    proces(900, `net:[${cniInode}]`, 'pause', pod);
    proces(901, `net:[${blue}]`, 'pause', pod);
    const found = discoverNamespaces({ procRoot: proc, runNetns: run });
    expect(found.namespaces.find((ns) => ns.netns === cniInode)).toEqual({ netns: cniInode, path: join(run, cni), name: '11111111-2222-3333-4444-555555555555', source: 'pod' });
    expect(found.namespaces.find((ns) => ns.netns === blue)).toMatchObject({ name: 'blue', source: 'named' });
    expect(found.seen).toBe(4);
  });

  it('caps a pass and says so', () => {
    for (let pid = 10; pid < 20; pid++) proces(pid, `net:[${4026533000 + pid}]`, 'sleep', '0::/\n');
    const found = discoverNamespaces({ procRoot: proc, runNetns: run, limit: 5 });
    expect(found.namespaces).toHaveLength(5);
    expect(found.namespaces.map((ns) => ns.name)).toEqual(['host', 'alpha', 'blue', 'sleep (pid 10)', 'sleep (pid 11)']);
    expect(found).toMatchObject({ seen: 13, truncated: true });
  });

  it('a missing /run/netns and a process without comm or cgroup are no error', () => {
    proces(5, 'net:[4026533100]', 'x', '');
    rmSync(join(proc, '5', 'comm'));
    rmSync(join(proc, '5', 'cgroup'));
    const found = discoverNamespaces({ procRoot: proc, runNetns: join(root, 'nope') });
    expect(found.namespaces.map((ns) => ns.name)).toEqual(['host', 'pid 5']);
  });
});
