import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { buildMinimalExample } from '../../examples/minimal/stacks';
import { AlarmActions, IAlarmActionFactory, MultiRegionAuroraPostgres, ObservedWorkload, ObservedWorkloadProps, RoutedEndpoint } from '../../src';
import { regionalStacks, resolveIntrinsics, synthWarnings, testHandler, testRoutedApi } from '../helpers';
import { nagFindings } from '../nag';

const REGIONS = ['us-east-1', 'us-west-2'];

function build(props: Partial<ObservedWorkloadProps> | ((example: ReturnType<typeof buildMinimalExample>) => Partial<ObservedWorkloadProps>) = {}) {
  const app = new App();
  const example = buildMinimalExample(app, {
    name: 'orders', regions: REGIONS, routingRegion: 'us-west-2', hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com', observe: false,
  });
  const observed = new ObservedWorkload(app, 'Observed', {
    name: 'orders',
    regions: ObservedWorkload.regionsOf(example.database, example.api),
    dashboardStack: example.routingStack,
    runbooks: example.runbooks,
    ...(typeof props === 'function' ? props(example) : props),
  });
  return { app, example, observed, templates: example.stacks.map((s) => Template.fromStack(s)) };
}

function alarmsOf(t: Template): Record<string, any> {
  return Object.fromEntries(Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => [a.Properties.AlarmName, a.Properties]));
}

