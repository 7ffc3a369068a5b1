/** Hand-built flows for the filter tests. */
import { STATUS_BITS, protoName, type Flow, type StatusFlag, type Tuple } from '../flow';

export interface FlowSpec {
  family?: Flow['family'];
  protoNum?: number;
  orig: Omit<Tuple, 'protoNum'>;
  reply?: Omit<Tuple, 'protoNum'>;
  status?: StatusFlag[];
  state?: string;
  mark?: number;
  zone?: number;
  id?: number;
  helper?: string;
}

export function makeFlow(spec: FlowSpec): Flow {
  const protoNum = spec.protoNum ?? 6;
  const status = spec.status ?? ['SEEN_REPLY', 'ASSURED', 'CONFIRMED'];
  const orig: Tuple = { ...spec.orig, protoNum };
  const reply: Tuple = spec.reply
    ? { ...spec.reply, protoNum }
    : { src: orig.dst, dst: orig.src, protoNum, ...(orig.dport !== undefined ? { sport: orig.dport } : {}), ...(orig.sport !== undefined ? { dport: orig.sport } : {}) };
  const flow: Flow = {
    family: spec.family ?? (orig.src.includes(':') ? 'ipv6' : 'ipv4'),
    proto: protoName(protoNum),
    protoNum,
    orig,
    reply,
    status: STATUS_BITS.filter((s) => status.includes(s)),
    statusBits: status.reduce((bits, s) => bits | (1 << STATUS_BITS.indexOf(s)), 0),
    timeout: 100,
    mark: spec.mark ?? 0,
    use: 1,
  };
  if (spec.state !== undefined) flow.state = spec.state;
  if (spec.zone !== undefined) flow.zone = spec.zone;
  if (spec.id !== undefined) flow.id = spec.id;
  if (spec.helper !== undefined) flow.helper = spec.helper;
  return flow;
}
