import type { RuleSpecDraft } from './rule-requests';

export type RuleKind = 'notrack' | 'state' | 'connlimit';

/** Everything the builder form holds, as typed (the agent validates; its errors name these fields). */
export interface RuleForm {
  kind: RuleKind;
  protocol: string;
  ports: string;
  direction: string;
  role: string;
  family: string;
  interface: string;
  source: string;
  destination: string;
  template: string;
  chain: string;
  logPrefix: string;
  rateCount: string;
  ratePer: string;
  above: string;
  mask: string;
  mask6: string;
  action: string;
  limitChain: string;
}

export const EMPTY_FORM: RuleForm = {
  kind: 'notrack',
  protocol: 'tcp',
  ports: '',
  direction: 'both',
  role: 'server',
  family: 'both',
  interface: '',
  source: '',
  destination: '',
  template: 'drop-invalid',
  chain: 'input',
  logPrefix: '',
  rateCount: '',
  ratePer: 'minute',
  above: '100',
  mask: '32',
  mask6: '128',
  action: 'reject',
  limitChain: 'input',
};

/** A connection-limit form for the family of a source picked from the top talkers (from ?src=), no interface. */
export function formForSource(src: string): RuleForm {
  return { ...EMPTY_FORM, kind: 'connlimit', family: src.includes(':') ? 'ipv6' : 'ipv4' };
}

/** Whole numbers go as numbers; anything else as typed, so the agent names the field that is wrong. */
const numberOrText = (text: string): number | string => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : text);
const put = (spec: RuleSpecDraft, key: string, text: string) => {
  if (text.trim() !== '') spec[key] = text.trim();
};

/** The spec the form describes, with empty optional fields left out. */
export function specFromForm(form: RuleForm): RuleSpecDraft {
  switch (form.kind) {
    case 'notrack': {
      const spec: RuleSpecDraft = { kind: 'notrack', protocol: form.protocol, ports: form.ports.trim(), direction: form.direction, role: form.role, family: form.family };
      put(spec, 'interface', form.interface);
      put(spec, 'source', form.source);
      put(spec, 'destination', form.destination);
      return spec;
    }
    case 'state': {
      const spec: RuleSpecDraft = { kind: 'state', template: form.template, chain: form.chain, family: form.family };
      if (form.template === 'log-new') {
        // A log prefix keeps its trailing space (it separates the prefix from the kernel's text).
        if (form.logPrefix.trim() !== '') spec.logPrefix = form.logPrefix;
        if (form.rateCount.trim() !== '') spec.rate = { count: numberOrText(form.rateCount), per: form.ratePer };
      }
      return spec;
    }
    case 'connlimit': {
      const spec: RuleSpecDraft = {
        kind: 'connlimit',
        protocol: form.protocol,
        above: numberOrText(form.above),
        mask: numberOrText(form.mask),
        mask6: numberOrText(form.mask6),
        action: form.action,
        chain: form.limitChain,
        family: form.family,
      };
      put(spec, 'ports', form.ports);
      put(spec, 'interface', form.interface);
      return spec;
    }
  }
}

/** "ports: must be a port number; source: not a CIDR" → { ports: "must be…", source: "not a CIDR" }. */
export function fieldErrors(message: string): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const part of message.split('; ')) {
    const m = /^([A-Za-z0-9_.()]+): (.+)$/.exec(part);
    if (m?.[1] && m[2] && !(m[1] in errors)) errors[m[1]] = m[2];
  }
  return errors;
}
