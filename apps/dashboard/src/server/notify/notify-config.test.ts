import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';

describe('notification configuration', () => {
  it('repeats an alert still active every 4 hours unless CTSCOPE_NOTIFY_REPEAT_MINUTES says otherwise', () => {
    expect(loadConfig({ NODE_ENV: 'test' }, '/srv').notify).toEqual({ repeatMs: 240 * 60_000 });
    expect(loadConfig({ NODE_ENV: 'test', CTSCOPE_NOTIFY_REPEAT_MINUTES: '30' }, '/srv').notify).toEqual({ repeatMs: 30 * 60_000 });
    expect(() => loadConfig({ NODE_ENV: 'test', CTSCOPE_NOTIFY_REPEAT_MINUTES: '0' }, '/srv')).toThrow(/CTSCOPE_NOTIFY_REPEAT_MINUTES/);
  });
});
