import type { WireFlow } from '@ctscope/protocol';
import { formatEndpoint, formatSeconds } from '../flow-format';

/** A few conntrack entries as a small table (what a preview counted). */
export function SampleTable({ rows, total, label }: { rows: readonly WireFlow[]; total: number; label: string }) {
  if (rows.length === 0) return null;
  return (
    <table className="sample" aria-label={label}>
      <caption className="muted small">{rows.length < total ? `First ${rows.length} of ${total}` : `All ${total}`}</caption>
      <thead>
        <tr>
          <th>proto</th>
          <th>source</th>
          <th />
          <th>destination</th>
          <th>state</th>
          <th>expires in</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((f) => (
          <tr key={f.key}>
            <td>{f.proto}</td>
            <td>{formatEndpoint(f.orig.src, f.orig.sport)}</td>
            <td>→</td>
            <td>{formatEndpoint(f.orig.dst, f.orig.dport)}</td>
            <td>{f.state ?? ''}</td>
            <td>{formatSeconds(f.timeout)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
