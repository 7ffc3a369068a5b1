import { FilterArgsError, FilterNotExpressibleError, FilterSyntaxError } from '@ctscope/conntrack';
import { UsageError } from '../commands/args';

/** Shows a query with a caret line under the offending token. */
function pointAt(error: FilterSyntaxError, query: string | undefined): string {
  if (query === undefined) return error.message;
  const width = Math.max(1, error.end - error.start);
  return `${error.expected}\n  ${query}\n  ${' '.repeat(error.start)}${'^'.repeat(width)}`;
}

function queryOf(argv: readonly string[]): string | undefined {
  const i = argv.findIndex((a) => a === '--query' || a.startsWith('--query='));
  if (i < 0) return undefined;
  const arg = argv[i] as string;
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[i + 1];
}

function fail(code: number, message: string): number {
  process.stderr.write(`ctscope: ${message}\n`);
  return code;
}

/**
 * Prints a command's error and returns the exit code, as conntrack does: 2 for bad arguments (a bad
 * query points at its token; usage errors repeat the usage), 1 for anything else. Kept free of the
 * agent's dependencies so `ctscope list`'s own bundle can share it.
 */
export function reportCommandError(err: unknown, argv: readonly string[], usage: string, isUsageError: (err: unknown) => boolean = (e) => e instanceof UsageError): number {
  if (err instanceof FilterSyntaxError) return fail(2, `bad query: ${pointAt(err, queryOf(argv))}`);
  if (err instanceof FilterArgsError || err instanceof FilterNotExpressibleError) return fail(2, err.message);
  if (isUsageError(err)) return fail(2, `${(err as Error).message}\n\n${usage}`);
  return fail(1, err instanceof Error ? err.message : String(err));
}
