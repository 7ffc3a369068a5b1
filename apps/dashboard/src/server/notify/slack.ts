import { postOnce, type PostOptions } from './http-post';
import type { DestinationRecord, NotifyEvent, SendResult } from './types';

/** Slack's mrkdwn escapes: only &, < and > are special. */
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function headline(event: NotifyEvent): string {
  const what = `${event.alert.name} on ${event.host.hostname}`;
  if (event.test) return `[test] ctscope notification test for ${event.host.hostname}`;
  if (event.status === 'resolved') return `[resolved] ${what}`;
  return `[${event.alert.severity}${event.repeat ? ', still firing' : ''}] ${what}`;
}

/** A Slack-compatible incoming-webhook body: `text` (also the notification's fallback) plus blocks. */
export function slackBody(event: NotifyEvent): { text: string; blocks: unknown[] } {
  const title = headline(event);
  const link = event.hostUrl ? ` <${event.hostUrl}|open the host>` : '';
  return {
    text: `${title}: ${event.alert.message}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${escape(title)}*\n${escape(event.alert.message)}` } },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `ctscope · host ${escape(event.host.hostname)} · since ${new Date(event.alert.since).toISOString()}${link}` }],
      },
    ],
  };
}

export function sendSlack(destination: DestinationRecord, event: NotifyEvent, options?: PostOptions): Promise<SendResult> {
  return postOnce(destination.url, JSON.stringify(slackBody(event)), {}, options);
}