describe('ObservedWorkload over the other constructs, with default thresholds', () => {
  const { app, example, observed, templates } = build();

  test('cdk-nag finds nothing', () => {
    expect(nagFindings(app)).toEqual([]);
  });

  test('the dashboard stack\'s output is the dashboard\'s console address', () => {
    const values = Object.values(Template.fromStack(example.routingStack).findOutputs('*')).map((o) => (o as { Value: unknown }).Value);
    expect(values).toContain(`https://console.aws.amazon.com/cloudwatch/home?region=${example.routingStack.region}#dashboards/dashboard/orders`);
  });

  test('every Region gets the same alarms, named after the workload and the Region', () => {
    templates.forEach((t, i) => {
      expect(Object.keys(alarmsOf(t)).sort()).toEqual([
        'api-5xx-rate', 'api-latency-p99', 'aurora-commit-latency', 'aurora-connections', 'aurora-cpu', 'health-issue',
        'lambda-0-duration-p99', 'lambda-0-error-rate', 'lambda-0-throttles', 'rpo-lag', 'undelivered-events',
      ].map((s) => `orders-${REGIONS[i]}-${s}`).concat(`orders-runbooks-not-ready-${REGIONS[i]}`).sort());
    });
  });

  test('the API 5xx rate is a percentage of requests, over 3 one-minute periods', () => {
    const a = alarmsOf(templates[0])['orders-us-east-1-api-5xx-rate'];
    expect(a).toMatchObject({ Threshold: 5, EvaluationPeriods: 3, DatapointsToAlarm: 3, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' });
    const expression = a.Metrics.find((m: any) => m.Expression);
    expect(expression.Expression).toBe('IF(requests > 0, 100 * errors / requests, 0)');
    const inputs = Object.fromEntries(a.Metrics.filter((m: any) => m.MetricStat).map((m: any) => [m.Id, m.MetricStat]));
    expect(inputs.errors).toMatchObject({ Metric: { Namespace: 'AWS/ApiGateway', MetricName: '5XXError', Dimensions: [{ Name: 'ApiName', Value: 'orders-us-east-1' }] }, Period: 60, Stat: 'Sum' });
    expect(inputs.requests).toMatchObject({ Metric: { MetricName: 'Count' }, Stat: 'Sum' });
  });

  test('latency, Lambda and Aurora thresholds and statistics', () => {
    const a = alarmsOf(templates[1]);
    expect(a['orders-us-west-2-api-latency-p99']).toMatchObject({ MetricName: 'Latency', ExtendedStatistic: 'p99', Threshold: 2000 });
    expect(a['orders-us-west-2-lambda-0-throttles']).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Throttles', Statistic: 'Sum', Threshold: 10 });
    expect(a['orders-us-west-2-lambda-0-duration-p99']).toMatchObject({ MetricName: 'Duration', ExtendedStatistic: 'p99', Threshold: 10_000 });
    expect(a['orders-us-west-2-lambda-0-error-rate'].Metrics.find((m: any) => m.Expression).Expression).toBe('IF(invocations > 0, 100 * errors / invocations, 0)');
    const cluster = [{ Name: 'DBClusterIdentifier', Value: 'orders-us-west-2' }];
    expect(a['orders-us-west-2-aurora-cpu']).toMatchObject({ Namespace: 'AWS/RDS', MetricName: 'CPUUtilization', Dimensions: cluster, Statistic: 'Maximum', Threshold: 80 });
    expect(a['orders-us-west-2-aurora-connections']).toMatchObject({ MetricName: 'DatabaseConnections', Threshold: 1000 });
    expect(a['orders-us-west-2-aurora-commit-latency']).toMatchObject({ MetricName: 'CommitLatency', Statistic: 'Average', Threshold: 100 });
  });

  test('replication lag is alarmed in every Region, the initial primary too, missing data not breaching', () => {
    templates.forEach((t, i) => {
      expect(alarmsOf(t)[`orders-${REGIONS[i]}-rpo-lag`]).toMatchObject({
        Namespace: 'AWS/RDS',
        MetricName: 'AuroraGlobalDBRPOLag',
        Dimensions: [{ Name: 'DBClusterIdentifier', Value: `orders-${REGIONS[i]}` }],
        Statistic: 'Maximum',
        Threshold: 30_000,
        TreatMissingData: 'notBreaching',
      });
    });
  });

  test('every alarm notifies the Region\'s encrypted topic when it fires and when it clears', () => {
    const t = templates[0];
    t.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'orders-alarms', KmsMasterKeyId: Match.anyValue() });
    for (const a of Object.values(alarmsOf(t))) {
      expect(a.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^ObservedAlarmTopic/) }]);
      expect(a.OKActions).toEqual(a.AlarmActions);
    }
    const [key] = Object.values(t.findResources('AWS::KMS::Key', { Properties: { Description: Match.stringLikeRegexp('alarm and AWS Health topic') } }));
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const services = key.Properties.KeyPolicy.Statement.map((s: any) => s.Principal?.Service).filter(Boolean).flat();
    expect(services).toEqual(expect.arrayContaining(['cloudwatch.amazonaws.com', 'events.amazonaws.com', 'logs.us-east-1.amazonaws.com']));
  });

  test('what EventBridge cannot deliver goes to an encrypted dead-letter queue, which raises an alarm as soon as it holds anything', () => {
    const t = templates[0];
    t.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ObservedAlarmTopicKey'), 'Arn'] }, MessageRetentionPeriod: 1_209_600 });
    const [rule] = Object.values(t.findResources('AWS::Events::Rule', { Properties: { Name: 'orders-health-issues' } }));
    for (const target of rule.Properties.Targets) {
      expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [expect.stringMatching(/^ObservedDeadLetterQueue/), 'Arn'] } });
    }
    expect(alarmsOf(t)['orders-us-east-1-undelivered-events']).toMatchObject({
      Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1,
    });
  });

  test('AWS Health issues of the services in use go to the topic and a log group, and raise an alarm', () => {
    const t = templates[1];
    t.hasResourceProperties('AWS::Events::Rule', {
      Name: 'orders-health-issues',
      EventPattern: {
        'source': ['aws.health'],
        'detail-type': ['AWS Health Event'],
        'detail': { service: ['APIGATEWAY', 'LAMBDA', 'RDS', 'EVENTS', 'SNS', 'CLOUDWATCH'], eventTypeCategory: ['issue'] },
      },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^ObservedAlarmTopic') } }), Match.objectLike({ Arn: Match.anyValue() })],
    });
    // Encrypted, and named after the stack's id too, so that a deleted stack's kept group does not stop it from being created again.
    const [group] = Object.values(t.findResources('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 365, KmsKeyId: Match.anyValue() } }))
      .filter((g) => (JSON.stringify(g.Properties.LogGroupName) ?? '').includes('/aws/events/orders-health-'));
    expect(group.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ObservedAlarmTopicKey/), 'Arn'] });
    expect(JSON.stringify(group.Properties.LogGroupName)).toContain('"AWS::StackId"');
    t.hasResourceProperties('AWS::Logs::ResourcePolicy', { PolicyName: 'orders-health-events' });
    const [rule] = Object.values(t.findResources('AWS::Events::Rule', { Properties: { Name: 'orders-health-issues' } }));
    // The log group's ARN without the trailing ':*', as EventBridge wants it (the name is a Ref here).
    expect(resolveIntrinsics(rule.Properties.Targets[1].Arn)).toMatch(/^arn:aws:logs:us-west-2:111111111111:log-group:ObservedHealthEvents[0-9A-F]{8}$/);
    expect(alarmsOf(t)['orders-us-west-2-health-issue']).toMatchObject({
      Namespace: 'AWS/Events', MetricName: 'TriggeredRules', Period: 900, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  test('"Region impaired": any of the customer-facing alarms or an AWS Health issue, not the capacity ones', () => {
    const t = templates[0];
    const [composite] = Object.values(t.findResources('AWS::CloudWatch::CompositeAlarm'));
    expect(composite.Properties.AlarmName).toBe('orders-us-east-1-region-impaired');
    const rule = resolveIntrinsics(composite.Properties.AlarmRule) as string;
    const names = [...rule.matchAll(/ALARM\("?([^")]+)"?\)/g)].map((m) => m[1]);
    expect(rule.split(' OR ')).toHaveLength(5);
    expect(names.map((n) => n.replace(/^.*:alarm:/, '').replace(/^(\w+?)[0-9A-F]{8}$/, '$1'))).toEqual(expect.arrayContaining([]));
    for (const included of ['Api5xxRate', 'ApiLatencyP99', 'LambdaErrorRate0', 'AuroraCommitLatency', 'HealthEventAlarm']) expect(rule).toContain(`Observed${included}`);
    for (const excluded of ['AuroraCpu', 'AuroraConnections', 'RpoLag', 'LambdaThrottles', 'LambdaDuration']) expect(rule).not.toContain(`Observed${excluded}`);
    expect(composite.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^ObservedAlarmTopic/) }]);
  });

  test('one dashboard, every Region side by side, each line read in its own Region', () => {
    const routing = Template.fromStack(example.routingStack);
    routing.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const [dashboard] = Object.values(routing.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboard.Properties.DashboardName).toBe('orders');
    const body = JSON.parse(resolveIntrinsics(dashboard.Properties.DashboardBody) as string);
    const graphs = body.widgets.filter((w: any) => w.type === 'metric');
    expect(graphs.map((w: any) => w.properties.title)).toEqual([
      'Requests per Region (traffic served)', 'API 5xx per Region', 'API p99 latency per Region',
      'Commits per second (the writer is the Region with commits)', 'Replication lag, AuroraGlobalDBRPOLag (from secondaries)', 'Lambda errors per Region (all functions)',
      'Aurora CPU per Region', 'Aurora commit latency per Region', 'Lambda throttles per Region (all functions)',
      'Runbooks ready per Region (last readiness evaluation)', 'Each runbook, per Region (why: npx cdk-cross-region-failover status)',
    ]);
    for (const w of graphs.slice(0, 9)) {
      // One line per Region, labelled with it and read there.
      const regions = w.properties.metrics.map((m: any[]) => m[m.length - 1].region);
      const labels = w.properties.metrics.map((m: any[]) => m[m.length - 1].label);
      expect(regions).toEqual(REGIONS);
      expect(labels).toEqual(REGIONS);
    }
    const requests = graphs[0].properties.metrics;
    expect(requests[1].slice(0, 4)).toEqual(['AWS/ApiGateway', 'Count', 'ApiName', 'orders-us-west-2']);
    expect(graphs[3].properties.metrics[0].slice(0, 4)).toEqual(['AWS/RDS', 'CommitThroughput', 'DBClusterIdentifier', 'orders-us-east-1']);
    expect(body.widgets[0].properties.markdown).toContain('`orders-us-west-2-region-impaired` (us-west-2)');
  });

  test('every metric and alarm is a member', () => {
    const west = observed.regionalObservation('us-west-2');
    expect(west.alarms).toHaveLength(9);
    expect(west.rpoLag).toBeDefined();
    expect(west.api5xxRate).toBeDefined();
    expect(west.lambdaErrorRates).toHaveLength(1);
    expect(west.failoverTrigger).toBeUndefined();
    expect(observed.regionNames).toEqual(REGIONS);
    expect(() => observed.regionalObservation('eu-west-1')).toThrow("ObservedWorkload 'Observed': no observation in Region 'eu-west-1'; its Regions are us-east-1, us-west-2.");
  });

  test('the alarm names an operations page reads: the "Region impaired" alarm\'s name and the prefix of every alarm of the Region, as plain strings', () => {
    templates.forEach((t, i) => {
      const composite = Object.values(t.findResources('AWS::CloudWatch::CompositeAlarm'))[0] as { Properties: { AlarmName: string } };
      expect(composite.Properties.AlarmName).toBe(observed.regionImpairedAlarmName(REGIONS[i]));
      const prefix = observed.alarmNamePrefix(REGIONS[i]);
      expect(prefix).toBe(`orders-${REGIONS[i]}-`);
      expect(Object.keys(alarmsOf(t)).filter((n) => !n.startsWith(prefix))).toEqual([`orders-runbooks-not-ready-${REGIONS[i]}`]);
    });
    expect(() => observed.alarmNamePrefix('eu-west-1')).toThrow(/no observation in Region 'eu-west-1'; its Regions are us-east-1, us-west-2/);
  });

  test('grantReadAlarms: cloudwatch:DescribeAlarms on *, which composite alarms require, and nothing else', () => {
    const fresh = new App();
    const minimal = buildMinimalExample(fresh, {
      name: 'orders', regions: REGIONS, routingRegion: 'us-west-2', hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com', observe: false,
    });
    const workload = new ObservedWorkload(fresh, 'Observed', { name: 'orders', regions: ObservedWorkload.regionsOf(minimal.database, minimal.api), dashboardStack: minimal.routingStack });
    const stack = new Stack(fresh, 'Reader', { env: { region: 'us-east-1' } });
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    workload.grantReadAlarms(role);
    const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')) as { Properties: { PolicyDocument: { Statement: object[] } } }[];
    expect(policies.flatMap((p) => p.Properties.PolicyDocument.Statement)).toEqual([{ Action: 'cloudwatch:DescribeAlarms', Effect: 'Allow', Resource: '*' }]);
  });

  test('no automatic action unless asked for', () => {
    for (const t of templates) {
      // The AWS Health rule, and the runbooks' readiness schedule.
      expect(Object.values(t.findResources('AWS::Events::Rule')).map((r) => (r.Properties.ScheduleExpression ? 'schedule' : 'health'))).toEqual(['schedule', 'health']);
      expect(Object.values(t.findResources('AWS::Lambda::Function')).some((f) => /FailoverTrigger/.test(JSON.stringify(f)))).toBe(false);
    }
  });
});

