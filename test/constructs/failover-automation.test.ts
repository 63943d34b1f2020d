import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { FailoverAutomation, FailoverAutomationProps, MultiRegionAuroraPostgres, RoutingMode } from '../../src';
import { regionalStacks, resolveIntrinsics, synthWarnings, testRoutedApi } from '../helpers';
import { nagFindings } from '../nag';
import { checkDocument } from '../ssm/document-check';

const REGIONS = ['us-east-1', 'us-west-2'];

type PropsOf = Partial<FailoverAutomationProps> | ((routingStack: Stack) => Partial<FailoverAutomationProps>);

function build(props: PropsOf = {}, options: { apiRegions?: string[]; name?: string; regions?: string[]; mode?: RoutingMode } = {}) {
  const app = new App();
  const regions = options.regions ?? REGIONS;
  const regional = regionalStacks(app, regions);
  const database = new MultiRegionAuroraPostgres(app, 'Database', {
    name: options.name ?? 'orders',
    regions: regional.map(({ stack, vpc }, i) => (i === 0 ? { stack, vpc, databaseName: 'orders' } : { stack, vpc, headless: true })),
  });
  const apiStacks = (options.apiRegions ?? regions).map((region) => regional.find((r) => r.stack.region === region)?.stack
    ?? new Stack(app, `Extra-${region}`, { env: { region } }));
  const routingStack = new Stack(app, 'Routing', { env: { region: 'us-west-2' } });
  const api = testRoutedApi(routingStack, apiStacks, options.mode ? { mode: options.mode } : {});
  const automation = new FailoverAutomation(app, 'Runbooks', { database, routing: api, ...(typeof props === 'function' ? props(routingStack) : props) });
  return { app, stacks: regional.map((r) => r.stack), routingStack, database, api, automation };
}

