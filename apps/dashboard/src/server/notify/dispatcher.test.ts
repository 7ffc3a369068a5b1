import type { Alert } from '@ctscope/protocol';
import { describe, expect, it } from 'vitest';
import { NotifyDispatcher, routes } from './dispatcher';
import { FakeClock, settle } from './fake-clock.testing';
import type { DestinationRecord, NotifyEvent, SendResult } from './types';

const dest = (over: Partial<DestinationRecord>): DestinationRecord => ({
  id: 'hook',
  name: 'hook',
  kind: 'webhook',
  enabled: true,
  minSeverity: 'warning',
  hosts: [],
  url: 'http://127.0.0.1:9/x',
  secret: {},
  createdAt: 0,
  updatedAt: 0,
  ...over,
});
const alert = (name: string, severity: Alert['severity'], since = 1): Alert => ({ id: `${name}-${severity}`, name, severity, since, message: `${name} is ${severity}` });
const gw1 = { id: 'h1', hostname: 'gw1' };
const MIN = 60_000;

function setup(destinations: DestinationRecord[], results: (d: DestinationRecord) => SendResult = () => ({ ok: true })) {
  const clock = new FakeClock();
  const sent: { to: string; event: NotifyEvent }[] = [];
  const dispatcher = new NotifyDispatcher({
    clock,
    repeatMs: 240 * MIN,
    alertmanagerRepostMs: MIN,
    queue: { random: () => 1 },
    hostUrl: (id) => `https://ctscope.example.internal/hosts/${id}`,
    send: async (d, event) => {
      sent.push({ to: d.id, event });
      return results(d);
    },
  });
  dispatcher.setDestinations(destinations);
  const log = () => sent.splice(0).map(({ to, event }) => `${to} ${event.status}${event.repeat ? ' (repeat)' : ''} ${event.alert.name}:${event.alert.severity}`);
  return { clock, dispatcher, log };
}