describe('ObservedWorkload with every threshold, and with user-supplied resources', () => {
  test('thresholds and the evaluation window', () => {
    const { templates } = build({
      thresholds: {
        api5xxRatePercent: 1,
        apiLatencyP99: Duration.millis(750),
        lambdaErrorRatePercent: 2,
        lambdaThrottles: 1,
        lambdaDurationP99: Duration.seconds(3),
        auroraCpuPercent: 90,
        auroraConnections: 200,
        auroraCommitLatency: Duration.millis(20),
        rpoLag: Duration.seconds(5),
        evaluationPeriods: 5,
      },
      healthEventServices: ['RDS'],
      healthEventRetention: 30,
    });
    const a = alarmsOf(templates[0]);
    expect([
      'api-5xx-rate', 'api-latency-p99', 'lambda-0-error-rate', 'lambda-0-throttles', 'lambda-0-duration-p99', 'aurora-cpu', 'aurora-connections', 'aurora-commit-latency', 'rpo-lag',
    ].map((s) => [a[`orders-us-east-1-${s}`].Threshold, a[`orders-us-east-1-${s}`].EvaluationPeriods])).toEqual([
      [1, 5], [750, 5], [2, 5], [1, 5], [3000, 5], [90, 5], [200, 5], [20, 5], [5000, 5],
    ]);
    templates[0].hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ detail: { service: ['RDS'], eventTypeCategory: ['issue'] } }) });
    templates[0].hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: Match.anyValue(), RetentionInDays: 30, KmsKeyId: Match.anyValue() });
  });

  test('only functions in a Region: their alarms and AWS Health, no API or Aurora alarms; a cluster that is never a secondary gets no lag alarm', () => {
    const app = new App();
    const stacks = REGIONS.map((region) => new Stack(app, `Fn-${region}`, { env: { region } }));
    const handlers = stacks.map((s) => testHandler(s));
    const observed = new ObservedWorkload(app, 'Observed', {
      name: 'jobs',
      regions: [
        { stack: stacks[0], functions: [handlers[0]], databaseClusterIdentifier: 'jobs-primary', canBeSecondary: false },
        { stack: stacks[1], functions: [handlers[1], lambda.Function.fromFunctionName(stacks[1], 'Other', 'jobs-worker')] },
      ],
      dashboardStack: stacks[0],
    });
    const east = alarmsOf(Template.fromStack(stacks[0]));
    expect(Object.keys(east).sort()).toEqual([
      'aurora-commit-latency', 'aurora-connections', 'aurora-cpu', 'health-issue', 'lambda-0-duration-p99', 'lambda-0-error-rate', 'lambda-0-throttles', 'undelivered-events',
    ].map((s) => `jobs-us-east-1-${s}`));
    const west = observed.regionalObservation('us-west-2');
    expect(west.lambdaErrorAlarms).toHaveLength(2);
    expect(west.api5xxAlarm).toBeUndefined();
    expect(west.rpoLagAlarm).toBeUndefined();
    Template.fromStack(stacks[1]).hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ detail: { service: ['LAMBDA', 'EVENTS', 'SNS', 'CLOUDWATCH'], eventTypeCategory: ['issue'] } }) });
    const [composite] = Object.values(Template.fromStack(stacks[1]).findResources('AWS::CloudWatch::CompositeAlarm'));
    expect((resolveIntrinsics(composite.Properties.AlarmRule) as string).split(' OR ')).toHaveLength(3);
    const body = JSON.parse(resolveIntrinsics(Object.values(Template.fromStack(stacks[0]).findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody) as string);
    const replication = body.widgets.find((w: any) => w.properties.title?.startsWith('Replication lag'));
    expect(replication.properties.metrics).toHaveLength(1);
  });
});

