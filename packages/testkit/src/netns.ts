import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { run, type RunResult } from './run';

const PREFIX = 'ctst';

/** nftables ruleset that makes conntrack track every packet in the namespace (a `ct state` rule). */
export const HOOKS_RULESET = `
table inet ctscope_test {
  chain input { type filter hook input priority 0; policy accept; ct state established,related accept; }
  chain output { type filter hook output priority 0; policy accept; ct state established,related accept; }
}
`;

export interface Netns {
  readonly name: string;
  /** Runs a command inside the namespace. */
  exec(cmd: string, args: readonly string[], input?: string): Promise<RunResult>;
  /** Starts a long-running command inside the namespace; it is killed by destroy(). */
  spawn(cmd: string, args: readonly string[]): ChildProcess;
  /** Activates conntrack hooks (idempotent). */
  enableHooks(): Promise<void>;
  /** Sets a per-namespace sysctl, e.g. net.netfilter.nf_conntrack_acct=1. */
  sysctl(key: string, value: string | number): Promise<void>;
  /** `conntrack` CLI inside the namespace. */
  conntrack(args: readonly string[]): Promise<RunResult>;
  destroy(): Promise<void>;
}

export interface NetnsOptions {
  /** Activate conntrack hooks right away (default true). */
  hooks?: boolean;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Deletes namespaces left behind by test processes that died without cleaning up. */
export async function cleanupStaleNetns(): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list']);
  const removed: string[] = [];
  for (const line of stdout.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const match = new RegExp(`^${PREFIX}-(\\d+)-[0-9a-f]+$`).exec(name);
    if (!match || isAlive(Number(match[1]))) continue;
    await deleteNetns(name);
    removed.push(name);
  }
  return removed;
}

async function deleteNetns(name: string): Promise<void> {
  const pids = await run('ip', ['netns', 'pids', name]).catch(() => ({ stdout: '' }));
  for (const pid of pids.stdout.split('\n').filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await run('ip', ['netns', 'delete', name]).catch(() => undefined);
}

export async function createNetns(options: NetnsOptions = {}): Promise<Netns> {
  await cleanupStaleNetns();
  const name = `${PREFIX}-${process.pid}-${randomBytes(3).toString('hex')}`;
  await run('ip', ['netns', 'add', name]);
  const children = new Set<ChildProcess>();
  const exec = (cmd: string, args: readonly string[], input?: string) => run('ip', ['netns', 'exec', name, cmd, ...args], input);
  const ns: Netns = {
    name,
    exec,
    spawn(cmd, args) {
      const child = spawn('ip', ['netns', 'exec', name, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(child);
      child.once('exit', () => children.delete(child));
      return child;
    },
    async enableHooks() {
      await exec('nft', ['list', 'table', 'inet', 'ctscope_test']).catch(() => exec('nft', ['-f', '-'], HOOKS_RULESET));
    },
    async sysctl(key, value) {
      await exec('sysctl', ['-q', '-w', `${key}=${value}`]);
    },
    conntrack: (args) => exec('conntrack', args),
    async destroy() {
      for (const child of children) child.kill('SIGKILL');
      await deleteNetns(name);
    },
  };
  try {
    await exec('ip', ['link', 'set', 'lo', 'up']);
    if (options.hooks !== false) await ns.enableHooks();
  } catch (err) {
    await ns.destroy();
    throw err;
  }
  return ns;
}

/** Runs `fn` with a fresh namespace and always deletes it afterwards. */
export async function withNetns<T>(fn: (ns: Netns) => Promise<T>, options?: NetnsOptions): Promise<T> {
  const ns = await createNetns(options);
  try {
    return await fn(ns);
  } finally {
    await ns.destroy();
  }
}
