import { z } from 'zod';
import { HASHSIZE_NAME, SYSCTL_NAME_PATTERN } from '../catalog/known';

const NAME_HELP = `use a full parameter name such as net.netfilter.nf_conntrack_max (lowercase letters, digits and "_" after "net.netfilter.nf_conntrack_"), or ${HASHSIZE_NAME}`;

/** A parameter name as requests carry it: no paths, no spaces, no other sysctl tree. */
export const SysctlNameSchema = z
  .string({ error: `must be a string: ${NAME_HELP}` })
  .max(96, `is too long: ${NAME_HELP}`)
  .refine((s) => s === HASHSIZE_NAME || SYSCTL_NAME_PATTERN.test(s), { error: `is not a conntrack parameter name: ${NAME_HELP}` });

/**
 * A value as people type it: an integer, or text — digits, a duration for timeouts ("1h", "30m",
 * "5d"), or a choice label for flags and modes ("on", "off", "auto").
 */
export const SysctlValueSchema = z.union(
  [
    z.number().int('must be a whole number').min(-(2 ** 53) + 1).max(2 ** 53 - 1),
    z.string().trim().min(1, 'must not be empty').max(32, 'is too long: give a number, a duration such as 1h, or on/off'),
  ],
  { error: 'must be a whole number, a duration such as "1h" for timeouts, or a choice such as "on"' },
);

export const SysctlChangeSchema = z.strictObject({ name: SysctlNameSchema, value: SysctlValueSchema });

/** What a caller asks for: several parameters changed as one transaction. */
export const SysctlChangeRequestSchema = z.strictObject({
  changes: z
    .array(SysctlChangeSchema)
    .min(1, 'must list at least one parameter to change')
    .max(64, 'lists too many parameters: at most 64 in one change')
    .refine((list) => new Set(list.map((c) => c.name)).size === list.length, { error: 'names a parameter more than once: give each parameter one value' }),
});

export type SysctlChange = z.infer<typeof SysctlChangeSchema>;
export type SysctlChangeRequest = z.infer<typeof SysctlChangeRequestSchema>;
