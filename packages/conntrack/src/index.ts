export * from './flow';
export { deriveNat } from './nat';
export * from './expectation';
export * from './source';
export * from './filter';
export * from './text';
export * from './cli';
export * from './ctnetlink';
export { keepYoungGenerationSmall } from './heap';
