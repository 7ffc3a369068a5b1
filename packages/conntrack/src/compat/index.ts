export { CompatError, parseCommandLine, type CtCommand } from './parse';
export { COMMAND_LETTERS, isConntrackCommandLine, type CtCommandName, type CtTable } from './options';
export { runCommand, followEvents, errorText, type CompatContext } from './run';
export { parseBatch, runBatch, splitBatchLine } from './batch';
export { runBatchText } from './batch-pipeline';
export { formatSaveLine } from './save';
export { listFilterMatches } from './match';
