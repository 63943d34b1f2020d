export * from './constructs/multi-region-aurora-postgres';
