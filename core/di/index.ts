export * from './core-module';
