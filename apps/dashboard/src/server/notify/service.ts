import type { StatsSample } from '@ctscope/protocol';
import type { Logger } from 'pino';
import type { HostRegistry } from '../hosts/registry';
import type { Store } from '../store/types';
import { systemClock, type Clock } from './clock';
import { NotifyDispatcher } from './dispatcher';
import { sendToDestination } from './send';
import type { DestinationRecord, Sender, SendResult } from './types';

export interface NotifyServiceOptions {
  store: Store;
  registry: HostRegistry;
  logger: Pick<Logger, 'error' | 'warn'>;
  repeatMs: number;
  publicUrl: string | undefined;
  clock?: Clock;
  send?: Sender;
  /** Other dashboard servers' edits are picked up this often (this server's at once). */
  reloadMs?: number;
}

/**
 * Alerts from the hosts whose agent this server holds, to the stored destinations. With several
 * dashboard servers each host's samples arrive at every server, but only the one holding the agent's
 * connection (`registry.isLocal`) notifies, so nothing is sent twice.
 */
export class NotifyService {
  readonly dispatcher: NotifyDispatcher;
  private readonly hostnames = new Map<string, string>();
  private readonly stopListening: () => void;
  private readonly reloadTimer: NodeJS.Timeout;
  private reloading: Promise<void> = Promise.resolve();

  constructor(private readonly options: NotifyServiceOptions) {
    const { publicUrl } = options;
    this.dispatcher = new NotifyDispatcher({
      clock: options.clock ?? systemClock,
      send: options.send ?? sendToDestination,
      repeatMs: options.repeatMs,
      hostUrl: (hostId) => (publicUrl ? `${publicUrl}/hosts/${encodeURIComponent(hostId)}` : undefined),
    });
    this.stopListening = options.registry.subscribe({
      changed: (host) => this.hostnames.set(host.id, host.hostname),
      sampled: (hostId, sample) => this.sampled(hostId, sample),
    });
    this.reloadTimer = setInterval(() => void this.reload(), options.reloadMs ?? 30_000);
    this.reloadTimer.unref();
  }

  /** Reads the destinations from the store again (after a change, and periodically for other servers' changes). */
  reload(): Promise<void> {
    this.reloading = this.reloading
      .then(async () => this.dispatcher.setDestinations(await this.options.store.listDestinations()))
      .catch((err: unknown) => this.options.logger.error({ err }, 'could not read the notification destinations'));
    return this.reloading;
  }

  async sendTest(destination: DestinationRecord): Promise<SendResult> {
    return this.dispatcher.sendTest(destination, { id: 'ctscope-test', hostname: 'ctscope-test' });
  }

  close(): void {
    clearInterval(this.reloadTimer);
    this.stopListening();
    this.dispatcher.close();
  }

  private sampled(hostId: string, sample: StatsSample): void {
    if (!this.options.registry.isLocal(hostId)) {
      // The server holding the agent now notifies; should the agent come back here, its alerts are news again.
      this.dispatcher.forget(hostId);
      return;
    }
    const hostname = this.hostnames.get(hostId);
    if (hostname !== undefined) {
      this.dispatcher.observe({ id: hostId, hostname }, sample.alerts ?? []);
      return;
    }
    // The first sample may come before the host's announcement: its name comes from the store once.
    void this.options.store
      .findHost(hostId)
      .then((record) => {
        if (!this.hostnames.has(hostId)) this.hostnames.set(hostId, record?.hostname ?? hostId);
      })
      .catch((err: unknown) => this.options.logger.warn({ err, hostId }, 'could not read a host name for notifications'));
  }
}
