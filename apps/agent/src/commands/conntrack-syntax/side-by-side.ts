/**
 * Runs the same conntrack command line through the real `conntrack` in one namespace and through
 * ctscope in another with the same state, for the compatibility kernel tests.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createNetns, type Netns } from '@ctscope/testkit';

const CTSCOPE = fileURLToPath(new URL('../../../bin/ctscope.mjs', import.meta.url));

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** One line of a case: a command line, the class conntrack itself gives it, and optionally stdin or a pipe. */
export interface Step {
  args: string;
  expect: 'ok' | 'bad';
  /** Lines fed on stdin (a `-R -` batch). */
  stdin?: string[];
  /** A command whose output, after the substitutions, is fed on stdin (the suite's `-L -o save | sed | -R -`). */
  pipeFrom?: { args: string; replace: Array<[RegExp, string]> };
}

/** Timeouts tick, ids and reference counts differ between two namespaces: compare what is left. */
export function normalize(text: string): string[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) =>
      line
        .replace(/-t \d+/, '-t T')
        .replace(/^((?:ipv[46]\s+\d+\s+)?\S+\s+\d+\s+)\d+ /, '$1T ')
        .replace(/ use=\d+/, ' use=N')
        .replace(/ id=\d+$/, ' id=ID'),
    )
    .sort();
}

export class SideBySide {
  private constructor(
    readonly conntrackNs: Netns,
    readonly ctscopeNs: Netns,
    private readonly scratch: string,
    private readonly ctscope: readonly string[],
  ) {}

  /** `ctscope`: how ours is started (default: the checkout's bin/ctscope.mjs; the packaged launcher's tests pass theirs). */
  static async create(ctscope: readonly string[] = [process.execPath, CTSCOPE]): Promise<SideBySide> {
    const a = await createNetns({ hooks: false });
    try {
      const b = await createNetns({ hooks: false });
      return new SideBySide(a, b, mkdtempSync(`${tmpdir()}/ctscope-compat-`), ctscope);
    } catch (err) {
      await a.destroy();
      throw err;
    }
  }

  async destroy(): Promise<void> {
    rmSync(this.scratch, { recursive: true, force: true });
    await Promise.allSettled([this.conntrackNs.destroy(), this.ctscopeNs.destroy()]);
  }

  /** A program inside a namespace; stdin is a file because conntrack opens /dev/stdin, which a socket pair cannot be. */
  run(ns: Netns, program: 'conntrack' | 'ctscope', args: readonly string[], stdin = ''): Promise<Result> {
    const file = `${this.scratch}/stdin-${ns.name}`;
    writeFileSync(file, stdin);
    const fd = openSync(file, 'r');
    const argv = program === 'conntrack' ? ['conntrack', ...args] : [...this.ctscope, ...args];
    return new Promise((resolve) => {
      const child = spawn('ip', ['netns', 'exec', ns.name, ...argv], { stdio: [fd, 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => {
        closeSync(fd);
        resolve({ code: code ?? -1, stdout, stderr });
      });
    });
  }

  /** The step in both namespaces: conntrack's result and ours. */
  async step(step: Step): Promise<{ conntrack: Result; ctscope: Result; piped?: { conntrack: Result; ctscope: Result } }> {
    const args = step.args.split(/\s+/).filter(Boolean);
    const inputOf = async (ns: Netns, program: 'conntrack' | 'ctscope'): Promise<{ input: string; piped?: Result }> => {
      if (step.stdin) return { input: `${step.stdin.join('\n')}\n` };
      if (!step.pipeFrom) return { input: '' };
      const piped = await this.run(ns, program, step.pipeFrom.args.split(/\s+/).filter(Boolean));
      const input = step.pipeFrom.replace.reduce((text, [from, to]) => text.replace(from, to), piped.stdout);
      return { input, piped };
    };
    const [a, b] = await Promise.all([inputOf(this.conntrackNs, 'conntrack'), inputOf(this.ctscopeNs, 'ctscope')]);
    const [conntrack, ctscope] = await Promise.all([this.run(this.conntrackNs, 'conntrack', args, a.input), this.run(this.ctscopeNs, 'ctscope', args, b.input)]);
    return { conntrack, ctscope, ...(a.piped && b.piped ? { piped: { conntrack: a.piped, ctscope: b.piped } } : {}) };
  }

  /** Both tables as `conntrack -L -o save` reads them (the real conntrack reads both). */
  async tables(): Promise<{ conntrack: string[]; ctscope: string[] }> {
    const [a, b] = await Promise.all([this.run(this.conntrackNs, 'conntrack', ['-L', '-o', 'save']), this.run(this.ctscopeNs, 'conntrack', ['-L', '-o', 'save'])]);
    return { conntrack: normalize(a.stdout), ctscope: normalize(b.stdout) };
  }
}
