import type { DestinationSummary } from '@ctscope/protocol';
import type { QueueStatus } from './queue';
import type { DestinationRecord } from './types';

/**
 * An address as browsers may see it: scheme, host and port, and for Alertmanager (whose address holds
 * no secret) the path; a webhook's path often is the secret (Slack's is), so it becomes "…".
 */
export function maskUrl(url: string, kind: DestinationRecord['kind']): string {
  const parsed = new URL(url);
  const path = parsed.pathname === '/' ? '' : parsed.pathname;
  if (kind === 'alertmanager') return `${parsed.origin}${path}`;
  const first = path.split('/').filter(Boolean)[0];
  return path ? `${parsed.origin}/${first && path.split('/').filter(Boolean).length > 1 ? `${first}/` : ''}…` : parsed.origin;
}

export function toSummary(d: DestinationRecord, status: QueueStatus): DestinationSummary {
  return {
    id: d.id,
    name: d.name,
    kind: d.kind,
    enabled: d.enabled,
    minSeverity: d.minSeverity,
    hosts: d.hosts,
    urlMasked: maskUrl(d.url, d.kind),
    hasSecret: d.secret.hmacSecret !== undefined || d.secret.auth !== undefined,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    status,
  };
}
