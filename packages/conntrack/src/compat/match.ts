/** Which entries a conntrack command line selects: conntrack 1.4.7's nfct_filter() and its update filter, over Flows. */
import { parseAddressCached } from '../filter/address';
import type { Flow, Tuple } from '../flow';
import { optBit } from './options';
import { hasOption, type Address, type CtCommand, type NatTemplate, type TupleTemplate } from './parse';

const sameAddress = (text: string, family: Flow['family'], want: Address, mask?: Address): boolean => {
  if (family !== want.family) return false;
  const got = parseAddressCached(text);
  if (!got) return false;
  return want.words.every((w, i) => {
    const m = mask?.words[i] ?? 0xffffffff;
    return (((got.words[i] ?? 0) & m) >>> 0) === ((w & m) >>> 0);
  });
};

/** The options conntrack compares an entry's attributes with (CT_COMPARISON). */
const COMPARISON = ['p', 's', 'd', 'r', 'q', 'm', 'c', 'u', 'i', 'w', 'l', '(', ')'].reduce((bits, l) => bits | optBit(l as Parameters<typeof optBit>[0]), 0);

function tupleMatches(want: TupleTemplate, got: Tuple, family: Flow['family'], skipSrc: boolean, skipDst: boolean): boolean {
  if (want.src && !skipSrc && !sameAddress(got.src, family, want.src)) return false;
  if (want.dst && !skipDst && !sameAddress(got.dst, family, want.dst)) return false;
  if (want.sport !== undefined && got.sport !== want.sport) return false;
  if (want.dport !== undefined && got.dport !== want.dport) return false;
  if (want.icmpType !== undefined && got.icmpType !== want.icmpType) return false;
  if (want.icmpCode !== undefined && got.icmpCode !== want.icmpCode) return false;
  if (want.icmpId !== undefined && got.icmpId !== want.icmpId) return false;
  return true;
}

/** The state number conntrack compares (tcp/sctp/dccp), from the name the decoder gave. */
function stateNumber(cmd: CtCommand, flow: Flow): number | undefined {
  if (flow.state === undefined) return undefined;
  const states = cmd.proto?.handler?.states;
  const index = states ? states.indexOf(flow.state) : -1;
  return index < 0 ? undefined : index;
}

function natSide(want: NatTemplate | undefined, rewritten: boolean, portRewritten: boolean, address: string, port: number | undefined, family: Flow['family']): boolean {
  if (!want) return false;
  if (want.address === undefined && want.port === undefined) return rewritten || portRewritten;
  let ok = want.address === undefined || (rewritten && sameAddress(address, family, want.address));
  if (want.port !== undefined) ok &&= portRewritten && port === want.port;
  return ok;
}

/** filter_nat(): --src-nat / --dst-nat / --any-nat, each with an optional address and port. */
function natMatches(cmd: CtCommand, flow: Flow): boolean {
  const any = hasOption(cmd, 'j');
  const checkSrc = any || hasOption(cmd, 'n');
  const checkDst = any || hasOption(cmd, 'g');
  if (!checkSrc && !checkDst) return true;
  const { orig, reply } = flow;
  const isSnat = orig.src !== reply.dst;
  const isSpat = orig.sport !== reply.dport;
  const isDnat = orig.dst !== reply.src;
  const isDpat = orig.dport !== reply.sport;
  const src = checkSrc && natSide(cmd.snat, isSnat, isSpat, reply.dst, reply.dport, flow.family);
  const dst = checkDst && natSide(cmd.dnat, isDnat, isDpat, reply.src, reply.sport, flow.family);
  if (any) return src || dst;
  if (checkSrc && checkDst) return src && dst;
  return checkSrc ? src : dst;
}

