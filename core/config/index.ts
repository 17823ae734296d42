export * from './document';
export * from './schema';
export * from './units';
