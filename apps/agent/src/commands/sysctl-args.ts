import { fullParamName, resolvePaths, SysctlNameSchema, type SysctlPaths } from '@ctscope/sysctl';
import { splitArgs, UsageError, type OwnOption } from './args';
import { parseConfirmWithin } from './confirm-cli';

export const SYSCTL_ACTIONS = ['get', 'set', 'persist', 'rollback'] as const;
export type SysctlAction = (typeof SYSCTL_ACTIONS)[number];

const FLAGS = { json: ['get'], 'dry-run': ['set', 'persist', 'rollback'], 'free-idle': ['set'], yes: ['persist'], force: ['rollback'] } as const satisfies Record<string, readonly SysctlAction[]>;
const VALUES = ['audit-file', 'path.procfs', 'path.sysfs', 'path.rootfs', 'confirm-within'] as const;
const OPTIONS: OwnOption[] = [...Object.keys(FLAGS).map((name) => ({ name, takesValue: false })), ...VALUES.map((name) => ({ name, takesValue: true }))];

export interface SysctlArgs {
  action: SysctlAction;
  /** Names (get, persist) or NAME=VALUE words (set, persist), in order. */
  words: string[];
  json: boolean;
  dryRun: boolean;
  freeIdle: boolean;
  yes: boolean;
  force: boolean;
  /** `--confirm-within`: undone at this deadline unless confirmed (set only). */
  confirmWithinMs?: number;
  auditFile: string;
  paths: SysctlPaths;
}

/** `ctscope sysctl <action> ...`: the action, its words and options, each checked for the action. */
export function parseSysctlArgs(argv: readonly string[]): SysctlArgs {
  const [action, ...rest] = argv;
  if (action === undefined) throw new UsageError('name an action: get, set, persist or rollback');
  if (!(SYSCTL_ACTIONS as readonly string[]).includes(action)) throw new UsageError(`unknown action "${action}": use get, set, persist or rollback`);
  const act = action as SysctlAction;
  const { own, rest: words } = splitArgs(rest, OPTIONS);
  const unknown = words.find((w) => w.startsWith('-'));
  if (unknown !== undefined) throw new UsageError(`unknown option "${unknown}" for ctscope sysctl ${act}`);
  for (const [flag, actions] of Object.entries(FLAGS)) {
    if (own.has(flag) && !(actions as readonly string[]).includes(act)) throw new UsageError(`--${flag} does not apply to ctscope sysctl ${act} (only to ${actions.join(', ')})`);
  }
  if (own.has('confirm-within') && act !== 'set') throw new UsageError(`--confirm-within does not apply to ctscope sysctl ${act} (only to set)`);
  if (act === 'rollback' && words.length > 0) throw new UsageError('rollback takes no names: it undoes the last recorded change as a whole');
  if (act === 'set' && words.length === 0) throw new UsageError('give at least one NAME=VALUE to set, e.g. tcp_timeout_established=1h');
  const value = (name: (typeof VALUES)[number]) => {
    const v = own.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  let paths: SysctlPaths;
  try {
    paths = resolvePaths({ procfs: value('path.procfs') ?? '/proc', sysfs: value('path.sysfs') ?? '/sys', rootfs: value('path.rootfs') ?? '/' });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^paths\./, '--path.'));
  }
  return {
    action: act,
    words,
    json: own.has('json'),
    dryRun: own.has('dry-run'),
    freeIdle: own.has('free-idle'),
    yes: own.has('yes'),
    force: own.has('force'),
    ...(value('confirm-within') !== undefined ? { confirmWithinMs: parseConfirmWithin(value('confirm-within') as string) } : {}),
    auditFile: value('audit-file') ?? '/var/lib/ctscope/audit.jsonl',
    paths,
  };
}

/** A parameter name as typed ("max", "nf_conntrack_max" or the full name) → the full name, or a usage error. */
export function paramName(word: string): string {
  const name = fullParamName(word);
  const checked = SysctlNameSchema.safeParse(name);
  if (!checked.success) throw new UsageError(`"${word}" ${checked.error.issues[0]?.message ?? 'is not a conntrack parameter name'}`);
  return name;
}

/** `NAME=VALUE` → { name, value } with the value as typed (the catalog checks type and range). */
export function parseAssignment(word: string): { name: string; value: string } {
  const eq = word.indexOf('=');
  if (eq <= 0) throw new UsageError(`expected NAME=VALUE, got "${word}"`);
  const value = word.slice(eq + 1);
  if (value.trim() === '') throw new UsageError(`"${word}" has no value after "="`);
  return { name: paramName(word.slice(0, eq)), value };
}