describe('FailoverAutomation with minimal props', () => {
  const { app, stacks, routingStack, automation } = build();
  const templates = stacks.map((s) => Template.fromStack(s));

  test('cdk-nag finds nothing but the open API the test chose', () => {
    expect(nagFindings(app).filter((f) => !/^AwsSolutions-(APIG4|COG4) /.test(f))).toEqual([]);
  });

  test('every Region\'s outputs give the next command: status there, and a dry-run switchover to it', () => {
    templates.forEach((t, i) => {
      const region = stacks[i].region;
      const values = Object.values(t.findOutputs('*')).map((o) => (o as { Value: unknown }).Value);
      expect(values).toEqual(expect.arrayContaining([
        `npx cdk-cross-region-failover status --name orders --region ${region}`,
        `npx cdk-cross-region-failover switchover --name orders --to ${region} --dry-run`,
      ]));
    });
  });

  test('four Automation documents per Region and the self-test, named after the database, updated as new versions', () => {
    templates.forEach((t, i) => {
      t.resourceCountIs('AWS::SSM::Document', 5);
      t.hasResourceProperties('AWS::SSM::Document', { Name: 'orders-SelfTest', DocumentType: 'Automation', DocumentFormat: 'YAML', UpdateMethod: 'NewVersion' });
      for (const runbook of ['Switchover', 'Failover', 'Failback', 'Rebuild']) {
        t.hasResourceProperties('AWS::SSM::Document', {
          Name: `orders-${runbook}`,
          DocumentType: 'Automation',
          DocumentFormat: 'YAML',
          UpdateMethod: 'NewVersion',
          Content: Match.objectLike({ schemaVersion: '0.3', parameters: Match.objectLike({ TargetRegion: Match.objectLike({ allowedValues: [REGIONS[i]] }) }) }),
        });
      }
    });
    expect(automation.switchoverDocumentName).toBe('orders-Switchover');
    expect(automation.regionalAutomation('us-west-2').stack).toBe(stacks[1]);
  });

  test('every synthesized document passes the step-by-step check', () => {
    for (const t of templates) {
      for (const doc of Object.values(t.findResources('AWS::SSM::Document'))) {
        expect(checkDocument(resolveIntrinsics(doc.Properties.Content) as Record<string, unknown>)).toEqual([]);
      }
    }
  });

  test('the documents invoke the Region\'s step function as the automation role, which may only invoke it', () => {
    const t = templates[0];
    const content = Object.values(t.findResources('AWS::SSM::Document'))[0].Properties.Content;
    expect(content.mainSteps[0].inputs.InputPayload).toMatchObject({ FunctionName: 'orders-runbook-steps', Region: 'us-east-1' });
    expect(content.assumeRole).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^RunbooksAutomationRole/), 'Arn'] });
    t.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'orders-runbooks-us-east-1',
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Principal: { Service: 'ssm.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'aws:SourceArn': Match.anyValue() } },
        })],
      },
    });
    const policies = Object.values(t.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^RunbooksAutomationRole') }] } }));
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^RunbooksStepFunction/), 'Arn'] } },
    ]);
  });

  test('the step function: prebundled, Node.js 24, 4-minute timeout, its own log group, the topology parameters', () => {
    templates[1].hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'orders-runbook-steps',
      Runtime: 'nodejs24.x',
      Timeout: 240,
      Environment: { Variables: Match.objectLike({ AURORA_TOPOLOGY_PARAMETER: '/cdk-cross-region-failover/orders/aurora', ROUTING_TOPOLOGY_PARAMETER: '/cdk-cross-region-failover/orders/routing' }) },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^RunbooksStepLogs') } },
    });
    templates[1].hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  test('the step role: every action named, scoped to this topology; only the actions without resource-level permissions on *', () => {
    const t = templates[1];
    const [policy] = Object.values(t.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^RunbooksStepRole') }] } }));
    type Statement = { Sid?: string; Action: string | string[]; Resource: string | string[] };
    const statements = resolveIntrinsics(policy.Properties.PolicyDocument.Statement) as Statement[];
    const bySid = Object.fromEntries(statements.filter((s) => s.Sid).map((s) => [s.Sid, s]));
    expect(bySid.MoveTheWriter).toEqual(expect.objectContaining({
      Action: ['rds:SwitchoverGlobalCluster', 'rds:FailoverGlobalCluster', 'rds:RemoveFromGlobalCluster'],
      Resource: [
        'arn:aws:rds::111111111111:global-cluster:orders',
        'arn:aws:rds:us-east-1:111111111111:cluster:orders-us-east-1',
        'arn:aws:rds:us-west-2:111111111111:cluster:orders-us-west-2',
      ],
    }));
    expect(bySid.DescribeTheClusters.Resource).toEqual(['us-east-1', 'us-west-2'].map((r) => `arn:aws:rds:${r}:111111111111:cluster:orders-${r}`));
    expect(bySid.ReadTopology.Resource).toEqual([
      'arn:aws:ssm:us-west-2:111111111111:parameter/cdk-cross-region-failover/orders/aurora',
      'arn:aws:ssm:us-west-2:111111111111:parameter/cdk-cross-region-failover/orders/routing',
      'arn:aws:ssm:us-west-2:111111111111:parameter/cdk-cross-region-failover/orders/aurora-cluster',
    ]);
    // The rebuild: the global database by name, this Region's cluster, its instances, subnet and parameter groups, and snapshot prefix only.
    expect(bySid.RebuildTheGlobalDatabase).toMatchObject({
      Action: ['rds:ModifyGlobalCluster', 'rds:DeleteGlobalCluster', 'rds:CreateGlobalCluster'],
      Resource: ['arn:aws:rds::111111111111:global-cluster:orders', ...['us-east-1', 'us-west-2'].map((r) => `arn:aws:rds:${r}:111111111111:cluster:orders-${r}`)],
    });
    expect(bySid.ReplaceTheStaleCluster.Resource).toEqual([
      'arn:aws:rds:us-west-2:111111111111:cluster:orders-us-west-2',
      'arn:aws:rds::111111111111:global-cluster:orders',
      expect.stringMatching(/^arn:aws:rds:us-west-2:111111111111:subgrp:DatabaseSubnetGroup\w+$/),
      expect.stringMatching(/^arn:aws:rds:us-west-2:111111111111:cluster-pg:DatabaseParameterGroup\w+$/),
      'arn:aws:rds:us-west-2:111111111111:og:*',
    ]);
    expect(bySid.KeepAFinalSnapshot.Action).toEqual(['rds:DeleteDBCluster', 'rds:CreateDBClusterSnapshot', 'rds:AddTagsToResource']);
    expect(bySid.KeepAFinalSnapshot.Resource).toEqual([
      'arn:aws:rds:us-west-2:111111111111:cluster:orders-us-west-2', 'arn:aws:rds:us-west-2:111111111111:cluster-snapshot:orders-us-west-2-before-rebuild-*',
    ]);
    // A headless secondary here: its instances are the one a runbook may add.
    expect(bySid.ReplaceTheInstances.Resource).toEqual([
      'arn:aws:rds:us-west-2:111111111111:cluster:orders-us-west-2',
      'arn:aws:rds:us-west-2:111111111111:db:orders-us-west-2-writer',
    ]);
    expect(bySid.EncryptTheNewCluster).toMatchObject({
      Action: ['kms:CreateGrant', 'kms:DescribeKey'], Condition: { StringEquals: { 'kms:ViaService': 'rds.us-west-2.amazonaws.com' } },
    });
    expect(bySid.CheckTheSecretReplica.Resource).toBe('arn:aws:secretsmanager:us-west-2:111111111111:secret:orders-aurora-master-??????');
    expect(bySid.ReadTopology.Action).toBe('ssm:GetParameters');
    expect(bySid.DescribeTheInstances).toMatchObject({
      Action: 'rds:DescribeDBInstances', Resource: ['us-east-1', 'us-west-2'].map((r) => `arn:aws:rds:${r}:111111111111:db:*`),
    });
    // The headless target's writer instance: that one name, in that cluster.
    expect(bySid.GiveAHeadlessClusterAWriter).toMatchObject({
      Action: 'rds:CreateDBInstance',
      Resource: ['arn:aws:rds:us-west-2:111111111111:cluster:orders-us-west-2', 'arn:aws:rds:us-west-2:111111111111:db:orders-us-west-2-writer'],
    });
    expect(bySid.CheckTheClusterKey).toMatchObject({ Action: 'kms:DescribeKey', Resource: expect.stringMatching(/^DatabaseKey.*\.Arn$/) });
    // The readiness evaluation: its one parameter, and metrics in the library's namespace only.
    expect(bySid.WriteTheReadiness).toMatchObject({ Action: 'ssm:PutParameter', Resource: 'arn:aws:ssm:us-west-2:111111111111:parameter/cdk-cross-region-failover/orders/readiness' });
    expect(bySid.PublishTheReadiness).toMatchObject({
      Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'CdkCrossRegionFailover' } },
    });
    for (const s of statements) {
      for (const action of ([] as string[]).concat(s.Action)) expect(action).not.toMatch(/\*/);
      if (([] as string[]).concat(s.Resource).includes('*')) {
        expect([['cloudwatch:GetMetricData'], ['ssm:DescribeAutomationExecutions'], ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], ['cloudwatch:PutMetricData']])
          .toContainEqual(([] as string[]).concat(s.Action));
      }
    }
  });

  test('the routing stack grants each step role exactly this topology\'s routing controls, by role name', () => {
    const t = Template.fromStack(routingStack);
    const policies = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p).includes('runbook-steps'));
    expect(policies.map((p) => p.Properties.Roles)).toEqual([['orders-runbook-steps-us-east-1'], ['orders-runbook-steps-us-west-2']]);
    for (const p of policies) {
      const [statement] = p.Properties.PolicyDocument.Statement;
      expect(statement.Action).toEqual([
        'route53-recovery-cluster:GetRoutingControlState',
        'route53-recovery-cluster:UpdateRoutingControlState',
        'route53-recovery-cluster:UpdateRoutingControlStates',
      ]);
      expect(statement.Resource).toEqual([
        { 'Fn::GetAtt': [expect.stringMatching(/^ApiRoutingControluseast1/), 'RoutingControlArn'] },
        { 'Fn::GetAtt': [expect.stringMatching(/^ApiRoutingControluswest2/), 'RoutingControlArn'] },
      ]);
    }
    expect(routingStack.dependencies).toEqual(expect.arrayContaining(stacks));
  });

  test('defaults: no approval asked, 30 s RPO lag, 30 min writer wait, 4 h rejoin wait', () => {
    const docs = Object.values(templates[0].findResources('AWS::SSM::Document')).map((d) => d.Properties.Content);
    const failback = docs.find((d) => d.description.startsWith('Graceful failback'));
    expect(failback.parameters.RequireApproval.default).toBe(false);
    expect(failback.parameters.Approvers.default).toEqual([]);
    expect(failback.parameters.MaxRpoLagSeconds.default).toBe(30);
    const waits = Object.fromEntries(failback.mainSteps.filter((s: any) => s.action === 'aws:loop').map((s: any) => [s.name, s.inputs.Steps[0].inputs.InputPayload.Input.WaitTimeoutSeconds]));
    expect(waits).toEqual({ WaitForRejoin: 14_400, WaitForInstance: 1800, WaitForWriter: 1800 });
  });

  test('every wait of the runbooks and the self-test is deployed polling every 2 s', () => {
    const docs = Object.values(templates[0].findResources('AWS::SSM::Document')).map((d) => d.Properties.Content);
    const intervals = docs.flatMap((d) => d.mainSteps.filter((s: any) => s.action === 'aws:loop')
      .map((s: any) => s.inputs.Steps[0].inputs.InputPayload)
      .map((payload: any) => payload.Input?.PollIntervalSeconds ?? payload.PollIntervalSeconds));
    expect(intervals.length).toBeGreaterThanOrEqual(9);
    expect(new Set(intervals)).toEqual(new Set([2]));
  });
});

