import { App, Duration } from 'aws-cdk-lib';
import { ArcRoutedApi, FailoverAutomation, MultiRegionAuroraPostgres, ObservedWorkload } from '../../../src';

/** Alarms in every Region, AWS Health issues, "Region impaired" alarms and one dashboard for the deployment above. */
export function observe(app: App, database: MultiRegionAuroraPostgres, api: ArcRoutedApi, runbooks: FailoverAutomation): ObservedWorkload {
  return new ObservedWorkload(app, 'Observed', {
    name: 'orders',
    regions: ObservedWorkload.regionsOf(database, api),
    dashboardStack: api.routingStack,
    thresholds: { apiLatencyP99: Duration.millis(800), rpoLag: Duration.seconds(10) },
    // Off unless given: when the writer's Region is impaired, start the failover runbook
    // in a healthy Region; the run waits for an approver after its pre-flight checks.
    automaticFailover: { runbooks, coolDown: Duration.hours(1) },
  });
}
