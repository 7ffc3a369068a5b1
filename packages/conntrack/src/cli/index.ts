export { CliSource, type CliSourceOptions, type CliLogger } from './cli-source';
export { planKernelFilter, type CliFilterPlan } from './kernel-filter';
