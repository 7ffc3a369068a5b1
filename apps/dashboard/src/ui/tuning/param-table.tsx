'use client';

import type { SysctlParam } from '@ctscope/protocol';
import type { Drafts } from './drafts';
import { ParamRow } from './param-row';

const GROUPS: readonly { id: string; title: string }[] = [
  { id: 'limits', title: 'Limits' },
  { id: 'tcp-timeouts', title: 'TCP timeouts' },
  { id: 'udp-timeouts', title: 'UDP timeouts' },
  { id: 'other-timeouts', title: 'Other timeouts (ICMP, SCTP, GRE, generic)' },
  { id: 'behaviour', title: 'Behaviour' },
  { id: 'ipv6-fragments', title: 'IPv6 fragments' },
  { id: 'unknown', title: 'Not in the catalog (shown raw)' },
];

interface Props {
  params: readonly SysctlParam[];
  drafts: Drafts;
  onDraft(name: string, text: string): void;
  mayChange: boolean;
}

/** Every parameter, grouped like the kernel documentation groups them. */
export function ParamTable({ params, drafts, onDraft, mayChange }: Props) {
  const known = new Set(GROUPS.map((g) => g.id));
  const groups = [...GROUPS, ...[...new Set(params.map((p) => p.group))].filter((g) => !known.has(g)).map((id) => ({ id, title: id }))];
  return (
    <>
      {groups.map((group) => {
        const rows = params.filter((p) => p.group === group.id);
        if (rows.length === 0) return null;
        return (
          <section key={group.id} className="param-group" aria-labelledby={`group-${group.id}`}>
            <h2 id={`group-${group.id}`}>{group.title}</h2>
            <table className="data-table param-table">
              <thead>
                <tr>
                  <th>Parameter</th>
                  <th>Value</th>
                  <th>Default</th>
                  <th>Range</th>
                  <th>Scope</th>
                  <th title="runtime vs persisted file vs kernel default">Drift</th>
                  <th>{mayChange ? 'New value' : ''}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((p) => (
                  <ParamRow key={p.name} param={p} draft={drafts[p.name]} onDraft={onDraft} mayChange={mayChange} />
                ))}
              </tbody>
            </table>
          </section>
        );
      })}
    </>
  );
}
