'use client';

import type { WireFlow, WireTuple } from '@ctscope/protocol';
import type { ReactNode } from 'react';
import { ageOf, formatBytes, formatDateTime, formatEndpoint, formatNumber, formatSeconds } from '../flow-format';

interface Props {
  flow: WireFlow;
  /** False when the entry left the window (deleted, expired or filtered out); the last copy is shown. */
  current: boolean;
  canDelete: boolean;
  onDelete(flow: WireFlow): void;
  onClose(): void;
}

function Field({ name, children }: { name: string; children: ReactNode }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>{children}</dd>
    </>
  );
}

const opt = (value: string | number | undefined): string => (value === undefined ? '—' : String(value));

function TupleFields({ tuple }: { tuple: WireTuple }) {
  return (
    <dl className="detail-fields">
      <Field name="source">
        <code>{tuple.src}</code>
      </Field>
      <Field name="destination">
        <code>{tuple.dst}</code>
      </Field>
      {tuple.icmpType === undefined ? (
        <>
          <Field name="source port">{opt(tuple.sport)}</Field>
          <Field name="destination port">{opt(tuple.dport)}</Field>
        </>
      ) : (
        <>
          <Field name="icmp type">{tuple.icmpType}</Field>
          <Field name="icmp code">{opt(tuple.icmpCode)}</Field>
          <Field name="icmp id">{opt(tuple.icmpId)}</Field>
        </>
      )}
      {tuple.zone !== undefined && <Field name="zone">{tuple.zone}</Field>}
    </dl>
  );
}

/** Every decoded field of one entry, as `conntrack -L -o extended,id,timestamp` would print it. */
export function FlowDetail({ flow, current, canDelete, onDelete, onClose }: Props) {
  const nat = flow.nat;
  return (
    <aside className="flow-detail" aria-label="connection detail">
      <header className="detail-header">
        <h2>
          {flow.proto} {formatEndpoint(flow.orig.src, flow.orig.sport)} → {formatEndpoint(flow.orig.dst, flow.orig.dport)}
        </h2>
        <button type="button" className="link-button" onClick={onClose} aria-label="close detail">
          ✕
        </button>
      </header>
      {!current && <p className="notice small">This entry is no longer in the table view (it expired, was deleted or no longer matches). Showing its last known values.</p>}

      <section aria-label="entry">
        <dl className="detail-fields">
          <Field name="protocol">
            {flow.proto} ({flow.protoNum}) · {flow.family}
          </Field>
          <Field name="state">{opt(flow.state)}</Field>
          <Field name="status">
            <span className="status-flags">
              {flow.status.length === 0 ? '—' : flow.status.map((s) => <span key={s} className={`flag flag-${s.toLowerCase()}`}>{s}</span>)}
            </span>
          </Field>
          <Field name="timeout left">{flow.timeout === undefined ? '—' : `${formatSeconds(flow.timeout)} (${flow.timeout} s)`}</Field>
          <Field name="mark">{flow.mark === undefined ? '—' : `${flow.mark} (0x${flow.mark.toString(16)})`}</Field>
          <Field name="zone">{opt(flow.zone)}</Field>
          <Field name="id">{opt(flow.id)}</Field>
          <Field name="use">{opt(flow.use)}</Field>
          {flow.helper !== undefined && <Field name="helper">{flow.helper}</Field>}
          {flow.secctx !== undefined && <Field name="secctx">{flow.secctx}</Field>}
          {flow.labels !== undefined && <Field name="labels">{flow.labels.join(', ') || '—'}</Field>}
        </dl>
      </section>

      <section aria-labelledby="detail-orig">
        <h3 id="detail-orig">Original direction</h3>
        <TupleFields tuple={flow.orig} />
      </section>
      <section aria-labelledby="detail-reply">
        <h3 id="detail-reply">Reply direction</h3>
        <TupleFields tuple={flow.reply} />
      </section>

      <section aria-labelledby="detail-counters">
        <h3 id="detail-counters">Counters</h3>
        {flow.packetsOrig === undefined && flow.packetsReply === undefined ? (
          <p className="muted small">No counters: accounting is off (net.netfilter.nf_conntrack_acct=0).</p>
        ) : (
          <dl className="detail-fields">
            <Field name="original">
              {formatNumber(flow.packetsOrig)} packets · {formatBytes(flow.bytesOrig)}
            </Field>
            <Field name="reply">
              {formatNumber(flow.packetsReply)} packets · {formatBytes(flow.bytesReply)}
            </Field>
          </dl>
        )}
      </section>

      <section aria-labelledby="detail-time">
        <h3 id="detail-time">Timestamps</h3>
        {flow.startMs === undefined ? (
          <p className="muted small">No timestamps: net.netfilter.nf_conntrack_timestamp=0.</p>
        ) : (
          <dl className="detail-fields">
            <Field name="started">{formatDateTime(flow.startMs)}</Field>
            <Field name="age">{formatSeconds(ageOf(flow, Date.now()))}</Field>
            {flow.stopMs !== undefined && <Field name="stopped">{formatDateTime(flow.stopMs)}</Field>}
          </dl>
        )}
      </section>

      <section aria-labelledby="detail-nat">
        <h3 id="detail-nat">NAT</h3>
        {!nat?.src && !nat?.dst ? (
          <p className="muted small">Not translated.</p>
        ) : (
          <dl className="detail-fields">
            {nat.src && (
              <Field name="source NAT">
                {formatEndpoint(nat.src.from, nat.src.fromPort)} → {formatEndpoint(nat.src.to, nat.src.toPort)}
              </Field>
            )}
            {nat.dst && (
              <Field name="destination NAT">
                {formatEndpoint(nat.dst.from, nat.dst.fromPort)} → {formatEndpoint(nat.dst.to, nat.dst.toPort)}
              </Field>
            )}
          </dl>
        )}
      </section>

      <p className="muted small detail-key">
        key <code>{flow.key}</code>
      </p>
      {canDelete && current && (
        <button type="button" className="danger" onClick={() => onDelete(flow)}>
          Delete this entry
        </button>
      )}
    </aside>
  );
}
