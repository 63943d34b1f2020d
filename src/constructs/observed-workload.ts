import { CfnOutput, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeFinding, acknowledgeInPacks } from './acknowledge';
import { IAlarmActionFactory } from './alarm-actions';
import { ArcRoutedApi } from './arc-routed-api';
import { FailoverAutomation } from './failover-automation';
import { MultiRegionAuroraPostgres } from './multi-region-aurora-postgres';
import { allowLogGroupsToUse } from './private/keys';
import { MAX_REGIONS } from './private/limits';
import { createMetricAlarms, createRegionImpairedAlarm, impairedAlarmName } from './private/observed-alarms';
import { createDashboard } from './private/observed-dashboard';
import { createFailoverTrigger } from './private/observed-failover-trigger';
import { createHealthEvents, servicesInUse } from './private/observed-health-events';
import { RegionalPlacement } from './private/placement';
import { isIntegerInRange, subject, throwIfInvalid, validateRegionalStacks, ValidationRule, warnInStacks } from './validation';
import { IAM_PRINCIPAL_ARN } from '../principals';

const CONSTRUCT_NAME = 'ObservedWorkload';

/**
 * One Region of an {@link ObservedWorkload}: its stack and what runs there. Everything
 * but the stack is optional; what is given gets alarms.
 */
export interface ObservedRegionOptions {
  /** The Region's stack, with a concrete `env.region`: the alarms, the topic and the rules go here. */
  readonly stack: Stack;

  /**
   * The Region's REST API: 5xx rate and p99 latency alarms.
   *
   * @default - no API alarms
   */
  readonly api?: apigw.RestApiBase;

  /**
   * The functions serving the Region: error rate, throttle and p99 duration alarms each.
   *
   * @default - no Lambda alarms
   */
  readonly functions?: lambda.IFunction[];

  /**
   * `DBClusterIdentifier` of the Region's Aurora cluster: CPU, connections and commit
   * latency alarms, and the replication-lag alarm when it can be a secondary.
   *
   * @default - no Aurora alarms
   */
  readonly databaseClusterIdentifier?: string;

  /**
   * Whether the Region's cluster can be a secondary of a global database. Aurora emits
   * `AuroraGlobalDBRPOLag` from secondaries only, and after a switchover the secondaries
   * are other Regions, so every Region that can be one gets the alarm (missing data is
   * not breaching: the writer's alarm stays OK).
   *
   * @default true when `databaseClusterIdentifier` is given
   */
  readonly canBeSecondary?: boolean;
}

/**
 * Alarm thresholds of an {@link ObservedWorkload}. Every alarm is evaluated on 1-minute
 * periods and fires when `evaluationPeriods` periods in a row breach.
 */
export interface ObservedWorkloadThresholds {
  /**
   * The API's 5xx rate above which its alarm fires: `100 * 5XXError / Count`, in percent of requests.
   *
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html
   * @default 5 (percent of requests answered 5xx)
   */
  readonly api5xxRatePercent?: number;
  /**
   * The API's p99 `Latency` above which its alarm fires.
   *
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html
   * @default Duration.seconds(2)
   */
  readonly apiLatencyP99?: Duration;
  /**
   * A function's error rate above which its alarm fires: `100 * Errors / Invocations`, in percent.
   *
   * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
   * @default 5 (percent of invocations that failed)
   */
  readonly lambdaErrorRatePercent?: number;
  /**
   * A function's `Throttles` per minute above which its alarm fires.
   *
   * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
   * @default 10 (throttled invocations per minute)
   */
  readonly lambdaThrottles?: number;
  /**
   * A function's p99 `Duration` above which its alarm fires.
   *
   * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
   * @default Duration.seconds(10)
   */
  readonly lambdaDurationP99?: Duration;
  /**
   * The cluster's `CPUUtilization` (the maximum over its instances) above which its alarm fires, in percent.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html
   * @default 80 (percent)
   */
  readonly auroraCpuPercent?: number;
  /**
   * The cluster's `DatabaseConnections` above which its alarm fires.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html
   * @default 1000
   */
  readonly auroraConnections?: number;
  /**
   * The cluster's `CommitLatency` above which its alarm fires (one of the alarms that make a Region impaired).
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html
   * @default Duration.millis(100)
   */
  readonly auroraCommitLatency?: Duration;
  /**
   * The replication lag (`AuroraGlobalDBRPOLag`) of a secondary above which its alarm fires.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-monitoring.html
   * @default Duration.seconds(30)
   */
  readonly rpoLag?: Duration;
  /**
   * How many one-minute periods in a row must breach before an alarm fires (and `DatapointsToAlarm`), 1 to 60.
   *
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
   * @default 3
   */
  readonly evaluationPeriods?: number;
}

