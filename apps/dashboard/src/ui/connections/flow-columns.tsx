import {
  columnSizingFeature,
  columnVisibilityFeature,
  createColumnHelper,
  metaHelper,
  rowSelectionFeature,
  rowSortingFeature,
  tableFeatures,
  type ColumnVisibilityState,
} from '@tanstack/react-table';
import type { WireFlow } from '@ctscope/protocol';
import type { Pivot } from '../query/pivot';
import { ageOf, bytesOf, formatBytes, formatEndpoint, formatNumber, formatSeconds, natText, packetsOf } from '../flow-format';

export interface FlowColumnMeta {
  /** Name in the column chooser. */
  label: string;
  align?: 'end';
  /** Takes spare width. */
  grow?: boolean;
  /** Clicking the value filters by it. */
  pivot?: (flow: WireFlow) => Pivot | null;
}

/** The features the explorer's table uses; sorting is the agent's (manual), the rest is browser state. */
export const flowFeatures = tableFeatures({
  rowSortingFeature,
  rowSelectionFeature,
  columnVisibilityFeature,
  columnSizingFeature,
  columnMeta: metaHelper<FlowColumnMeta>(),
});

const helper = createColumnHelper<typeof flowFeatures, WireFlow>();

/** ICMP has no ports: its type/code goes where the source port is, its id where the destination port is. */
function icmpCell(flow: WireFlow, part: 'type' | 'id'): string {
  const { icmpType, icmpCode, icmpId } = flow.orig;
  if (icmpType === undefined) return '—';
  return part === 'type' ? `${icmpType}/${icmpCode ?? 0}` : icmpId === undefined ? '—' : `id ${icmpId}`;
}

const PROTO_NUMBERS_WITH_PORTS = new Set([6, 17, 33, 132, 136]);
/** A port pivot names the protocol too, so the filter stays expressible as a conntrack command. */
const portPivot = (flow: WireFlow, field: 'sport' | 'dport', port: number | undefined): Pivot | null =>
  port === undefined || !PROTO_NUMBERS_WITH_PORTS.has(flow.protoNum) ? null : { proto: flow.protoNum, [field]: { min: port, max: port } };

export const flowColumns = helper.columns([
  helper.display({ id: 'select', header: '', size: 36, enableHiding: false, enableSorting: false, meta: { label: 'Select' } }),
  helper.accessor((f) => f.proto, {
    id: 'proto',
    header: 'Proto',
    size: 70,
    meta: { label: 'Protocol', pivot: (f) => ({ proto: f.protoNum }) },
  }),
  helper.accessor((f) => f.orig.src, {
    id: 'src',
    header: 'Source',
    size: 150,
    meta: { label: 'Source', grow: true, pivot: (f) => ({ src: f.orig.src }) },
  }),
  helper.accessor((f) => f.orig.sport, {
    id: 'sport',
    header: 'Sport',
    size: 84,
    cell: (info) => info.getValue() ?? icmpCell(info.row.original, 'type'),
    meta: { label: 'Source port', align: 'end', pivot: (f) => portPivot(f, 'sport', f.orig.sport) },
  }),
  helper.accessor((f) => f.orig.dst, {
    id: 'dst',
    header: 'Destination',
    size: 150,
    meta: { label: 'Destination', grow: true, pivot: (f) => ({ dst: f.orig.dst }) },
  }),
  helper.accessor((f) => f.orig.dport, {
    id: 'dport',
    header: 'Dport',
    size: 84,
    cell: (info) => info.getValue() ?? icmpCell(info.row.original, 'id'),
    meta: { label: 'Destination port', align: 'end', pivot: (f) => portPivot(f, 'dport', f.orig.dport) },
  }),
  helper.accessor((f) => formatEndpoint(f.reply.src, f.reply.sport), {
    id: 'replySrc',
    header: 'Reply source',
    size: 170,
    meta: { label: 'Reply source', grow: true, pivot: (f) => ({ replySrc: f.reply.src }) },
  }),
  helper.accessor((f) => formatEndpoint(f.reply.dst, f.reply.dport), {
    id: 'replyDst',
    header: 'Reply destination',
    size: 170,
    meta: { label: 'Reply destination', grow: true, pivot: (f) => ({ replyDst: f.reply.dst }) },
  }),
  helper.accessor((f) => f.state, {
    id: 'state',
    header: 'State',
    size: 110,
    cell: (info) => info.getValue() ?? '—',
    meta: { label: 'State', pivot: (f) => (f.state ? { proto: f.protoNum, states: [f.state] } : null) },
  }),
  helper.accessor((f) => f.status.filter((s) => s !== 'CONFIRMED').join(' '), {
    id: 'status',
    header: 'Status',
    size: 170,
    meta: { label: 'Status flags', grow: true },
  }),
  helper.accessor((f) => natText(f), {
    id: 'nat',
    header: 'NAT',
    size: 160,
    enableSorting: false,
    cell: (info) => info.getValue() ?? '',
    meta: { label: 'NAT', grow: true },
  }),
  helper.accessor((f) => f.timeout, {
    id: 'timeout',
    header: 'Timeout',
    size: 88,
    cell: (info) => formatSeconds(info.getValue()),
    meta: { label: 'Timeout left', align: 'end' },
  }),
  helper.accessor((f) => packetsOf(f), {
    id: 'packets',
    header: 'Packets',
    size: 84,
    cell: (info) => formatNumber(info.getValue()),
    meta: { label: 'Packets (both ways)', align: 'end' },
  }),
  helper.accessor((f) => bytesOf(f), {
    id: 'bytes',
    header: 'Bytes',
    size: 84,
    cell: (info) => formatBytes(info.getValue()),
    meta: { label: 'Bytes (both ways)', align: 'end' },
  }),
  helper.accessor((f) => f.mark, {
    id: 'mark',
    header: 'Mark',
    size: 80,
    cell: (info) => info.getValue() ?? '—',
    meta: { label: 'Mark', align: 'end', pivot: (f) => (f.mark === undefined ? null : { mark: { value: f.mark, mask: 0xffffffff } }) },
  }),
  helper.accessor((f) => f.zone, {
    id: 'zone',
    header: 'Zone',
    size: 64,
    cell: (info) => info.getValue() ?? '—',
    meta: { label: 'Zone', align: 'end', pivot: (f) => (f.zone === undefined ? null : { zone: f.zone }) },
  }),
  helper.accessor((f) => f.id, {
    id: 'id',
    header: 'ID',
    size: 100,
    cell: (info) => info.getValue() ?? '—',
    meta: { label: 'Kernel id', align: 'end' },
  }),
  helper.accessor((f) => f.startMs, {
    id: 'age',
    header: 'Age',
    size: 84,
    cell: (info) => formatSeconds(ageOf(info.row.original, Date.now())),
    meta: { label: 'Age (needs nf_conntrack_timestamp)', align: 'end' },
  }),
]);

export const DEFAULT_VISIBILITY: ColumnVisibilityState = { replySrc: false, replyDst: false, nat: false, mark: false, zone: false, id: false, age: false };
