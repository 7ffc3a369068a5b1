/** Composition history: what the table holds every 10 s, a ring of the last hour, and who grew. */
export { summarise, type NetnsProvider } from './summarise';
export { CompositionRing } from './ring';
export { growthAttribution, ATTRIBUTION_WINDOW_MS } from './attribution';
export { ownNetns } from './own-netns';
export { startCompositions, COMPOSITION_INTERVAL_MS, type CompositionService } from './service';
