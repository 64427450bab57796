/**
 * `@agora/kit/testing`: helpers for tests and the ports' contract suites. Production code
 * never imports this entry (`npm run lint` refuses it outside test folders).
 */
export * from './wait';
export * from './auth';
export * from './databases';
export * from './events';
export * from './http';
export * from './processes';
export * from './ports';
export * from './proxy';
export * from './services';
export * from './subgraph';
export * from './contracts/blobs';
export * from './contracts/cache';
export * from './contracts/db';
export * from './contracts/documents';
export * from './contracts/events';
export * from './contracts/jobs';
export * from './contracts/notices';
export * from './smtp';