describe('FailoverAutomation with every prop', () => {
  const oncall = 'arn:aws:iam::111111111111:role/oncall';
  const { stacks } = build({
    approvers: [oncall],
    approvalTimeout: Duration.minutes(20),
    maxRpoLag: Duration.seconds(5),
    maxDataLoss: Duration.minutes(2),
    writerTimeout: Duration.hours(1),
    rejoinTimeout: Duration.hours(2),
    logRetention: 30,
  });

  test('approval asked by default once approvers are named, with their timeout', () => {
    const docs = Object.values(Template.fromStack(stacks[0]).findResources('AWS::SSM::Document'))
      .filter((d) => d.Properties.Name !== 'orders-SelfTest').map((d) => d.Properties.Content);
    expect(docs).toHaveLength(4);
    for (const d of docs) {
      expect(d.parameters.RequireApproval.default).toBe(true);
      expect(d.parameters.Approvers.default).toEqual([oncall]);
      expect(d.mainSteps.find((s: any) => s.action === 'aws:approve').timeoutSeconds).toBe(1200);
    }
  });

  test('waits and thresholds', () => {
    const docs = Object.values(Template.fromStack(stacks[1]).findResources('AWS::SSM::Document')).map((d) => d.Properties.Content);
    const failback = docs.find((d) => d.description.startsWith('Graceful failback'));
    expect(failback.parameters.MaxRpoLagSeconds.default).toBe(5);
    const failover = docs.find((d) => d.description.startsWith('Failover away'));
    expect(failover.parameters).toMatchObject({ MaxDataLossSeconds: { type: 'Integer', default: 120 }, AllowDetach: { type: 'Boolean', default: false } });
    const loops = failback.mainSteps.filter((s: any) => s.action === 'aws:loop');
    expect(loops.map((s: any) => [s.name, s.inputs.MaxIterations, s.inputs.Steps[0].inputs.InputPayload.Input.WaitTimeoutSeconds])).toEqual([
      ['WaitForRejoin', 41, 7200],
      ['WaitForInstance', 21, 3600],
      ['WaitForWriter', 21, 3600],
    ]);
    Template.fromStack(stacks[1]).hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('grantStart: start the documents, follow executions, pass the automation roles to SSM only', () => {
    const { app, automation } = build();
    const operatorStack = new Stack(app, 'Operators', { env: { region: 'us-east-1' } });
    const operator = new iam.Role(operatorStack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    automation.grantStart(operator);
    const [policy] = Object.values(Template.fromStack(operatorStack).findResources('AWS::IAM::Policy'));
    const statements = resolveIntrinsics(policy.Properties.PolicyDocument.Statement) as any[];
    expect(statements[0].Action).toBe('ssm:StartAutomationExecution');
    expect(statements[0].Resource).toEqual(expect.arrayContaining([
      'arn:aws:ssm:us-east-1:111111111111:automation-definition/orders-Failover:*',
      'arn:aws:ssm:us-west-2:111111111111:document/orders-Failback',
    ]));
    expect(statements[0].Resource).toHaveLength(16);
    expect(statements[1]).toMatchObject({
      Action: ['ssm:GetAutomationExecution', 'ssm:DescribeAutomationStepExecutions', 'ssm:StopAutomationExecution'],
      Resource: ['arn:aws:ssm:us-east-1:111111111111:automation-execution/*', 'arn:aws:ssm:us-west-2:111111111111:automation-execution/*'],
    });
    expect(statements[2]).toEqual({
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: ['arn:aws:iam::111111111111:role/orders-runbooks-us-east-1', 'arn:aws:iam::111111111111:role/orders-runbooks-us-west-2'],
      Condition: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
    });
    // What the command-line tool reads first: its parameters, and whether a run is under way.
    expect(statements.slice(3)).toEqual([
      {
        Effect: 'Allow',
        Action: 'ssm:GetParameter',
        Resource: ['us-east-1', 'us-west-2'].flatMap((r) => ['orders/runbooks', 'orders/aurora', 'orders/routing', 'orders/readiness']
          .map((p) => `arn:aws:ssm:${r}:111111111111:parameter/cdk-cross-region-failover/${p}`)),
      },
      {
        Effect: 'Allow',
        Action: 'ssm:GetParametersByPath',
        Resource: ['us-east-1', 'us-west-2'].flatMap((r) => ['', '/*'].map((tail) => `arn:aws:ssm:${r}:111111111111:parameter/cdk-cross-region-failover${tail}`)),
      },
      { Effect: 'Allow', Action: 'ssm:DescribeAutomationExecutions', Resource: '*' },
    ]);
  });

  test('grantStatus: reads only, on this topology\'s resources but the two actions without resource-level permissions', () => {
    const { app, automation } = build();
    const operatorStack = new Stack(app, 'Watchers', { env: { region: 'us-east-1' } });
    const watcher = new iam.Role(operatorStack, 'Watcher', { assumedBy: new iam.AccountRootPrincipal() });
    automation.grantStatus(watcher);
    const [policy] = Object.values(Template.fromStack(operatorStack).findResources('AWS::IAM::Policy'));
    const statements = resolveIntrinsics(policy.Properties.PolicyDocument.Statement) as any[];
    expect(statements.map((st) => st.Action)).toEqual([
      ['rds:DescribeGlobalClusters', 'rds:DescribeDBClusters'],
      'secretsmanager:DescribeSecret',
      'rds:DescribeDBInstances',
      'kms:DescribeKey',
      'cloudwatch:GetMetricData',
      'route53-recovery-cluster:GetRoutingControlState',
      'ssm:GetParameter',
      'ssm:GetParametersByPath',
      'ssm:DescribeAutomationExecutions',
      ['ssm:GetAutomationExecution', 'ssm:DescribeAutomationStepExecutions'],
    ]);
    expect(statements[statements.length - 1].Resource).toEqual(['us-east-1', 'us-west-2'].map((r) => `arn:aws:ssm:${r}:111111111111:automation-execution/*`));
    expect(statements[0].Resource).toEqual([
      'arn:aws:rds::111111111111:global-cluster:orders',
      'arn:aws:rds:us-east-1:111111111111:cluster:orders-us-east-1',
      'arn:aws:rds:us-west-2:111111111111:cluster:orders-us-west-2',
    ]);
    expect(statements[1].Resource).toEqual(['us-east-1', 'us-west-2'].map((r) => `arn:aws:secretsmanager:${r}:111111111111:secret:orders-aurora-master-??????`));
    // The routing control ARNs exist only in the routing stack: another stack gets the account's controls, read-only.
    expect(statements[5].Resource).toBe('arn:aws:route53-recovery-control::111111111111:controlpanel/*/routingcontrol/*');
    // The keys: any key of the account in the two Regions, but only those with the database's alias.
    expect(statements[3]).toMatchObject({
      Resource: ['us-east-1', 'us-west-2'].map((r) => `arn:aws:kms:${r}:111111111111:key/*`),
      Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/orders-aurora' } },
    });
    expect(statements.filter((st) => st.Resource === '*').map((st) => st.Action)).toEqual(['cloudwatch:GetMetricData', 'ssm:DescribeAutomationExecutions']);
  });

  test('the runbooks parameter in every Region tells the command-line tool where everything is', () => {
    const { stacks: s, automation } = build();
    expect(automation.runbooksParameterName).toBe('/cdk-cross-region-failover/orders/runbooks');
    for (const stack of s) {
      const [parameter] = Object.values(Template.fromStack(stack).findResources('AWS::SSM::Parameter', {
        Properties: { Name: '/cdk-cross-region-failover/orders/runbooks' },
      }));
      expect(JSON.parse(parameter.Properties.Value)).toEqual({
        version: 1,
        name: 'orders',
        regions: ['us-east-1', 'us-west-2'],
        documents: { switchover: 'orders-Switchover', failover: 'orders-Failover', failback: 'orders-Failback', rebuild: 'orders-Rebuild' },
        auroraTopologyParameter: '/cdk-cross-region-failover/orders/aurora',
        routingTopologyParameter: '/cdk-cross-region-failover/orders/routing',
      });
    }
  });
});

describe('FailoverAutomation with active/active routing', () => {
  const REGIONS3 = ['us-east-1', 'us-west-2', 'eu-west-1'];
  const { app, stacks, automation } = build({}, { mode: RoutingMode.ACTIVE_ACTIVE, regions: REGIONS3 });
  const templates = stacks.map((s) => Template.fromStack(s));

  test('nag-clean like active/passive', () => {
    expect(nagFindings(app).filter((f) => !/^AwsSolutions-(APIG4|COG4) /.test(f))).toEqual([]);
  });

  test('every Region also has the evacuate and restore documents; an evacuation takes out any other Region, a restore only its own', () => {
    templates.forEach((t, i) => {
      t.resourceCountIs('AWS::SSM::Document', 7);
      const params = (name: string) => {
        const [doc] = Object.values(t.findResources('AWS::SSM::Document', { Properties: { Name: name } }));
        const content = resolveIntrinsics(doc.Properties.Content) as Record<string, any>;
        expect(checkDocument(content)).toEqual([]);
        return content.parameters;
      };
      expect(params('orders-Evacuate').TargetRegion.allowedValues).toEqual(REGIONS3.filter((r) => r !== REGIONS3[i]));
      expect(params('orders-Restore').TargetRegion.allowedValues).toEqual([REGIONS3[i]]);
      expect(params('orders-Evacuate').MaxRpoLagSeconds).toMatchObject({ type: 'Integer', default: 30 });
      expect(params('orders-Switchover').TargetRegion.allowedValues).toEqual([REGIONS3[i]]);
    });
    expect(automation.evacuateDocumentName).toBe('orders-Evacuate');
    expect(automation.restoreDocumentName).toBe('orders-Restore');
    expect(automation.regionalAutomation('us-west-2').evacuateDocument).toBeDefined();
    const passive = build().automation;
    expect([passive.evacuateDocumentName, passive.restoreDocumentName, passive.regionalAutomation('us-west-2').restoreDocument])
      .toEqual([undefined, undefined, undefined]);
  });

  test('the command-line tool finds them; grantStart lets an operator start them', () => {
    for (const t of templates) {
      const [param] = Object.values(t.findResources('AWS::SSM::Parameter', { Properties: { Name: '/cdk-cross-region-failover/orders/runbooks' } }));
      expect(JSON.parse(param.Properties.Value).documents).toEqual({
        switchover: 'orders-Switchover',
        failover: 'orders-Failover',
        failback: 'orders-Failback',
        rebuild: 'orders-Rebuild',
        evacuate: 'orders-Evacuate',
        restore: 'orders-Restore',
      });
    }
    const fresh = build({}, { mode: RoutingMode.ACTIVE_ACTIVE, regions: REGIONS3 });
    const operatorStack = new Stack(fresh.app, 'Operators', { env: { region: 'us-east-1' } });
    const operator = new iam.Role(operatorStack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    fresh.automation.grantStart(operator);
    const [policy] = Object.values(Template.fromStack(operatorStack).findResources('AWS::IAM::Policy'));
    const start = (resolveIntrinsics(policy.Properties.PolicyDocument.Statement) as any[])[0];
    expect(start.Resource).toHaveLength(6 * 2 * REGIONS3.length);
    expect(start.Resource).toEqual(expect.arrayContaining([
      'arn:aws:ssm:eu-west-1:111111111111:document/orders-Evacuate', 'arn:aws:ssm:us-east-1:111111111111:automation-definition/orders-Restore:*',
    ]));
  });

  test('readiness: the restore is evaluated, the evacuation (run from another Region) is not', () => {
    expect(automation.metricRunbookReady('us-east-1', 'restore').dimensions).toEqual({ Deployment: 'orders', Region: 'us-east-1', Runbook: 'restore' });
    expect(() => automation.metricRunbookReady('us-east-1', 'evacuate')).toThrow(
      "metricRunbookReady: no readiness of runbook 'evacuate'; the evaluated runbooks are switchover, failover, failback, rebuild, restore.");
  });
});

describe('FailoverAutomation validation', () => {
  test.each<[string, Partial<FailoverAutomationProps>, RegExp]>([
    ['approvers that are not IAM ARNs', { approvers: ['oncall@example.com'] },
      /'approvers' must be IAM user or role ARNs \(arn:aws:iam::<account>:role\/<name>\), got "oncall@example.com"\./],
    ['approval required without approvers', { requireApproval: true },
      /'requireApproval' is true but 'approvers' is empty: name at least one IAM user or role ARN that may approve\./],
    ['a zero RPO lag', { maxRpoLag: Duration.seconds(0) }, /'maxRpoLag' must be between 1 second and 1 hour, got 0 s\./],
    ['a data-loss bound of two days', { maxDataLoss: Duration.days(2) }, /'maxDataLoss' must be between 1 second and 24 hours, got 172800 s\./],
    ['a writer timeout over 100 polls', { writerTimeout: Duration.hours(6) },
      /'writerTimeout' must be between 5 minutes and 4 hours 57 minutes \(100 polls of 3 minutes\), got 21600 s\./],
    ['a rejoin timeout under 5 minutes', { rejoinTimeout: Duration.minutes(1) }, /'rejoinTimeout' must be between 5 minutes and .*, got 60 s: for a longer wait, run the failback again/],
    ['an approval timeout over 7 days', { approvalTimeout: Duration.days(8) }, /'approvalTimeout' must be between 1 minute and 7 days \(what aws:approve allows\), got 691200 s\./],
  ])('refuses %s', (_title, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test('refuses a database and a routed API over different Regions', () => {
    expect(() => build({}, { apiRegions: ['us-east-1', 'eu-west-1'] })).toThrow(
      "FailoverAutomation 'Runbooks': 'database' and 'routing' must cover the same Regions: database has us-east-1, us-west-2, routing has us-east-1, eu-west-1. " +
        'Give MultiRegionAuroraPostgres and ArcRoutedApi the same Regions.',
    );
  });

  test('refuses a name too long for the role names', () => {
    const name = 'a'.repeat(45);
    expect(() => build({}, { name })).toThrow(
      /the database name 'a{45}' is too long for the runbook role names: 'a{45}-runbook-steps-us-east-1' has 69 characters, IAM allows 64\. Use a database 'name' of at most 40 characters\./,
    );
  });

  test('reports every problem at once', () => {
    expect(() => build({ requireApproval: true, maxRpoLag: Duration.hours(2) })).toThrow(/^FailoverAutomation 'Runbooks': 2 problems:\n- 'requireApproval'.*\n- 'maxRpoLag'/);
  });

  test('names the Regions when asked for one it does not have', () => {
    const { automation } = build();
    expect(() => automation.regionalAutomation('eu-west-1')).toThrow("FailoverAutomation 'Runbooks': no runbooks in Region 'eu-west-1'; its Regions are us-east-1, us-west-2.");
  });
});

describe('FailoverAutomation with an ARC Region switch plan', () => {
  const { app, routingStack, automation } = build({ regionSwitchPlan: {} });
  const routing = Template.fromStack(routingStack);
  const plan = () => resolveIntrinsics(Object.values(routing.findResources('AWS::ARCRegionSwitch::Plan'))[0].Properties) as any;

  test('no plan unless asked for', () => {
    const { routingStack: plain, automation: noPlan } = build();
    Template.fromStack(plain).resourceCountIs('AWS::ARCRegionSwitch::Plan', 0);
    expect(noPlan.regionSwitchPlan).toBeUndefined();
  });

  test('cdk-nag finds nothing new', () => {
    expect(nagFindings(app).filter((f) => !/^AwsSolutions-(APIG4|COG4) /.test(f))).toEqual([]);
  });

  test('one active/passive plan over the two Regions, in the routing stack, the first Region primary', () => {
    routing.resourceCountIs('AWS::ARCRegionSwitch::Plan', 1);
    expect(plan()).toMatchObject({
      Name: 'orders',
      RecoveryApproach: 'activePassive',
      Regions: ['us-east-1', 'us-west-2'],
      PrimaryRegion: 'us-east-1',
      ExecutionRole: expect.stringMatching(/^RunbooksRegionSwitchRegionSwitchPlanRole[0-9A-F]{8}\.Arn$/),
    });
    expect(plan().RecoveryTimeObjectiveMinutes).toBeUndefined();
    expect(automation.regionSwitchPlan).toBeDefined();
  });

  test('one activation workflow: the Aurora block (switchover, no ungraceful path), then the routing controls', () => {
    const { Workflows } = plan();
    expect(Workflows).toHaveLength(1);
    expect(Workflows[0].WorkflowTargetAction).toBe('activate');
    expect(Workflows[0].WorkflowTargetRegion).toBeUndefined();
    const [aurora, routingBlock] = Workflows[0].Steps;
    expect(Workflows[0].Steps).toHaveLength(2);
    expect(aurora).toMatchObject({
      Name: 'MoveTheWriter',
      ExecutionBlockType: 'AuroraGlobalDatabase',
      ExecutionBlockConfiguration: {
        GlobalAuroraConfig: {
          Behavior: 'switchoverOnly',
          GlobalClusterIdentifier: 'orders',
          DatabaseClusterArns: ['arn:aws:rds:us-east-1:111111111111:cluster:orders-us-east-1', 'arn:aws:rds:us-west-2:111111111111:cluster:orders-us-west-2'],
          TimeoutMinutes: 30,
        },
      },
    });
    // The routing-control block does not run in an ungraceful execution: the plan must not promote without it.
    expect(aurora.ExecutionBlockConfiguration.GlobalAuroraConfig.Ungraceful).toBeUndefined();
    expect(JSON.stringify(plan())).not.toMatch(/[Ff]ailover"/);
    const control = (region: string) => expect.stringMatching(new RegExp(`^ApiRoutingControl${region.replace(/-/g, '')}[0-9A-F]{8}\\.RoutingControlArn$`));
    expect(routingBlock).toMatchObject({ Name: 'RouteTraffic', ExecutionBlockType: 'ARCRoutingControl' });
    expect(routingBlock.ExecutionBlockConfiguration.ArcRoutingControlConfig.RegionAndRoutingControls).toEqual({
      'us-east-1': [{ RoutingControlArn: control('us-east-1'), State: 'On' }, { RoutingControlArn: control('us-west-2'), State: 'Off' }],
      'us-west-2': [{ RoutingControlArn: control('us-west-2'), State: 'On' }, { RoutingControlArn: control('us-east-1'), State: 'Off' }],
    });
  });

  test('the execution role: assumed by Region switch for this account only; what evaluation needs, and a switchover on named resources', () => {
    routing.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'orders-region-switch-plan',
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'arc-region-switch.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } })],
      },
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonApplicationRecoveryControllerRegionSwitchPlanExecutionPolicy']] }],
    });
    const [policy] = Object.values(routing.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('RegionSwitchPlanRole') }] } }));
    const statements = resolveIntrinsics(policy.Properties.PolicyDocument.Statement) as any[];
    expect(statements.map((s) => [s.Sid, s.Action])).toEqual([
      ['DescribeGlobalDatabase', ['rds:DescribeGlobalClusters', 'rds:DescribeDBClusters']],
      ['SwitchOverTheWriter', 'rds:SwitchoverGlobalCluster'],
      ['DescribeRoutingControls', ['route53-recovery-control-config:DescribeControlPanel', 'route53-recovery-control-config:DescribeCluster']],
      ['FlipRoutingControls', ['route53-recovery-control-config:DescribeRoutingControl', 'route53-recovery-cluster:GetRoutingControlState',
        'route53-recovery-cluster:UpdateRoutingControlStates']],
    ]);
    // The Aurora block's sample policy: the reads on "*", for evaluation.
    expect(statements[0].Resource).toBe('*');
    expect(statements[1].Resource).toEqual([
      'arn:aws:rds::111111111111:global-cluster:orders',
      'arn:aws:rds:us-east-1:111111111111:cluster:orders-us-east-1',
      'arn:aws:rds:us-west-2:111111111111:cluster:orders-us-west-2',
    ]);
    // No failover: the plan has no ungraceful path, and its role could not take one.
    expect(JSON.stringify(statements)).not.toContain('FailoverGlobalCluster');
    expect(JSON.stringify(statements.slice(1))).not.toContain('"*"');
  });

  test('the plan name, the recovery time objective and the writer timeout', () => {
    const { routingStack: rs } = build({
      writerTimeout: Duration.minutes(45),
      regionSwitchPlan: { planName: 'orders-dr', recoveryTimeObjective: Duration.minutes(20) },
    });
    const named = Object.values(Template.fromStack(rs).findResources('AWS::ARCRegionSwitch::Plan'))[0].Properties;
    expect(named.Name).toBe('orders-dr');
    expect(named.RecoveryTimeObjectiveMinutes).toBe(20);
    expect(named.Workflows[0].Steps[0].ExecutionBlockConfiguration.GlobalAuroraConfig.TimeoutMinutes).toBe(45);
  });

  test('with an approval role: the workflow starts with a manual approval, and the role may approve this plan', () => {
    const { routingStack: rs } = build((stack) => ({
      approvalTimeout: Duration.minutes(15),
      regionSwitchPlan: { approvalRole: new iam.Role(stack, 'Approvers', { assumedBy: new iam.AccountRootPrincipal() }) },
    }));
    const t = Template.fromStack(rs);
    const props = Object.values(t.findResources('AWS::ARCRegionSwitch::Plan'))[0].Properties;
    expect(props.Workflows[0].Steps.map((s: any) => s.ExecutionBlockType)).toEqual(['ManualApproval', 'AuroraGlobalDatabase', 'ARCRoutingControl']);
    expect(props.Workflows[0].Steps[0].ExecutionBlockConfiguration.ExecutionApprovalConfig).toEqual({
      ApprovalRole: { 'Fn::GetAtt': [expect.stringMatching(/^Approvers/), 'Arn'] },
      TimeoutMinutes: 15,
    });
    // In the plan's stack: the plan's own ARN attribute.
    const [grant] = Object.values(t.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^Approvers') }] } }));
    expect(grant.Properties.PolicyDocument.Statement).toEqual([expect.objectContaining({
      Action: ['arc-region-switch:ApprovePlanExecutionStep', 'arc-region-switch:GetPlanExecution'],
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/RegionSwitchPlan/), 'Arn'] },
    })]);
  });

  test('an approval role in another Region: the plan ARN as the API reference and the sample policies write it, the suffix a wildcard', () => {
    let operators: Stack | undefined;
    build((planStack) => {
      operators = new Stack(planStack.node.root, 'operators', { env: { region: 'eu-west-1' } });
      return { regionSwitchPlan: { approvalRole: new iam.Role(operators, 'Approvers', { roleName: 'approvers', assumedBy: new iam.AccountRootPrincipal() }) } };
    });
    const [grant] = Object.values(Template.fromStack(operators!).findResources('AWS::IAM::Policy'));
    expect(resolveIntrinsics(grant.Properties.PolicyDocument.Statement)).toEqual([expect.objectContaining({
      Action: ['arc-region-switch:ApprovePlanExecutionStep', 'arc-region-switch:GetPlanExecution'],
      Resource: ['arn:aws:arc-region-switch:*:111111111111:plan/orders:*', 'arn:aws:arc-region-switch:*:111111111111:plan/orders/*'],
    })]);
  });
});

