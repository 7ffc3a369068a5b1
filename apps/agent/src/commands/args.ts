/** Thrown for bad command lines; the CLI exits 2 like `conntrack` does. */
export class UsageError extends Error {}

export interface OwnOption {
  /** Long name without dashes, e.g. 'json'. */
  name: string;
  short?: string;
  takesValue: boolean;
}

export interface SplitArgs {
  own: Map<string, string | true>;
  /** Everything else, in order: handed to the `conntrack` filter parser. */
  rest: string[];
}

/**
 * Separates our own options from the `conntrack` filter flags, which keep their exact meaning.
 * Accepts `--name value`, `--name=value` and `-x value`.
 */
export function splitArgs(argv: readonly string[], options: readonly OwnOption[]): SplitArgs {
  const own = new Map<string, string | true>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const option = options.find((o) => flag === `--${o.name}` || (o.short !== undefined && flag === `-${o.short}`));
    if (!option) {
      rest.push(arg);
      continue;
    }
    if (!option.takesValue) {
      if (inline !== undefined) throw new UsageError(`${flag} takes no value`);
      own.set(option.name, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    own.set(option.name, value);
  }
  return { own, rest };
}

export interface OutputFormat {
  extended: boolean;
  id: boolean;
}

/** `-o extended,id` as conntrack reads it. */
export function parseOutputFormat(value: string | true | undefined): OutputFormat {
  const format = { extended: false, id: false };
  if (value === undefined) return format;
  if (value === true) throw new UsageError('-o needs a format: extended, id or extended,id');
  for (const part of value.split(',')) {
    if (part === 'extended') format.extended = true;
    else if (part === 'id') format.id = true;
    else throw new UsageError(`unknown output format "${part}": use extended, id or both (-o extended,id)`);
  }
  return format;
}
