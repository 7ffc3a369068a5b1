export * from './run';
export * from './netns';
export * from './kernel-available';
export * from './traffic';
export * from './bridge';
export * from './postgres';
export * from './free-port';
export * from './fill';
