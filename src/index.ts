export * from './constructs/multi-region-aurora-postgres';
export * from './constructs/arc-routed-api';
export * from './constructs/failover-automation';
export * from './constructs/observed-workload';
export * from './constructs/alarm-actions';
