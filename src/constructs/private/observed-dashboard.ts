import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { apiMetric, AuroraClusterMetricName, auroraClusterMetric, METRIC_PERIOD } from './metrics';
import { impairedAlarmName } from './observed-alarms';
import type { FailoverAutomation } from '../failover-automation';
import type { ObservedRegionOptions } from '../observed-workload';

const PERIOD = METRIC_PERIOD;

/** One dashboard, every Region side by side: each widget has one line per Region, read in that Region. */
export function createDashboard(parent: Construct, r: {
  workloadName: string;
  regionNames: string[];
  regions: ObservedRegionOptions[];
  runbooks?: FailoverAutomation;
}): cloudwatch.Dashboard {
  const { workloadName, regionNames, runbooks } = r;
  const perRegion = (make: (options: ObservedRegionOptions, region: string) => cloudwatch.IMetric | undefined) =>
    r.regions.map((o, i) => make(o, regionNames[i])).filter((m): m is cloudwatch.IMetric => m !== undefined);
  const graph = (title: string, metrics: cloudwatch.IMetric[], leftLabel?: string) => new cloudwatch.GraphWidget({
    title, left: metrics, width: 8, height: 6, leftYAxis: leftLabel ? { label: leftLabel, showUnits: false } : undefined,
  });
  // Without units: a graph shows every datapoint, whatever unit it came with.
  const rds = (metricName: AuroraClusterMetricName) => perRegion((o, region) => (o.databaseClusterIdentifier
    ? auroraClusterMetric(o.databaseClusterIdentifier, metricName, { region, label: region, unit: undefined })
    : undefined));
  // Account-wide Lambda metrics per Region: a function's name may only be known in its own stack.
  const lambdaAll = (metricName: string) => perRegion((o, region) => (o.functions ?? []).length > 0 ? new cloudwatch.Metric({
    namespace: 'AWS/Lambda', metricName, statistic: 'Sum', period: PERIOD, region, label: region,
  }) : undefined);
  const impaired = regionNames.map((region) => `\`${impairedAlarmName(workloadName, region)}\` (${region})`).join(', ');

  return new cloudwatch.Dashboard(parent, 'Dashboard', {
    dashboardName: workloadName,
    defaultInterval: Duration.hours(3),
    widgets: [
      [new cloudwatch.TextWidget({
        markdown: `# ${workloadName} in ${regionNames.join(', ')}\n` +
          'Traffic: the Region with requests is the one routed. Writer: the Region with commits (secondaries commit nothing) ' +
          `and without replication lag. "Region impaired" alarms: ${impaired}.`,
        width: 24,
        height: 2,
      })],
      [
        graph('Requests per Region (traffic served)', perRegion((o, region) => o.api && apiMetric(o.api, 'Count', { region, label: region }))),
        graph('API 5xx per Region', perRegion((o, region) => o.api && apiMetric(o.api, '5XXError', { region, label: region }))),
        graph('API p99 latency per Region', perRegion((o, region) => o.api && apiMetric(o.api, 'Latency', { region, label: region })), 'ms'),
      ],
      [
        graph('Commits per second (the writer is the Region with commits)', rds('CommitThroughput')),
        graph('Replication lag, AuroraGlobalDBRPOLag (from secondaries)', rds('AuroraGlobalDBRPOLag'), 'ms'),
        graph('Lambda errors per Region (all functions)', lambdaAll('Errors')),
      ],
      [
        graph('Aurora CPU per Region', rds('CPUUtilization'), '%'),
        graph('Aurora commit latency per Region', rds('CommitLatency'), 'ms'),
        graph('Lambda throttles per Region (all functions)', lambdaAll('Throttles')),
      ],
      ...(runbooks?.readinessEnabled ? [readinessRow(runbooks, regionNames)] : []),
    ],
  });
}

/** The runbooks' readiness: every runbook together per Region, and each runbook in each Region. */
function readinessRow(runbooks: FailoverAutomation, regionNames: string[]): cloudwatch.IWidget[] {
  const regions = runbooks.regionNames.filter((region) => regionNames.includes(region));
  const ready = { min: 0, max: 1, label: '1 ready, 0 would refuse', showUnits: false };
  return [
    new cloudwatch.GraphWidget({
      title: 'Runbooks ready per Region (last readiness evaluation)',
      left: regions.map((r) => runbooks.metricRunbookReady(r)),
      leftYAxis: ready,
      width: 12,
      height: 6,
    }),
    new cloudwatch.GraphWidget({
      title: 'Each runbook, per Region (why: npx cdk-cross-region-failover status)',
      left: regions.flatMap((r) => ['switchover', 'failover', 'failback', 'rebuild'].map((runbook) => runbooks.metricRunbookReady(r, runbook))),
      leftYAxis: ready,
      width: 12,
      height: 6,
    }),
  ];
}
