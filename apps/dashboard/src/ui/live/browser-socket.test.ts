import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ask } from './browser-socket';

const replies = (...answers: unknown[]) => {
  let sent = 0;
  return { send: (reply: (raw: unknown) => void) => reply(answers[sent++]), sent: () => sent };
};

describe('ask', () => {
  it('sends a request refused as RATE_LIMITED once more after the wait the server names', async () => {
    const server = replies({ ok: false, code: 'RATE_LIMITED', message: 'too many requests at once; try again in 1 s', retryAfterMs: 50 }, { ok: true, data: 7 });
    expect(await ask(z.number(), server.send)).toEqual({ ok: true, data: 7 });
    expect(server.sent()).toBe(2);
  });

  it('does not retry a long wait, a second refusal, or other failures', async () => {
    const limited = { ok: false, code: 'RATE_LIMITED', message: 'later', retryAfterMs: 10 };
    const long = replies({ ...limited, retryAfterMs: 60_000 });
    expect(await ask(z.number(), long.send)).toMatchObject({ ok: false, code: 'RATE_LIMITED', retryAfterMs: 60_000 });
    expect(long.sent()).toBe(1);
    const twice = replies(limited, limited, { ok: true, data: 1 });
    expect(await ask(z.number(), twice.send)).toMatchObject({ ok: false, code: 'RATE_LIMITED' });
    expect(twice.sent()).toBe(2);
    const forbidden = replies({ ok: false, code: 'FORBIDDEN', message: 'no' }, { ok: true, data: 1 });
    expect(await ask(z.number(), forbidden.send)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(forbidden.sent()).toBe(1);
  });
});
