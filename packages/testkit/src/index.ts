export * from './run';
export * from './netns';
export * from './kernel-available';
