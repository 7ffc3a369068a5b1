import { z } from 'zod';
import { shellCommand } from '../quote';

const nftName = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'may contain only A-Z a-z 0-9 _ . - and must start with a letter or _');

/** A chain of the user's own nftables ruleset (we only ever show a command for it, never run it). */
export const userChainSchema = z.strictObject({
  family: z.enum(['inet', 'ip', 'ip6'], { error: 'must be inet, ip or ip6' }),
  table: nftName,
  chain: nftName,
});
export type UserChain = z.output<typeof userChainSchema>;

/**
 * In nftables an accept in our table does not stop another table's base chain from dropping the
 * packet, so a stateful user chain needs its own `ct state untracked accept`, placed before its state
 * rules. ctscope never edits the user's rules: this returns the command for the operator to run.
 */
export function userChainUntrackedAccept(input: unknown): { ok: true; command: string; ruleText: string } | { ok: false; errors: Array<{ field: string; message: string }> } {
  const parsed = userChainSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((i) => ({ field: i.path.map(String).join('.') || '(target)', message: i.message })) };
  const { family, table, chain } = parsed.data;
  const ruleText = 'ct state untracked accept';
  return { ok: true, ruleText, command: shellCommand(['nft', 'insert', 'rule', family, table, chain, ...ruleText.split(' ')]) };
}
