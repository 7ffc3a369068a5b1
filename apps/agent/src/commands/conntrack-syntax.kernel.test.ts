import { skipKernelTests } from '@ctscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASES } from './conntrack-syntax/cases';
import { normalize, SideBySide } from './conntrack-syntax/side-by-side';

// Each group is a sequence on one pair of namespaces: conntrack 1.4.7 in one, ctscope in the other,
// the same command line in both. Required for every line: the exit code, what was printed on stdout
// (timeouts, ids and reference counts aside) and every entry left in both tables.
describe.skipIf(skipKernelTests())('ctscope given conntrack command lines, side by side with conntrack 1.4.7', () => {
  for (const [group, steps] of Object.entries(CASES)) {
    describe(group, () => {
      let pair: SideBySide;
      beforeAll(async () => {
        pair = await SideBySide.create();
      });
      afterAll(async () => {
        await pair?.destroy();
      });

      it(`${steps.length} lines: same exit code, same output, same entries left`, { timeout: 600_000 }, async () => {
        for (const [index, step] of steps.entries()) {
          const label = `${group} line ${index + 1}: ${step.args}${step.stdin ? ` <<< ${JSON.stringify(step.stdin)}` : ''}${step.pipeFrom ? ` <<< ${step.pipeFrom.args}` : ''}`;
          const { conntrack, ctscope, piped } = await pair.step(step);
          expect(conntrack.code === 0 ? 'ok' : 'bad', `${label}: conntrack itself (${conntrack.stderr.trim()})`).toBe(step.expect);
          expect(ctscope.code, `${label}: exit code (ours said: ${ctscope.stderr.trim()}; conntrack: ${conntrack.stderr.trim()})`).toBe(conntrack.code);
          if (piped) expect(normalize(piped.ctscope.stdout), `${label}: piped output`).toEqual(normalize(piped.conntrack.stdout));
          expect(normalize(ctscope.stdout), `${label}: output`).toEqual(normalize(conntrack.stdout));
          const tables = await pair.tables();
          expect(tables.ctscope, `${label}: entries left`).toEqual(tables.conntrack);
        }
      });
    });
  }
});