describe('ObservedWorkload automatic failover', () => {
  const { app, example, observed, templates } = build((ex) => ({ automaticFailover: { runbooks: ex.runbooks, coolDown: Duration.minutes(30) } }));

  test('cdk-nag finds nothing', () => {
    expect(nagFindings(app)).toEqual([]);
  });

  test('a trigger per Region, started by its own "Region impaired" alarm going to ALARM', () => {
    templates.forEach((t, i) => {
      t.hasResourceProperties('AWS::Events::Rule', {
        Name: 'orders-start-failover',
        EventPattern: {
          'source': ['aws.cloudwatch'],
          'detail-type': ['CloudWatch Alarm State Change'],
          'resources': [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^ObservedRegionImpaired'), 'Arn'] }],
          'detail': { state: { value: ['ALARM'] } },
        },
        Targets: [Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ObservedFailoverTrigger'), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 900 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ObservedDeadLetterQueue'), 'Arn'] } },
        })],
      });
      // Invoked asynchronously: a decision that fails after Lambda's own retries lands in the queue too, and is traced.
      t.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Timeout: 180,
        ReservedConcurrentExecutions: 1,
        DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ObservedDeadLetterQueue'), 'Arn'] } },
        TracingConfig: { Mode: 'Active' },
        Environment: {
          Variables: Match.objectLike({
            REGIONS: JSON.stringify(REGIONS),
            IMPAIRED_ALARMS: JSON.stringify({ 'us-east-1': 'orders-us-east-1-region-impaired', 'us-west-2': 'orders-us-west-2-region-impaired' }),
            GLOBAL_CLUSTER: 'orders',
            FAILOVER_DOCUMENT: 'orders-Failover',
            COOL_DOWN_SECONDS: '1800',
            REQUIRE_APPROVAL: 'true',
            APPROVERS: '[]',
          }),
        },
      });
      // A decision that could not read something fails: retried twice, never on an event older than 15 minutes.
      t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: Match.stringLikeRegexp('^ObservedFailoverTrigger') },
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 900,
      });
      expect(observed.regionalObservation(REGIONS[i]).failoverTrigger).toBeDefined();
    });
  });

  test('the trigger may start the failover runbook only, and read the other Regions\' "Region impaired" alarms and the global database', () => {
    const t = templates[0];
    const policies = Object.values(t.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^ObservedFailoverTriggerServiceRole') }] } }));
    const statements = (resolveIntrinsics(policies[0].Properties.PolicyDocument.Statement) as any[]);
    const start = statements.find((s) => s.Action === 'ssm:StartAutomationExecution');
    expect(start.Resource).toEqual(REGIONS.flatMap((r) => [
      `arn:aws:ssm:${r}:111111111111:automation-definition/orders-Failover:*`,
      `arn:aws:ssm:${r}:111111111111:document/orders-Failover`,
    ]));
    // Every Region's "Region impaired" alarm, its own included (read again before anything starts), and no other alarm.
    expect(statements.find((s) => s.Action === 'cloudwatch:DescribeAlarms').Resource).toEqual(
      REGIONS.map((r) => `arn:aws:cloudwatch:${r}:111111111111:alarm:orders-${r}-region-impaired`));
    // Where the writer is, before anything starts: the global database only, read, in any Region.
    expect(statements.filter((s) => JSON.stringify(s.Action).includes('rds:'))).toEqual([
      { Effect: 'Allow', Action: 'rds:DescribeGlobalClusters', Resource: 'arn:aws:rds::111111111111:global-cluster:orders' },
    ]);
    expect(statements.find((s) => s.Action === 'iam:PassRole')).toMatchObject({ Condition: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } } });
    expect(JSON.stringify(statements)).not.toMatch(/Switchover|Failback/);
    void example;
  });

  test('without approval: a warning that `cdk synth` prints in every Region whose alarm can start the failover', () => {
    const { app: a } = build((e) => ({ automaticFailover: { runbooks: e.runbooks, requireApproval: false } }));
    // The construct is at App scope: its warnings must still reach the cloud assembly.
    expect(synthWarnings(a).filter((w) => w.message.startsWith('automaticFailover.requireApproval is false'))).toEqual(REGIONS.map((r) => ({
      stack: `orders-${r}`,
      path: `/orders-${r}/Observed`,
      message: expect.stringMatching(/^automaticFailover.requireApproval is false: a "Region impaired" alarm starts a failover/),
      id: 'cdk-cross-region-failover:automatic-failover-without-approval',
    })));
  });
});

