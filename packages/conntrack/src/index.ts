export * from './flow';
export * from './expectation';
export * from './source';
export * from './filter';
export * from './text';
export * from './cli';
export * from './ctnetlink';
export { keepYoungGenerationSmall } from './heap';
