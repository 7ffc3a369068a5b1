'use client';

import { ruleApplyResultSchema, type Ack, type RuleApplyResult } from '@ctscope/protocol';
import { ask, type BrowserSocket } from '../live/browser-socket';

/**
 * The rules page's apply, with a confirmation deadline: a diagnosis's temporary rule (e.g. logging INVALID
 * packets for a minute) is applied commit-confirmed and never confirmed, so the agent removes it by itself.
 */
export const applyRuleFor = (socket: BrowserSocket, hostId: string, spec: Record<string, unknown>, withCompanions: boolean, confirmWithinMs: number | undefined): Promise<Ack<RuleApplyResult>> =>
  ask(ruleApplyResultSchema, (reply) => socket.emit('rules:apply', { hostId, spec, withCompanions, ...(confirmWithinMs !== undefined && { confirmWithinMs }) }, reply), 30_000);
