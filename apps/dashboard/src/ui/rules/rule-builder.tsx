'use client';

import { ChoiceField, TextField } from './rule-fields';
import type { RuleForm, RuleKind } from './rule-form-state';

const PROTOCOLS = ['tcp', 'udp', 'sctp', 'udplite', 'dccp'];
const FAMILIES = [
  { value: 'both', label: 'IPv4 and IPv6' },
  { value: 'ipv4', label: 'IPv4' },
  { value: 'ipv6', label: 'IPv6' },
];
const KINDS: { kind: RuleKind; label: string; help: string }[] = [
  { kind: 'notrack', label: 'NOTRACK', help: 'Exempt traffic from connection tracking (raw table, before conntrack).' },
  { kind: 'state', label: 'State match', help: 'Templates on the connection state: drop INVALID, accept ESTABLISHED,RELATED, log NEW.' },
  { kind: 'connlimit', label: 'Connection limit', help: 'Refuse new connections from a source that already holds more than N.' },
];

interface Props {
  form: RuleForm;
  errors: Record<string, string>;
  onChange(field: keyof RuleForm, value: string): void;
  sourceHint: string | null;
  hostId: string;
}

/** The rule builder: a kind, then its fields. */
export function RuleBuilder({ form, errors, onChange, sourceHint, hostId }: Props) {
  const common = { form, errors, onChange };
  const kind = KINDS.find((k) => k.kind === form.kind);
  return (
    <div className="rule-builder">
      <div className="kind-picker" role="radiogroup" aria-label="Rule kind">
        {KINDS.map((k) => (
          <label key={k.kind} className={form.kind === k.kind ? 'kind-option selected' : 'kind-option'}>
            <input type="radio" name="rule-kind" value={k.kind} checked={form.kind === k.kind} onChange={() => onChange('kind', k.kind)} />
            {k.label}
          </label>
        ))}
      </div>
      {kind && <p className="muted small">{kind.help}</p>}
      {errors.kind && <p className="error small">kind: {errors.kind}</p>}

      {form.kind === 'notrack' && (
        <div className="rule-fields">
          <ChoiceField {...common} field="protocol" label="Protocol" options={PROTOCOLS} />
          <TextField {...common} field="ports" label="Ports" placeholder="80 · 80,443 · 8000-8100" />
          <ChoiceField
            {...common}
            field="direction"
            label="Direction"
            hint="both: PREROUTING and OUTPUT (stops tracking completely)"
            options={[
              { value: 'both', label: 'both' },
              { value: 'inbound', label: 'inbound (PREROUTING only)' },
              { value: 'outbound', label: 'outbound (OUTPUT only)' },
            ]}
          />
          <ChoiceField
            {...common}
            field="role"
            label="This host is the"
            options={[
              { value: 'server', label: 'server (serves these ports)' },
              { value: 'client', label: 'client (connects to them)' },
              { value: 'both', label: 'both (also loopback)' },
            ]}
          />
          <ChoiceField {...common} field="family" label="Family" options={FAMILIES} />
          <TextField {...common} field="interface" label="Interface (optional)" placeholder="eth0" />
          <TextField {...common} field="source" label="Source CIDR (optional)" placeholder="10.0.0.0/8" hint="the connection's initiator" />
          <TextField {...common} field="destination" label="Destination CIDR (optional)" placeholder="192.0.2.10/32" hint="the connection's responder" />
        </div>
      )}

      {form.kind === 'state' && (
        <div className="rule-fields">
          <ChoiceField
            {...common}
            field="template"
            label="Template"
            options={[
              { value: 'drop-invalid', label: 'drop INVALID' },
              { value: 'accept-established', label: 'accept ESTABLISHED,RELATED' },
              { value: 'log-new', label: 'log NEW' },
            ]}
          />
          <ChoiceField {...common} field="chain" label="Chain" options={['input', 'forward', 'output']} />
          <ChoiceField {...common} field="family" label="Family" options={FAMILIES} />
          {form.template === 'log-new' && (
            <>
              <TextField {...common} field="logPrefix" label="Log prefix (optional)" placeholder="ct-new: " />
              <TextField {...common} field="rateCount" specField="rate" label="Rate limit (optional)" placeholder="10" />
              <ChoiceField {...common} field="ratePer" specField="rate.per" label="per" options={['second', 'minute', 'hour', 'day']} />
            </>
          )}
        </div>
      )}

      {form.kind === 'connlimit' && (
        <div className="rule-fields">
          <ChoiceField {...common} field="protocol" label="Protocol" options={PROTOCOLS} />
          <TextField {...common} field="ports" label="Ports (optional)" placeholder="443" />
          <TextField
            {...common}
            field="above"
            label="Above (connections per source)"
            hint={
              <>
                Sources holding the most entries are listed on the <a href={`/hosts/${encodeURIComponent(hostId)}`}>host page</a> (top talkers).
              </>
            }
          />
          <TextField {...common} field="mask" label="IPv4 prefix" hint="32: per address; 24: per /24" />
          <TextField {...common} field="mask6" label="IPv6 prefix" hint="128: per address; 64: per /64" />
          <ChoiceField {...common} field="action" label="Then" options={['reject', 'drop']} />
          <ChoiceField {...common} field="limitChain" specField="chain" label="Chain" options={['input', 'forward']} />
          <ChoiceField {...common} field="family" label="Family" options={FAMILIES} />
          <TextField {...common} field="interface" label="Interface (optional)" placeholder="eth0" />
        </div>
      )}
      {sourceHint && form.kind === 'connlimit' && <p className="notice-warn small">{sourceHint}</p>}
    </div>
  );
}