/**
 * The opt-in automatic failover of an {@link ObservedWorkload}.
 */
export interface AutomaticFailoverOptions {
  /** The runbooks to start: their failover runbook, in the healthy Region chosen. */
  readonly runbooks: FailoverAutomation;

  /**
   * No failover is started while one started, in any of the Regions, less than this long
   * ago: an alarm that flaps does not move the database back and forth.
   *
   * @default Duration.hours(1)
   */
  readonly coolDown?: Duration;

  /**
   * Whether the started failover waits for an approver after its pre-flight checks.
   * Keep it on unless an unattended failover, and the writes it may lose, are acceptable.
   *
   * @default true
   */
  readonly requireApproval?: boolean;

  /**
   * IAM user or role ARNs that may approve.
   *
   * @default - the runbooks' `approvers`
   */
  readonly approvers?: string[];
}

/**
 * Properties of {@link ObservedWorkload}.
 */
export interface ObservedWorkloadProps {
  /** Name of the workload: the prefix of every alarm name, the rules, the topics and the dashboard. 1 to 40 letters, digits or hyphens. */
  readonly name: string;

  /** The Regions, each with what runs there. `ObservedWorkload.regionsOf(database, api)` builds them from the other constructs. */
  readonly regions: ObservedRegionOptions[];

  /** The stack of the cross-Region dashboard (a dashboard is one resource, in one Region). */
  readonly dashboardStack: Stack;

  /**
   * Alarm thresholds.
   *
   * @default - the defaults of each threshold
   */
  readonly thresholds?: ObservedWorkloadThresholds;

  /**
   * Where every alarm of a Region sends its notifications (ALARM and OK): an existing
   * topic per Region (`AlarmActions.snsTopicPerRegion`), or your own
   * {@link IAlarmActionFactory} for a paging or chat integration. The Region's own
   * topic is still created: the AWS Health events are delivered to it and to the log group.
   *
   * @default - the Region's own KMS-encrypted topic (`RegionalObservation.topic`)
   */
  readonly alarmActions?: IAlarmActionFactory;

  /**
   * AWS Health services (as AWS Health names them: `APIGATEWAY`, `LAMBDA`, `RDS`, ...)
   * whose issues are delivered, per Region, to the topic and the log group.
   *
   * @default - the services in use in the Region: APIGATEWAY with an API, LAMBDA with
   * functions, RDS with a cluster; and EVENTS, SNS, CLOUDWATCH, which the alarms rely on
   */
  readonly healthEventServices?: string[];

  /**
   * Retention of the AWS Health events' log group in every Region.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly healthEventRetention?: logs.RetentionDays;

  /**
   * When a Region's "Region impaired" alarm fires and that Region holds the global
   * database's writer, start the failover runbook toward a healthy Region (nothing starts
   * for an impaired Region without the writer, or while a precondition cannot be read:
   * docs/observed-workload.md). Off unless given: an automatic failover can lose the
   * writes not yet replicated, and a false alarm moves the database.
   *
   * @default - no automatic action; the alarms only notify
   */
  readonly automaticFailover?: AutomaticFailoverOptions;

  /**
   * The runbooks whose readiness to show: the dashboard gets a row with each Region's
   * `RunbookReady` (the last evaluation of whether the runbooks would start there), and
   * each Region's readiness alarm takes that Region's alarm actions when the alarm is in the
   * same stack as the Region's alarms (otherwise a synth warning says to add the action).
   *
   * @default - `automaticFailover.runbooks` when given; otherwise no readiness shown
   */
  readonly runbooks?: FailoverAutomation;
}

