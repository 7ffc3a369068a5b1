import { z } from 'zod';
import { FAMILIES, PORT_PROTOCOLS, cidr, interfaceName, logPrefix, portList, rateLimit } from './primitives';

/**
 * NOTRACK semantics (the classic generator bug is emitting only one half of the pair).
 *
 * A spec describes connections by their ORIGINAL direction, as conntrack does: `source` is the
 * connection's initiator, `destination` its responder, `ports` the responder's (service) port.
 * `role` says which side this host is:
 *  - `server` (default): this host serves `ports`. Requests ARRIVE: raw PREROUTING `dport P`
 *    (saddr=source, daddr=destination, iif). Replies LEAVE: raw OUTPUT `sport P`
 *    (saddr=destination, daddr=source, oif).
 *  - `client`: this host connects to remote `ports`. Requests LEAVE: raw OUTPUT `dport P`
 *    (saddr=source, daddr=destination, oif). Replies ARRIVE: raw PREROUTING `sport P`
 *    (saddr=destination, daddr=source, iif).
 *  - `both`: the union (also what loopback traffic needs: a locally generated packet is assigned
 *    its conntrack entry in OUTPUT and keeps it when it comes back in through `lo`).
 * `direction` selects the halves: `inbound` = the PREROUTING rules, `outbound` = the OUTPUT rules,
 * `both` (default) = all of them. Only `both` stops tracking completely; a single half makes
 * conntrack create an entry for the other half's packets instead (reported as a warning).
 */
export const NOTRACK_ROLES = ['server', 'client', 'both'] as const;
export const DIRECTIONS = ['inbound', 'outbound', 'both'] as const;
export const FILTER_CHAINS = ['input', 'forward', 'output'] as const;
export type FilterChain = (typeof FILTER_CHAINS)[number];

const family = z.enum(FAMILIES, { error: `must be one of ${FAMILIES.join(', ')}` }).default('both');
const protocol = z.enum(PORT_PROTOCOLS, { error: `must be one of ${PORT_PROTOCOLS.join(', ')}` });
const filterChain = z.enum(FILTER_CHAINS, { error: `must be one of ${FILTER_CHAINS.join(', ')}` });

/** CIDRs pin the family: a v4 CIDR with family ipv6/both is refused rather than silently narrowed. */
function checkCidrFamilies(spec: { family: string; source?: { family: string } | undefined; destination?: { family: string } | undefined }, ctx: z.RefinementCtx): void {
  for (const field of ['source', 'destination'] as const) {
    const c = spec[field];
    if (c && c.family !== spec.family) {
      ctx.addIssue({ code: 'custom', path: [field], message: `is ${c.family} but family is ${spec.family}; set family to ${c.family}` });
    }
  }
  if (spec.source && spec.destination && spec.source.family !== spec.destination.family) {
    ctx.addIssue({ code: 'custom', path: ['destination'], message: 'must be the same address family as source' });
  }
}

export const notrackSpecSchema = z
  .strictObject({
    kind: z.literal('notrack'),
    protocol,
    ports: portList,
    direction: z.enum(DIRECTIONS, { error: `must be one of ${DIRECTIONS.join(', ')}` }).default('both'),
    role: z.enum(NOTRACK_ROLES, { error: `must be one of ${NOTRACK_ROLES.join(', ')}` }).default('server'),
    family,
    /** Matched as iifname on PREROUTING rules and oifname on OUTPUT rules. */
    interface: interfaceName.optional(),
    source: cidr.optional(),
    destination: cidr.optional(),
  })
  .superRefine(checkCidrFamilies);

/** The companion that lets untracked packets through a stateful filter chain. */
export const untrackedAcceptSpecSchema = z.strictObject({
  kind: z.literal('untracked-accept'),
  chain: filterChain,
  family,
});

export const STATE_TEMPLATES = ['drop-invalid', 'accept-established', 'log-new'] as const;

