import { readdirSync, readFileSync } from 'node:fs';
import { readFile, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { parseKubeProxyConfig } from './config-file';
import { parseKubeProxyArgs } from './flags';
import type { KubeProxySettings } from './settings';

export interface KubeProxyProcess {
  pid: number;
  argv: string[];
}

const MAX_CONFIG_BYTES = 1 << 20;

/** `kube-proxy …`, or the old all-in-one `hyperkube kube-proxy …`: the argv kube-proxy parses. */
function kubeProxyArgv(comm: string, argv: string[]): string[] | null {
  if (comm === 'kube-proxy') return argv;
  if (comm === 'hyperkube' && argv[1] === 'kube-proxy') return argv.slice(1);
  return null;
}

/** comm files read per turn of the event loop (synchronous reads cost ~30 times less CPU than promises here). */
const COMM_BATCH = 256;

function readComm(procfs: string, pid: string): string | null {
  try {
    return readFileSync(join(procfs, pid, 'comm'), 'utf8').trim();
  } catch {
    return null;
  }
}

/** Processes whose comm is kube-proxy or hyperkube, reading the comm files in batches between other work. */
async function candidates(procfs: string): Promise<Array<{ name: string; comm: string }>> {
  let names: string[];
  try {
    names = readdirSync(procfs).filter((n) => /^\d+$/.test(n));
  } catch {
    return [];
  }
  const out: Array<{ name: string; comm: string }> = [];
  for (let i = 0; i < names.length; i += COMM_BATCH) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    for (const name of names.slice(i, i + COMM_BATCH)) {
      const comm = readComm(procfs, name);
      if (comm === 'kube-proxy' || comm === 'hyperkube') out.push({ name, comm });
    }
  }
  return out;
}

const netnsOf = (procfs: string, pid: string) => readlink(join(procfs, pid, 'ns', 'net')).catch(() => null);

/**
 * kube-proxy processes under a procfs root, from each process's comm and cmdline (at most `limit`).
 * Only those in the reader's own network namespace: kube-proxy writes the sysctls of its namespace, and
 * a kube-proxy in another one (a kind node, a test namespace) cannot touch the table the agent watches.
 */
export async function findKubeProxies(procfs: string, limit = 8): Promise<KubeProxyProcess[]> {
  const ownNetns = await netnsOf(procfs, 'self');
  const found: KubeProxyProcess[] = [];
  for (const { name, comm } of await candidates(procfs)) {
    const netns = await netnsOf(procfs, name);
    if (ownNetns !== null && netns !== null && netns !== ownNetns) continue;
    const cmdline = await readFile(join(procfs, name, 'cmdline'), 'utf8').catch(() => '');
    const argv = kubeProxyArgv(comm, cmdline.split('\0').filter((a, i, all) => a !== '' || i < all.length - 1));
    if (argv && argv.length > 0) found.push({ pid: Number(name), argv });
    if (found.length >= limit) break;
  }
  return found.sort((a, b) => a.pid - b.pid);
}

/**
 * What a kube-proxy process will set: its flags, or its --config file when it has one (kube-proxy then
 * ignores the flags). The file is read through the process's own root and working directory
 * (`/proc/<pid>/root`, `/proc/<pid>/cwd`), so a kube-proxy in a container is read as it sees the file.
 */
export async function readKubeProxySettings(procfs: string, proc: KubeProxyProcess): Promise<KubeProxySettings> {
  const fromArgs = parseKubeProxyArgs(proc.argv);
  if (fromArgs.config === null) return { values: fromArgs.values, origins: fromArgs.origins, problems: fromArgs.problems, configFile: null };
  const file = fromArgs.config;
  let path: string;
  if (posix.isAbsolute(file)) path = join(procfs, String(proc.pid), 'root', file);
  else {
    const cwd = await readlink(join(procfs, String(proc.pid), 'cwd')).catch(() => '/');
    path = join(procfs, String(proc.pid), 'root', posix.resolve(cwd, file));
  }
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_CONFIG_BYTES) throw new Error('larger than 1 MiB');
    text = bytes.toString('utf8');
  } catch (err) {
    return { ...parseKubeProxyConfig('', file), configFile: file, problems: [`--config ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`] };
  }
  return { ...parseKubeProxyConfig(text, file), configFile: file };
}