/**
 * What {@link ObservedWorkload} created in one Region, every metric and alarm included.
 */
export interface RegionalObservation {
  /** The AWS Region. */
  readonly region: string;
  /** The Region's stack. */
  readonly stack: Stack;
  /** The Region's own topic (KMS-encrypted): AWS Health events are delivered to it, and every alarm notifies it unless `alarmActions` is given. */
  readonly topic: sns.ITopic;
  /** The KMS key of the Region's topic, dead-letter queue and log groups. */
  readonly alarmKey: kms.IKey;
  /** The rule delivering AWS Health issues of the services in use. */
  readonly healthEventRule: events.Rule;
  /** The log group keeping those AWS Health events (KMS-encrypted with the Region's alarm key). */
  readonly healthEventLogGroup: logs.ILogGroup;
  /**
   * Where an AWS Health event, or an alarm's call to the failover trigger, goes when it
   * cannot be delivered (KMS-encrypted, kept 14 days).
   */
  readonly deadLetterQueue: sqs.IQueue;
  /** Fires as soon as anything lands in `deadLetterQueue`: a notification or a failover decision was dropped. */
  readonly deadLetterAlarm: cloudwatch.Alarm;
  /** Fires while AWS Health reports an issue of a service in use in the Region. */
  readonly healthEventAlarm: cloudwatch.Alarm;
  /**
   * Percent of API requests answered 5xx, when there is an API.
   *
   * @default - undefined, when it is not created (see above)
   */
  readonly api5xxRate?: cloudwatch.IMetric;
  /**
   * The API's p99 latency, when there is an API.
   *
   * @default - undefined, when it is not created (see above)
   */
  readonly apiLatencyP99?: cloudwatch.IMetric;
  /**
   * The API 5xx rate alarm, when there is an API.
   *
   * @default - undefined, when it is not created (see above)
   */
  readonly api5xxAlarm?: cloudwatch.Alarm;
  /**
   * The API p99 latency alarm, when there is an API.
   *
   * @default - undefined, when it is not created (see above)
   */
  readonly apiLatencyAlarm?: cloudwatch.Alarm;
  /** Per function, in the order given: percent of invocations that failed. */
  readonly lambdaErrorRates: cloudwatch.IMetric[];
  /** Per function: the error rate alarm. */
  readonly lambdaErrorAlarms: cloudwatch.Alarm[];
  /** Per function: the throttles alarm. */
  readonly lambdaThrottleAlarms: cloudwatch.Alarm[];
  /** Per function: the p99 duration alarm. */
  readonly lambdaDurationAlarms: cloudwatch.Alarm[];
  /**
   * The cluster's CPU utilization, when there is a cluster.
   *
   * @default - undefined, when it is not created (see above)
   */
  readonly auroraCpu?: cloudwatch.IMetric;
  /**
   * The cluster's connections, when there is a cluster.
   *
   * @default - undefined, when it is not created (see above)
   */
  readonly auroraConnections?: cloudwatch.IMetric;
  /**
   * The cluster's commit latency, when there is a cluster.
   *
   * @default - undefined, when it is not created (see above)
   */
  readonly auroraCommitLatency?: cloudwatch.IMetric;
  /**
   * The cluster's `AuroraGlobalDBRPOLag`, when it can be a secondary.
   *
   * @default - undefined, when it is not created (see above)
   */
  readonly rpoLag?: cloudwatch.IMetric;
  /**
   * The CPU alarm, when there is a cluster.
   *
   * @default - undefined, when it is not created (see above)
   */
  readonly auroraCpuAlarm?: cloudwatch.Alarm;
  /**
   * The connections alarm, when there is a cluster.
   *
   * @default - undefined, when it is not created (see above)
   */
  readonly auroraConnectionsAlarm?: cloudwatch.Alarm;
  /**
   * The commit latency alarm, when there is a cluster.
   *
   * @default - undefined, when it is not created (see above)
   */
  readonly auroraCommitLatencyAlarm?: cloudwatch.Alarm;
  /**
   * The replication lag alarm, when the cluster can be a secondary.
   *
   * @default - undefined, when it is not created (see above)
   */
  readonly rpoLagAlarm?: cloudwatch.Alarm;
  /** Every metric alarm of the Region. */
  readonly alarms: cloudwatch.Alarm[];
  /**
   * "Region impaired": any of the API 5xx rate, the API p99 latency, a function's error
   * rate, the commit latency, or an AWS Health issue. Capacity and replication alarms
   * (throttles, duration, CPU, connections, RPO lag) notify but do not make a Region
   * impaired.
   */
  readonly regionImpairedAlarm: cloudwatch.CompositeAlarm;
  /**
   * The function that starts a failover when `regionImpairedAlarm` fires and the Region holds the writer, with `automaticFailover`.
   *
   * @default - undefined, when it is not created (see above)
   */
  readonly failoverTrigger?: lambda.IFunction;
}