export const stateSpecSchema = z
  .strictObject({
    kind: z.literal('state'),
    template: z.enum(STATE_TEMPLATES, { error: `must be one of ${STATE_TEMPLATES.join(', ')}` }),
    chain: filterChain,
    family,
    logPrefix: logPrefix.optional(),
    rate: rateLimit.optional(),
  })
  .superRefine((spec, ctx) => {
    if (spec.template !== 'log-new' && (spec.logPrefix !== undefined || spec.rate !== undefined)) {
      ctx.addIssue({ code: 'custom', path: [spec.logPrefix !== undefined ? 'logPrefix' : 'rate'], message: 'only applies to the log-new template' });
    }
  });

export const LOG_INVALID_PREFIX = 'ctscope-invalid: ';
export const LOG_INVALID_RATE = { count: 10, per: 'second', burst: 5 } as const;

/**
 * Logs packets conntrack found INVALID (out-of-window TCP, bad checksums, ...) in our filter chains,
 * rate-limited, without dropping or accepting them: a look at what the `invalid` counter counts. A packet
 * crosses input or forward (never both), so the default logs each arriving INVALID packet once.
 */
export const logInvalidSpecSchema = z.strictObject({
  kind: z.literal('log-invalid'),
  /** A list, or comma-separated text as the command line gives it ("input,forward"). */
  chains: z
    .preprocess(
      (v) => (typeof v === 'string' && v.length <= 40 ? v.split(',').map((c) => c.trim()) : v),
      z
        .array(filterChain, { error: `must be a list of ${FILTER_CHAINS.join(', ')}` })
        .min(1, 'needs at least one chain')
        .max(FILTER_CHAINS.length, `at most ${FILTER_CHAINS.length} chains`),
    )
    // Sorted and unique, so the same set of chains gives the same rule id.
    .transform((chains) => FILTER_CHAINS.filter((c) => chains.includes(c)))
    .default(['input', 'forward']),
  family,
  logPrefix: logPrefix.default(LOG_INVALID_PREFIX),
  rate: rateLimit.default({ ...LOG_INVALID_RATE }),
});

export const CONNLIMIT_ACTIONS = ['reject', 'drop'] as const;

export const connlimitSpecSchema = z
  .strictObject({
    kind: z.literal('connlimit'),
    protocol,
    ports: portList.optional(),
    /** Matches once a source (masked by `mask`/`mask6`) holds more than `above` connections. */
    above: z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(1_000_000, 'must be at most 1000000'),
    mask: z.number().int('must be a whole number').min(0, 'must be 0-32').max(32, 'must be 0-32').default(32),
    mask6: z.number().int('must be a whole number').min(0, 'must be 0-128').max(128, 'must be 0-128').default(128),
    action: z.enum(CONNLIMIT_ACTIONS, { error: `must be one of ${CONNLIMIT_ACTIONS.join(', ')}` }).default('reject'),
    chain: z.enum(['input', 'forward'], { error: 'must be input or forward' }).default('input'),
    family,
    interface: interfaceName.optional(),
  });

export const ruleSpecSchema = z.discriminatedUnion(
  'kind',
  [notrackSpecSchema, untrackedAcceptSpecSchema, stateSpecSchema, connlimitSpecSchema, logInvalidSpecSchema],
  { error: 'kind must be one of notrack, untracked-accept, state, connlimit, log-invalid' },
);

export type NotrackSpec = z.output<typeof notrackSpecSchema>;
export type UntrackedAcceptSpec = z.output<typeof untrackedAcceptSpecSchema>;
export type StateSpec = z.output<typeof stateSpecSchema>;
export type ConnlimitSpec = z.output<typeof connlimitSpecSchema>;
export type LogInvalidSpec = z.output<typeof logInvalidSpecSchema>;
export type RuleSpec = z.output<typeof ruleSpecSchema>;
/** What callers send (ports as text or numbers, defaults omitted). */
export type RuleSpecInput = z.input<typeof ruleSpecSchema>;
