import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { ArcRoutedApi, ArcRoutedApiProps, ArcRoutedApiRegionOptions, IRegionalHandlerFactory, RoutedEndpoint, RoutingMode } from '../../src';
import { resolveIntrinsics, synthWarnings, testHandler, testRoutedApi } from '../helpers';
import { nagFindings } from '../nag';

const CLUSTER_ARN = 'arn:aws:route53-recovery-control::111111111111:cluster/0123abcd-4567-89ef-0123-456789abcdef';

function build(regions: string[], props: Partial<ArcRoutedApiProps> = {}, perRegion: Partial<ArcRoutedApiRegionOptions>[] = []) {
  const app = new App();
  const stacks = regions.map((region) => new Stack(app, `api-${region}`, { env: { region } }));
  const routingStack = new Stack(app, 'routing', { env: { region: 'us-west-2' } });
  const api = testRoutedApi(routingStack, stacks, props, perRegion);
  return { app, stacks, routingStack, api };
}

/** Nag findings, less the API's authorization ones where the test chose an open API. */
function findings(app: App, openApi = true): string[] {
  return nagFindings(app).filter((f) => !(openApi && /^AwsSolutions-(APIG4|COG4) /.test(f)));
}

describe('ArcRoutedApi with two Regions', () => {
  const { app, stacks, routingStack, api } = build(['us-east-1', 'eu-west-1']);
  const regional = stacks.map((s) => Template.fromStack(s));
  const routing = Template.fromStack(routingStack);

  test('cdk-nag finds nothing but the open API the test chose', () => {
    expect(findings(app)).toEqual([]);
  });

  test('every Region: a Regional REST API with tracing, throttling, access and execution logs, no default endpoint', () => {
    for (const t of regional) {
      t.hasResourceProperties('AWS::ApiGateway::RestApi', {
        Name: Match.stringLikeRegexp('^orders-'),
        EndpointConfiguration: { Types: ['REGIONAL'] },
        DisableExecuteApiEndpoint: true,
      });
      t.hasResourceProperties('AWS::ApiGateway::Stage', {
        StageName: 'live',
        TracingEnabled: true,
        AccessLogSetting: { DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiAccessLogs'), 'Arn'] }, Format: Match.anyValue() },
        MethodSettings: [Match.objectLike({ LoggingLevel: 'ERROR', ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 500, HttpMethod: '*', ResourcePath: '/*' })],
      });
      t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    }
  });

  test('outputs lead somewhere: the shared name in the routing stack; no output for the disabled execute-api endpoint', () => {
    const outputs = Object.entries(routing.findOutputs('*'));
    expect(outputs).toEqual([[expect.stringMatching(/^ApiApiUrl[0-9A-F]{8}$/), expect.objectContaining({
      Value: `https://${api.domainName}/`, Description: expect.stringMatching(/routing control is On/),
    })]]);
    for (const t of regional) {
      expect(JSON.stringify(t.findOutputs('*'))).not.toMatch(/execute-api/);
    }
  });

  test('every Region: the shared name as a Regional custom domain, TLS 1.2, certificate validated in the zone', () => {
    for (const t of regional) {
      t.hasResourceProperties('AWS::CertificateManager::Certificate', {
        DomainName: 'api.example.com',
        ValidationMethod: 'DNS',
        DomainValidationOptions: [{ DomainName: 'api.example.com', HostedZoneId: 'Z0123456789EXAMPLE' }],
      });
      t.hasResourceProperties('AWS::ApiGateway::DomainName', {
        DomainName: 'api.example.com',
        EndpointConfiguration: { Types: ['REGIONAL'] },
        SecurityPolicy: 'TLS_1_2',
      });
      t.resourceCountIs('AWS::ApiGateway::BasePathMapping', 1);
    }
  });

  test('every Region: a WAF web ACL with AWS managed rule groups and a per-IP rate limit, on the stage', () => {
    for (const t of regional) {
      t.hasResourceProperties('AWS::WAFv2::WebACL', {
        Scope: 'REGIONAL',
        DefaultAction: { Allow: {} },
        Rules: [
          Match.objectLike({ Name: 'AWSManagedRulesAmazonIpReputationList', Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesAmazonIpReputationList' } } }),
          Match.objectLike({ Name: 'AWSManagedRulesCommonRuleSet' }),
          Match.objectLike({ Name: 'AWSManagedRulesKnownBadInputsRuleSet' }),
          Match.objectLike({ Name: 'RateLimitPerIp', Action: { Block: {} }, Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP' } } }),
        ],
      });
      t.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
        WebACLArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiWebAcl'), 'Arn'] },
      });
    }
  });

  test('routing: a cluster, a control panel, one routing control per Region and an at-least-one safety rule', () => {
    routing.resourceCountIs('AWS::Route53RecoveryControl::Cluster', 1);
    routing.hasResourceProperties('AWS::Route53RecoveryControl::ControlPanel', { Name: 'orders-panel' });
    routing.resourceCountIs('AWS::Route53RecoveryControl::RoutingControl', 2);
    routing.hasResourceProperties('AWS::Route53RecoveryControl::RoutingControl', { Name: 'orders-us-east-1' });
    routing.hasResourceProperties('AWS::Route53RecoveryControl::RoutingControl', { Name: 'orders-eu-west-1' });
    routing.hasResourceProperties('AWS::Route53RecoveryControl::SafetyRule', {
      AssertionRule: {
        AssertedControls: [
          { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiRoutingControluseast1'), 'RoutingControlArn'] },
          { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiRoutingControleuwest1'), 'RoutingControlArn'] },
        ],
        WaitPeriodMs: 5000,
      },
      RuleConfig: { Type: 'ATLEAST', Threshold: 1, Inverted: false },
    });
  });

  test('routing: a RECOVERY_CONTROL health check and a weighted alias record per Region, so exactly the Regions On get traffic', () => {
    routing.resourceCountIs('AWS::Route53::HealthCheck', 2);
    for (const region of ['us-east-1', 'eu-west-1']) {
      const key = region.replace(/-/g, '');
      routing.hasResourceProperties('AWS::Route53::HealthCheck', {
        HealthCheckConfig: { Type: 'RECOVERY_CONTROL', RoutingControlArn: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^ApiRoutingControl${key}`), 'RoutingControlArn'] } },
      });
      routing.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'api.example.com.',
        Type: 'A',
        HostedZoneId: 'Z0123456789EXAMPLE',
        SetIdentifier: region,
        Weight: 100,
        HealthCheckId: { Ref: Match.stringLikeRegexp(`^ApiHealthCheck${key}`) },
        AliasTarget: {
          DNSName: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^ApiCustomDomainTarget${key}`), 'regionalDomainName'] },
          HostedZoneId: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^ApiCustomDomainTarget${key}`), 'regionalHostedZoneId'] },
        },
      });
      // The custom-domain target is read in its own Region, with GET on that domain only.
      routing.hasResourceProperties('Custom::AWS', {
        Create: Match.serializedJson(Match.objectLike({ service: 'APIGateway', action: 'getDomainName', region, parameters: { domainName: 'api.example.com' } })),
      });
    }
  });

  test('routing: the initial state custom resource turns the first Region On, after the safety rule exists', () => {
    const resources = routing.findResources('Custom::InitialRoutingState');
    expect(Object.keys(resources)).toHaveLength(1);
    const resource = Object.values(resources)[0] as { Properties: Record<string, unknown>; DependsOn: string[] };
    expect(resource.Properties.InitiallyOnArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ApiRoutingControluseast1/), 'RoutingControlArn'] });
    expect(resource.Properties.RoutingControlArns).toHaveLength(2);
    expect(resource.Properties.ClusterEndpoints).toHaveLength(5);
    expect(resource.DependsOn).toEqual([expect.stringMatching(/^ApiAtLeastOneRegion/)]);
    routing.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Timeout: 120,
      Description: Match.stringLikeRegexp('never changes them on update or delete'),
    });
  });

  test('routing: the initial state function may change only this topology\'s routing controls', () => {
    routing.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Action: ['route53-recovery-cluster:UpdateRoutingControlStates', 'route53-recovery-cluster:GetRoutingControlState'],
          Effect: 'Allow',
          Resource: [
            { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiRoutingControluseast1'), 'RoutingControlArn'] },
            { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiRoutingControleuwest1'), 'RoutingControlArn'] },
          ],
        }]),
      },
    });
    // Only the tracing actions, which have no resource-level permissions, are on *.
    type Policy = { Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } } };
    for (const policy of Object.values(routing.findResources('AWS::IAM::Policy')) as Policy[]) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        if (statement.Resource === '*') expect(statement.Action).toEqual(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);
      }
    }
  });

  test('routing: the topology is published to each Region\'s SSM, scoped to that parameter', () => {
    // The Create call carries the topology (tokens), so it is a Fn::Join: read it as text.
    const calls = Object.values(routing.findResources('Custom::AWS')).map((r) => JSON.stringify((r as { Properties: object }).Properties));
    for (const region of ['us-east-1', 'eu-west-1']) {
      const publish = calls.filter((c) => c.includes('\\"action\\":\\"putParameter\\"') && c.includes(`\\"region\\":\\"${region}\\"`));
      expect(publish).toHaveLength(1);
      expect(publish[0]).toContain('\\"Name\\":\\"/cdk-cross-region-failover/orders/routing\\"');
      expect(publish[0]).toContain('\\"action\\":\\"deleteParameter\\"');
      for (const field of ['clusterArn', 'controlPanelArn', 'clusterEndpoints', 'routingControlArn', 'healthCheckId']) {
        expect(publish[0]).toContain(field);
      }
      routing.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: [{
            Action: ['ssm:PutParameter', 'ssm:DeleteParameter'],
            Effect: 'Allow',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ssm:${region}:`, { Ref: 'AWS::AccountId' }, ':parameter/cdk-cross-region-failover/orders/routing']] },
          }],
        },
      });
    }
  });

  test('the routing stack deploys after every Regional stack; no cross-stack reference', () => {
    expect(routingStack.dependencies.map((s) => s.stackName).sort()).toEqual(['api-eu-west-1', 'api-us-east-1']);
    for (const s of [...stacks, routingStack]) {
      expect(JSON.stringify(Template.fromStack(s).toJSON())).not.toContain('Fn::ImportValue');
    }
  });

  test('exposes each Region\'s API, custom domain, routing control and health check', () => {
    expect(api.regionNames).toEqual(['us-east-1', 'eu-west-1']);
    expect(api.routingParameterName).toBe('/cdk-cross-region-failover/orders/routing');
    expect(api.domainName).toBe('api.example.com');
    const eu = api.regionalApi('eu-west-1');
    expect(eu.stack).toBe(stacks[1]);
    expect(stacks[1].resolve(eu.customDomain.domainNameAliasDomainName)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ApiCustomDomain/), 'RegionalDomainName'] });
    expect(routingStack.resolve(eu.routingControlArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ApiRoutingControleuwest1/), 'RoutingControlArn'] });
    expect(api.cluster).toBeDefined();
    expect(api.clusterEndpoints).toHaveLength(5);
    expect(routingStack.resolve(api.clusterEndpoints[4].region)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ApiClusterEndpoints/), 'Cluster.ClusterEndpoints.4.Region'] });
    expect(() => api.regionalApi('ap-south-1')).toThrow("ArcRoutedApi 'Api': no API in Region 'ap-south-1'; its Regions are us-east-1, eu-west-1.");
  });

  test.each([
    ['metricCount', 'Count', 'Sum'],
    ['metric5XXError', '5XXError', 'Sum'],
    ['metricLatency', 'Latency', 'p99'],
  ] as const)('%s is the API Gateway metric %s of the Regional API in its Region, %s per minute', (method, metricName, statistic) => {
    const metric = api[method]('eu-west-1');
    expect(metric.namespace).toBe('AWS/ApiGateway');
    expect(metric.metricName).toBe(metricName);
    expect(stacks[1].resolve(metric.dimensions)).toEqual({ ApiName: stacks[1].resolve(api.regionalApi('eu-west-1').api.restApiName) });
    expect(metric.region).toBe('eu-west-1');
    expect(metric.statistic).toBe(statistic);
    expect(metric.period.toSeconds()).toBe(60);
    expect(api[method]('us-east-1', { statistic: 'Average', period: Duration.minutes(5) })).toMatchObject({ statistic: 'Average', region: 'us-east-1' });
    expect(() => api[method]('ap-south-1')).toThrow("ArcRoutedApi 'Api': no API in Region 'ap-south-1'");
  });
});