/**
 * Knowing when a Region is impaired: per-Region alarms on the API, the functions and the
 * Aurora cluster (replication lag in every Region that can be a secondary), AWS Health
 * issues of the services in use, a composite "Region impaired" alarm per Region, one
 * dashboard with every Region side by side, and, only when asked, an automatic failover.
 *
 * @example
 * new ObservedWorkload(app, 'Observed', {
 *   name: 'orders',
 *   regions: ObservedWorkload.regionsOf(database, api),
 *   dashboardStack: api.routingStack,
 * });
 */
export class ObservedWorkload extends Construct {
  /**
   * The Regions of a {@link MultiRegionAuroraPostgres} and an {@link ArcRoutedApi} over the
   * same Regions: each Region's stack, API, handler and cluster.
   *
   * @param database the global database
   * @param api the routed API
   */
  public static regionsOf(database: MultiRegionAuroraPostgres, api: ArcRoutedApi): ObservedRegionOptions[] {
    return database.regionalClusters.map((cluster) => {
      const regional = api.regionalApis.find((r) => r.region === cluster.region);
      // A Region routed to the team's own endpoint: its API is theirs to add to the options.
      if (!regional && api.regionNames.includes(cluster.region)) {
        return { stack: cluster.stack, databaseClusterIdentifier: cluster.clusterIdentifier };
      }
      if (!regional) {
        throw new Error(`${CONSTRUCT_NAME}.regionsOf: the database '${database.node.path}' has Region ${cluster.region} ` +
          `and the API '${api.node.path}' does not ` +
          `(${api.regionNames.join(', ')}): ` +
          'give MultiRegionAuroraPostgres and ArcRoutedApi the same Regions.');
      }
      return { stack: cluster.stack, api: regional.api, functions: [regional.handler], databaseClusterIdentifier: cluster.clusterIdentifier };
    });
  }

  /** The Regions, in the order given. */
  public readonly regionNames: string[];
  /** What was created in each Region. */
  public readonly regionalObservations: RegionalObservation[];
  /** The cross-Region dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** The workload's name, which every alarm name starts with. */
  private readonly name: string;
  /** The actions of each Region's alarms. */
  private readonly actionsByRegion = new Map<string, cloudwatch.IAlarmAction[]>();

