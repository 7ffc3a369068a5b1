export * from './flow';
export * from './source';
