/** Test helpers other packages' tests use too (`@ctscope/conntrack/testing`): seeded random filters, hand-built flows. */
export { prng, randomFilter } from './test-random';
export { makeFlow, type FlowSpec } from './test-flows';