  /**
   * @param scope where the construct lives; any scope, the App is a good one
   * @param id the construct id, also used for the resources in every stack
   * @param props the Regions, the dashboard's stack, thresholds and options
   */
  constructor(scope: Construct, id: string, props: ObservedWorkloadProps) {
    super(scope, id);
    this.regionNames = validateRegionalStacks(this, CONSTRUCT_NAME, 'regions', props.regions.map((r) => r.stack), MAX_REGIONS);
    validateProps(this, props, this.regionNames);
    this.name = props.name;

    const placement = new RegionalPlacement(this);
    const parentIn = (stack: Stack): Construct => placement.parentIn(stack);

    this.regionalObservations = props.regions.map((options, i) => this.observeRegion(parentIn(options.stack), this.regionNames[i], options, props));
    const runbooks = props.runbooks ?? props.automaticFailover?.runbooks;
    this.dashboard = createDashboard(parentIn(props.dashboardStack), {
      workloadName: props.name, regionNames: this.regionNames, regions: props.regions, runbooks,
    });
    const dashboardRegion = props.dashboardStack.region;
    new CfnOutput(parentIn(props.dashboardStack), 'DashboardUrl', {
      description: `The ${props.name} dashboard: every Region side by side (the AWS console of the commercial partition)`,
      value: `https://console.aws.amazon.com/cloudwatch/home?region=${dashboardRegion}#dashboards/dashboard/${props.name}`,
    });
    if (runbooks) this.notifyReadiness(runbooks, parentIn);

    if (props.automaticFailover) {
      if (props.automaticFailover.requireApproval === false) {
        // In every Region whose alarm can start such a failover, where `cdk synth` prints it.
        warnInStacks(this.regionalObservations.map((o) => parentIn(o.stack)), 'cdk-cross-region-failover:automatic-failover-without-approval',
          'automaticFailover.requireApproval is false: a "Region impaired" alarm starts a failover that can lose the writes not yet replicated, ' +
            'with nobody asked.');
      }
      this.regionalObservations = this.regionalObservations.map((observation) => ({
        ...observation,
        failoverTrigger: createFailoverTrigger(parentIn(observation.stack), {
          workloadName: props.name, regionNames: this.regionNames, observation, options: props.automaticFailover!,
        }),
      }));
    }
  }

  /**
   * The name of the composite "Region impaired" alarm of `region`
   * (`<name>-<region>-region-impaired`): a plain string, usable from another Region's
   * stack, where the alarm's `alarmName` attribute is not.
   *
   * @param region one of the Regions
   */
  public regionImpairedAlarmName(region: string): string {
    this.regionalObservation(region);
    return impairedAlarmName(this.name, region);
  }

  /**
   * The prefix every alarm of `region` starts with (`<name>-<region>-`), for
   * `DescribeAlarms`' `AlarmNamePrefix`.
   *
   * @param region one of the Regions
   */
  public alarmNamePrefix(region: string): string {
    this.regionalObservation(region);
    return `${this.name}-${region}-`;
  }

