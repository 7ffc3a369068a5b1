// The packaged launcher (bin/ctscope, from apps/agent/deploy/launcher.sh) over the runtime tree that
// `npm run package` ships (scripts/lib/package/tree.mjs), written to a temporary directory: `ctscope
// list` and conntrack's own command line start from bundles of their own (they run with the CLI's main
// bundle gone) and without NODE_EXTRA_CA_CERTS, and do what conntrack does; every other command still
// starts from the main bundle, with the caller's environment.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { generateTraffic, run, skipKernelTests, withNetns } from '@ctscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASES } from '../commands/conntrack-syntax/cases';
import { normalize, SideBySide } from '../commands/conntrack-syntax/side-by-side';

const TREE = pathToFileURL(fileURLToPath(new URL('../../../../scripts/lib/package/tree.mjs', import.meta.url))).href;
const WRITE_TREE = `
const [dir] = process.argv.slice(1);
const tree = await import(${JSON.stringify(TREE)});
await tree.writeRuntime(dir + '/lib/ctscope', tree.agentVersion());
tree.writeFile(dir + '/bin/ctscope', await tree.launcher(), 0o755);
`;
const execFileAsync = promisify(execFile);
const MISSING_CA_FILE = '/nonexistent/ctscope-test-ca.pem';
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

describe.skipIf(skipKernelTests())('the packaged launcher', () => {
  let dir = '';
  let bin = '';
  let main = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ctscope-launcher-'));
    await run(process.execPath, ['--input-type=module', '-e', WRITE_TREE, dir]);
    bin = join(dir, 'bin', 'ctscope');
    main = join(dir, 'lib', 'ctscope', 'ctscope.mjs');
  }, 120_000);
  afterAll(async () => {
    if (main && !existsSync(main) && existsSync(`${main}.away`)) renameSync(`${main}.away`, main);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Runs `fn` with the CLI's main bundle moved away: only commands with a bundle of their own still start. */
  async function withoutMainBundle<T>(fn: () => Promise<T>): Promise<T> {
    renameSync(main, `${main}.away`);
    try {
      return await fn();
    } finally {
      renameSync(`${main}.away`, main);
    }
  }

  for (const group of ['create', 'stdin', 'long batches'] as const) {
    it(`runs conntrack's command line from its own bundle, as conntrack does: the ${group} cases`, { timeout: 300_000 }, async () => {
      const steps = CASES[group] ?? [];
      expect(steps.length).toBeGreaterThan(0);
      const pair = await SideBySide.create([bin]);
      try {
        await withoutMainBundle(async () => {
          for (const [index, step] of steps.entries()) {
            const label = `${group} line ${index + 1}: ${step.args}`;
            const { conntrack, ctscope } = await pair.step(step);
            expect(ctscope.code, `${label}: exit code (ours said: ${ctscope.stderr.trim()}; conntrack: ${conntrack.stderr.trim()})`).toBe(conntrack.code);
            expect(normalize(ctscope.stdout), `${label}: output`).toEqual(normalize(conntrack.stdout));
            const tables = await pair.tables();
            expect(tables.ctscope, `${label}: entries left`).toEqual(tables.conntrack);
          }
        });
      } finally {
        await pair.destroy();
      }
    });
  }

  it('runs `ctscope list` from its own bundle: conntrack -L -o extended,id line for line', { timeout: 120_000 }, async () => {
    await withNetns(async (ns) => {
      await generateTraffic(ns, { tcp: 20, udp: 20, icmp: 4 });
      const { ours, theirs } = await withoutMainBundle(async () => {
        const ours = await ns.exec(bin, ['list', '-o', 'extended,id']);
        const theirs = await ns.conntrack(['-L', '-o', 'extended,id']);
        return { ours, theirs };
      });
      expect(normalize(theirs.stdout).length).toBeGreaterThanOrEqual(40);
      expect(normalize(ours.stdout)).toEqual(normalize(theirs.stdout));
    });
  });

  it('ships bundles that name nothing of this checkout (they find the addon beside themselves)', () => {
    for (const name of ['list.cjs', 'conntrack.cjs']) expect(readFileSync(join(dir, 'lib', 'ctscope', name), 'utf8'), name).not.toContain(ROOT);
  });

  it('leaves every other command to the main bundle, which it needs', async () => {
    await withoutMainBundle(async () => {
      for (const args of [['--version'], ['-V'], ['count'], ['stats']]) await expect(run(bin, args), args.join(' ')).rejects.toThrow(/ctscope\.mjs/);
    });
    expect((await run(bin, ['--version'])).stdout).toMatch(/^ctscope \d+\.\d+\.\d+\n$/);
  });

  it('finds its runtime however it is started: by path, relative, through PATH, through a symlink elsewhere, by sh', async () => {
    const links = await mkdtemp(join(tmpdir(), 'ctscope-launcher-links-'));
    try {
      // A symlink from another tree: its own ../lib/ctscope does not exist, so only resolving the link finds the runtime.
      await symlink(bin, join(links, 'ctscope'));
      const binDir = join(dir, 'bin');
      const starts: Array<[string, string, readonly string[], string?]> = [
        ['by its path', bin, ['--version']],
        ['relative to the working directory', './ctscope', ['--version'], binDir],
        ['through PATH', 'ctscope', ['--version']],
        ['through a symlink elsewhere', join(links, 'ctscope'), ['--version']],
        ['by sh with its name only', 'sh', ['ctscope', '--version'], binDir],
        ['through a symlink, a bundle of its own', join(links, 'ctscope'), ['-V']],
      ];
      for (const [how, command, args, cwd] of starts) {
        const { stdout } = await execFileAsync(command, [...args], { cwd, env: { ...process.env, PATH: `${binDir}:/usr/bin:/bin` } });
        expect(stdout, how).toMatch(/^ctscope \d+\.\d+\.\d+\n$/);
      }
      // The lean bundle's path through a symlink: a conntrack command line runs (it needs the addon beside it).
      const { stdout } = await run(join(links, 'ctscope'), ['-C']);
      expect(Number(stdout.trim())).toBeGreaterThanOrEqual(0);
    } finally {
      await rm(links, { recursive: true, force: true });
    }
  });

  it('starts the bundles of their own without NODE_EXTRA_CA_CERTS, the others with it', { timeout: 60_000 }, async () => {
    await withNetns(async (ns) => {
      const withCa = (args: readonly string[]) => ns.exec('env', [`NODE_EXTRA_CA_CERTS=${MISSING_CA_FILE}`, bin, ...args]);
      // Node warns at start about an extra CA file it cannot load: only a process started with the variable does.
      for (const args of [['-C'], ['conntrack', '-L'], ['list']]) expect((await withCa(args)).stderr, args.join(' ')).not.toContain(MISSING_CA_FILE);
      expect((await withCa(['--version'])).stderr).toContain(`Ignoring extra certs from \`${MISSING_CA_FILE}\``);
      expect((await withCa(['count'])).stderr).toContain(`Ignoring extra certs from \`${MISSING_CA_FILE}\``);
    });
  });
});