/** Runbooks over active/active routing, of a minimal example of their own. */
function activeActiveRunbooks() {
  return buildMinimalExample(new App(), {
    name: 'orders',
    regions: REGIONS,
    routingRegion: 'us-west-2',
    hostedZoneId: 'Z0123456789EXAMPLE',
    zoneName: 'example.com',
    observe: false,
    activeActive: true,
  }).runbooks;
}

describe('ObservedWorkload validation', () => {
  test.each<[string, (ex: ReturnType<typeof buildMinimalExample>) => Partial<ObservedWorkloadProps>, RegExp]>([
    ['a name with a slash', () => ({ name: 'orders/x' }), /'name' is 'orders\/x': use 1 to 40 letters, digits or hyphens, starting with a letter/],
    ['a 5xx rate over 100 %', () => ({ thresholds: { api5xxRatePercent: 150 } }), /'thresholds.api5xxRatePercent' is 150: use a percentage above 0 and at most 100\./],
    ['zero connections', () => ({ thresholds: { auroraConnections: 0 } }), /'thresholds.auroraConnections' is 0: use a number above 0\./],
    ['a zero lag threshold', () => ({ thresholds: { rpoLag: Duration.seconds(0) } }), /'thresholds.rpoLag' is 0 ms: use a duration above 0\./],
    ['61 evaluation periods', () => ({ thresholds: { evaluationPeriods: 61 } }), /'thresholds.evaluationPeriods' is 61: use a whole number of minutes from 1 to 60\./],
    ['lower-case Health services', () => ({ healthEventServices: ['rds'] }), /'healthEventServices' is \["rds"\]: list AWS Health service names in capitals/],
    ['automatic failover over active/active runbooks', () => ({ automaticFailover: { runbooks: activeActiveRunbooks() } }),
      /'automaticFailover.runbooks' act on active\/active routing, and the trigger starts the failover runbook only: .*Leave automaticFailover unset/],
    ['a cool-down of a minute', (ex) => ({ automaticFailover: { runbooks: ex.runbooks, coolDown: Duration.minutes(1) } }),
      /'automaticFailover.coolDown' must be between 5 minutes and 7 days, got 60 s\./],
    ['approvers that are not ARNs', (ex) => ({ automaticFailover: { runbooks: ex.runbooks, approvers: ['oncall'] } }),
      /'automaticFailover.approvers' must be IAM user or role ARNs/],
  ])('refuses %s', (_title, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test('runbooks that do not cover an observed Region', () => {
    const app = new App();
    const example = buildMinimalExample(app, {
      name: 'orders', regions: REGIONS, routingRegion: 'us-west-2', hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com', observe: false,
    });
    const extra = new Stack(app, 'Extra', { env: { region: 'eu-west-1' } });
    expect(() => new ObservedWorkload(app, 'Observed', {
      name: 'orders',
      regions: [...ObservedWorkload.regionsOf(example.database, example.api), { stack: extra, functions: [testHandler(extra)] }],
      dashboardStack: example.routingStack,
      automaticFailover: { runbooks: example.runbooks },
    })).toThrow("ObservedWorkload 'Observed': 'automaticFailover.runbooks' has no runbooks in eu-west-1: observe the Regions the runbooks cover (us-east-1, us-west-2).");
  });

  test('one Region only', () => {
    const app = new App();
    const stack = new Stack(app, 'Only', { env: { region: 'us-east-1' } });
    expect(() => new ObservedWorkload(app, 'Observed', { name: 'x', regions: [{ stack }], dashboardStack: stack })).toThrow(/'regions' needs at least 2 Regions, got 1/);
  });
});

describe('the runbooks\' readiness on the dashboard and the topics', () => {
  test('a row with every runbook together per Region, and each runbook, read in its Region', () => {
    const { example } = build();
    const [dashboard] = Object.values(Template.fromStack(example.routingStack).findResources('AWS::CloudWatch::Dashboard'));
    const widgets = JSON.parse(resolveIntrinsics(dashboard.Properties.DashboardBody) as string).widgets;
    const ready = widgets.find((w: any) => w.properties.title === 'Runbooks ready per Region (last readiness evaluation)');
    expect(ready.properties.metrics).toEqual(REGIONS.map((region) => [
      'CdkCrossRegionFailover', 'RunbookReady', 'Deployment', 'orders', 'Region', region, 'Runbook', 'all',
      { label: region, period: 1800, region, stat: 'Minimum' },
    ]));
    expect(ready.properties.yAxis.left).toMatchObject({ min: 0, max: 1 });
    const each = widgets.find((w: any) => /^Each runbook, per Region/.test(w.properties.title));
    expect(each.properties.metrics.map((m: any[]) => m[m.length - 1].label)).toEqual(
      REGIONS.flatMap((r) => ['switchover', 'failover', 'failback', 'rebuild'].map((runbook) => `${r} ${runbook}`)));
  });

  test('each Region\'s readiness alarm goes to that Region\'s topic, when it fires and when it clears', () => {
    const { templates } = build();
    templates.forEach((t, i) => {
      const alarm = alarmsOf(t)[`orders-runbooks-not-ready-${REGIONS[i]}`];
      expect(alarm.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^ObservedAlarmTopic/) }]);
      expect(alarm.OKActions).toEqual(alarm.AlarmActions);
    });
  });

  test('without the runbooks, or with the evaluation off: no readiness row and no action', () => {
    const { example } = build({ runbooks: undefined });
    expect(JSON.stringify(Template.fromStack(example.routingStack).findResources('AWS::CloudWatch::Dashboard'))).not.toContain('RunbookReady');
  });
});

