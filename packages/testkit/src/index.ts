export * from './run';
export * from './netns';
export * from './kernel-available';
export * from './traffic';
export * from './bridge';
export * from './redis';
