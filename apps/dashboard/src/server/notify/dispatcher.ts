import type { Alert } from '@ctscope/protocol';
import { ALERTMANAGER_REPOST_MS } from './alertmanager';
import type { Clock } from './clock';
import { DEFAULT_QUEUE_OPTIONS, DeliveryQueue, type QueueOptions, type QueueStatus } from './queue';
import type { DestinationRecord, NotifyEvent, SendResult, Sender, Severity } from './types';

export interface DispatcherOptions {
  clock: Clock;
  send: Sender;
  /** A webhook or Slack destination hears of an alert that stays active again after this long. */
  repeatMs: number;
  /** Alertmanager hears of every active alert this often (it resolves alerts it stops hearing of). */
  alertmanagerRepostMs?: number;
  /** The host's dashboard page, for links (undefined without CTSCOPE_PUBLIC_URL). */
  hostUrl?: (hostId: string) => string | undefined;
  queue?: Partial<QueueOptions>;
}

interface Tracked {
  alert: Alert;
  lastSentAt: number;
  lastPostedAt: number;
}

const RANK: Record<Severity, number> = { warning: 1, critical: 2 };

/** Whether a destination takes this event: enabled, severe enough, and for one of its hosts (none listed: all). */
export function routes(destination: DestinationRecord, event: NotifyEvent): boolean {
  if (!destination.enabled) return false;
  if (RANK[event.alert.severity] < RANK[destination.minSeverity]) return false;
  return destination.hosts.length === 0 || destination.hosts.includes(event.host.id) || destination.hosts.includes(event.host.hostname);
}

/**
 * Turns each host's list of active alerts into notifications: a new alert (or a new severity of one) is
 * sent once, an alert still active is not sent again before the repeat interval (Alertmanager gets it
 * re-posted every minute), and one that is gone is sent as resolved. Each destination has its own
 * bounded queue with retries, so a slow or failing one delays nobody else.
 */
export class NotifyDispatcher {
  private destinations = new Map<string, DestinationRecord>();
  private readonly queues = new Map<string, DeliveryQueue<NotifyEvent>>();
  private readonly active = new Map<string, Map<string, Tracked>>();
  private readonly repostMs: number;

  constructor(private readonly options: DispatcherOptions) {
    this.repostMs = options.alertmanagerRepostMs ?? ALERTMANAGER_REPOST_MS;
  }

  /** The destinations as stored now; queues of removed ones are closed, edited ones keep their queue and status. */
  setDestinations(list: readonly DestinationRecord[]): void {
    this.destinations = new Map(list.map((d) => [d.id, d]));
    for (const [id, queue] of this.queues) {
      if (!this.destinations.has(id)) {
        queue.close();
        this.queues.delete(id);
      }
    }
  }

  status(id: string): QueueStatus {
    return { ...(this.queues.get(id)?.status ?? { lastSuccessAt: null, lastFailureAt: null, lastError: null, sent: 0, queued: 0, dropped: 0 }) };
  }

  /** The host's active alerts as of its latest sample (call for every sample of a host this server holds). */
  observe(host: { id: string; hostname: string }, alerts: readonly Alert[]): void {
    const now = this.options.clock.now();
    const previous = this.active.get(host.id) ?? new Map<string, Tracked>();
    const current = new Map<string, Tracked>();
    for (const alert of alerts) {
      const old = previous.get(alert.name);
      if (old && old.alert.severity !== alert.severity) this.emit(this.event('resolved', host, old.alert, now, false), () => true);
      if (!old || old.alert.severity !== alert.severity) {
        this.emit(this.event('firing', host, alert, now, false), () => true);
        current.set(alert.name, { alert, lastSentAt: now, lastPostedAt: now });
        continue;
      }
      const tracked: Tracked = { ...old, alert: { ...alert, since: old.alert.since } };
      if (now - old.lastSentAt >= this.options.repeatMs) {
        tracked.lastSentAt = now;
        this.emit(this.event('firing', host, tracked.alert, now, true), (d) => d.kind !== 'alertmanager', `${host.id}/${alert.name}`);
      }
      if (now - old.lastPostedAt >= this.repostMs) {
        tracked.lastPostedAt = now;
        this.emit(this.event('firing', host, tracked.alert, now, true), (d) => d.kind === 'alertmanager', `${host.id}/${alert.name}`);
      }
      current.set(alert.name, tracked);
    }
    for (const [name, old] of previous) {
      if (!current.has(name)) this.emit(this.event('resolved', host, old.alert, now, false), () => true);
    }
    if (current.size > 0) this.active.set(host.id, current);
    else this.active.delete(host.id);
  }

  /** Forgets what was sent for a host (its agent now reports to another dashboard server, which takes over). */
  forget(hostId: string): void {
    this.active.delete(hostId);
  }

  /** Sends a test notification to one destination now, once, and records the outcome on its status. */
  async sendTest(destination: DestinationRecord, host: { id: string; hostname: string }): Promise<SendResult> {
    const now = this.options.clock.now();
    const alert: Alert = { id: `test-${now}`, name: 'test', severity: 'warning', since: now, message: 'A test notification from the ctscope Notifications page: this destination works.' };
    const event = { ...this.event('firing', host, alert, now, false), test: true };
    const result = await this.options.send(destination, event).catch((err: unknown): SendResult => ({ ok: false, retry: false, error: err instanceof Error ? err.message : 'sending failed' }));
    this.queueFor(destination.id).record(result);
    return result;
  }

  close(): void {
    for (const queue of this.queues.values()) queue.close();
    this.queues.clear();
  }

  private event(status: NotifyEvent['status'], host: { id: string; hostname: string }, alert: Alert, at: number, repeat: boolean): NotifyEvent {
    return {
      status,
      host: { id: host.id, hostname: host.hostname },
      alert: { id: alert.id, name: alert.name, severity: alert.severity, message: alert.message, since: alert.since },
      at,
      repeat,
      test: false,
      hostUrl: this.options.hostUrl?.(host.id),
    };
  }

  /** Queues the event for every destination that takes it; a repeat (`replaceKey`) replaces its own older one still waiting. */
  private emit(event: NotifyEvent, kinds: (d: DestinationRecord) => boolean, replaceKey?: string): void {
    for (const destination of this.destinations.values()) {
      if (kinds(destination) && routes(destination, event)) this.queueFor(destination.id).push(event, replaceKey);
    }
  }

  private queueFor(id: string): DeliveryQueue<NotifyEvent> {
    let queue = this.queues.get(id);
    if (!queue) {
      // The record is looked up at send time, so an edit (a new address) applies to what is queued.
      queue = new DeliveryQueue<NotifyEvent>(
        (event) => {
          const destination = this.destinations.get(id);
          return destination ? this.options.send(destination, event) : Promise.resolve({ ok: false, retry: false, error: 'the destination was deleted' });
        },
        this.options.clock,
        { ...DEFAULT_QUEUE_OPTIONS, ...this.options.queue },
      );
      this.queues.set(id, queue);
    }
    return queue;
  }
}