describe('alarm actions: an existing topic per Region, or a factory of any actions', () => {
  const TOPICS = { 'us-east-1': 'arn:aws:sns:us-east-1:111111111111:oncall', 'us-west-2': 'arn:aws:sns:us-west-2:111111111111:oncall' };

  test('AlarmActions.snsTopicPerRegion: every alarm of a Region, readiness and "Region impaired" included, notifies that Region\'s topic', () => {
    const { app, templates } = build({ alarmActions: AlarmActions.snsTopicPerRegion(TOPICS) });
    templates.forEach((t, i) => {
      const topic = TOPICS[REGIONS[i] as keyof typeof TOPICS];
      const alarms = Object.values(alarmsOf(t));
      expect(alarms.length).toBe(12);
      for (const a of alarms) {
        expect(a.AlarmActions).toEqual([topic]);
        expect(a.OKActions).toEqual([topic]);
      }
      const composite = Object.values(t.findResources('AWS::CloudWatch::CompositeAlarm'))[0].Properties;
      expect(composite.AlarmActions).toEqual([topic]);
      expect(composite.OKActions).toEqual([topic]);
      // The Region's own topic still receives the AWS Health events.
      t.resourceCountIs('AWS::SNS::Topic', 1);
      expect(JSON.stringify(t.findResources('AWS::Events::Rule'))).toMatch(/ObservedAlarmTopic/);
    });
    expect(nagFindings(app)).toEqual([]);
  });

  test('a factory written by the user is asked once per Region, in that Region\'s stack', () => {
    const asked: string[] = [];
    const factory: IAlarmActionFactory = {
      createAlarmActions(scope: Construct, region: string) {
        asked.push(`${Stack.of(scope).region} ${region}`);
        const fn = lambda.Function.fromFunctionArn(scope, 'Pager', `arn:aws:lambda:${region}:111111111111:function:pager`);
        return [new cwActions.LambdaAction(fn)];
      },
    };
    const { templates } = build({ alarmActions: factory });
    expect(asked).toEqual(REGIONS.map((r) => `${r} ${r}`));
    templates.forEach((t, i) => {
      for (const a of Object.values(alarmsOf(t))) expect(a.AlarmActions).toEqual([`arn:aws:lambda:${REGIONS[i]}:111111111111:function:pager`]);
    });
  });

  test('refused: a Region without a topic ARN, a value that is not an SNS topic ARN, a factory that returns no action', () => {
    expect(() => build({ alarmActions: AlarmActions.snsTopicPerRegion({ 'us-east-1': TOPICS['us-east-1'] }) })).toThrow(
      "AlarmActions.snsTopicPerRegion (used at 'orders-us-west-2/Observed'): no topic ARN for Region 'us-west-2' (ARNs are given for us-east-1): " +
        'add one for every Region the workload observes.');
    expect(() => build({ alarmActions: AlarmActions.snsTopicPerRegion({ ...TOPICS, 'us-west-2': 'oncall' }) })).toThrow(
      "AlarmActions.snsTopicPerRegion (used at 'orders-us-west-2/Observed'): the topic ARN of Region 'us-west-2' is 'oncall': " +
        'give an SNS topic ARN, arn:aws:sns:<region>:<account>:<topic name>.');
    expect(() => build({ alarmActions: { createAlarmActions: () => [] } })).toThrow(
      "ObservedWorkload 'Observed': 'alarmActions' returned no action for Region 'us-east-1': " +
        "return at least one, or leave alarmActions out to notify the Region's own topic.");
  });
});

