// `npm run soak`: the reliability suite at full length and width (CTSCOPE_SOAK=1): a two-minute network
// cut, 200 browsers on one host, hostile sockets, password guessing, refused viewers, and a dashboard
// restart under a live page. `npm test` runs the same tests shorter.
import { join } from 'node:path';
import { bin, prepareForTests, runSteps } from './lib/steps.mjs';
import { ROOT } from './lib/setup.mjs';

const steps = [
  ['hostile sockets and password guessing', bin('vitest'), ['run', '--project', 'unit', 'apps/dashboard/src/server/sockets/abuse.test.ts']],
  ['network cut, many browsers, viewer refusals', bin('vitest'), ['run', '--project', 'kernel', 'apps/dashboard/src/server/testing/reliability.kernel.test.ts', 'apps/dashboard/src/server/testing/live.kernel.test.ts']],
  ['dashboard restart under a live page, revoked agent', bin('playwright'), ['test', '--config', join(ROOT, 'e2e', 'playwright.config.ts'), 'specs/restart.spec.ts', 'specs/revoke.spec.ts']],
];

await prepareForTests();
await runSteps(steps, { CTSCOPE_SOAK: '1' });
