// Validation: the only way to a spec the builders accept.
export * from './spec/address';
export * from './spec/primitives';
export * from './spec/schemas';
export * from './spec/validate';

// Pure builders.
export { buildRule, summarise, type BuildOptions, type BuiltRule, type Syntax } from './build';
export { COMMENT_PREFIX, RULE_ID_PATTERN, canonicalSpec, idFromComment, ruleComment, ruleId } from './id';
export { notrackHalves, specFamilies, formatPorts, type NotrackHalf } from './halves';
export { shellCommand, shellQuote } from './quote';
export { NFT_CHAINS, NFT_FAMILY, NFT_TABLE, type NftChainName } from './nft/table';
export { DEFAULT_LOG_PREFIX, DEFAULT_LOG_RATE, connlimitSetName, type NftRendering, type NftRule, type NftSet } from './nft/build';
export { userChainSchema, userChainUntrackedAccept, type UserChain } from './nft/user-chain';
export { IPT_CHAINS, isOwnChain, type IptChainName, type IptTable } from './iptables/chains';
export { IPTABLES_CLI, type IptablesRendering, type IptablesRule, type NotrackTarget } from './iptables/build';
export { parseSave, type SavedRule, type SavedState } from './iptables/save-parse';
export { foreignIptablesSave, foreignNftRuleset } from './ruleset-text';

// Pure impact helpers.
export * from './impact/notrack';
export * from './impact/ruleset';
export { parseProcNetSockets, readListeningSockets, type ListeningSocket } from './impact/listeners';

// System: detection, apply / list / remove, persistence (execFile argv only).
export { CommandError, execRunner, tryRun, type RunOutput, type Runner } from './system/runner';
export { detectBackend, IPTABLES_BINARIES, type Backend, type Detection, type IptablesBinaries } from './system/detect';
export { groupById, type ApplyResult, type OwnedRule, type OwnedRuleGroup, type RuleRef } from './system/owned';
export { applyRule, listRules, removeAllRules, removeRule, type RulesContext } from './system/rules';
export { DEFAULT_PERSIST_PATHS, checkPersistPath, renderPersistFiles, writePersistFile, type PersistFile, type PersistPaths } from './system/persist';