describe('regionsOf', () => {
  function databaseAndApi(apiRegions: string[], endpoints: (RoutedEndpoint | undefined)[] = []) {
    const app = new App();
    const stacks = regionalStacks(app, REGIONS);
    const database = new MultiRegionAuroraPostgres(app, 'Database', { name: 'orders', regions: stacks.map((s) => ({ stack: s.stack, vpc: s.vpc })) });
    const apiStacks = apiRegions.map((region) => stacks.find((s) => s.stack.region === region)?.stack ?? new Stack(app, `api-${region}`, { env: { region } }));
    const routingStack = new Stack(app, 'routing', { env: { region: 'us-west-2' } });
    const api = testRoutedApi(routingStack, apiStacks, {}, endpoints.map((endpoint) => (endpoint ? { endpoint } : {})));
    return { database, api };
  }

  test('Regions of different constructs are refused with both construct paths', () => {
    const { database, api } = databaseAndApi(['us-east-1', 'eu-west-1']);
    expect(() => ObservedWorkload.regionsOf(database, api)).toThrow(
      "ObservedWorkload.regionsOf: the database 'Database' has Region us-west-2 and the API 'Api' does not (us-east-1, eu-west-1): " +
        'give MultiRegionAuroraPostgres and ArcRoutedApi the same Regions.');
  });

  test('a Region routed to your own endpoint: its cluster only (its API is yours to add)', () => {
    const { database, api } = databaseAndApi(REGIONS, [undefined, RoutedEndpoint.apiGatewayCustomDomain()]);
    const regions = ObservedWorkload.regionsOf(database, api);
    expect(regions.map((r) => [r.stack.region, r.api !== undefined, r.databaseClusterIdentifier])).toEqual([
      ['us-east-1', true, 'orders-us-east-1'], ['us-west-2', false, 'orders-us-west-2'],
    ]);
  });
});
