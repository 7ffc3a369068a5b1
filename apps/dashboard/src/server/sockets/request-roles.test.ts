import { browserToServerSchemas } from '@ctscope/protocol';
import { describe, expect, it } from 'vitest';
import { CHANGE_REQUESTS } from './browser-requests';

/** Requests any logged-in user may make: they read, subscribe or preview, and change nothing. */
const READS = [
  'hosts:list',
  'window:subscribe',
  'window:change',
  'window:unsubscribe',
  'events:subscribe',
  'events:unsubscribe',
  'flows:aggregate',
  'stats:history',
  'host:history',
  'fleet:history',
  'composition:at',
  'composition:growth',
  'rules:detect',
  'rules:preview',
  'rules:list',
  'sysctl:get',
  'sysctl:preview',
  'sysctl:persistPreview',
  'sysctl:history',
  'diagnoses:watch',
  'diagnoses:counts',
];

describe('browser request roles', () => {
  it('classifies every browser request as a read or a change (a new request must pick one)', () => {
    expect([...READS, ...CHANGE_REQUESTS].sort()).toEqual(Object.keys(browserToServerSchemas).sort());
    expect(CHANGE_REQUESTS.filter((name) => READS.includes(name))).toEqual([]);
  });
});
