export * from './cli';
export * from './core-commands';
export * from './output-file';
