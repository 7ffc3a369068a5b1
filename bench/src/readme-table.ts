import { readFile, rename, writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { growthText, type BenchResult } from './results';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

/** The machine a table was measured on, in one line. */
export function machineLine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, kernel ${release()}, Node ${process.versions.node}; load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} at the end`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

export function markdownTable(results: readonly BenchResult[]): string {
  const rows = results.map((r) => `| ${cell(r.name)} | ${r.value} ${cell(r.unit)} | ${r.baseline === null ? '' : `${r.baseline} ${cell(r.unit)}`} | ${r.ratio ?? ''} | ${growthText(r)} | ${cell(r.goal)} | ${r.met === null ? '' : r.met ? 'met' : '**not met**'} |`);
  return ['| benchmark | value | baseline | ratio | growth | goal | |', '| --- | --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}

/** Replaces the README's bench section (between its markers) with this table, its date and machine. */
export async function writeReadmeTable(results: readonly BenchResult[], notes: readonly string[]): Promise<void> {
  const text = await readFile(README, 'utf8');
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  if (from < 0 || to < from) throw new Error(`README.md has no ${START} … ${END} section for the bench table`);
  const section = [`${START}`, `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machineLine()}.`, '', markdownTable(results), '', ...notes.map((n) => `- ${n}`), END].join('\n');
  await writeFile(`${README}.tmp`, text.slice(0, from) + section + text.slice(to + END.length));
  await rename(`${README}.tmp`, README);
}
