import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { nagFindings } from './nag';
import { buildMinimalExample } from '../examples/minimal/stacks';
import { RemittanceExample, buildRemittanceExample } from '../examples/remittance/stacks';

describe('examples/minimal', () => {
  test.each([
    [['us-east-1', 'us-west-2']],
    [['us-east-1', 'us-west-2', 'eu-west-1']],
  ])('builds %j with no unacknowledged cdk-nag finding', (regions) => {
    const app = new App();
    const { stacks, database, routingStack } = buildMinimalExample(app, {
      name: 'remittance', regions, routingRegion: 'us-west-2', hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com',
    });
    expect(nagFindings(app)).toEqual([]);
    expect(stacks.map((s) => s.region)).toEqual(regions);
    expect(database.regionNames).toEqual(regions);
    const instanceCounts = stacks.map((s) => Object.keys(Template.fromStack(s).findResources('AWS::RDS::DBInstance')).length);
    // A writer and a reader in the primary Region, headless secondaries.
    expect(instanceCounts).toEqual([2, ...regions.slice(1).map(() => 0)]);
    // An ARC Region switch plan spans two Regions: the example adds one only then.
    Template.fromStack(routingStack).resourceCountIs('AWS::ARCRegionSwitch::Plan', regions.length === 2 ? 1 : 0);
    // Observed: a "Region impaired" alarm per Region, one dashboard in the routing stack.
    stacks.forEach((s) => Template.fromStack(s).resourceCountIs('AWS::CloudWatch::CompositeAlarm', 1));
    Template.fromStack(routingStack).resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  test.each([
    [['us-east-1', 'us-west-2']],
    [['us-east-1', 'us-west-2', 'eu-west-1']],
  ])('builds %j active/active: forwarding everywhere, an instance in every Region, latency records, the evacuation runbooks', (regions) => {
    const app = new App();
    const { stacks, routingStack, runbooks } = buildMinimalExample(app, {
      name: 'remittance', regions, routingRegion: 'us-west-2', hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com', activeActive: true,
    });
    expect(nagFindings(app)).toEqual([]);
    const templates = stacks.map((s) => Template.fromStack(s));
    expect(templates.map((t) => Object.keys(t.findResources('AWS::RDS::DBInstance')).length)).toEqual([2, ...regions.slice(1).map(() => 1)]);
    templates.forEach((t) => t.hasResourceProperties('AWS::RDS::DBCluster', { EnableGlobalWriteForwarding: true }));
    const routing = Template.fromStack(routingStack);
    expect(Object.values(routing.findResources('AWS::Route53::RecordSet')).map((r: any) => r.Properties.Region)).toEqual(regions);
    expect(runbooks.evacuateDocumentName).toBe('remittance-Evacuate');
    routing.resourceCountIs('AWS::ARCRegionSwitch::Plan', regions.length === 2 ? 1 : 0);
    if (regions.length === 2) routing.hasResourceProperties('AWS::ARCRegionSwitch::Plan', { RecoveryApproach: 'activeActive' });
  });
});

describe('examples/remittance', () => {
  let dist: string;
  let built: RemittanceExample;
  let app: App;
  const options = {
    name: 'remittance',
    regions: ['us-east-1', 'us-west-2'],
    routingRegion: 'us-west-2',
    hostedZoneId: 'Z0123456789EXAMPLE',
    zoneName: 'example.com',
    adminEmail: 'ops@example.com',
  };

  beforeAll(() => {
    dist = fs.mkdtempSync(path.join(os.tmpdir(), 'ui-'));
    fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html>');
    app = new App();
    built = buildRemittanceExample(app, { ...options, uiDist: dist });
  });
  afterAll(() => fs.rmSync(dist, { recursive: true, force: true }));

  test('every stack is cdk-nag clean; the edge is deployed first and the routing last', () => {
    expect(nagFindings(app)).toEqual([]);
    const assembly = app.synth();
    const dependsOn = (name: string) => assembly.getStackByName(name).dependencies.map((d) => d.id);
    expect(dependsOn('remittance-us-east-1')).toContain('remittance-edge');
    expect(dependsOn('remittance-us-west-2')).toEqual(expect.arrayContaining(['remittance-edge', 'remittance-us-east-1']));
    expect(dependsOn('remittance-routing')).toEqual(expect.arrayContaining(['remittance-us-east-1', 'remittance-us-west-2']));
    expect(assembly.getStackByName('remittance-edge').environment.region).toBe('us-east-1');
  });

  test('CloudFront: the two UI buckets as an origin-failover group, the API behind /api/* and each Region behind its own path, a WAF', () => {
    const edge = Template.fromStack(built.edgeStack);
    edge.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['app.example.com'],
        ViewerCertificate: Match.objectLike({ MinimumProtocolVersion: 'TLSv1.2_2021' }),
        OriginGroups: {
          Quantity: 1,
          Items: [Match.objectLike({ FailoverCriteria: { StatusCodes: { Items: [403, 404, 500, 502, 503, 504], Quantity: 6 } } })],
        },
        CacheBehaviors: ['/api/*', '/regions/us-east-1/api/*', '/regions/us-west-2/api/*'].map((PathPattern) => Match.objectLike({ PathPattern, ViewerProtocolPolicy: 'https-only' })),
        Logging: Match.objectLike({ Prefix: 'cloudfront/' }),
        WebACLId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebAcl'), 'Arn'] },
      }),
    });
    const origins = Object.values(edge.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig.Origins;
    expect(JSON.stringify(origins)).toMatch(/remittance-ui-.*us-east-1.*remittance-ui-.*us-west-2/);
    expect(origins.map((o: { DomainName: unknown }) => o.DomainName)).toEqual(expect.arrayContaining(['api.example.com', 'us-east-1.api.example.com', 'us-west-2.api.example.com']));
    edge.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT' });
  });

  test('each UI bucket is private, encrypted, and readable by this distribution only', () => {
    for (const stack of built.stacks) {
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      });
      const statements = Object.values(t.findResources('AWS::S3::BucketPolicy'))[0].Properties.PolicyDocument.Statement;
      const cloudfront = statements.find((s: { Principal?: { Service?: string } }) => s.Principal?.Service === 'cloudfront.amazonaws.com');
      expect(cloudfront.Action).toBe('s3:GetObject');
      // The distribution's id, a reference to the edge stack: not every distribution of the account.
      const arn = cloudfront.Condition.StringEquals['AWS:SourceArn']['Fn::Join'][1];
      expect(arn[arn.length - 2]).toBe(':distribution/');
      expect(typeof arn[arn.length - 1]).toBe('object');
    }
  });

  test('Cognito in the primary Region: no self sign-up, the first operator from the e-mail, every API behind it', () => {
    const east = Template.fromStack(built.stacks[0]);
    east.hasResourceProperties('AWS::Cognito::UserPool', { AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } });
    east.hasResourceProperties('AWS::Cognito::UserPoolUser', { Username: 'ops@example.com', DesiredDeliveryMediums: ['EMAIL'] });
    east.hasResourceProperties('AWS::Cognito::UserPoolUserToGroupAttachment', { GroupName: 'operators', Username: 'ops@example.com' });
    east.hasResourceProperties('AWS::Cognito::UserPoolClient', { ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_PASSWORD_AUTH']), GenerateSecret: false });
    for (const stack of built.stacks) {
      Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'COGNITO_USER_POOLS' });
      Template.fromStack(stack).resourceCountIs('AWS::Cognito::UserPool', stack === built.stacks[0] ? 1 : 0);
    }
  });

  test('the API function: in the VPC, the global writer endpoint, the Region\'s runbooks, TLS to Aurora trusted', () => {
    for (const stack of built.stacks) {
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::Lambda::Function', {
        Description: 'The remittance API',
        VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
        Environment: {
          Variables: Match.objectLike({
            DB_SECRET_ID: 'remittance-aurora-master',
            DB_WRITER_ENDPOINT: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseGlobalWriterEndpoint'), 'GlobalClusters.0.Endpoint'] },
            NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
            FAILOVER_DOCUMENT: 'remittance-Failover',
            OPERATORS_GROUP: 'operators',
          }),
        },
      });
      // Secrets Manager, SSM and Lambda (the state function): no other way out of the VPC.
      t.resourceCountIs('AWS::EC2::VPCEndpoint', 3);
      // Behind CloudFront many users share an address: the per-user limit is at the edge.
      t.hasResourceProperties('AWS::WAFv2::WebACL', {
        Scope: 'REGIONAL',
        Rules: Match.arrayWith([Match.objectLike({ Statement: { RateBasedStatement: Match.objectLike({ Limit: 100000 }) } })]),
      });
      t.hasResourceProperties('AWS::ApiGateway::DomainName', { DomainName: `${stack.region}.api.example.com`, SecurityPolicy: 'TLS_1_2' });
    }
  });

  test('active/active from one option: cdk-nag clean; forwarding on every cluster; latency records; the API reads its Region\'s reader endpoint and may evacuate and restore', () => {
    const aaApp = new App();
    const aa = buildRemittanceExample(aaApp, { ...options, uiDist: dist, activeActive: true });
    expect(nagFindings(aaApp)).toEqual([]);
    for (const stack of aa.stacks) {
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::RDS::DBCluster', { EnableGlobalWriteForwarding: true });
      t.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Parameters: Match.objectLike({ 'apg_write_forward.consistency_mode': 'SESSION' }) });
      t.hasResourceProperties('AWS::Lambda::Function', {
        Description: 'The remittance API',
        Environment: {
          Variables: Match.objectLike({
            DB_READER_ENDPOINT: { 'Fn::GetAtt': [Match.anyValue(), 'ReadEndpoint.Address'] },
            EVACUATE_DOCUMENT: 'remittance-Evacuate',
            RESTORE_DOCUMENT: 'remittance-Restore',
          }),
        },
      });
      // The migration writes through the global writer endpoint only.
      const migrate = Object.values(t.findResources('AWS::Lambda::Function', { Properties: { Description: 'Migrates the remittance schema' } }));
      for (const fn of migrate) expect(fn.Properties.Environment.Variables.DB_READER_ENDPOINT).toBeUndefined();
    }
    const routing = Template.fromStack(aa.routingStack);
    expect(Object.values(routing.findResources('AWS::Route53::RecordSet')).filter((r) => r.Properties.Region !== undefined)).toHaveLength(2);
    routing.hasResourceProperties('AWS::ARCRegionSwitch::Plan', { RecoveryApproach: 'activeActive' });
    // The active/passive deployment has none of it.
    Template.fromStack(built.stacks[1]).hasResourceProperties('AWS::Lambda::Function', {
      Description: 'The remittance API', Environment: { Variables: Match.not(Match.objectLike({ DB_READER_ENDPOINT: Match.anyValue() })) },
    });
  });

  test('the operations panel\'s state: read by a function outside the VPC with read-only grants, which the API function may only invoke', () => {
    for (const stack of built.stacks) {
      const t = Template.fromStack(stack);
      const functions = t.findResources('AWS::Lambda::Function');
      const [stateId, state] = Object.entries(functions).find(([, f]) => /operations panel/.test(f.Properties.Description ?? ''))!;
      expect(state.Properties.VpcConfig).toBeUndefined();
      expect(state.Properties.Environment.Variables).toMatchObject({ DEPLOYMENT_NAME: 'remittance' });
      expect(JSON.parse(state.Properties.Environment.Variables.ALARM_NAMES)[stack.region]).toEqual({
        prefix: `remittance-${stack.region}-`, impaired: `remittance-${stack.region}-region-impaired`,
      });
      const api = Object.values(functions).find((f) => f.Properties.Description === 'The remittance API')!;
      expect(api.Properties.Environment.Variables.STATE_FUNCTION).toEqual({ Ref: stateId });
      const policies = Object.values(t.findResources('AWS::IAM::Policy'));
      const attachedTo = (roleRef: unknown) => policies
        .filter((p) => JSON.stringify(p.Properties.Roles).includes(JSON.stringify(roleRef).slice(1, -1)));
      const actionsOf = (roleRef: unknown) => attachedTo(roleRef)
        .flatMap((p) => p.Properties.PolicyDocument.Statement).flatMap((st: { Action: string | string[] }) => [st.Action].flat());
      const stateActions = actionsOf(state.Properties.Role['Fn::GetAtt'][0]);
      expect(stateActions).toEqual(expect.arrayContaining(['rds:DescribeGlobalClusters', 'cloudwatch:DescribeAlarms', 'route53-recovery-cluster:GetRoutingControlState']));
      // Read only: nothing that starts, changes or deletes.
      expect(stateActions.filter((a: string) => /Start|Update|Delete|Put|Create|Modify|Failover|Switchover|Remove/.test(a))).toEqual([]);
      const apiActions = actionsOf(api.Properties.Role['Fn::GetAtt'][0]);
      expect(apiActions).toContain('lambda:InvokeFunction');
      expect(apiActions).not.toContain('rds:DescribeGlobalClusters');
    }
  });

  test('the schema custom resource runs in the primary Region after the writer, and again when a migration is added', () => {
    const east = Template.fromStack(built.stacks[0]);
    const schema = Object.values(east.findResources('Custom::RemittanceSchema'));
    expect(schema).toHaveLength(1);
    expect(schema[0].Properties.Migrations).toMatch(/^[0-9a-f]{64}$/);
    expect(schema[0].DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^DatabaseInstance1/)]));
    Template.fromStack(built.stacks[1]).resourceCountIs('Custom::RemittanceSchema', 0);
  });

  test.each<[string, object, string]>([
    ['a name too long for the bucket names', { name: 'a-very-long-application-name' }, "name 'a-very-long-application-name' must be 1 to 20 lower-case letters"],
    ['one Region', { regions: ['us-east-1'] }, 'regions ["us-east-1"] must list at least two different Regions'],
    ['no e-mail', { adminEmail: 'ops' }, "adminEmail 'ops' is not an e-mail address: pass -c adminEmail=you@example.com"],
    ['a UI not built', { uiDist: '/nonexistent/dist' }, "uiDist '/nonexistent/dist' has no index.html: build the UI first (npm run example:ui-build)"],
  ])('refuses %s, naming the fix', (_name, override, message) => {
    expect(() => buildRemittanceExample(new App(), { ...options, uiDist: dist, ...override })).toThrow(message);
  });
});