describe('NotifyDispatcher', () => {
  it('sends a new alert once, not again while active, again after the repeat interval, and resolved when it clears', async () => {
    const { clock, dispatcher, log } = setup([dest({})]);
    dispatcher.observe(gw1, [alert('table-usage', 'warning')]);
    await settle();
    expect(log()).toEqual(['hook firing table-usage:warning']);
    for (let i = 0; i < 30; i++) {
      await clock.advance(1_000);
      dispatcher.observe(gw1, [alert('table-usage', 'warning')]);
    }
    await settle();
    expect(log()).toEqual([]);
    await clock.advance(240 * MIN);
    dispatcher.observe(gw1, [alert('table-usage', 'warning')]);
    await settle();
    expect(log()).toEqual(['hook firing (repeat) table-usage:warning']);
    dispatcher.observe(gw1, []);
    dispatcher.observe(gw1, []);
    await settle();
    expect(log()).toEqual(['hook resolved table-usage:warning']);
  });

  it('a new severity resolves the old one and fires the new; routing by minimum severity and host', async () => {
    const { dispatcher, log } = setup([dest({}), dest({ id: 'crit', minSeverity: 'critical' }), dest({ id: 'other-host', hosts: ['gw2'] }), dest({ id: 'by-name', hosts: ['gw1'] }), dest({ id: 'off', enabled: false })]);
    dispatcher.observe(gw1, [alert('table-usage', 'warning')]);
    await settle();
    expect(log().sort()).toEqual(['by-name firing table-usage:warning', 'hook firing table-usage:warning']);
    dispatcher.observe(gw1, [alert('table-usage', 'critical')]);
    await settle();
    expect(log().sort()).toEqual([
      'by-name firing table-usage:critical',
      'by-name resolved table-usage:warning',
      'crit firing table-usage:critical',
      'hook firing table-usage:critical',
      'hook resolved table-usage:warning',
    ]);
    dispatcher.observe(gw1, []);
    await settle();
    expect(log().sort()).toEqual(['by-name resolved table-usage:critical', 'crit resolved table-usage:critical', 'hook resolved table-usage:critical']);
  });

  it('re-posts active alerts to Alertmanager every minute, with the first start time and an end that moves on', async () => {
    const { clock, dispatcher, log } = setup([dest({ id: 'am', kind: 'alertmanager' }), dest({})]);
    dispatcher.observe(gw1, [alert('events-lost', 'warning', 111)]);
    await settle();
    expect(log().sort()).toEqual(['am firing events-lost:warning', 'hook firing events-lost:warning']);
    await clock.advance(MIN);
    // The agent restarted meanwhile: same alert, a new `since`; it is still the one that began at 111.
    dispatcher.observe(gw1, [alert('events-lost', 'warning', 999)]);
    await settle();
    expect(log()).toEqual(['am firing (repeat) events-lost:warning']);
  });

  it('re-posts to an unreachable Alertmanager do not pile up: one waits per active alert', async () => {
    const { clock, dispatcher, log } = setup([dest({ id: 'am', kind: 'alertmanager' })], () => ({ ok: false, retry: true, error: 'http://127.0.0.1:9093: connection refused (is the receiver running on that port?)' }));
    dispatcher.observe(gw1, [alert('events-lost', 'warning'), alert('drop-rising', 'critical')]);
    for (let minute = 1; minute <= 60; minute++) {
      await clock.advance(MIN);
      dispatcher.observe(gw1, [alert('events-lost', 'warning'), alert('drop-rising', 'critical')]);
    }
    // Three wait (the head being retried and one re-post per alert), not 120; what was dropped is only
    // heads that ran out of attempts (10, about 9 minutes each), none for want of room.
    const status = dispatcher.status('am');
    expect(status.queued).toBe(3);
    expect(status.dropped).toBeLessThanOrEqual(60 / 8);
    log();
  });

  it('hosts are independent; a failing destination retries without holding up the others', async () => {
    const { clock, dispatcher, log } = setup([dest({ id: 'down' }), dest({ id: 'up' })], (d) => (d.id === 'down' ? { ok: false, retry: true, error: 'http://127.0.0.1:9 answered 503' } : { ok: true }));
    dispatcher.observe(gw1, [alert('drop-rising', 'critical')]);
    dispatcher.observe({ id: 'h2', hostname: 'gw2' }, [alert('drop-rising', 'critical')]);
    await settle();
    expect(log().sort()).toEqual(['down firing drop-rising:critical', 'up firing drop-rising:critical', 'up firing drop-rising:critical']);
    expect(dispatcher.status('down')).toMatchObject({ queued: 2, lastError: 'http://127.0.0.1:9 answered 503', sent: 0 });
    expect(dispatcher.status('up')).toMatchObject({ queued: 0, sent: 2, lastError: null });
    await clock.advance(1_000);
    expect(log()).toEqual(['down firing drop-rising:critical']);
  });

  it('a deleted destination stops; a test send is recorded on the status', async () => {
    const { dispatcher, log } = setup([dest({})], () => ({ ok: false, retry: false, error: 'http://127.0.0.1:9 answered 404' }));
    const result = await dispatcher.sendTest(dest({}), { id: 'ctscope-test', hostname: 'ctscope-test' });
    expect(result).toEqual({ ok: false, retry: false, error: 'http://127.0.0.1:9 answered 404' });
    expect(log()).toEqual(['hook firing test:warning']);
    expect(dispatcher.status('hook')).toMatchObject({ lastError: 'http://127.0.0.1:9 answered 404', sent: 0 });
    dispatcher.setDestinations([]);
    dispatcher.observe(gw1, [alert('drop-rising', 'critical')]);
    await settle();
    expect(log()).toEqual([]);
    expect(dispatcher.status('hook')).toMatchObject({ lastError: null });
  });
});

describe('routes', () => {
  const event = (severity: Alert['severity']): NotifyEvent => ({ status: 'firing', host: gw1, alert: alert('x', severity), at: 0, repeat: false, test: false, hostUrl: undefined });
  it('takes enabled destinations at or above their minimum severity, for listed hosts by id or name', () => {
    expect(routes(dest({ minSeverity: 'critical' }), event('warning'))).toBe(false);
    expect(routes(dest({ minSeverity: 'critical' }), event('critical'))).toBe(true);
    expect(routes(dest({ hosts: ['h1'] }), event('warning'))).toBe(true);
    expect(routes(dest({ hosts: ['gw2'] }), event('warning'))).toBe(false);
    expect(routes(dest({ enabled: false }), event('critical'))).toBe(false);
  });
});
