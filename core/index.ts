/** The framework: bus, DI, plugin API, configs, simulation services, machines. */
export * from './common';
export * from './bus';
export * from './config';
export * from './di';
export * from './machine';
export * from './plugin';
export * from './sim';
export * from './cli';
