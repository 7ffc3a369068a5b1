import { sendAlertmanager } from './alertmanager';
import { sendSlack } from './slack';
import type { DestinationRecord, NotifyEvent, SendResult } from './types';
import { sendWebhook } from './webhook';

/** Sends one event to one destination, once (the queue retries). */
export function sendToDestination(destination: DestinationRecord, event: NotifyEvent): Promise<SendResult> {
  switch (destination.kind) {
    case 'webhook':
      return sendWebhook(destination, event);
    case 'slack':
      return sendSlack(destination, event);
    case 'alertmanager':
      return sendAlertmanager(destination, event);
  }
}
