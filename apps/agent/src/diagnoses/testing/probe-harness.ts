import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { diagnosisReportSchema, type Diagnosis, type DiagnosisReport, type DeleteResult } from '@ctscope/protocol';
import type { Netns } from '@ctscope/testkit';

const PROBE = fileURLToPath(new URL('./diagnoses-probe.ts', import.meta.url));

export type DeleteAnswer = { ok: true; result: DeleteResult } | { ok: false; code: string; message: string };

export interface DiagnosesProbe {
  /** Every report so far (parsed with the protocol's schema, as the dashboard will). */
  readonly reports: DiagnosisReport[];
  /** The first diagnosis of a report that `pick` accepts, waiting for later reports. */
  waitFor(what: string, pick: (report: DiagnosisReport) => Diagnosis | undefined | null, timeoutMs: number): Promise<Diagnosis>;
  /** Waits until the latest report, or a later one, has no diagnosis `gone` accepts. */
  waitGone(what: string, gone: (d: Diagnosis) => boolean, timeoutMs: number): Promise<void>;
  deleteDryRun(query: string): Promise<DeleteAnswer>;
  deletePlan(planId: string): Promise<DeleteAnswer>;
  stop(): void;
}

/** Starts the agent's services in the namespace (see diagnoses-probe.ts) with these extra agent options. */
export async function startDiagnosesProbe(ns: Netns, args: readonly string[]): Promise<DiagnosesProbe> {
  // node with tsx's loader (not the tsx wrapper) so SIGTERM reaches the probe itself.
  const child = spawn('ip', ['netns', 'exec', ns.name, process.execPath, '--import', 'tsx', PROBE, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const reports: DiagnosisReport[] = [];
  const answers: DeleteAnswer[] = [];
  let ready = false;
  let err = '';
  let buffered = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const value = JSON.parse(line) as unknown;
      if (value === 'ready') ready = true;
      else if (typeof value === 'object' && value && 'report' in value) reports.push(diagnosisReportSchema.parse(value.report));
      else if (typeof value === 'object' && value && 'answer' in value) answers.push(value.answer as DeleteAnswer);
    }
  });
  const until = async <T>(what: string, get: () => T | undefined | null, timeoutMs: number): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = get();
      if (value !== undefined && value !== null) return value;
      if (child.exitCode !== null) throw new Error(`the probe exited (${child.exitCode}) waiting for ${what}: ${err.slice(-2_000)}`);
      if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms; last report: ${JSON.stringify(reports.at(-1))?.slice(0, 3_000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  await until('the probe to start', () => (ready ? true : null), 30_000);
  const command = async (cmd: object) => {
    const before = answers.length;
    child.stdin.write(`${JSON.stringify(cmd)}\n`);
    return until('an answer', () => answers[before], 30_000);
  };
  return {
    reports,
    waitFor: (what, pick, timeoutMs) => {
      let seen = 0;
      return until(what, () => {
        for (; seen < reports.length; seen++) {
          const found = pick(reports[seen] as DiagnosisReport);
          if (found) return found;
        }
        return null;
      }, timeoutMs);
    },
    waitGone: async (what, gone, timeoutMs) => {
      const from = Math.max(0, reports.length - 1);
      await until(what, () => (reports.slice(from).some((r) => !r.active.some(gone)) ? true : null), timeoutMs);
    },
    deleteDryRun: (query) => command({ op: 'dry', query }),
    deletePlan: (planId) => command({ op: 'plan', planId }),
    stop: () => child.kill('SIGTERM'),
  };
}