describe('ArcRoutedApi with three Regions, an existing cluster, a handler factory and Cognito', () => {
  const factoryCalls: string[] = [];
  const factory: IRegionalHandlerFactory = {
    createHandler: (scope, region) => {
      factoryCalls.push(region);
      return testHandler(scope);
    },
  };
  const app = new App();
  const regions = ['us-east-1', 'us-west-2', 'eu-west-1'];
  const stacks = regions.map((region) => new Stack(app, `api-${region}`, { env: { region } }));
  const routingStack = new Stack(app, 'routing', { env: { region: 'us-east-1' } });
  const hostedZone = route53.HostedZone.fromHostedZoneAttributes(routingStack, 'Zone', { hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com' });
  const userPools = stacks.map((s) => cognito.UserPool.fromUserPoolArn(s, 'Users', `arn:aws:cognito-idp:${s.region}:111111111111:userpool/${s.region}_abc`));
  const api = new ArcRoutedApi(app, 'Api', {
    name: 'orders',
    routingStack,
    hostedZone,
    domainName: 'api.example.com',
    existingClusterArn: CLUSTER_ARN,
    handlerFactory: factory,
    throttlingRateLimit: 50,
    throttlingBurstLimit: 20,
    wafRateLimit: 300,
    regions: stacks.map((stack, i) => ({ stack, userPool: userPools[i] })),
  });
  const routing = Template.fromStack(routingStack);

  test('nag-clean, with Cognito authorization on every method', () => {
    expect(findings(app, false)).toEqual([]);
    for (const s of stacks) {
      Template.fromStack(s).hasResourceProperties('AWS::ApiGateway::Method', { AuthorizationType: 'COGNITO_USER_POOLS' });
      Template.fromStack(s).hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'COGNITO_USER_POOLS' });
    }
  });

  test('the factory creates each Region\'s handler in that Region\'s stack', () => {
    expect(factoryCalls).toEqual(regions);
    expect(api.regionalApis.map((r) => Stack.of(r.handler).region)).toEqual(regions);
  });

  test('uses the existing cluster: no new cluster, endpoints read from the ARC control plane in us-west-2', () => {
    routing.resourceCountIs('AWS::Route53RecoveryControl::Cluster', 0);
    routing.hasResourceProperties('AWS::Route53RecoveryControl::ControlPanel', { ClusterArn: CLUSTER_ARN });
    routing.hasResourceProperties('Custom::AWS', {
      Create: Match.serializedJson(Match.objectLike({
        service: 'Route53RecoveryControlConfig', action: 'describeCluster', region: 'us-west-2', parameters: { ClusterArn: CLUSTER_ARN },
      })),
    });
    expect(api.clusterArn).toBe(CLUSTER_ARN);
    expect(api.cluster).toBeUndefined();
  });

  test('three routing controls, health checks and records; the safety rule asserts all three', () => {
    routing.resourceCountIs('AWS::Route53RecoveryControl::RoutingControl', 3);
    routing.resourceCountIs('AWS::Route53::HealthCheck', 3);
    routing.resourceCountIs('AWS::Route53::RecordSet', 3);
    const rule = Object.values(routing.findResources('AWS::Route53RecoveryControl::SafetyRule'))[0] as { Properties: { AssertionRule: { AssertedControls: unknown[] } } };
    expect(rule.Properties.AssertionRule.AssertedControls).toHaveLength(3);
  });

  test('throttling and WAF limits apply', () => {
    const t = Template.fromStack(stacks[0]);
    t.hasResourceProperties('AWS::ApiGateway::Stage', { MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 20 })] });
    t.hasResourceProperties('AWS::WAFv2::WebACL', { Rules: Match.arrayWith([Match.objectLike({ Statement: { RateBasedStatement: { Limit: 300, AggregateKeyType: 'IP' } } })]) });
  });
});