/** filter_network(): --mask-src / --mask-dst (also set by -s/-d with a CIDR prefix). */
function networkMatches(cmd: CtCommand, flow: Flow): boolean {
  if (cmd.srcMask && cmd.orig.src && !sameAddress(flow.orig.src, flow.family, cmd.orig.src, cmd.srcMask)) return false;
  if (cmd.dstMask && cmd.orig.dst && !sameAddress(flow.orig.dst, flow.family, cmd.orig.dst, cmd.dstMask)) return false;
  if ((cmd.srcMask || cmd.dstMask) && flow.family !== cmd.family) return false;
  return true;
}

/** Attribute comparison (nfct_cmp with NFCT_CMP_ALL | NFCT_CMP_MASK) of every attribute the command set. */
function attributesMatch(cmd: CtCommand, flow: Flow): boolean {
  const origFamilySet = hasOption(cmd, 's') || hasOption(cmd, 'd') || hasOption(cmd, 'n') || hasOption(cmd, 'g');
  if ((origFamilySet || hasOption(cmd, 'r') || hasOption(cmd, 'q')) && cmd.family !== undefined && flow.family !== cmd.family) return false;
  if (cmd.proto && flow.protoNum !== cmd.proto.num) return false;
  if (!tupleMatches(cmd.orig, flow.orig, flow.family, cmd.srcMask !== undefined, cmd.dstMask !== undefined)) return false;
  if (!tupleMatches(cmd.reply, flow.reply, flow.family, false, false)) return false;
  if (cmd.state !== undefined && stateNumber(cmd, flow) !== cmd.state) return false;
  if (cmd.status !== undefined && (flow.statusBits & cmd.status) !== cmd.status) return false;
  if (cmd.timeout !== undefined && flow.timeout !== cmd.timeout) return false;
  if (cmd.zone !== undefined && (flow.zone ?? 0) !== cmd.zone) return false;
  if (cmd.origZone !== undefined && (flow.orig.zone ?? 0) !== cmd.origZone) return false;
  if (cmd.replyZone !== undefined && (flow.reply.zone ?? 0) !== cmd.replyZone) return false;
  if (cmd.id !== undefined && flow.id !== undefined && flow.id !== cmd.id) return false;
  return true;
}

/** nfct_filter() of -L and -D (after the kernel's own family, mark and status filters). */
export function listFilterMatches(cmd: CtCommand, flow: Flow): boolean {
  if (!natMatches(cmd, flow)) return false;
  if (cmd.mark && ((flow.mark ?? 0) & cmd.mark.mask) >>> 0 !== cmd.mark.value) return false;
  if (!networkMatches(cmd, flow)) return false;
  if (cmd.options & COMPARISON && !attributesMatch(cmd, flow)) return false;
  return true;
}

/** The entries -U changes: NAT, networks, id, and the original / reply tuple given (mark and status are what it sets). */
export function updateFilterMatches(cmd: CtCommand, flow: Flow): boolean {
  if (!natMatches(cmd, flow) || !networkMatches(cmd, flow)) return false;
  if (cmd.id !== undefined && flow.id !== undefined && flow.id !== cmd.id) return false;
  const protoMatches = !cmd.proto || flow.protoNum === cmd.proto.num;
  if (hasOption(cmd, 's') || hasOption(cmd, 'd') || hasOption(cmd, 'p')) {
    if (cmd.family !== undefined && (hasOption(cmd, 's') || hasOption(cmd, 'd')) && flow.family !== cmd.family) return false;
    if (!protoMatches || !tupleMatches(cmd.orig, flow.orig, flow.family, cmd.srcMask !== undefined, cmd.dstMask !== undefined)) return false;
  }
  if (hasOption(cmd, 'r') || hasOption(cmd, 'q') || hasOption(cmd, 'p')) {
    if (cmd.family !== undefined && (hasOption(cmd, 'r') || hasOption(cmd, 'q')) && flow.family !== cmd.family) return false;
    if (!protoMatches || !tupleMatches(cmd.reply, flow.reply, flow.family, false, false)) return false;
  }
  return true;
}
