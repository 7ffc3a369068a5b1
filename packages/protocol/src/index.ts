export * from './version';
export * from './errors';
export * from './ack';
export * from './stats';
export * from './host';
export * from './agent-events';
export * from './browser-events';
export * from './http';
