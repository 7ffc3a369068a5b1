/**
 * Commit-confirmed changes: a sysctl or rule change applied with a confirmation deadline is undone by
 * whoever claims it first once the deadline passes (the agent, or the CLI's detached reverter), unless
 * `changes.confirm` is recorded before. Everything lives in the agent's audit log, so it survives a
 * restart of the agent and of the dashboard.
 */
export { Claims, claimsDir } from './claims';
export { Confirmations, type ConfirmAnswer, type ConfirmOptions, type Undoers } from './confirmations';
export { AGENT_ACTOR, CONFIRM_ACTION, REVERT_ACTION, MAX_REVERT_ATTEMPTS, confirmState, expiryReason, formatWithin, type OpenChange } from './records';
