export * from './api';
export * from './args';
export * from './instrumentation';
export * from './loader';
export * from './plugin';
export * from './callback-marker';
