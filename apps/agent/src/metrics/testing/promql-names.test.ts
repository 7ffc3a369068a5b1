import { describe, expect, it } from 'vitest';
import { metricNames } from './promql-names';

const names = (expr: string) => [...metricNames(expr)].sort();

describe('metric names in PromQL', () => {
  it('finds metrics and skips functions, matchers, ranges and variables', () => {
    expect(names('rate(node_nf_conntrack_stat_drop{instance=~"$instance", job="a{b}"}[$__rate_interval])')).toEqual(['node_nf_conntrack_stat_drop']);
    expect(names('node_nf_conntrack_entries / node_nf_conntrack_entries_limit > 0.9')).toEqual(['node_nf_conntrack_entries', 'node_nf_conntrack_entries_limit']);
    expect(names('time() - ctscope_last_sample_timestamp_seconds{instance=~"${instance:regex}"} > 60')).toEqual(['ctscope_last_sample_timestamp_seconds']);
    expect(names('max without (cpu) (x)')).toEqual(['x']);
  });

  it('skips grouping lists, keywords, durations and numbers', () => {
    expect(names('sum by (instance, protocol) (ctscope_entries_by_protocol) or on(instance) group_left(state) up offset 5m')).toEqual(['ctscope_entries_by_protocol', 'up']);
    expect(names('sum without(cpu) (rate(x_total[5m:1m])) > bool 1e3 and y unless z')).toEqual(['x_total', 'y', 'z']);
    expect(names('histogram_quantile(0.95, sum by (le) (rate(a_bucket[1h30m])))')).toEqual(['a_bucket']);
    expect(names('ctscope:conntrack_usage:ratio > 0.95')).toEqual(['ctscope:conntrack_usage:ratio']);
  });

  it('refuses expressions it cannot read', () => {
    expect(() => metricNames('rate(x[5m')).toThrow(/unbalanced/);
    expect(() => metricNames('x{a="b}')).toThrow(/unterminated|unbalanced/);
  });
});
