import { ArnFormat, Aws, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC_PERIOD } from './metrics';

const PERIOD = METRIC_PERIOD;
/** How long an AWS Health event keeps the health alarm in ALARM after the last update. */
const HEALTH_EVENT_WINDOW = Duration.minutes(15);

/** What {@link createHealthEvents} made in one Region. */
export interface HealthEvents {
  readonly healthEventLogGroup: logs.LogGroup;
  readonly healthEventRule: events.Rule;
  readonly deadLetterAlarm: cloudwatch.Alarm;
  readonly healthEventAlarm: cloudwatch.Alarm;
}

/**
 * The AWS Health issues of `services` in one Region: a rule delivering them to the topic
 * and to a KMS-encrypted log group (what cannot be delivered goes to the dead-letter
 * queue), an alarm while an issue is recent, and an alarm as soon as anything lands in
 * the dead-letter queue; both alarms handed to `notify` for their actions.
 */
export function createHealthEvents(parent: Construct, r: {
  workloadName: string;
  region: string;
  prefix: string;
  services: string[];
  key: kms.IKey;
  topic: sns.ITopic;
  deadLetterQueue: sqs.IQueue;
  retention: logs.RetentionDays;
  notify: (alarm: cloudwatch.AlarmBase) => void;
}): HealthEvents {
  const { workloadName, region, prefix, services, key, topic, deadLetterQueue, retention, notify } = r;
  // EventBridge writes only to groups under /aws/events/; the stack's id in the name lets
  // a deleted stack (whose kept group lives on) be created again.
  const healthEventLogGroup = new logs.LogGroup(parent, 'HealthEvents', {
    logGroupName: `/aws/events/${workloadName}-health-${Fn.select(2, Fn.split('/', Aws.STACK_ID))}`,
    retention: retention,
    encryptionKey: key,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const healthEventRule = new events.Rule(parent, 'HealthEventRule', {
    ruleName: `${workloadName}-health-issues`,
    description: `AWS Health issues of ${services.join(', ')} in ${region}, for ${workloadName}`,
    eventPattern: {
      source: ['aws.health'],
      detailType: ['AWS Health Event'],
      detail: { service: services, eventTypeCategory: ['issue'] },
    },
    targets: [new targets.SnsTopic(topic, { deadLetterQueue }), logGroupTarget(healthEventLogGroup, deadLetterQueue)],
  });
  targets.addToDeadLetterQueueResourcePolicy(healthEventRule, deadLetterQueue);
  const deadLetterAlarm = new cloudwatch.Alarm(parent, 'DeadLetterAlarm', {
    alarmName: `${prefix}-undelivered-events`,
    alarmDescription: `An AWS Health event or a failover decision could not be delivered: read the dead-letter queue (${workloadName}, ${region})`,
    metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
    threshold: 0,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  notify(deadLetterAlarm);
  // EventBridge writes to the log group under a resource policy of its own: a plain
  // AWS::Logs::ResourcePolicy, where the CloudWatchLogGroup target would add a custom resource.
  new logs.ResourcePolicy(parent, 'HealthEventsLogPolicy', {
    resourcePolicyName: `${workloadName}-health-events`,
    policyStatements: [new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('events.amazonaws.com'), new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [healthEventLogGroup.logGroupArn],
    })],
  });
  const healthEventAlarm = new cloudwatch.Alarm(parent, 'HealthEventAlarm', {
    alarmName: `${prefix}-health-issue`,
    alarmDescription: `AWS Health reported an issue of ${services.join(', ')} in the last ${HEALTH_EVENT_WINDOW.toMinutes()} minutes ` +
      `(${workloadName}, ${region})`,
    metric: new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName: 'TriggeredRules',
      dimensionsMap: { RuleName: healthEventRule.ruleName },
      statistic: 'Sum',
      period: HEALTH_EVENT_WINDOW,
    }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  notify(healthEventAlarm);

  return { healthEventLogGroup, healthEventRule, deadLetterAlarm, healthEventAlarm };
}

/** The AWS Health services in use where there is an API, functions, a cluster; and those the alarms rely on. */
export function servicesInUse(inUse: { api: boolean; functions: boolean; cluster: boolean }): string[] {
  return [
    ...(inUse.api ? ['APIGATEWAY'] : []),
    ...(inUse.functions ? ['LAMBDA'] : []),
    ...(inUse.cluster ? ['RDS'] : []),
    'EVENTS', 'SNS', 'CLOUDWATCH',
  ];
}

/** An EventBridge target writing events to a log group (its resource policy is made apart). */
function logGroupTarget(logGroup: logs.LogGroup, deadLetterQueue: sqs.IQueue): events.IRuleTarget {
  return {
    bind: () => ({
      arn: Stack.of(logGroup).formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: logGroup.logGroupName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
      deadLetterConfig: { arn: deadLetterQueue.queueArn },
    }),
  };
}