describe('RoutingMode.ACTIVE_ACTIVE', () => {
  const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
  const { app, routingStack, api } = build(REGIONS, { mode: RoutingMode.ACTIVE_ACTIVE });
  const routing = Template.fromStack(routingStack);

  /** The routing topology the routing stack publishes in `region`, as the runbooks would read it. */
  const published = (region: string) => {
    const create = Object.values(routing.findResources('Custom::AWS'))
      .map((r) => resolveIntrinsics((r as { Properties: Record<string, unknown> }).Properties) as Record<string, string | undefined>)
      .map((p) => (p.Create ? JSON.parse(p.Create) as { action: string; region: string; parameters: { Value: string } } : undefined))
      .filter((c) => c && c.action === 'putParameter' && c.region === region);
    expect(create).toHaveLength(1);
    return JSON.parse(create[0]!.parameters.Value) as { mode?: string; regions: { region: string; initiallyActive: boolean }[] };
  };

  test('nag-clean like active/passive, and the mode is exposed', () => {
    expect(findings(app)).toEqual([]);
    expect(api.mode).toBe(RoutingMode.ACTIVE_ACTIVE);
    expect(build(['us-east-1', 'eu-west-1']).api.mode).toBe(RoutingMode.ACTIVE_PASSIVE);
  });

  test('one latency alias record per Region, each with its Region\'s RECOVERY_CONTROL health check and no weight', () => {
    const records = Object.values(routing.findResources('AWS::Route53::RecordSet')) as { Properties: Record<string, unknown> }[];
    expect(records).toHaveLength(REGIONS.length);
    for (const region of REGIONS) {
      const key = region.replace(/-/g, '');
      const record = records.find((r) => r.Properties.SetIdentifier === region)!;
      expect(record.Properties).toMatchObject({
        Name: 'api.example.com.',
        Type: 'A',
        Region: region,
        HealthCheckId: { Ref: expect.stringMatching(new RegExp(`^ApiHealthCheck${key}`)) },
      });
      expect(record.Properties.Weight).toBeUndefined();
      routing.hasResourceProperties('AWS::Route53::HealthCheck', {
        HealthCheckConfig: { Type: 'RECOVERY_CONTROL', RoutingControlArn: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^ApiRoutingControl${key}`), 'RoutingControlArn'] } },
      });
    }
    expect(Object.keys(routing.findResources('AWS::Route53::HealthCheck'))).toHaveLength(REGIONS.length);
  });

  test('the safety rule still keeps at least one Region On, over every control', () => {
    routing.hasResourceProperties('AWS::Route53RecoveryControl::SafetyRule', {
      RuleConfig: { Type: 'ATLEAST', Threshold: 1, Inverted: false },
      AssertionRule: { AssertedControls: REGIONS.map(() => ({ 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiRoutingControl'), 'RoutingControlArn'] })) },
    });
  });

  test('the initial state turns every Region On, on create only, after the safety rule exists', () => {
    const resource = Object.values(routing.findResources('Custom::InitialRoutingState'))[0] as { Properties: Record<string, unknown>; DependsOn: string[] };
    expect(resource.Properties.InitiallyOnArn).toBeUndefined();
    expect(resource.Properties.InitiallyOnArns).toEqual(resource.Properties.RoutingControlArns);
    expect(resource.Properties.InitiallyOnArns).toHaveLength(REGIONS.length);
    expect(resource.DependsOn).toEqual([expect.stringMatching(/^ApiAtLeastOneRegion/)]);
  });

  test('every Region publishes the mode and every Region initially active', () => {
    for (const region of REGIONS) {
      const topology = published(region);
      expect(topology.mode).toBe('active-active');
      expect(topology.regions.map((r) => [r.region, r.initiallyActive])).toEqual(REGIONS.map((r) => [r, true]));
    }
  });

  test('active/passive publishes no mode and one Region initially active (its template is unchanged by the mode)', () => {
    const passive = build(REGIONS);
    const passiveRouting = Template.fromStack(passive.routingStack);
    const create = Object.values(passiveRouting.findResources('Custom::AWS'))
      .map((r) => resolveIntrinsics((r as { Properties: Record<string, unknown> }).Properties) as Record<string, string | undefined>)
      .map((p) => (p.Create ? JSON.parse(p.Create) as { action: string; region: string; parameters: { Value: string } } : undefined))
      .find((c) => c && c.action === 'putParameter')!;
    const topology = JSON.parse(create.parameters.Value) as { mode?: string; regions: { initiallyActive: boolean }[] };
    expect(topology.mode).toBeUndefined();
    expect(topology.regions.map((r) => r.initiallyActive)).toEqual([true, false, false]);
    expect(Object.values(passiveRouting.findResources('AWS::Route53::RecordSet')).map((r) => (r as { Properties: { Weight?: number; Region?: string } }).Properties))
      .toEqual(REGIONS.map(() => expect.objectContaining({ Weight: 100 })));
    expect(JSON.stringify(passiveRouting.findResources('AWS::Route53::RecordSet'))).not.toContain('"Region"');
  });

  test('the output says the nearest Region that is On answers', () => {
    const outputs = Object.values(routing.findOutputs('*')) as { Description: string }[];
    expect(outputs.map((o) => o.Description)).toEqual([expect.stringMatching(/answered by the nearest Region whose routing control is On$/)]);
  });
});

describe('grantReadRoutingState', () => {
  test('reads only: GetRoutingControlState on exactly the topology\'s controls for a grantee in the routing stack', () => {
    const { routingStack, api } = build(['us-east-1', 'eu-west-1']);
    const watcher = new iam.Role(routingStack, 'Watcher', { assumedBy: new iam.AccountRootPrincipal() });
    api.grantReadRoutingState(watcher);
    Template.fromStack(routingStack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Watcher') }],
      PolicyDocument: {
        Statement: [{
          Action: 'route53-recovery-cluster:GetRoutingControlState',
          Effect: 'Allow',
          Resource: [
            { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiRoutingControluseast1'), 'RoutingControlArn'] },
            { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiRoutingControleuwest1'), 'RoutingControlArn'] },
          ],
        }],
      },
    });
  });
});

describe('grantChangeRoutingState', () => {
  const ACTIONS = [
    'route53-recovery-cluster:GetRoutingControlState',
    'route53-recovery-cluster:UpdateRoutingControlState',
    'route53-recovery-cluster:UpdateRoutingControlStates',
  ];

  test('a grantee in the routing stack gets exactly the topology\'s routing controls', () => {
    const { app, routingStack, api } = build(['us-east-1', 'eu-west-1']);
    const operator = new iam.Role(routingStack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    api.grantChangeRoutingState(operator);
    expect(findings(app)).toEqual([]);
    Template.fromStack(routingStack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Operator') }],
      PolicyDocument: {
        Statement: [{
          Action: ACTIONS,
          Effect: 'Allow',
          Resource: [
            { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiRoutingControluseast1'), 'RoutingControlArn'] },
            { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiRoutingControleuwest1'), 'RoutingControlArn'] },
          ],
        }],
      },
    });
  });

  test('a grantee in another Region gets the account\'s routing controls, without a cross-Region reference', () => {
    const { app, stacks, api } = build(['us-east-1', 'eu-west-1']);
    const runbookRole = new iam.Role(stacks[1], 'Runbook', { assumedBy: new iam.ServicePrincipal('ssm.amazonaws.com') });
    api.grantChangeRoutingState(runbookRole);
    // The account-wide routing-control resource is the documented trade-off of a grantee
    // outside the routing stack: cdk-nag reports it on the grantee, for its owner to acknowledge.
    expect(findings(app)).toEqual([
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:route53-recovery-control::<AWS::AccountId>:controlpanel\/\*\/routingcontrol\/\*\] api-eu-west-1\/Runbook\/DefaultPolicy\/Resource: /),
    ]);
    Template.fromStack(stacks[1]).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{
          Action: ACTIONS,
          Effect: 'Allow',
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':route53-recovery-control::', { Ref: 'AWS::AccountId' }, ':controlpanel/*/routingcontrol/*']] },
        }],
      },
    });
  });
});

describe('ArcRoutedApi validation', () => {
  function attempt(regions: string[], props: Partial<ArcRoutedApiProps> = {}, perRegion: Partial<ArcRoutedApiRegionOptions>[] = []) {
    return () => build(regions, props, perRegion);
  }

  test('fewer than 2 Regions', () => {
    expect(attempt(['us-east-1'])).toThrow("ArcRoutedApi 'Api': 'regions' needs at least 2 Regions, got 1");
  });

  test('a Region listed twice', () => {
    const app = new App();
    const a = new Stack(app, 'A', { env: { region: 'us-east-1' } });
    const b = new Stack(app, 'B', { env: { region: 'us-east-1' } });
    const routingStack = new Stack(app, 'R', { env: { region: 'us-west-2' } });
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(routingStack, 'Zone', { hostedZoneId: 'Z1', zoneName: 'example.com' });
    expect(() => new ArcRoutedApi(app, 'Api', {
      name: 'orders',
      routingStack,
      hostedZone,
      domainName: 'api.example.com',
      regions: [{ stack: a, handler: testHandler(a) }, { stack: b, handler: testHandler(b) }],
    })).toThrow("ArcRoutedApi 'Api': Region 'us-east-1' is listed twice in 'regions' (entries 0 and 1)");
  });

  test('a handler missing for a Region', () => {
    expect(attempt(['us-east-1', 'eu-west-1'], {}, [{}, { handler: undefined }])).toThrow(
      "ArcRoutedApi 'Api': 'regions[1]' (eu-west-1) has no handler and there is no handlerFactory: set regions[1].handler or handlerFactory.",
    );
  });

  test('a domain outside the hosted zone', () => {
    expect(attempt(['us-east-1', 'eu-west-1'], { domainName: 'api.example.org' })).toThrow(
      "ArcRoutedApi 'Api': 'domainName' is 'api.example.org', which is not inside hosted zone 'example.com': use a name that ends with '.example.com'.",
    );
    // A name that merely ends with the zone's letters is outside it too.
    expect(attempt(['us-east-1', 'eu-west-1'], { domainName: 'api.notexample.com' })).toThrow(/not inside hosted zone 'example.com'/);
  });

  test.each<[string, Partial<ArcRoutedApiProps>, string]>([
    ['invalid name', { name: 'orders_api' }, "'name' is 'orders_api': use 1 to 40 letters, digits or hyphens, starting with a letter"],
    ['invalid cluster ARN', { existingClusterArn: 'arn:aws:s3:::bucket' }, "'existingClusterArn' is 'arn:aws:s3:::bucket', which is not an ARC cluster ARN"],
    ['WAF limit', { wafRateLimit: 5 }, "'wafRateLimit' is 5: use a whole number of requests per 5 minutes from 10 to 2000000000."],
    ['throttling rate', { throttlingRateLimit: 0 }, "'throttlingRateLimit' is 0: use a positive number of requests per second."],
    ['throttling burst', { throttlingBurstLimit: 1.5 }, "'throttlingBurstLimit' is 1.5: use a positive whole number."],
  ])('%s', (_title, props, message) => {
    expect(attempt(['us-east-1', 'eu-west-1'], props)).toThrow(`ArcRoutedApi 'Api': ${message}`);
  });

  test('a routing stack where CloudFormation has no ARC resources, or one that is also a Regional stack', () => {
    const app = new App();
    const stacks = ['us-east-1', 'eu-west-1'].map((region) => new Stack(app, `api-${region}`, { env: { region } }));
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stacks[1], 'Zone', { hostedZoneId: 'Z1', zoneName: 'example.com' });
    expect(() => new ArcRoutedApi(app, 'Api', {
      name: 'orders',
      routingStack: stacks[1],
      hostedZone,
      domainName: 'api.example.com',
      regions: stacks.map((stack) => ({ stack, handler: testHandler(stack) })),
      allowUnauthenticatedAccess: true,
    })).toThrow(/ArcRoutedApi 'Api': 2 problems:\n- 'routingStack' is in Region 'eu-west-1', where CloudFormation has no Route 53 ARC resources: put it in us-east-1 or us-west-2.\n- 'routingStack' is also one of the Regional stacks/);
  });

  test('a hosted zone whose id is a token', () => {
    const app = new App();
    const stacks = ['us-east-1', 'eu-west-1'].map((region) => new Stack(app, `api-${region}`, { env: { region } }));
    const routingStack = new Stack(app, 'routing', { env: { region: 'us-west-2' } });
    const hostedZone = new route53.PublicHostedZone(routingStack, 'Zone', { zoneName: 'example.com' });
    expect(() => new ArcRoutedApi(app, 'Api', {
      name: 'orders',
      routingStack,
      hostedZone,
      domainName: 'api.example.com',
      regions: stacks.map((stack) => ({ stack, handler: testHandler(stack) })),
      allowUnauthenticatedAccess: true,
    })).toThrow("ArcRoutedApi 'Api': 'hostedZone' has an unresolved id or name: import it with HostedZone.fromHostedZoneAttributes");
  });
});

describe('ArcRoutedApi authorization: the same in every Region, or explicitly none', () => {
  const pool = (stack: Stack, name = 'Users') => cognito.UserPool.fromUserPoolArn(stack, name, `arn:aws:cognito-idp:${stack.region}:111111111111:userpool/${stack.region}_${name}`);
  const authorizers = (stacks: Stack[]) => stacks.map((s) => Object.values(Template.fromStack(s).findResources('AWS::ApiGateway::Authorizer'))
    .map((r) => (r as { Properties: { ProviderARNs: string[] } }).Properties.ProviderARNs[0]));

  test('one userPool: the same authorizer on every method of every Region', () => {
    const app = new App();
    const stacks = ['us-east-1', 'eu-west-1', 'ap-southeast-2'].map((region) => new Stack(app, `api-${region}`, { env: { region } }));
    const routingStack = new Stack(app, 'routing', { env: { region: 'us-west-2' } });
    testRoutedApi(routingStack, stacks, { userPool: pool(routingStack) });
    expect(authorizers(stacks)).toEqual(stacks.map(() => ['arn:aws:cognito-idp:us-west-2:111111111111:userpool/us-west-2_Users']));
    for (const stack of stacks) {
      const methods = Object.values(Template.fromStack(stack).findResources('AWS::ApiGateway::Method'))
        .map((m) => (m as { Properties: { HttpMethod: string; AuthorizationType: string } }).Properties)
        .filter((m) => m.HttpMethod !== 'OPTIONS');
      expect(methods.length).toBeGreaterThan(0);
      for (const m of methods) expect(m.AuthorizationType).toBe('COGNITO_USER_POOLS');
    }
    expect(synthWarnings(app)).toEqual([]);
  });

  test('a Region\'s own pool replaces the shared one there', () => {
    const app = new App();
    const regional = ['us-east-1', 'eu-west-1'].map((region) => new Stack(app, `api-${region}`, { env: { region } }));
    const routingStack = new Stack(app, 'routing', { env: { region: 'us-west-2' } });
    testRoutedApi(routingStack, regional, { userPool: pool(routingStack) }, [{}, { userPool: pool(regional[1], 'Local') }]);
    expect(authorizers(regional)).toEqual([
      ['arn:aws:cognito-idp:us-west-2:111111111111:userpool/us-west-2_Users'],
      ['arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_Local'],
    ]);
  });

  test('a pool in some Regions only is refused: after a failover the API would serve anyone', () => {
    const app = new App();
    const stacks = ['us-east-1', 'eu-west-1', 'ap-southeast-2'].map((region) => new Stack(app, `api-${region}`, { env: { region } }));
    const routingStack = new Stack(app, 'routing', { env: { region: 'us-west-2' } });
    expect(() => testRoutedApi(routingStack, stacks, {}, [{ userPool: pool(stacks[0]) }])).toThrow(
      "ArcRoutedApi 'Api': Regions us-east-1 require a user pool's tokens but eu-west-1, ap-southeast-2 do not: after a failover there, " +
        'the API would serve anyone. Set userPool on the construct (every Region) or on every Region.',
    );
  });

  test('no pool anywhere is refused unless allowUnauthenticatedAccess says so', () => {
    expect(() => build(['us-east-1', 'eu-west-1'], { allowUnauthenticatedAccess: false })).toThrow(
      "ArcRoutedApi 'Api': no Region's API requires authorization: set userPool (a Cognito user pool every Region's API checks tokens against), " +
        'or allowUnauthenticatedAccess: true for a public API or a handler that authenticates callers itself.',
    );
  });

  test('a pool and allowUnauthenticatedAccess together are refused', () => {
    const app = new App();
    const stacks = ['us-east-1', 'eu-west-1'].map((region) => new Stack(app, `api-${region}`, { env: { region } }));
    const routingStack = new Stack(app, 'routing', { env: { region: 'us-west-2' } });
    expect(() => testRoutedApi(routingStack, stacks, { userPool: pool(routingStack), allowUnauthenticatedAccess: true })).toThrow(
      "ArcRoutedApi 'Api': 'allowUnauthenticatedAccess' is true but a user pool is set: remove one of the two.",
    );
  });

  test('allowUnauthenticatedAccess: no authorizer, and a warning `cdk synth` prints in every Region\'s stack', () => {
    const { app, stacks } = build(['us-east-1', 'eu-west-1'], { allowUnauthenticatedAccess: true });
    expect(authorizers(stacks)).toEqual([[], []]);
    expect(synthWarnings(app)).toEqual(['eu-west-1', 'us-east-1'].map((r) => ({
      stack: `api-${r}`,
      path: `/api-${r}/Api`,
      message: 'allowUnauthenticatedAccess is true: the API serves every request without an authorizer in every Region; ' +
        'the handler must authenticate callers unless the API is public.',
      id: 'cdk-cross-region-failover:unauthenticated-api',
    })));
  });
});

describe('routing your own endpoint in a Region', () => {
  const ALB = { dnsName: 'orders-alb-123456.eu-west-1.elb.amazonaws.com', hostedZoneId: 'Z32O12XQLNTSW2' };

  /** The routed API over the first Regions, each given an endpoint of its own where `endpoints` has one. */
  function withEndpoints(endpoints: (RoutedEndpoint | undefined)[]) {
    const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-2'].slice(0, endpoints.length);
    // Only the APIs the construct creates need authorization or allowUnauthenticatedAccess.
    const open = endpoints.some((e) => e === undefined) ? {} : { allowUnauthenticatedAccess: undefined };
    return build(regions, open, endpoints.map((endpoint) => (endpoint ? { endpoint } : {})));
  }

  test('an alias target: nothing created in its Region, the record aliases it, the routing is the same as every Region\'s', () => {
    const { app, stacks, routingStack, api } = withEndpoints([undefined, RoutedEndpoint.aliasTarget(ALB.dnsName, ALB.hostedZoneId)]);
    Template.fromStack(stacks[0]).resourceCountIs('AWS::ApiGateway::RestApi', 1);
    expect(Object.keys(Template.fromStack(stacks[1]).toJSON().Resources ?? {})).toEqual([]);
    const routing = Template.fromStack(routingStack);
    routing.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'api.example.com.',
      SetIdentifier: 'eu-west-1',
      Weight: 100,
      AliasTarget: { DNSName: ALB.dnsName, HostedZoneId: ALB.hostedZoneId },
      HealthCheckId: { Ref: Match.stringLikeRegexp('^ApiHealthChecheuwest1|^ApiHealthCheckeuwest1') },
    });
    // The created API's custom domain is still read in its Region; the given target is not looked up.
    expect(Object.keys(routing.findResources('Custom::AWS')).filter((id) => /CustomDomainTarget/.test(id)).map((id) => id.replace(/[0-9A-F]{8}$/, '')))
      .toEqual(['ApiCustomDomainTargetuseast1']);
    routing.resourceCountIs('AWS::Route53RecoveryControl::RoutingControl', 2);
    routing.resourceCountIs('AWS::Route53::HealthCheck', 2);
    expect(api.regionalApis.map((r) => r.region)).toEqual(['us-east-1']);
    expect(api.regionalRoutings.map((r) => [r.region, r.ownEndpoint])).toEqual([['us-east-1', false], ['eu-west-1', true]]);
    expect(routingStack.resolve(api.regionalRouting('eu-west-1').routingControlArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ApiRoutingControleuwest1/), 'RoutingControlArn'] });
    expect(() => api.regionalApi('eu-west-1')).toThrow(
      "ArcRoutedApi 'Api': Region 'eu-west-1' routes your own endpoint, not an API this construct created: use regionalRouting(region) for its routing control and health check.");
    expect(() => api.regionalRouting('ap-south-1')).toThrow("ArcRoutedApi 'Api': no Region 'ap-south-1'; its Regions are us-east-1, eu-west-1.");
    expect(findings(app)).toEqual([]);
  });

  test('an API Gateway custom domain of your own: its alias target is read in its Region, as for the APIs the construct creates', () => {
    const { stacks, routingStack } = withEndpoints([RoutedEndpoint.apiGatewayCustomDomain(), RoutedEndpoint.apiGatewayCustomDomain()]);
    for (const stack of stacks) Template.fromStack(stack).resourceCountIs('AWS::ApiGateway::RestApi', 0);
    const lookups = Object.values(Template.fromStack(routingStack).findResources('Custom::AWS'))
      .map((r) => resolveIntrinsics((r as { Properties: Record<string, unknown> }).Properties) as Record<string, string>)
      .map((p) => JSON.parse(p.Update ?? p.Create ?? '{}'))
      .filter((call) => call.action === 'getDomainName');
    expect(lookups.map((call) => [call.region, call.parameters.domainName])).toEqual([['us-east-1', 'api.example.com'], ['eu-west-1', 'api.example.com']]);
  });

  test('every Region your own: no user pool nor allowUnauthenticatedAccess needed (each endpoint authorizes its callers)', () => {
    expect(() => withEndpoints([RoutedEndpoint.apiGatewayCustomDomain(), RoutedEndpoint.aliasTarget(ALB.dnsName, ALB.hostedZoneId)])).not.toThrow();
  });

  test('refused: an endpoint with what only a created API uses, and an alias target without a hosted zone ID', () => {
    const app = new App();
    const stacks = ['us-east-1', 'eu-west-1'].map((region) => new Stack(app, `api-${region}`, { env: { region } }));
    const routingStack = new Stack(app, 'routing', { env: { region: 'us-west-2' } });
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(routingStack, 'Zone', { hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com' });
    expect(() => new ArcRoutedApi(app, 'Api', {
      name: 'orders',
      routingStack,
      hostedZone,
      domainName: 'api.example.com',
      allowUnauthenticatedAccess: true,
      regions: [
        { stack: stacks[0], handler: testHandler(stacks[0]) },
        { stack: stacks[1], handler: testHandler(stacks[1]), endpoint: RoutedEndpoint.aliasTarget(ALB.dnsName, 'my-zone') },
      ],
    })).toThrow(
      "ArcRoutedApi 'Api': 2 problems:\n" +
        "- 'regions[1]' (eu-west-1) routes your own endpoint and also sets handler, which only an API the construct creates uses: remove it, or the endpoint.\n" +
        `- 'regions[1].endpoint' (eu-west-1) is the alias target '${ALB.dnsName}' in hosted zone 'my-zone': ` +
        "give the endpoint's DNS name and the hosted zone ID Route 53 aliases it by (Z followed by capitals and digits).");
  });
});
