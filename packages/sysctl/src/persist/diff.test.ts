import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './diff';

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => expect(unifiedDiff('a\nb\n', 'a\nb\n', '/f')).toBe(''));

  it('shows a new file against /dev/null', () => {
    expect(unifiedDiff(null, 'x\ny\n', '/etc/f')).toBe('--- /dev/null\n+++ b/etc/f\n@@ -0,0 +1,2 @@\n+x\n+y\n');
  });

  it('shows changed lines with three lines of context in separate hunks', () => {
    const before = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12'].join('\n') + '\n';
    const after = ['1', 'two', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13'].join('\n') + '\n';
    expect(unifiedDiff(before, after, '/f')).toBe(
      ['--- a/f', '+++ b/f', '@@ -1,5 +1,5 @@', ' 1', '-2', '+two', ' 3', ' 4', ' 5', '@@ -10,3 +10,4 @@', ' 10', ' 11', ' 12', '+13', ''].join('\n'),
    );
  });

  it('removes everything', () => {
    expect(unifiedDiff('a\n', '', '/f')).toBe('--- a/f\n+++ b/f\n@@ -1,1 +0,0 @@\n-a\n');
  });
});
