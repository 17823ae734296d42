export * from './cli';
export * from './core-commands';
