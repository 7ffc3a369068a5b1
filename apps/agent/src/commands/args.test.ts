import { describe, expect, it } from 'vitest';
import { parseOutputFormat, splitArgs, UsageError } from './args';

const options = [
  { name: 'json', takesValue: false },
  { name: 'query', takesValue: true },
  { name: 'output', short: 'o', takesValue: true },
];

describe('splitArgs', () => {
  it('keeps conntrack flags in order and takes ours out', () => {
    const { own, rest } = splitArgs(['-p', 'tcp', '--json', '--dport', '443', '-o', 'extended', '--query=src:10.0.0.0/8'], options);
    expect(rest).toEqual(['-p', 'tcp', '--dport', '443']);
    expect(Object.fromEntries(own)).toEqual({ json: true, output: 'extended', query: 'src:10.0.0.0/8' });
  });
  it('explains missing and unexpected values', () => {
    expect(() => splitArgs(['--query'], options)).toThrow(new UsageError('--query needs a value'));
    expect(() => splitArgs(['--json=yes'], options)).toThrow('--json takes no value');
  });
});

describe('parseOutputFormat', () => {
  it('reads conntrack formats', () => {
    expect(parseOutputFormat('extended,id')).toEqual({ extended: true, id: true });
    expect(parseOutputFormat(undefined)).toEqual({ extended: false, id: false });
    expect(() => parseOutputFormat('xml')).toThrow(/unknown output format "xml"/);
  });
});
