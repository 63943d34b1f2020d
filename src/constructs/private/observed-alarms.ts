import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { apiMetric, auroraClusterMetric, METRIC_PERIOD, percentOf } from './metrics';
import type { ObservedRegionOptions, ObservedWorkloadThresholds, RegionalObservation } from '../observed-workload';

const PERIOD = METRIC_PERIOD;

/** What {@link createMetricAlarms} made in one Region: those members of its {@link RegionalObservation}. */
export type MetricAlarms = Pick<RegionalObservation,
  'api5xxRate' | 'apiLatencyP99' | 'api5xxAlarm' | 'apiLatencyAlarm' |
  'lambdaErrorRates' | 'lambdaErrorAlarms' | 'lambdaThrottleAlarms' | 'lambdaDurationAlarms' |
  'auroraCpu' | 'auroraConnections' | 'auroraCommitLatency' | 'rpoLag' |
  'auroraCpuAlarm' | 'auroraConnectionsAlarm' | 'auroraCommitLatencyAlarm' | 'rpoLagAlarm' | 'alarms'>;

/**
 * The metric alarms of one Region of an ObservedWorkload: the API's 5xx rate and p99
 * latency, each function's error rate, throttles and p99 duration, the cluster's CPU,
 * connections, commit latency and (where it can be a secondary) replication lag. Each is
 * named `<prefix>-<suffix>` and handed to `notify` for its actions.
 */