describe('FailoverAutomation with an ARC Region switch plan and active/active routing', () => {
  const { app, routingStack } = build({ regionSwitchPlan: {} }, { mode: RoutingMode.ACTIVE_ACTIVE });
  const plan = resolveIntrinsics(Object.values(Template.fromStack(routingStack).findResources('AWS::ARCRegionSwitch::Plan'))[0].Properties) as any;
  const control = (region: string) => expect.stringMatching(new RegExp(`^ApiRoutingControl${region.replace(/-/g, '')}[0-9A-F]{8}\\.RoutingControlArn$`));

  test('an active/active plan over the two Regions, with no primary Region, nag-clean', () => {
    expect(plan).toMatchObject({ RecoveryApproach: 'activeActive', Regions: ['us-east-1', 'us-west-2'] });
    expect(plan.PrimaryRegion).toBeUndefined();
    expect(nagFindings(app).filter((f) => !/^AwsSolutions-(APIG4|COG4) /.test(f))).toEqual([]);
  });

  test('an activate workflow that routes only, and a deactivate workflow that moves the writer out first, with the same routing input', () => {
    expect(plan.Workflows.map((w: any) => [w.WorkflowTargetAction, w.Steps.map((step: any) => [step.Name, step.ExecutionBlockType])])).toEqual([
      ['activate', [['RouteTraffic', 'ARCRoutingControl']]],
      ['deactivate', [['MoveTheWriter', 'AuroraGlobalDatabase'], ['RouteTraffic', 'ARCRoutingControl']]],
    ]);
    const [activate, deactivate] = plan.Workflows.map((w: any) => w.Steps.find((step: any) => step.Name === 'RouteTraffic'));
    // Each Region's own control On when it is active; the other Region is not touched.
    expect(activate.ExecutionBlockConfiguration.ArcRoutingControlConfig.RegionAndRoutingControls).toEqual({
      'us-east-1': [{ RoutingControlArn: control('us-east-1'), State: 'On' }],
      'us-west-2': [{ RoutingControlArn: control('us-west-2'), State: 'On' }],
    });
    expect(deactivate).toEqual(activate);
    expect(plan.Workflows[1].Steps[0].ExecutionBlockConfiguration.GlobalAuroraConfig).toMatchObject({ Behavior: 'switchoverOnly' });
    expect(JSON.stringify(plan)).not.toMatch(/[Uu]ngraceful|[Ff]ailover"/);
  });

  test('an approval role asks first in both workflows', () => {
    const approved = build((stack) => ({
      regionSwitchPlan: { approvalRole: new iam.Role(stack, 'Approver', { assumedBy: new iam.AccountRootPrincipal() }) },
    }), { mode: RoutingMode.ACTIVE_ACTIVE });
    const [p] = Object.values(Template.fromStack(approved.routingStack).findResources('AWS::ARCRegionSwitch::Plan')) as any[];
    expect(p.Properties.Workflows.map((w: any) => w.Steps[0].ExecutionBlockType)).toEqual(['ManualApproval', 'ManualApproval']);
  });
});

describe('FailoverAutomation Region switch plan validation', () => {
  test('refuses more than two Regions, and says what to use instead', () => {
    expect(() => build({ regionSwitchPlan: {} }, { regions: ['us-east-1', 'us-west-2', 'eu-west-1'] })).toThrow(
      "FailoverAutomation 'Runbooks': 'regionSwitchPlan' needs exactly two Regions, as an ARC Region switch plan spans two; the database has 3 " +
        "(us-east-1, us-west-2, eu-west-1). Leave 'regionSwitchPlan' out and use the SSM runbooks, which cover every Region.",
    );
  });

  test.each<[string, Partial<FailoverAutomationProps>, RegExp]>([
    ['a plan name with an underscore', { regionSwitchPlan: { planName: 'orders_dr' } },
      /'regionSwitchPlan.planName' is 'orders_dr': use 1 to 32 letters, digits or hyphens, not starting or ending with a hyphen\./],
    ['a recovery time objective under a minute', { regionSwitchPlan: { recoveryTimeObjective: Duration.seconds(30) } },
      /'regionSwitchPlan.recoveryTimeObjective' must be between 1 minute and 7 days, got 30 s\./],
  ])('refuses %s', (_title, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test('a database name that cannot be a plan name is reported with the fix', () => {
    const name = 'orders-with-a-rather-long-name-x';
    expect(() => build({ regionSwitchPlan: {} }, { name: `${name}y` })).toThrow(
      `'regionSwitchPlan.planName' is '${name}y': use 1 to 32 letters, digits or hyphens, not starting or ending with a hyphen (it defaults to the database's name; set planName).`,
    );
  });
});

describe('the self-test on every deployment', () => {
  const { app, stacks } = build();
  const templates = stacks.map((s) => Template.fromStack(s));

  test('a custom resource per Region runs the self-test document, after the documents, the function and the roles exist', () => {
    templates.forEach((t, i) => {
      const resources = t.findResources('Custom::RunbooksSelfTest');
      expect(Object.keys(resources)).toHaveLength(1);
      const resource = Object.values(resources)[0] as { Properties: Record<string, unknown>; DependsOn: string[] };
      expect(resource.Properties).toMatchObject({ DocumentName: 'orders-SelfTest', Fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/), ServiceTimeout: '660' });
      const dependsOn = resource.DependsOn.join(' ');
      for (const id of ['SwitchoverDocument', 'FailoverDocument', 'FailbackDocument', 'RebuildDocument', 'SelfTestDocument', 'StepFunction', 'AutomationRole', 'StepRole']) {
        expect({ region: REGIONS[i], dependsOn: dependsOn.includes(`Runbooks${id}`) }).toEqual({ region: REGIONS[i], dependsOn: true });
      }
      t.hasResourceProperties('AWS::Lambda::Function', { Timeout: 600, Description: Match.stringLikeRegexp('^Runs orders-SelfTest on every deployment') });
    });
  });

  test('its function may start the self-test document only, follow executions, and pass the runbooks\' role to SSM only', () => {
    const policies = Object.values(templates[0].findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^RunbooksSelfTestFunctionServiceRole') }] } }));
    const statements = resolveIntrinsics((policies[0] as any).Properties.PolicyDocument.Statement) as any[];
    const bySid = Object.fromEntries(statements.filter((s) => s.Sid).map((s) => [s.Sid, s]));
    expect(bySid.StartTheSelfTest.Resource).toEqual([
      'arn:aws:ssm:us-east-1:111111111111:automation-definition/orders-SelfTest:*',
      'arn:aws:ssm:us-east-1:111111111111:document/orders-SelfTest',
    ]);
    expect(bySid.FollowTheSelfTest).toMatchObject({ Action: 'ssm:GetAutomationExecution', Resource: 'arn:aws:ssm:us-east-1:111111111111:automation-execution/*' });
    expect(bySid.RunItAsTheRunbooksRole).toMatchObject({
      Action: 'iam:PassRole', Resource: expect.stringMatching(/^RunbooksAutomationRole[0-9A-F]+\.Arn$/), Condition: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
    });
  });

  test('the fingerprint changes when a document changes, so the self-test runs again', () => {
    const fingerprint = (t: Template) => (Object.values(t.findResources('Custom::RunbooksSelfTest'))[0] as any).Properties.Fingerprint;
    const other = build({ writerTimeout: Duration.minutes(45) });
    expect(fingerprint(Template.fromStack(other.stacks[0]))).not.toBe(fingerprint(templates[0]));
    expect(fingerprint(Template.fromStack(build().stacks[0]))).toBe(fingerprint(templates[0]));
  });

  test('selfTest: false keeps the document, runs nothing, and warns in every Region\'s stack', () => {
    const off = build({ selfTest: false });
    off.stacks.forEach((s) => {
      const t = Template.fromStack(s);
      t.resourceCountIs('Custom::RunbooksSelfTest', 0);
      t.hasResourceProperties('AWS::SSM::Document', { Name: 'orders-SelfTest' });
    });
    expect(synthWarnings(off.app).filter((w) => w.id === 'cdk-cross-region-failover:self-test-off').map((w) => w.path))
      .toEqual(REGIONS.map((r) => `/Stack-${r}/Runbooks`));
    void app;
  });
});

/** A rule target's input, with the transformer's placeholders as strings. */
function inputOf(target: { InputTransformer: { InputTemplate: string } }): Record<string, unknown> {
  return JSON.parse(target.InputTransformer.InputTemplate.replace(/<(\w+)>/g, '"<$1>"'));
}

describe('the readiness evaluation', () => {
  const { stacks, automation } = build();
  const templates = stacks.map((s) => Template.fromStack(s));

  test('every 30 minutes in every Region, the step function runs the pre-flights with the deployment\'s defaults', () => {
    templates.forEach((t, i) => {
      const rules = Object.values(t.findResources('AWS::Events::Rule')) as any[];
      expect(rules).toHaveLength(1);
      const rule = rules[0].Properties;
      expect(rule.ScheduleExpression).toBe('rate(30 minutes)');
      expect(rule.Targets).toHaveLength(1);
      expect(rule.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^RunbooksStepFunction/), 'Arn'] });
      // A run under way longer than 7.5 h (approval 1 h, three writer waits of 30 min, the 4 h rejoin, 1 h more) is stuck.
      // The scheduled event's time, which stamps the datapoint: one per period however late the invocation.
      expect(rule.Targets[0].InputTransformer.InputPathsMap).toEqual({ time: '$.time' });
      expect(inputOf(rule.Targets[0])).toEqual({
        Runbook: 'Readiness', Deployment: 'orders', MaxRpoLagSeconds: 30, MaxDataLossSeconds: 0, MaxRunSeconds: 27000, ScheduledAt: '<time>',
      });
      expect(rule.Targets[0].RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 1800, MaximumRetryAttempts: 2 });
      t.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'events.amazonaws.com', Action: 'lambda:InvokeFunction' });
      expect(automation.regionalAutomations[i].readinessSchedule).toBeDefined();
    });
  });

  test('the first evaluation runs when the self-test passes, before the alarm exists', () => {
    templates.forEach((t) => {
      const [fn] = Object.values(t.findResources('AWS::Lambda::Function', { Properties: { FunctionName: 'orders-runbook-steps' } })) as any[];
      expect(JSON.parse(fn.Properties.Environment.Variables.READINESS_EVENT)).toEqual({
        Runbook: 'Readiness', Deployment: 'orders', MaxRpoLagSeconds: 30, MaxDataLossSeconds: 0, MaxRunSeconds: 27000,
      });
      const [alarm] = Object.values(t.findResources('AWS::CloudWatch::Alarm')) as any[];
      expect(alarm.DependsOn).toEqual([expect.stringMatching(/^RunbooksSelfTest[0-9A-F]{8}$/)]);
    });
  });

  test('an alarm per Region after two evaluations in a row not ready, or missing', () => {
    templates.forEach((t, i) => {
      const region = REGIONS[i];
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `orders-runbooks-not-ready-${region}`,
        Namespace: 'CdkCrossRegionFailover',
        MetricName: 'RunbookReady',
        Dimensions: Match.arrayEquals([
          { Name: 'Deployment', Value: 'orders' }, { Name: 'Region', Value: region }, { Name: 'Runbook', Value: 'all' },
        ]),
        Statistic: 'Minimum',
        Period: 1800,
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
        TreatMissingData: 'breaching',
      });
      expect(automation.regionalAutomations[i].readinessAlarm).toBeDefined();
    });
  });

  test('its parameter starts as a placeholder the step function overwrites', () => {
    const [parameter] = Object.values(templates[0].findResources('AWS::SSM::Parameter', { Properties: { Name: '/cdk-cross-region-failover/orders/readiness' } })) as any[];
    const value = JSON.parse(parameter.Properties.Value);
    expect(value).toEqual({ name: 'orders', region: 'us-east-1', evaluatedAt: null, note: 'not evaluated since the last deployment' });
  });

  test('an interval, a number of evaluations and the failover\'s bound are passed through', () => {
    const { stacks: s2 } = build({
      maxDataLoss: Duration.seconds(20), maxRpoLag: Duration.seconds(5), readiness: { interval: Duration.hours(1), alarmAfterEvaluations: 3 },
    });
    const t = Template.fromStack(s2[0]);
    const rule = (Object.values(t.findResources('AWS::Events::Rule'))[0] as any).Properties;
    expect(rule.ScheduleExpression).toBe('rate(1 hour)');
    expect(inputOf(rule.Targets[0])).toMatchObject({ MaxRpoLagSeconds: 5, MaxDataLossSeconds: 20 });
    expect(rule.Targets[0].RetryPolicy.MaximumEventAgeInSeconds).toBe(3600);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { Period: 3600, EvaluationPeriods: 3, DatapointsToAlarm: 3 });
  });

  test('off: no schedule, alarm or parameter, no permission to publish, and a warning in every Region', () => {
    const off = build({ readiness: { enabled: false } });
    for (const stack of off.stacks) {
      const t = Template.fromStack(stack);
      t.resourceCountIs('AWS::Events::Rule', 0);
      t.resourceCountIs('AWS::CloudWatch::Alarm', 0);
      expect(JSON.stringify(t.toJSON())).not.toContain('cloudwatch:PutMetricData');
      expect(Object.keys(t.findResources('AWS::SSM::Parameter', { Properties: { Name: '/cdk-cross-region-failover/orders/readiness' } }))).toHaveLength(0);
    }
    expect(off.automation.regionalAutomations.every((r) => !r.readinessAlarm && !r.readinessSchedule && !r.readinessParameter)).toBe(true);
    expect(synthWarnings(off.app).filter((w) => w.id === 'cdk-cross-region-failover:readiness-off').map((w) => w.path))
      .toEqual(['/Stack-us-east-1/Runbooks', '/Stack-us-west-2/Runbooks']);
  });

  test('metricRunbookReady: every runbook together or one, read in its Region, at the evaluation\'s period; unknown names refused', () => {
    expect(automation.metricRunbookReady('us-west-2')).toMatchObject({
      namespace: 'CdkCrossRegionFailover',
      metricName: 'RunbookReady',
      statistic: 'Minimum',
      region: 'us-west-2',
      dimensions: { Deployment: 'orders', Region: 'us-west-2', Runbook: 'all' },
    });
    expect(automation.metricRunbookReady('us-west-2').period.toMinutes()).toBe(30);
    expect(automation.metricRunbookReady('us-east-1', 'failover').dimensions).toEqual({ Deployment: 'orders', Region: 'us-east-1', Runbook: 'failover' });
    expect(() => automation.metricRunbookReady('us-east-1', 'rollback')).toThrow(
      "FailoverAutomation 'Runbooks': metricRunbookReady: no readiness of runbook 'rollback'; the evaluated runbooks are switchover, failover, " +
      'failback, rebuild.');
    expect(() => automation.metricRunbookReady('eu-west-1')).toThrow("no runbooks in Region 'eu-west-1'");
  });

  test.each([
    ['an interval under 5 minutes', { interval: Duration.minutes(1) }, "'readiness.interval' must be whole minutes from 5 minutes to 1 day, got 60 s."],
    ['an interval in seconds', { interval: Duration.seconds(330) }, "'readiness.interval' must be whole minutes from 5 minutes to 1 day, got 330 s."],
    ['an interval over a day', { interval: Duration.days(2), alarmAfterEvaluations: 1 }, "'readiness.interval' must be whole minutes from 5 minutes to 1 day, got 172800 s."],
    ['no evaluations', { alarmAfterEvaluations: 0 }, "'readiness.alarmAfterEvaluations' must be a whole number of 1 or more, got 0."],
    ['a look back over a day at periods under an hour', { interval: Duration.minutes(30), alarmAfterEvaluations: 49 },
      "'readiness.alarmAfterEvaluations' times 'readiness.interval' must be at most 1 day(s) at this interval (how far back a CloudWatch alarm looks: " +
        '1 day for periods under an hour, 7 days otherwise), got 49 x 30 minutes: lower one of them.'],
    ['a look back over 7 days', { interval: Duration.hours(12), alarmAfterEvaluations: 15 },
      "'readiness.alarmAfterEvaluations' times 'readiness.interval' must be at most 7 day(s) at this interval (how far back a CloudWatch alarm looks: " +
        '1 day for periods under an hour, 7 days otherwise), got 15 x 720 minutes: lower one of them.'],
  ])('refuses %s, naming the construct and the prop', (_what, readiness, message) => {
    expect(() => build({ readiness })).toThrow(`FailoverAutomation 'Runbooks': ${message}`);
  });
});
