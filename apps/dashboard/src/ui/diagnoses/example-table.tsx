import type { WireFlow } from '@ctscope/protocol';
import { formatEndpoint, formatNumber, formatSeconds, natText } from '../flow-format';

/** A diagnosis's example entries in the connections table's columns (the ones that tell these apart). */
export function ExampleTable({ rows, label }: { rows: readonly WireFlow[]; label: string }) {
  if (rows.length === 0) return null;
  return (
    <table className="data-table diagnosis-examples" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">Proto</th>
          <th scope="col">Source</th>
          <th scope="col">Destination</th>
          <th scope="col">Reply source</th>
          <th scope="col">State</th>
          <th scope="col">Status</th>
          <th scope="col" className="num">
            Packets out / back
          </th>
          <th scope="col" className="num">
            Timeout
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((f) => (
          <tr key={f.key} title={natText(f) ?? undefined}>
            <td>{f.proto}</td>
            <td className="mono">{formatEndpoint(f.orig.src, f.orig.sport)}</td>
            <td className="mono">{formatEndpoint(f.orig.dst, f.orig.dport)}</td>
            <td className="mono">{formatEndpoint(f.reply.src, f.reply.sport)}</td>
            <td>{f.state ?? '—'}</td>
            <td>{f.status.filter((s) => s !== 'CONFIRMED').join(' ')}</td>
            <td className="num">
              {formatNumber(f.packetsOrig)} / {formatNumber(f.packetsReply)}
            </td>
            <td className="num">{formatSeconds(f.timeout)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
