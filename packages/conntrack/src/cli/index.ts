export { CliSource, type CliSourceOptions, type CliLogger } from './cli-source';
export { planKernelFilter, type CliFilterPlan } from './kernel-filter';
export { flowDeleteArgs, flowCreateArgs, flowUpdateArgs, type FlowIdentity, type CliNewFlow, type CliFlowUpdate } from './mutate';
