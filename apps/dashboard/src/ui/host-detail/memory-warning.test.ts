import { describe, expect, it } from 'vitest';
import { memoryWarning } from './memory-warning';

const MB = 1_048_576;

describe('memoryWarning', () => {
  it('says what a full table needs against the limit, and what to do', () => {
    expect(memoryWarning({ capBytes: 768 * MB, neededBytes: 1_408 * MB, bytesPerEntry: 160, tableMax: 8_388_608, exceeds: true })).toBe(
      "A full table (8,388,608 entries) would need about 1408 MB, over the agent's memory limit of 768 MB: raise the unit's MemoryMax or lower nf_conntrack_max.",
    );
  });
  it('stays silent when the table fits, without a limit, or from an agent that does not report it', () => {
    expect(memoryWarning({ capBytes: 768 * MB, neededBytes: 288 * MB, bytesPerEntry: 160, tableMax: 1_048_576, exceeds: false })).toBeNull();
    expect(memoryWarning({ capBytes: null, neededBytes: 1_408 * MB, bytesPerEntry: 160, tableMax: 8_388_608, exceeds: false })).toBeNull();
    expect(memoryWarning(undefined)).toBeNull();
  });
});