  /**
   * Lets `grantee` read the alarms' states with `cloudwatch:DescribeAlarms`, for an
   * operations page or a status tool. The permission is on `*`, as CloudWatch requires
   * for composite alarms (the "Region impaired" alarm): "To use this operation and return
   * information about composite alarms, you must be signed on with the
   * cloudwatch:DescribeAlarms permission that is scoped to *" (CloudWatch API reference,
   * DescribeAlarms). It reads alarm configurations and states only; it changes nothing.
   *
   * @param grantee the function or role that reads the alarms
   */
  public grantReadAlarms(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['cloudwatch:DescribeAlarms'], resourceArns: ['*'] });
  }

  /**
   * What was created in `region`.
   *
   * @param region one of the Regions
   */
  public regionalObservation(region: string): RegionalObservation {
    const found = this.regionalObservations.find((r) => r.region === region);
    if (!found) {
      throw new Error(`${CONSTRUCT_NAME} '${this.node.path}': no observation in Region '${region}'; its Regions are ${this.regionNames.join(', ')}.`);
    }
    return found;
  }

  private observeRegion(parent: Construct, region: string, options: ObservedRegionOptions, props: ObservedWorkloadProps): RegionalObservation {
    const prefix = `${props.name}-${region}`;

    const key = new kms.Key(parent, 'AlarmTopicKey', {
      description: `Encrypts the ${props.name} alarm and AWS Health topic in ${region}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch alarms publish to the encrypted topic; EventBridge sends what it cannot
    // deliver to the encrypted dead-letter queue (its SNS target grants itself).
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com'), new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(parent).account } },
    }));
    allowLogGroupsToUse(key, Stack.of(parent), region);
    const deadLetterQueue = new sqs.Queue(parent, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeFinding(deadLetterQueue, 'AwsSolutions-SQS3', 'This queue is the dead-letter queue of the Region\'s event deliveries.');
    acknowledgeInPacks(deadLetterQueue, 'SQSRedrivePolicy', 'This queue is the dead-letter queue of the Region\'s event deliveries.', ['Serverless']);
    const topic = new sns.Topic(parent, 'AlarmTopic', {
      topicName: `${props.name}-alarms`,
      displayName: `${props.name} alarms and AWS Health issues in ${region}`,
      masterKey: key,
      enforceSSL: true,
    });
    const actions = this.alarmActionsIn(parent, region, topic, props);
    const notify = (a: cloudwatch.AlarmBase) => {
      a.addAlarmAction(...actions);
      a.addOkAction(...actions);
    };

    const metricAlarms = createMetricAlarms(parent, {
      workloadName: props.name, region, prefix, options, thresholds: props.thresholds ?? {}, notify,
    });

    const services = props.healthEventServices ?? servicesInUse({
      api: options.api !== undefined, functions: (options.functions ?? []).length > 0, cluster: options.databaseClusterIdentifier !== undefined,
    });
    const health = createHealthEvents(parent, {
      workloadName: props.name,
      region,
      prefix,
      services,
      key,
      topic,
      deadLetterQueue,
      retention: props.healthEventRetention ?? logs.RetentionDays.ONE_YEAR,
      notify,
    });

    const regionImpairedAlarm = createRegionImpairedAlarm(parent, {
      workloadName: props.name,
      region,
      impairing: [
        metricAlarms.api5xxAlarm, metricAlarms.apiLatencyAlarm, ...metricAlarms.lambdaErrorAlarms,
        metricAlarms.auroraCommitLatencyAlarm, health.healthEventAlarm,
      ]
        .filter((a): a is cloudwatch.Alarm => a !== undefined),
      notify,
    });

    return {
      region,
      stack: Stack.of(parent),
      topic,
      alarmKey: key,
      deadLetterQueue,
      ...health,
      ...metricAlarms,
      regionImpairedAlarm,
    };
  }

  /** The actions of the alarms of `region`: the factory's, or a notification to the Region's topic. */
  private alarmActionsIn(parent: Construct, region: string, topic: sns.ITopic, props: ObservedWorkloadProps): cloudwatch.IAlarmAction[] {
    const actions = props.alarmActions ? props.alarmActions.createAlarmActions(parent, region) : [new cwActions.SnsAction(topic)];
    if (actions.length === 0) {
      throw new Error(`${subject(this, CONSTRUCT_NAME)}: 'alarmActions' returned no action for Region '${region}': ` +
        'return at least one, or leave alarmActions out to notify the Region\'s own topic.');
    }
    this.actionsByRegion.set(region, actions);
    return actions;
  }

  /**
   * Gives each Region's readiness alarm that Region's alarm actions, where the alarm and the
   * Region's alarms share a stack; a reference across stacks could make the stacks depend on each
   * other both ways, so there a warning names the alarm instead.
   */
  private notifyReadiness(runbooks: FailoverAutomation, parentIn: (stack: Stack) => Construct): void {
    for (const observation of this.regionalObservations) {
      const automation = runbooks.regionalAutomations.find((r) => r.region === observation.region);
      const alarm = automation?.readinessAlarm;
      if (!alarm) continue;
      if (Stack.of(alarm) === observation.stack) {
        const actions = this.actionsByRegion.get(observation.region)!;
        alarm.addAlarmAction(...actions);
        alarm.addOkAction(...actions);
      } else {
        warnInStacks([parentIn(observation.stack)], 'cdk-cross-region-failover:readiness-alarm-not-notified',
          `the runbooks' readiness alarm of ${observation.region} is in stack ${Stack.of(alarm).stackName}, not in this one with the topic: ` +
            'add its action there (regionalAutomation(region).readinessAlarm.addAlarmAction()).');
      }
    }
  }

}

