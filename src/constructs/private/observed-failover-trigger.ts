import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { impairedAlarmName } from './observed-alarms';
import { FailoverTriggerFunction } from '../../observe/failover-trigger-function';
import { acknowledgeFinding, acknowledgeInlinePolicy, acknowledgeInPacks, acknowledgeLibraryFunction, findingArn } from '../acknowledge';
import type { AutomaticFailoverOptions, RegionalObservation } from '../observed-workload';

/**
 * The automatic failover of one Region: a function, started by an EventBridge rule when
 * the Region's "Region impaired" alarm goes into ALARM, that starts the failover runbook
 * in a healthy Region when the impaired Region holds the writer (its cool-down,
 * approval and approvers from `options`), with its log group, its permissions and their
 * acknowledgements.
 */
export function createFailoverTrigger(parent: Construct, input: {
  workloadName: string;
  regionNames: string[];
  observation: RegionalObservation;
  options: AutomaticFailoverOptions;
}): lambda.IFunction {
  const { workloadName, regionNames, observation, options } = input;
  const { region } = observation;
  const stack = Stack.of(parent);
  const logGroup = new logs.LogGroup(parent, 'FailoverTriggerLogs', {
    retention: logs.RetentionDays.ONE_YEAR,
    encryptionKey: observation.alarmKey,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const fn = new FailoverTriggerFunction(parent, 'FailoverTrigger', {
    description: `Starts the ${options.runbooks.failoverDocumentName} runbook in a healthy Region when ${region} is impaired and holds the writer ` +
      `(${workloadName})`,
    // The reads in every Region (each bounded: 2 attempts of 10 s at most) and one start; a start is not sent in the last 20 s.
    timeout: Duration.minutes(3),
    // A decision that could not read something fails and is retried twice; an event older than this is not decided on.
    retryAttempts: 2,
    maxEventAge: Duration.minutes(15),
    memorySize: 256,
    logGroup,
    // One decision at a time: two alarms in a row must not start two failovers.
    reservedConcurrentExecutions: 1,
    tracing: lambda.Tracing.ACTIVE,
    // EventBridge invokes it asynchronously: a decision Lambda could not make after its retries lands here.
    deadLetterQueue: observation.deadLetterQueue,
    environment: {
      REGIONS: JSON.stringify(regionNames),
      IMPAIRED_ALARMS: JSON.stringify(Object.fromEntries(regionNames.map((r) => [r, impairedAlarmName(workloadName, r)]))),
      GLOBAL_CLUSTER: options.runbooks.globalClusterIdentifier,
      FAILOVER_DOCUMENT: options.runbooks.failoverDocumentName,
      COOL_DOWN_SECONDS: String((options.coolDown ?? Duration.hours(1)).toSeconds()),
      REQUIRE_APPROVAL: String(options.requireApproval ?? true),
      APPROVERS: JSON.stringify(options.approvers ?? []),
    },
  });
  options.runbooks.grantStartFailover(fn);
  // Lambda sends a failed asynchronous invocation to the encrypted queue with the
  // function's role: what SQS needs for a message encrypted with a KMS key.
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [observation.alarmKey.keyArn] }));
  fn.addToRolePolicy(new iam.PolicyStatement({
    actions: ['cloudwatch:DescribeAlarms'],
    // Its own Region's alarm too: read again before anything starts.
    resources: regionNames.map((r) => stack.formatArn({
      service: 'cloudwatch', region: r, resource: 'alarm', resourceName: impairedAlarmName(workloadName, r), arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    })),
  }));
  new events.Rule(parent, 'FailoverTriggerRule', {
    ruleName: `${workloadName}-start-failover`,
    description: `Starts a failover away from ${region} when its "Region impaired" alarm fires (${workloadName})`,
    eventPattern: {
      source: ['aws.cloudwatch'],
      detailType: ['CloudWatch Alarm State Change'],
      resources: [observation.regionImpairedAlarm.alarmArn],
      detail: { state: { value: ['ALARM'] } },
    },
    // The same age limit as the function's own queue: an alarm older than that is not acted on.
    targets: [new targets.LambdaFunction(fn, { retryAttempts: 2, maxEventAge: Duration.minutes(15), deadLetterQueue: observation.deadLetterQueue })],
  });
  acknowledgeLibraryFunction(fn, false);
  const invokeConfig = fn.node.tryFindChild('EventInvokeConfig');
  if (invokeConfig) {
    acknowledgeInPacks(invokeConfig, 'LambdaAsyncFailureDestination',
      'The function\'s dead-letter queue (DeadLetterConfig, with its alarm) receives every event that failed its attempts; this configuration ' +
        'only sets the retries and the maximum age of an event.', ['Serverless']);
  }
  if (fn.role) {
    acknowledgeInlinePolicy(fn.role);
    acknowledgeFinding(fn.role, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'Lets the failover trigger write its own logs; its other permissions are scoped to the failover runbook, the global database and the alarms.');
    acknowledgeFinding(fn.role, 'AwsSolutions-IAM5[Resource::*]',
      'ssm:DescribeAutomationExecutions (the cool-down check) and the X-Ray trace upload have no resource-level permissions.');
    for (const r of regionNames) {
      const definitions = findingArn(Stack.of(fn), 'ssm', r, `automation-definition/${options.runbooks.failoverDocumentName}:*`);
      acknowledgeFinding(fn.role, `AwsSolutions-IAM5[Resource::${definitions}]`,
        'Any version of the failover document.');
      acknowledgeFinding(fn.role, `AwsSolutions-IAM5[Resource::${findingArn(Stack.of(fn), 'ssm', r, 'automation-execution/*')}]`,
        'Execution ids are random; the trigger reads the executions it starts.');
    }
  }
  return fn;
}
