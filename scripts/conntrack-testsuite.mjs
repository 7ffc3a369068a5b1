#!/usr/bin/env node
// Runs conntrack-tools' command-line test suite (files of `ARGS ; OK|BAD` lines, as in
// tests/conntrack/testsuite/ of netfilter's conntrack-tools) line by line, with ctscope in place of
// conntrack, and counts OK/BAD the way its test-conntrack.c does. Each run gets a throwaway network
// namespace (deleted at the end, even on failure), so the host's own table is never touched.
// Lines ending in `;` alone gather as one `-R -` batch on stdin; `; |SED` pipes into the next line.
//
//   sudo node scripts/conntrack-testsuite.mjs DIR_OR_FILES...            # ctscope
//   sudo node scripts/conntrack-testsuite.mjs --conntrack DIR_OR_FILES... # the real conntrack, to compare
//
// Nothing runs through a shell: pipes and the suite's `sed "s/A/B/g; ..."` steps are done here.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);
const CTSCOPE = fileURLToPath(new URL('../apps/agent/bin/ctscope.mjs', import.meta.url));

const args = process.argv.slice(2);
const useConntrack = args[0] === '--conntrack';
const paths = useConntrack ? args.slice(1) : args;
if (paths.length === 0) {
  process.stderr.write('usage: conntrack-testsuite.mjs [--conntrack] TESTSUITE_DIR|FILE...\n');
  process.exit(2);
}
const files = paths.flatMap((p) => (statSync(p).isDirectory() ? readdirSync(p).filter((f) => !f.startsWith('.')).sort().map((f) => `${p}/${f}`) : [p]));
const program = useConntrack ? ['conntrack'] : [process.execPath, CTSCOPE];

/** One `sed` expression list as the suite writes them: `s/A/B/g; s/C/D/g`. */
function sed(script, text) {
  let out = text;
  for (const part of script.split(';').map((s) => s.trim()).filter(Boolean)) {
    const m = /^s\/((?:[^/\\]|\\.)*)\/((?:[^/\\]|\\.)*)\/(g?)$/.exec(part);
    if (!m) throw new Error(`unsupported sed expression "${part}"`);
    out = out.split('\n').map((line) => line.replace(new RegExp(m[1], m[3] ? 'g' : ''), m[2])).join('\n');
  }
  return out;
}

const scratch = mkdtempSync(`${tmpdir()}/ct-testsuite-`);

/**
 * Runs argv inside the namespace with `input` on stdin; resolves with stdout and the exit status.
 * Stdin is a file, not Node's socket pair: conntrack opens /dev/stdin, which a socket cannot be.
 */
function runIn(ns, argv, input) {
  const inputFile = `${scratch}/stdin`;
  writeFileSync(inputFile, input ?? '');
  const fd = openSync(inputFile, 'r');
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'exec', ns, ...program, ...argv], { stdio: [fd, 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('close', (code, signal) => {
      closeSync(fd);
      resolve({ stdout, code: code ?? (signal ? 128 : 1) });
    });
  });
}

/** The commands of one file, as test-conntrack.c builds them: each with stdin lines and pipe steps. */
function parseSuite(text) {
  const steps = [];
  let batch = null;
  let pipeline = [];
  text.split('\n').forEach((raw, index) => {
    if (raw === '' && index === text.split('\n').length - 1) return;
    if (raw.startsWith('#') || raw.startsWith(' ')) return;
    const semi = raw.indexOf(';');
    if (semi < 0) throw new Error(`malformed line ${index + 1}: ${raw}`);
    const argsText = raw.slice(0, semi);
    const res = raw.slice(semi + 1).replace(/^[ \t]+/, '');
    const kind = res[0] ?? '\n';
    const opt = res.slice(1).replace(/^[ \t]+/, '');
    if (kind === '\n' || kind === undefined || res === '') {
      batch = batch === null ? [argsText] : [...batch, argsText];
      return;
    }
    const words = argsText.split(/[ \t]+/).filter(Boolean);
    if (kind === '|') {
      pipeline.push({ words, sed: opt });
      return;
    }
    steps.push({ line: index + 1, text: argsText, stdin: batch, pipeline, words, expect: kind });
    batch = null;
    pipeline = [];
  });
  return steps;
}

async function main() {
  const ns = `ctst-${process.pid}-${randomBytes(3).toString('hex')}`;
  await execFileP('ip', ['netns', 'add', ns]);
  const cleanup = () => execFileP('ip', ['netns', 'del', ns]).catch(() => undefined);
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  let ok = 0;
  let bad = 0;
  const perFile = [];
  try {
    for (const file of files) {
      let fileOk = 0;
      let fileBad = 0;
      for (const step of parseSuite(readFileSync(file, 'utf8'))) {
        let input = step.stdin === null ? undefined : `${step.stdin.join('\n')}\n`;
        for (const stage of step.pipeline) {
          const { stdout } = await runIn(ns, stage.words, input);
          input = stage.sed ? sed(stage.sed, stdout) : stdout;
        }
        const { code } = await runIn(ns, step.words, input);
        process.stdout.write(`(${step.line}) Executing: ${step.text}\n`);
        if ((code === 0) === (step.expect === 'O')) {
          ok++;
          fileOk++;
        } else {
          bad++;
          fileBad++;
          process.stdout.write('^----- BAD\n');
        }
        process.stdout.write('=====\n');
      }
      perFile.push(`${file.split('/').pop()}: OK ${fileOk} BAD ${fileBad}`);
    }
  } finally {
    await cleanup();
    rmSync(scratch, { recursive: true, force: true });
  }
  process.stdout.write(`${perFile.join('\n')}\nOK: ${ok} BAD: ${bad}\n`);
  return bad === 0 ? 0 : 1;
}

process.exitCode = await main();