function validateProps(scope: Construct, props: ObservedWorkloadProps, regions: string[]): void {
  const t = props.thresholds ?? {};
  const percent = (value: number | undefined) => value !== undefined && !Token.isUnresolved(value) && !(value > 0 && value <= 100);
  const positive = (value: number | undefined) => value !== undefined && !Token.isUnresolved(value) && !(value > 0);
  const positiveDuration = (d: Duration | undefined) => d !== undefined && !d.isUnresolved() && !(d.toMilliseconds() > 0);
  const rules: ValidationRule[] = [
    {
      condition: Token.isUnresolved(props.name) || !/^[a-zA-Z][a-zA-Z0-9-]{0,39}$/.test(props.name),
      message: `'name' is '${props.name}': use 1 to 40 letters, digits or hyphens, starting with a letter (alarm, rule and topic names derive ` +
        'from it).',
    },
    ...(['api5xxRatePercent', 'lambdaErrorRatePercent', 'auroraCpuPercent'] as const).map((k) => ({
      condition: percent(t[k]),
      message: `'thresholds.${k}' is ${t[k]}: use a percentage above 0 and at most 100.`,
    })),
    ...(['lambdaThrottles', 'auroraConnections'] as const).map((k) => ({
      condition: positive(t[k]),
      message: `'thresholds.${k}' is ${t[k]}: use a number above 0.`,
    })),
    ...(['apiLatencyP99', 'lambdaDurationP99', 'auroraCommitLatency', 'rpoLag'] as const).map((k) => ({
      condition: positiveDuration(t[k]),
      message: `'thresholds.${k}' is ${t[k]?.toMilliseconds()} ms: use a duration above 0.`,
    })),
    {
      condition: t.evaluationPeriods !== undefined && !isIntegerInRange(t.evaluationPeriods, 1, 60),
      message: `'thresholds.evaluationPeriods' is ${t.evaluationPeriods}: use a whole number of minutes from 1 to 60.`,
    },
    {
      condition: props.healthEventServices !== undefined && (props.healthEventServices.length === 0 ||
        props.healthEventServices.some((s) => !Token.isUnresolved(s) && !/^[A-Z0-9_]+$/.test(s))),
      message: `'healthEventServices' is ${JSON.stringify(props.healthEventServices)}: list AWS Health service names in capitals, like ` +
        'APIGATEWAY, LAMBDA, RDS.',
    },
    ...props.regions.map((r, i) => ({
      condition: r.databaseClusterIdentifier !== undefined && Token.isUnresolved(r.databaseClusterIdentifier),
      message: `'regions[${i}].databaseClusterIdentifier' is a token: give the cluster identifier as a string, so the dashboard in another ` +
        'Region can name it.',
    })),
  ];
  const auto = props.automaticFailover;
  if (auto) {
    const missing = regions.filter((r) => !auto.runbooks.regionNames.includes(r));
    const coolDown = auto.coolDown;
    rules.push(
      {
        // The trigger starts a failover whichever Region is impaired. With every Region serving, an
        // impaired Region without the writer needs an evacuation, which it does not start.
        condition: auto.runbooks.evacuateDocumentName !== undefined,
        message: '\'automaticFailover.runbooks\' act on active/active routing, and the trigger starts the failover runbook only: an impaired ' +
          'Region without the writer needs the Evacuate runbook instead. Leave automaticFailover unset and act on the "Region impaired" ' +
          'alarms (docs/active-active.md).',
      },
      {
        condition: missing.length > 0,
        message: `'automaticFailover.runbooks' has no runbooks in ${missing.join(', ')}: observe the Regions the runbooks cover ` +
          `(${auto.runbooks.regionNames.join(', ')}).`,
      },
      {
        condition: (auto.approvers ?? []).some((a) => !Token.isUnresolved(a) && !IAM_PRINCIPAL_ARN.test(a)),
        message: '\'automaticFailover.approvers\' must be IAM user or role ARNs (arn:aws:iam::<account>:role/<name>), got ' +
          `${JSON.stringify(auto.approvers)}.`,
      },
      {
        condition: coolDown !== undefined && !coolDown.isUnresolved() && (coolDown.toSeconds() < 300 || coolDown.toSeconds() > 7 * 24 * 3600),
        message: `'automaticFailover.coolDown' must be between 5 minutes and 7 days, got ${coolDown?.toSeconds()} s.`,
      },
    );
  }
  throwIfInvalid(scope, CONSTRUCT_NAME, rules);
}
