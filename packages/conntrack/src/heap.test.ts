import { describe, expect, it } from 'vitest';
import { youngGenerationBoundedAtStart } from './heap';

describe('youngGenerationBoundedAtStart', () => {
  it('sees the launcher flag on the command line or in NODE_OPTIONS', () => {
    expect(youngGenerationBoundedAtStart(['--max-semi-space-size=2'], '')).toBe(true);
    expect(youngGenerationBoundedAtStart(['--expose-gc'], '--inspect --max-semi-space-size 4')).toBe(true);
    expect(youngGenerationBoundedAtStart(['--max-semi-space-size-x=2', '--min-semi-space-size=2'], '')).toBe(false);
    expect(youngGenerationBoundedAtStart([], '')).toBe(false);
  });
});
