import { userInfo } from 'node:os';
import type { Actor, RulePreview } from '@ctscope/protocol';
import { NetlinkSource } from '@ctscope/conntrack';
import { AuditLog, changeAuditor } from '../audit';
import { RulesService } from '../live/rules-service';
import { resolvePaths } from '@ctscope/sysctl';
import { splitArgs, UsageError } from './args';
import { ensureRoom, parseConfirmWithin, pendingNotice, spawnReverter } from './confirm-cli';

export const RULES_USAGE = `usage: ctscope rules <list|preview|add|remove> [options]

  ctscope rules list [--json]              our rules with live packet/byte counters
  ctscope rules preview KIND KEY=VALUE...  the exact commands, both syntaxes, and the impact
  ctscope rules add KIND KEY=VALUE... [--companions] [--confirm-within 2m]
                                           apply into our own table/chains (audited); with
                                           --confirm-within 30s|2m|1h it is removed again at that deadline
                                           unless confirmed ("ctscope confirm ID"), also with no agent running
  ctscope rules remove ID | --all          remove one rule (all its parts) or every rule of ours
  ctscope rules persist [--dry-run] [--file PATH]
                                           save our rules to the boot-time file (nft: /etc/nftables.d/ctscope.nft;
                                           iptables: /etc/iptables/ctscope.rules.v4|v6) and say how to load it

KIND and keys (as in the dashboard's rule builder):
  notrack     protocol=tcp|udp|sctp|... ports=80[,443|8000-8100] role=server|client|both
              direction=inbound|outbound|both family=ipv4|ipv6|both interface=eth0 source=CIDR destination=CIDR
  state       template=drop-invalid|accept-established|log-new chain=input|forward|output logPrefix=... rate=10/second[,burst=5]
  connlimit   protocol=tcp ports=22 above=100 mask=32 action=reject|drop chain=input|forward
  untracked-accept  chain=input|forward|output
  log-invalid chains=input,forward family=ipv4|ipv6|both logPrefix=...  (LOG packets in ctstate INVALID, 10/s)
--companions also applies the untracked-accept rules a NOTRACK needs in stateful filter chains.
Changes are recorded in --audit-file (default /var/lib/ctscope/audit.jsonl).`;

const NUMERIC_KEYS = new Set(['above', 'mask', 'mask6']);

/** `notrack protocol=tcp ports=80` → { kind: 'notrack', protocol: 'tcp', ports: '80' }; the rules schema validates it. */
export function specFromArgs(args: readonly string[]): Record<string, unknown> {
  const [kind, ...pairs] = args;
  if (!kind || kind.includes('=')) throw new UsageError('name the rule kind first: notrack, state, connlimit, untracked-accept or log-invalid');
  const spec: Record<string, unknown> = { kind };
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`expected KEY=VALUE, got "${pair}"`);
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    spec[key] = key === 'rate' ? rateFromArg(value) : NUMERIC_KEYS.has(key) && /^\d+$/.test(value) ? Number(value) : value;
  }
  return spec;
}

/**
 * `rate=10/second` or `rate=10/second,burst=20` → the schema's { count, per, burst }; any other text is
 * passed on as it is, for the schema to refuse with the field's name.
 */
function rateFromArg(value: string): unknown {
  const match = /^(\d+)\/([a-z]+)(?:,burst=(\d+))?$/.exec(value);
  if (!match) return value;
  const [, count, per, burst] = match;
  return { count: Number(count), per, ...(burst === undefined ? {} : { burst: Number(burst) }) };
}

function actor(): Actor {
  const user = process.env.SUDO_USER ?? userInfo().username;
  return { user, role: 'admin' };
}