export function createMetricAlarms(parent: Construct, r: {
  workloadName: string;
  region: string;
  prefix: string;
  options: ObservedRegionOptions;
  thresholds: ObservedWorkloadThresholds;
  notify: (alarm: cloudwatch.AlarmBase) => void;
}): MetricAlarms {
  const { workloadName, region, prefix, options, notify } = r;
  const t = r.thresholds;
  const evaluationPeriods = t.evaluationPeriods ?? 3;
  const alarms: cloudwatch.Alarm[] = [];
  const alarm = (scopeId: string, suffix: string, metric: cloudwatch.IMetric, threshold: number, description: string) => {
    const a = new cloudwatch.Alarm(parent, scopeId, {
      alarmName: `${prefix}-${suffix}`,
      alarmDescription: `${description} (${workloadName}, ${region})`,
      metric,
      threshold,
      evaluationPeriods,
      datapointsToAlarm: evaluationPeriods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    notify(a);
    alarms.push(a);
    return a;
  };

  // ---- API ----
  const api = options.api;
  const api5xxRate = api
    ? percentOf({ name: 'errors', metric: apiMetric(api, '5XXError') }, { name: 'requests', metric: apiMetric(api, 'Count') }, 'API 5xx rate (%)')
    : undefined;
  const apiLatencyP99 = api && apiMetric(api, 'Latency');
  const api5xxAlarm = api5xxRate && alarm('Api5xxRate', 'api-5xx-rate', api5xxRate, t.api5xxRatePercent ?? 5, 'API requests answered 5xx, in ' +
    'percent');
  const apiLatencyAlarm = apiLatencyP99 && alarm(
    'ApiLatencyP99',
    'api-latency-p99',
    apiLatencyP99,
    (t.apiLatencyP99 ?? Duration.seconds(2)).toMilliseconds(),
    'API p99 latency, in ms',
  );

  // ---- Lambda ----
  const functions = options.functions ?? [];
  const lambdaErrorRates = functions.map((fn) => percentOf(
    { name: 'errors', metric: fn.metricErrors({ period: PERIOD, statistic: 'Sum' }) },
    { name: 'invocations', metric: fn.metricInvocations({ period: PERIOD, statistic: 'Sum' }) },
    'Lambda error rate (%)',
  ));
  const lambdaErrorAlarms = functions.map((_fn, i) =>
    alarm(`LambdaErrorRate${i}`, `lambda-${i}-error-rate`, lambdaErrorRates[i], t.lambdaErrorRatePercent ?? 5, 'Invocations of function ' +
      `${i} that failed, in percent`));
  const lambdaThrottleAlarms = functions.map((fn, i) =>
    alarm(`LambdaThrottles${i}`, `lambda-${i}-throttles`, fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }), t.lambdaThrottles ?? 10,
      `Throttled invocations of function ${i} per minute`));
  const lambdaDurationAlarms = functions.map((fn, i) =>
    alarm(`LambdaDurationP99${i}`, `lambda-${i}-duration-p99`, fn.metricDuration({ period: PERIOD, statistic: 'p99' }),
      (t.lambdaDurationP99 ?? Duration.seconds(10)).toMilliseconds(), `p99 duration of function ${i}, in ms`));

  // ---- Aurora ----
  const clusterId = options.databaseClusterIdentifier;
  const auroraCpu = clusterId ? auroraClusterMetric(clusterId, 'CPUUtilization') : undefined;
  const auroraConnections = clusterId ? auroraClusterMetric(clusterId, 'DatabaseConnections') : undefined;
  const auroraCommitLatency = clusterId ? auroraClusterMetric(clusterId, 'CommitLatency') : undefined;
  const canBeSecondary = clusterId !== undefined && options.canBeSecondary !== false;
  const rpoLag = canBeSecondary ? auroraClusterMetric(clusterId, 'AuroraGlobalDBRPOLag') : undefined;
  const auroraCpuAlarm = auroraCpu && alarm('AuroraCpu', 'aurora-cpu', auroraCpu, t.auroraCpuPercent ?? 80, 'Aurora CPU utilization of the ' +
    'busiest instance, in percent');
  const auroraConnectionsAlarm = auroraConnections && alarm('AuroraConnections', 'aurora-connections', auroraConnections, t.auroraConnections ?? 1000,
    'Aurora database connections');
  const auroraCommitLatencyAlarm = auroraCommitLatency && alarm('AuroraCommitLatency', 'aurora-commit-latency', auroraCommitLatency,
    (t.auroraCommitLatency ?? Duration.millis(100)).toMilliseconds(), 'Aurora commit latency, in ms');
  const rpoLagAlarm = rpoLag && alarm('RpoLag', 'rpo-lag', rpoLag, (t.rpoLag ?? Duration.seconds(30)).toMilliseconds(),
    'AuroraGlobalDBRPOLag of this Region\'s cluster while it is a secondary, in ms: the writes a failover to it would lose');

  return {
    api5xxRate,
    apiLatencyP99,
    api5xxAlarm,
    apiLatencyAlarm,
    lambdaErrorRates,
    lambdaErrorAlarms,
    lambdaThrottleAlarms,
    lambdaDurationAlarms,
    auroraCpu,
    auroraConnections,
    auroraCommitLatency,
    rpoLag,
    auroraCpuAlarm,
    auroraConnectionsAlarm,
    auroraCommitLatencyAlarm,
    rpoLagAlarm,
    alarms,
  };
}

/** The name of the composite "Region impaired" alarm of `region`. */
export function impairedAlarmName(workloadName: string, region: string): string {
  return `${workloadName}-${region}-region-impaired`;
}

/**
 * "Region impaired": a composite alarm in ALARM while any of `impairing` is, named
 * {@link impairedAlarmName}, handed to `notify` for its actions.
 */
export function createRegionImpairedAlarm(parent: Construct, r: {
  workloadName: string;
  region: string;
  impairing: cloudwatch.Alarm[];
  notify: (alarm: cloudwatch.AlarmBase) => void;
}): cloudwatch.CompositeAlarm {
  const { workloadName, region, impairing } = r;
  const regionImpairedAlarm = new cloudwatch.CompositeAlarm(parent, 'RegionImpaired', {
    compositeAlarmName: impairedAlarmName(workloadName, region),
    alarmDescription: `${region} is impaired for ${workloadName}: ${impairing.map((a) => a.node.id).join(', ')} (any one)`,
    alarmRule: cloudwatch.AlarmRule.anyOf(...impairing.map((a) => cloudwatch.AlarmRule.fromAlarm(a, cloudwatch.AlarmState.ALARM))),
  });
  r.notify(regionImpairedAlarm);
  return regionImpairedAlarm;
}
