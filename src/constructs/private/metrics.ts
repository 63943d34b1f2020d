import { Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * The metrics the constructs expose and alarm on, defined once: the public `metricXxx`
 * methods of MultiRegionAuroraPostgres and ArcRoutedApi and the alarms and dashboard of
 * ObservedWorkload all build theirs here.
 */

/** The period of every metric unless a caller overrides it: one minute, the finest RDS and API Gateway publish. */
export const METRIC_PERIOD = Duration.minutes(1);

/** A statistic and unit a metric has unless the caller overrides them. */
interface MetricDefaults {
  readonly statistic: string;
  readonly unit?: cloudwatch.Unit;
}

/**
 * The `AWS/RDS` cluster metrics the library uses, each with its defaults.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html
 */
export const AURORA_CLUSTER_METRICS = {
  /** Milliseconds of the writes a secondary has not applied yet; emitted by secondaries only. */
  AuroraGlobalDBRPOLag: { statistic: cloudwatch.Stats.MAXIMUM, unit: cloudwatch.Unit.MILLISECONDS },
  /** Milliseconds a secondary lags behind the primary's storage. */
  AuroraGlobalDBReplicationLag: { statistic: cloudwatch.Stats.MAXIMUM, unit: cloudwatch.Unit.MILLISECONDS },
  /** Average time a commit takes, in milliseconds. */
  CommitLatency: { statistic: cloudwatch.Stats.AVERAGE, unit: cloudwatch.Unit.MILLISECONDS },
  /** Commits per second: only the writer commits. */
  CommitThroughput: { statistic: cloudwatch.Stats.AVERAGE },
  /** CPU of the busiest instance, in percent. */
  CPUUtilization: { statistic: cloudwatch.Stats.MAXIMUM, unit: cloudwatch.Unit.PERCENT },
  /** Client connections, at most over the period. */
  DatabaseConnections: { statistic: cloudwatch.Stats.MAXIMUM },
} satisfies Record<string, MetricDefaults>;

/** One of {@link AURORA_CLUSTER_METRICS}. */
export type AuroraClusterMetricName = keyof typeof AURORA_CLUSTER_METRICS;

/**
 * An `AWS/RDS` metric of one cluster, per {@link METRIC_PERIOD} with the metric's own
 * statistic and unit, `props` overriding any of them.
 */
export function auroraClusterMetric(
  clusterIdentifier: string, metricName: AuroraClusterMetricName, props: cloudwatch.MetricOptions = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/RDS',
    metricName,
    dimensionsMap: { DBClusterIdentifier: clusterIdentifier },
    period: METRIC_PERIOD,
    ...AURORA_CLUSTER_METRICS[metricName],
    ...props,
  });
}

/**
 * The `AWS/ApiGateway` metrics of a REST API the library uses, each with its defaults.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html
 */
export const API_METRICS = {
  /** Requests received. */
  'Count': { statistic: cloudwatch.Stats.SUM },
  /** Requests answered with a 5xx. */
  '5XXError': { statistic: cloudwatch.Stats.SUM },
  /** Requests answered with a 4xx. */
  '4XXError': { statistic: cloudwatch.Stats.SUM },
  /** Milliseconds from receiving a request to answering it, at the 99th percentile (no unit: the alarms on it never named one). */
  'Latency': { statistic: cloudwatch.Stats.p(99) },
} satisfies Record<string, MetricDefaults>;

/** One of {@link API_METRICS}. */
export type ApiMetricName = keyof typeof API_METRICS;

/**
 * An `AWS/ApiGateway` metric of a REST API (all its stages), per {@link METRIC_PERIOD}
 * with the metric's own statistic and unit, `props` overriding any of them. Made by the
 * API's own `metric()`, so it carries the API's Region and account.
 */
export function apiMetric(api: apigw.RestApiBase, metricName: ApiMetricName, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
  return api.metric(metricName, { period: METRIC_PERIOD, ...API_METRICS[metricName], ...props });
}

/** A metric and the name a math expression gives it. */
export interface NamedMetric {
  readonly name: string;
  readonly metric: cloudwatch.IMetric;
}

/**
 * `100 * part / whole` per {@link METRIC_PERIOD}, 0 while `whole` is 0: the rates the
 * 5xx and error-rate alarms compare with a percentage.
 */
export function percentOf(part: NamedMetric, whole: NamedMetric, label: string): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `IF(${whole.name} > 0, 100 * ${part.name} / ${whole.name}, 0)`,
    usingMetrics: { [part.name]: part.metric, [whole.name]: whole.metric },
    label,
    period: METRIC_PERIOD,
  });
}