function printPreview(preview: RulePreview): void {
  const out: string[] = [`${preview.summary}  (id ${preview.id}, applied as ${preview.syntax})`, '', 'nftables:', ...preview.nftCommands.map((c) => `  ${c}`), '', 'iptables:', ...preview.iptablesCommands.map((c) => `  ${c}`)];
  for (const companion of preview.companions) out.push('', `companion: ${companion.summary}`, ...(preview.syntax === 'nft' ? companion.nftCommands : companion.iptablesCommands).map((c) => `  ${c}`));
  if (preview.impact) out.push('', `impact: ${preview.impact.matchedCount} current entries match (they stay until they expire or are deleted)`);
  for (const w of preview.warnings) out.push(`${w.severity}: ${w.message}`);
  for (const note of preview.notes) out.push(`note: ${note}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

export async function rulesCommand(argv: readonly string[]): Promise<number> {
  const [action, ...rest] = argv;
  const auditIndex = rest.indexOf('--audit-file');
  const auditFile = auditIndex >= 0 ? rest[auditIndex + 1] : '/var/lib/ctscope/audit.jsonl';
  if (auditFile === undefined) throw new UsageError('--audit-file needs a path');
  const args = auditIndex >= 0 ? [...rest.slice(0, auditIndex), ...rest.slice(auditIndex + 2)] : rest;
  const auditLog = await AuditLog.open({ path: auditFile, via: 'cli' });
  const auditor = changeAuditor(auditLog, 'cli');
  try {
    const service = new RulesService(() => [], auditor);
    switch (action) {
      case 'list': {
        const list = await service.list();
        if (args.includes('--json')) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        else if (list.groups.length === 0) process.stdout.write(`no ctscope rules (${list.backend})\n`);
        else for (const g of list.groups) process.stdout.write(`${g.id}  ${g.packets} packets  ${g.bytes} bytes\n${g.rules.map((r) => `    ${r.table} ${r.chain}: ${r.text}`).join('\n')}\n`);
        return 0;
      }
      case 'preview': {
        const source = new NetlinkSource();
        const dumped = await source.dump().finally(() => source.close());
        const now = Date.now();
        const withTable = new RulesService(() => dumped.map((flow) => ({ flow, seenAt: now })), auditor);
        const preview = await withTable.preview(specFromArgs(args));
        if (!preview.ok) throw new UsageError(preview.message);
        printPreview(preview.data);
        return 0;
      }
      case 'add': {
        const withCompanions = args.includes('--companions');
        const { own, rest: words } = splitArgs(args.filter((a) => a !== '--companions'), [{ name: 'confirm-within', takesValue: true }]);
        const within = own.get('confirm-within');
        const confirmWithinMs = typeof within === 'string' ? parseConfirmWithin(within) : undefined;
        const paths = resolvePaths({});
        if (confirmWithinMs !== undefined) await ensureRoom(auditLog, paths);
        const result = await service.apply(actor(), specFromArgs(words), withCompanions, confirmWithinMs);
        if (!result.ok) {
          if (result.code === 'BAD_REQUEST') throw new UsageError(result.message);
          process.stderr.write(`ctscope: ${result.message}\n`);
          return 1;
        }
        const { id, changed, rules, companions } = result.data;
        process.stdout.write(`${changed ? 'applied' : 'already in place'}: ${id} (${rules} kernel rules)${companions.length ? `; companions ${companions.join(', ')}` : ''}\n`);
        if (result.data.changeId !== undefined && result.data.confirmBy !== undefined) {
          const pid = spawnReverter(result.data.changeId, auditFile, {});
          process.stdout.write(`${pendingNotice(result.data.changeId, result.data.confirmBy, 'removed', pid)}\n`);
        } else if (confirmWithinMs !== undefined) process.stdout.write('nothing to confirm: the rule was in place already, and stays\n');
        return 0;
      }
      case 'remove': {
        const [target] = args;
        if (!target) throw new UsageError('name the rule id to remove, or --all');
        if (target !== '--all' && !/^[0-9a-f]{12}$/.test(target)) throw new UsageError(`"${target}" is not a rule id (12 hex digits, see ctscope rules list)`);
        const result = await service.remove(actor(), target === '--all' ? { all: true } : { id: target });
        if (!result.ok) {
          process.stderr.write(`ctscope: ${result.message}\n`);
          return 1;
        }
        process.stdout.write(`removed ${result.data.removed} rules\n`);
        return 0;
      }
      case 'persist': {
        const fileIndex = args.indexOf('--file');
        const file = fileIndex >= 0 ? args[fileIndex + 1] : undefined;
        if (fileIndex >= 0 && file === undefined) throw new UsageError('--file needs a path');
        const dryRun = args.includes('--dry-run');
        const result = await service.persist(actor(), { dryRun, ...(file ? { paths: { nft: file } } : {}) });
        if (!result.ok) {
          if (result.code === 'BAD_REQUEST') throw new UsageError(result.message);
          process.stderr.write(`ctscope: ${result.message}\n`);
          return 1;
        }
        for (const f of result.data) {
          if (dryRun) process.stdout.write(`# ${f.path}\n${f.content}\n`);
          else process.stdout.write(`saved ${f.path}\n`);
          process.stdout.write(`to load it at boot: ${f.loadAtBoot}\n`);
        }
        return 0;
      }
      default:
        throw new UsageError(action === undefined ? 'name an action: list, preview, add, remove or persist' : `unknown action "${action}"`);
    }
  } finally {
    await auditLog.close();
  }
}
