import { describe, expect, it } from 'vitest';
import { NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REQUEST } from './constants';
import { loadNfEvents } from './native';

/** `count` messages of `lengths` (bytes, before alignment), with flags CREATE|EXCL|ACK and sequence 99. */
function datagram(lengths: number[]): Buffer {
  const aligned = lengths.map((l) => (l + 3) & ~3);
  // One byte in front: the addon must not assume an aligned buffer.
  const b = Buffer.alloc(1 + aligned.reduce((a, l) => a + l, 0)).subarray(1);
  let off = 0;
  lengths.forEach((length, i) => {
    b.writeUInt32LE(length, off);
    b.writeUInt16LE(0x100 + i, off + 4);
    b.writeUInt16LE(NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, off + 6);
    b.writeUInt32LE(99, off + 8);
    b.writeUInt32LE(7, off + 12);
    off += aligned[i] as number;
  });
  return b;
}

describe('numberMessages (the addon)', () => {
  const { numberMessages } = loadNfEvents();

  it('numbers each message from 1 as a request, only the last asking for an acknowledgement', () => {
    const b = datagram([36, 22, 172, 20]);
    expect(numberMessages?.(b)).toBe(4);
    const offsets = [0, 36, 60, 232];
    offsets.forEach((off, i) => {
      const last = i === offsets.length - 1;
      expect(b.readUInt16LE(off + 6), `message ${i}`).toBe(NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | (last ? NLM_F_ACK : 0));
      expect(b.readUInt32LE(off + 8)).toBe(i + 1);
      // Type, length and port stay.
      expect(b.readUInt16LE(off + 4)).toBe(0x100 + i);
      expect(b.readUInt32LE(off + 12)).toBe(7);
    });
  });

  it('answers -1 - the offset of a message whose length is impossible, and 0 for no message', () => {
    const b = datagram([36, 22, 20]);
    b.writeUInt32LE(8, 60);
    expect(numberMessages?.(b)).toBe(-61);
    expect(numberMessages?.(Buffer.alloc(0))).toBe(0);
    expect(() => numberMessages?.('x' as unknown as Buffer)).toThrow(TypeError);
  });
});
