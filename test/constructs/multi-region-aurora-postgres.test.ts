import { Annotations, App, Duration, Lazy, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { AuroraRegionOptions, MultiRegionAuroraPostgres, MultiRegionAuroraPostgresProps, WriteForwardingConsistency } from '../../src';
import { CFN_LINT_VERSION, DEPRECATED_AURORA_POSTGRES_VERSIONS, KNOWN_AURORA_POSTGRES_VERSIONS } from '../../src/constructs/private/aurora-engine-versions';
import { checkEngineVersion, DEFAULT_ENGINE_VERSION } from '../../src/constructs/private/engine-version';
import { parseAuroraTopology, parseClusterSpec } from '../../src/ssm/topology';
import { nagCleanTemplates, regionalStacks, resolveIntrinsics, synthWarnings } from '../helpers';

const TWO = ['us-east-1', 'us-west-2'];
const THREE = ['us-east-1', 'us-west-2', 'eu-west-1'];

function build(regions: string[], props: Partial<MultiRegionAuroraPostgresProps> = {}, perRegion: Partial<AuroraRegionOptions>[] = []) {
  const app = new App();
  const stacks = regionalStacks(app, regions);
  const db = new MultiRegionAuroraPostgres(app, 'Database', {
    name: 'orders',
    regions: stacks.map((s, i) => ({ stack: s.stack, vpc: s.vpc, ...perRegion[i] })),
    ...props,
  });
  return { app, stacks, db };
}

function clusterOf(template: Template) {
  const clusters = template.findResources('AWS::RDS::DBCluster');
  expect(Object.keys(clusters)).toHaveLength(1);
  return Object.values(clusters)[0] as { Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
}

/**
 * The PostgreSQL log group a stack's custom resources manage: the create (and delete)
 * call, the retention and the key, read from their SDK calls.
 */
function postgresLog(template: Template) {
  type Call = { action: string; parameters: Record<string, unknown>; ignoreErrorCodesMatching?: string };
  const calls = Object.values(template.findResources('Custom::AWS'))
    .map((r) => resolveIntrinsics((r as { Properties: Record<string, unknown> }).Properties) as Record<string, string | undefined>)
    .map((p) => ({
      create: p.Create && JSON.parse(p.Create) as Call,
      update: p.Update && JSON.parse(p.Update) as Call,
      remove: p.Delete && JSON.parse(p.Delete) as Call,
    }))
    .filter((c) => [c.create, c.update].some((call) => call && (call as Call).parameters.logGroupName));
  const create = calls.find((c) => c.create)!;
  const retention = calls.find((c) => ['putRetentionPolicy', 'deleteRetentionPolicy'].includes((c.update as Call | undefined)?.action ?? ''))!;
  const encryption = calls.find((c) => (c.update as Call | undefined)?.action === 'associateKmsKey')!;
  expect(calls).toHaveLength(3);
  const name = (create.create as Call).parameters.logGroupName;
  for (const c of [retention, encryption]) expect((c.update as Call).parameters.logGroupName).toBe(name);
  return {
    name,
    create: (create.create as Call).action,
    ignore: (create.create as Call).ignoreErrorCodesMatching,
    remove: (create.remove as Call | undefined)?.action,
    retentionInDays: (retention.update as Call).action === 'deleteRetentionPolicy' ? 'never expire' : (retention.update as Call).parameters.retentionInDays,
    kmsKeyId: (encryption.update as Call).parameters.kmsKeyId,
  };
}

/** The SDK calls of the custom resource that replicates the secret into a secondary stack's Region. */
function secretReplica(template: Template) {
  type Call = { region: string; action: string; parameters: Record<string, unknown> };
  const found = Object.values(template.findResources('Custom::AWS'))
    .map((r) => resolveIntrinsics((r as { Properties: Record<string, unknown> }).Properties) as Record<string, string | undefined>)
    .filter((p) => p.Create?.includes('replicateSecretToRegions'));
  expect(found).toHaveLength(1);
  const pick = (json?: string) => {
    if (!json) return undefined;
    const { region, action, parameters } = JSON.parse(json) as Call;
    return { region, action, parameters };
  };
  return { create: pick(found[0].Create), update: pick(found[0].Update), remove: pick(found[0].Delete) };
}

/**
 * The topology JSON a stack publishes, joined as CloudFormation would join it in
 * account 111111111111 of the aws partition, then parsed as a runbook parses it.
 */
function publishedTopology(template: Template) {
  const name = '/cdk-cross-region-failover/orders/aurora';
  const params = Object.values(template.findResources('AWS::SSM::Parameter', { Properties: { Name: name } }));
  expect(params).toHaveLength(1);
  return parseAuroraTopology(name, resolveIntrinsics((params[0] as { Properties: { Value: unknown } }).Properties.Value) as string);
}

describe('MultiRegionAuroraPostgres with minimal props (two Regions)', () => {
  const { app, stacks, db } = build(TWO);
  const [primary, secondary] = nagCleanTemplates(app, stacks.map((s) => s.stack));

  test('creates one encrypted global cluster, in the primary stack only, with no source cluster', () => {
    primary.resourceCountIs('AWS::RDS::GlobalCluster', 1);
    secondary.resourceCountIs('AWS::RDS::GlobalCluster', 0);
    primary.hasResourceProperties('AWS::RDS::GlobalCluster', {
      GlobalClusterIdentifier: 'orders',
      Engine: 'aurora-postgresql',
      EngineVersion: '16.13',
      StorageEncrypted: true,
      DeletionProtection: true,
      SourceDBClusterIdentifier: Match.absent(),
    });
  });

  test('primary cluster: a writer, credentials from the secret, IAM auth, log export, KMS, deletion protection, snapshot on removal', () => {
    const cluster = clusterOf(primary);
    expect(cluster.DeletionPolicy).toBe('Snapshot');
    expect(cluster.UpdateReplacePolicy).toBe('Snapshot');
    primary.hasResourceProperties('AWS::RDS::DBCluster', {
      DBClusterIdentifier: 'orders-us-east-1',
      Engine: 'aurora-postgresql',
      EngineVersion: '16.13',
      GlobalClusterIdentifier: { Ref: Match.stringLikeRegexp('^DatabaseGlobalCluster') },
      MasterUsername: 'dbadmin',
      MasterUserPassword: {
        'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: Match.stringLikeRegexp('^DatabaseSecret') }, ':SecretString:password::}}']],
      },
      DatabaseName: Match.absent(),
      StorageEncrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseKey'), 'Arn'] },
      EnableIAMDatabaseAuthentication: true,
      EnableCloudwatchLogsExports: ['postgresql'],
      DeletionProtection: true,
      BackupRetentionPeriod: 7,
      CopyTagsToSnapshot: true,
      Port: 5432,
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 16 },
    });
    primary.resourceCountIs('AWS::RDS::DBInstance', 1);
    primary.hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceClass: 'db.serverless',
      Engine: 'aurora-postgresql',
      PubliclyAccessible: false,
      PromotionTier: 0,
      EnablePerformanceInsights: true,
      PerformanceInsightsKMSKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseKey'), 'Arn'] },
    });
  });

  test('secondary cluster joins by name and carries no credentials, database name or source', () => {
    const cluster = clusterOf(secondary);
    expect(cluster.Properties.GlobalClusterIdentifier).toBe('orders');
    expect(cluster.Properties.DBClusterIdentifier).toBe('orders-us-west-2');
    for (const prop of ['MasterUsername', 'MasterUserPassword', 'DatabaseName', 'SourceDBClusterIdentifier', 'ReplicationSourceIdentifier', 'SnapshotIdentifier']) {
      expect(cluster.Properties[prop]).toBeUndefined();
    }
    expect(cluster.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DatabaseKey/), 'Arn'] });
    expect(cluster.DeletionPolicy).toBe('Snapshot');
    secondary.resourceCountIs('AWS::RDS::DBInstance', 1);
  });

  test('no template names another Region\'s resources through a cross-stack reference', () => {
    for (const s of stacks) {
      const json = JSON.stringify(Template.fromStack(s.stack).toJSON());
      expect(json).not.toContain('Fn::ImportValue');
      expect(json).not.toContain('SourceDBClusterIdentifier');
    }
    const deps = stacks[1].stack.dependencies.map((d) => d.stackName);
    expect(deps).toEqual([stacks[0].stack.stackName]);
  });

  test('a customer-managed key with rotation per Region', () => {
    for (const t of [primary, secondary]) {
      t.resourceCountIs('AWS::KMS::Key', 1);
      t.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain' });
      t.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/orders-aurora' });
    }
  });

  test('the master secret is generated, KMS-encrypted, and replicated by the secondary stack with the secondary Region\'s key', () => {
    primary.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'orders-aurora-master',
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseKey'), 'Arn'] },
      GenerateSecretString: Match.objectLike({
        GenerateStringKey: 'password',
        SecretStringTemplate: JSON.stringify({ username: 'dbadmin', engine: 'postgres', port: 5432 }),
      }),
      // One owner of the replica list: the secondary stacks.
      ReplicaRegions: Match.absent(),
    });
    secondary.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(secretReplica(secondary)).toEqual({
      create: {
        region: 'us-east-1',
        action: 'replicateSecretToRegions',
        parameters: { SecretId: 'orders-aurora-master', AddReplicaRegions: [{ Region: 'us-west-2', KmsKeyId: expect.stringMatching(/^DatabaseKey[0-9A-F]+\.Arn$/) }], ForceOverwriteReplicaSecret: false },
      },
      update: { region: 'us-west-2', action: 'updateSecret', parameters: { SecretId: 'orders-aurora-master', KmsKeyId: expect.stringMatching(/^DatabaseKey[0-9A-F]+\.Arn$/) } },
      // The primary secret goes with its stack (SNAPSHOT), which it cannot while a replica remains.
      remove: { region: 'us-east-1', action: 'removeRegionsFromReplication', parameters: { SecretId: 'orders-aurora-master', RemoveReplicaRegions: ['us-west-2'] } },
    });
    const statements = JSON.stringify(resolveIntrinsics(secondary.findResources('AWS::IAM::Policy')));
    expect(statements).toContain('"Action":["secretsmanager:ReplicateSecretToRegions","secretsmanager:RemoveRegionsFromReplication"],"Effect":"Allow",' +
      '"Resource":"arn:aws:secretsmanager:us-east-1:111111111111:secret:orders-aurora-master-??????"');
    expect(statements).toContain('"Action":"kms:Decrypt","Condition":{"StringEquals":{"kms:ViaService":"secretsmanager.us-east-1.amazonaws.com"}}');
    expect(db.regionalCluster('us-west-2').secret.secretName).toBe('orders-aurora-master');
  });

  test('reading the replica grants the secondary key too', () => {
    const fresh = build(TWO);
    const reader = new iam.Role(fresh.stacks[1].stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    fresh.db.regionalCluster('us-west-2').secret.grantRead(reader);
    const template = Template.fromStack(fresh.stacks[1].stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Reader') }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'] })] },
    });
    // aws-cdk-lib grants a key of the same stack in its key policy: decrypting only through Secrets Manager of the Region.
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'kms:Decrypt',
          Principal: { AWS: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Reader'), 'Arn'] } },
          Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-west-2.amazonaws.com' } },
        })]),
      },
    });
  });

  test('security group allows nothing in, parameter group forces TLS, log group has retention', () => {
    for (const t of [primary, secondary]) {
      t.hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: Match.stringLikeRegexp('^Aurora cluster orders-'),
        SecurityGroupIngress: Match.absent(),
      });
      t.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
        Family: 'aurora-postgresql16',
        Parameters: { 'rds.force_ssl': '1' },
      });
    }
    // The log group RDS exports to: created if missing (a re-created stack finds it kept), kept on delete,
    // with retention and the Region's key.
    expect(postgresLog(primary)).toEqual({
      name: '/aws/rds/cluster/orders-us-east-1/postgresql',
      create: 'createLogGroup',
      ignore: 'ResourceAlreadyExistsException',
      remove: undefined,
      retentionInDays: 90,
      kmsKeyId: expect.stringMatching(/^DatabaseKey[0-9A-F]+\.Arn$/),
    });
    primary.resourceCountIs('AWS::Logs::LogGroup', 1); // the test VPC's flow log, not the library's
    expect(JSON.stringify(primary.findResources('AWS::Logs::LogGroup'))).not.toContain('/aws/rds/');
  });

  test('the global writer endpoint: looked up in every Region (CloudFormation does not serve GlobalEndpoint.Address)', () => {
    for (const region of ['us-east-1', 'us-west-2']) {
      expect(JSON.stringify(Stack.of(db.regionalCluster(region).cfnCluster).resolve(db.regionalCluster(region).globalWriterEndpoint)))
        .toMatch(/"Fn::GetAtt":\["DatabaseGlobalWriterEndpoint[0-9A-F]+","GlobalClusters.0.Endpoint"\]/);
    }
    expect(JSON.stringify(primary.toJSON())).not.toContain('GlobalEndpoint.Address');
    secondary.hasResourceProperties('Custom::AWS', {
      Create: Match.serializedJson(Match.objectLike({
        service: 'RDS',
        action: 'describeGlobalClusters',
        parameters: { GlobalClusterIdentifier: 'orders' },
        outputPaths: ['GlobalClusters.0.Endpoint'],
      })),
    });
    // The lookup may only describe this global cluster.
    secondary.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{
          Action: 'rds:DescribeGlobalClusters',
          Effect: 'Allow',
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds::', { Ref: 'AWS::AccountId' }, ':global-cluster:orders']] },
        }],
      },
    });
  });

  test('every Region publishes the same topology for runbooks', () => {
    const [p, s] = [publishedTopology(primary), publishedTopology(secondary)];
    expect(p).toEqual(s);
    expect(p).toEqual({
      version: 1,
      globalClusterIdentifier: 'orders',
      globalClusterArn: 'arn:aws:rds::111111111111:global-cluster:orders',
      secretName: 'orders-aurora-master',
      port: 5432,
      regions: [
        { region: 'us-east-1', clusterIdentifier: 'orders-us-east-1', clusterArn: 'arn:aws:rds:us-east-1:111111111111:cluster:orders-us-east-1', initialPrimary: true, instanceClass: 'db.serverless' },
        { region: 'us-west-2', clusterIdentifier: 'orders-us-west-2', clusterArn: 'arn:aws:rds:us-west-2:111111111111:cluster:orders-us-west-2', initialPrimary: false, instanceClass: 'db.serverless' },
      ],
    });
  });

  test('exposes the names and members', () => {
    expect(db.globalClusterIdentifier).toBe('orders');
    expect(db.primaryRegion).toBe('us-east-1');
    expect(db.regionNames).toEqual(TWO);
    expect(db.secretName).toBe('orders-aurora-master');
    expect(db.topologyParameterName).toBe('/cdk-cross-region-failover/orders/aurora');
    expect(db.port).toBe(5432);
    expect(db.regionalClusters.map((r) => [r.region, r.initialPrimary, r.clusterIdentifier, r.instances.length])).toEqual([
      ['us-east-1', true, 'orders-us-east-1', 1],
      ['us-west-2', false, 'orders-us-west-2', 1],
    ]);
    const west = db.regionalCluster('us-west-2');
    expect(west.stack).toBe(stacks[1].stack);
    expect(west.connections.defaultPort?.toString()).toBe('5432');
    expect(west.cluster.clusterIdentifier).toBeDefined();
    expect(stacks[1].stack.resolve(west.clusterArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:us-west-2:', { Ref: 'AWS::AccountId' }, ':cluster:orders-us-west-2']],
    });
    expect(() => db.regionalCluster('ap-south-1')).toThrow(
      "MultiRegionAuroraPostgres 'Database': no cluster in Region 'ap-south-1'; its Regions are us-east-1, us-west-2.",
    );
  });
});

describe('MultiRegionAuroraPostgres with maximal props', () => {
  const app = new App();
  const stacks = regionalStacks(app, TWO);
  const importedKey = kms.Key.fromKeyArn(stacks[1].stack, 'ImportedKey', 'arn:aws:kms:us-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
  const sg = new ec2.SecurityGroup(stacks[1].stack, 'AppDbSg', { vpc: stacks[1].vpc, allowAllOutbound: false });
  const db = new MultiRegionAuroraPostgres(app, 'Database', {
    name: 'orders',
    engineVersion: rds.AuroraPostgresEngineVersion.VER_16_8,
    port: 5532,
    backupRetention: Duration.days(14),
    deletionProtection: false,
    removalPolicy: RemovalPolicy.RETAIN,
    cloudwatchLogsRetention: logs.RetentionDays.ONE_YEAR,
    performanceInsights: false,
    regions: [
      {
        stack: stacks[0].stack,
        vpc: stacks[0].vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        instanceType: ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE),
        readers: 2,
        masterUsername: 'orders_admin',
        databaseName: 'orders',
        globalDbRpo: Duration.minutes(1),
        parameters: { log_min_duration_statement: '500' },
        preferredMaintenanceWindow: 'Sun:03:00-Sun:04:00',
      },
      {
        stack: stacks[1].stack,
        vpc: stacks[1].vpc,
        kmsKey: importedKey,
        securityGroups: [sg],
        headless: true,
        serverlessV2MinCapacity: 1,
        serverlessV2MaxCapacity: 64,
      },
    ],
  });
  // Turning deletion protection off is the user's decision, acknowledged where it applies.
  for (const regional of db.regionalClusters) {
    Validations.of(regional.cfnCluster).acknowledge({ id: 'AwsSolutions-RDS10', reason: 'Scratch database for integration tests.' });
  }
  const [primary, secondary] = nagCleanTemplates(app, stacks.map((s) => s.stack));

  test('primary: provisioned writer and two readers, every option applied', () => {
    primary.hasResourceProperties('AWS::RDS::GlobalCluster', { EngineVersion: '16.8', DeletionProtection: false });
    primary.hasResourceProperties('AWS::RDS::DBCluster', {
      EngineVersion: '16.8',
      MasterUsername: 'orders_admin',
      DatabaseName: 'orders',
      Port: 5532,
      BackupRetentionPeriod: 14,
      DeletionProtection: false,
      PreferredMaintenanceWindow: 'Sun:03:00-Sun:04:00',
      ServerlessV2ScalingConfiguration: Match.absent(),
    });
    primary.resourceCountIs('AWS::RDS::DBInstance', 3);
    const instances = Object.values(primary.findResources('AWS::RDS::DBInstance')) as { Properties: Record<string, unknown>; DeletionPolicy: string }[];
    const summary = instances.map((i) => [
      i.Properties.DBInstanceClass, i.Properties.PromotionTier, i.Properties.EnablePerformanceInsights, i.DeletionPolicy,
    ]);
    expect(summary).toEqual([
      ['db.r6g.large', 0, false, 'Retain'],
      ['db.r6g.large', 1, false, 'Retain'],
      ['db.r6g.large', 1, false, 'Retain'],
    ]);
    primary.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
      Parameters: { 'rds.force_ssl': '1', 'rds.global_db_rpo': '60', 'log_min_duration_statement': '500' },
    });
    primary.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({
        SecretStringTemplate: JSON.stringify({ username: 'orders_admin', engine: 'postgres', port: 5532, dbname: 'orders' }),
      }),
      ReplicaRegions: Match.absent(),
    });
    // The imported secondary key encrypts the replica; RETAIN keeps the replica with the secret.
    expect(secretReplica(Template.fromStack(stacks[1].stack))).toMatchObject({
      create: { parameters: { AddReplicaRegions: [{ Region: 'us-west-2', KmsKeyId: 'arn:aws:kms:us-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab' }] } },
      remove: undefined,
    });
    expect(postgresLog(primary)).toMatchObject({ retentionInDays: 365, remove: undefined });
  });

  test('RETAIN applies to clusters, the global cluster, the secret and the helpers', () => {
    expect(clusterOf(primary).DeletionPolicy).toBe('Retain');
    primary.hasResource('AWS::RDS::GlobalCluster', { DeletionPolicy: 'Retain' });
    primary.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
    primary.hasResource('AWS::RDS::DBSubnetGroup', { DeletionPolicy: 'Retain' });
  });

  test('secondary: headless, Serverless v2 capacity, user key and security group', () => {
    secondary.resourceCountIs('AWS::RDS::DBInstance', 0);
    secondary.resourceCountIs('AWS::KMS::Key', 0);
    secondary.hasResourceProperties('AWS::RDS::DBCluster', {
      KmsKeyId: 'arn:aws:kms:us-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      ServerlessV2ScalingConfiguration: { MinCapacity: 1, MaxCapacity: 64 },
      VpcSecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^AppDbSg'), 'GroupId'] }],
    });
    // The secondary keeps the default RPO setting.
    secondary.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Parameters: { 'rds.force_ssl': '1' } });
    expect(db.regionalCluster('us-west-2').instances).toEqual([]);
    expect(db.regionalCluster('us-west-2').kmsKey).toBe(importedKey);
  });

  test('risky settings are flagged in every Region\'s stack, where `cdk synth` prints them', () => {
    expect(synthWarnings(app)).toEqual(TWO.map((r) => ({
      stack: `Stack-${r}`,
      path: `/Stack-${r}/Database`,
      message: 'deletionProtection is false: a stack deletion or a replacement can delete the global database.',
      id: 'cdk-cross-region-failover:deletion-protection-off',
    })));
    void db;
  });
});

describe('removalPolicy DESTROY', () => {
  test('deletes keys and logs with the clusters, and warns', () => {
    const { app, stacks, db } = build(TWO, { removalPolicy: RemovalPolicy.DESTROY });
    const [primary] = nagCleanTemplates(app, stacks.map((s) => s.stack));
    expect(clusterOf(primary).DeletionPolicy).toBe('Delete');
    primary.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
    expect(postgresLog(primary)).toMatchObject({ name: '/aws/rds/cluster/orders-us-east-1/postgresql', remove: 'deleteLogGroup' });
    expect(synthWarnings(app).map((w) => [w.path, w.message, w.id])).toEqual(TWO.map((r) => [
      `/Stack-${r}/Database`, 'removalPolicy is DESTROY: removing a cluster from its stack deletes it without a final snapshot.',
      'cdk-cross-region-failover:removal-policy-destroy',
    ]));
    void db;
  });
});

describe('MultiRegionAuroraPostgres across three Regions', () => {
  const { app, stacks, db } = build(THREE, {}, [{}, { globalDbRpo: Duration.seconds(30) }, { headless: true }]);
  const templates = nagCleanTemplates(app, stacks.map((s) => s.stack));

  test('one global cluster and one cluster per Region, each secondary depending on the primary', () => {
    expect(templates.map((t) => Object.keys(t.findResources('AWS::RDS::GlobalCluster')).length)).toEqual([1, 0, 0]);
    expect(templates.map((t) => clusterOf(t).Properties.DBClusterIdentifier)).toEqual(THREE.map((r) => `orders-${r}`));
    expect(templates.map((t) => Object.keys(t.findResources('AWS::RDS::DBInstance')).length)).toEqual([1, 1, 0]);
    for (const s of stacks.slice(1)) {
      expect(s.stack.dependencies).toEqual([stacks[0].stack]);
    }
  });

  test('each secondary stack replicates the secret to its Region, with its key', () => {
    for (const [i, region] of [[1, 'us-west-2'], [2, 'eu-west-1']] as const) {
      expect(secretReplica(templates[i]).create).toEqual({
        region: 'us-east-1',
        action: 'replicateSecretToRegions',
        parameters: { SecretId: 'orders-aurora-master', AddReplicaRegions: [{ Region: region, KmsKeyId: expect.stringMatching(/^DatabaseKey/) }], ForceOverwriteReplicaSecret: false },
      });
    }
  });

  test('with three Regions a secondary may set rds.global_db_rpo', () => {
    templates[1].hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Parameters: { 'rds.global_db_rpo': '30' } });
  });

  test('each Region publishes all three members', () => {
    for (let i = 0; i < 3; i++) {
      const topology = publishedTopology(templates[i]);
      expect(topology.regions.map((r) => r.region)).toEqual(THREE);
    }
  });

  test.each([
    ['metricAuroraGlobalDBRPOLag', 'AuroraGlobalDBRPOLag', 'Maximum', 'Milliseconds'],
    ['metricAuroraGlobalDBReplicationLag', 'AuroraGlobalDBReplicationLag', 'Maximum', 'Milliseconds'],
    ['metricCommitLatency', 'CommitLatency', 'Average', 'Milliseconds'],
    ['metricCommitThroughput', 'CommitThroughput', 'Average', undefined],
    ['metricCPUUtilization', 'CPUUtilization', 'Maximum', 'Percent'],
    ['metricDatabaseConnections', 'DatabaseConnections', 'Maximum', undefined],
  ] as const)('%s is %s of the Regional cluster in its Region, %s per minute', (method, metricName, statistic, unit) => {
    const metric = db[method]('eu-west-1');
    expect(metric.namespace).toBe('AWS/RDS');
    expect(metric.metricName).toBe(metricName);
    expect(metric.dimensions).toEqual({ DBClusterIdentifier: 'orders-eu-west-1' });
    expect(metric.region).toBe('eu-west-1');
    expect(metric.statistic).toBe(statistic);
    expect(metric.unit).toBe(unit);
    expect(metric.period.toSeconds()).toBe(60);
    expect(db[method]('us-west-2', { period: Duration.minutes(5), statistic: 'p90' })).toMatchObject({ statistic: 'p90', region: 'us-west-2' });
    expect(() => db[method]('ap-south-1')).toThrow("MultiRegionAuroraPostgres 'Database': no cluster in Region 'ap-south-1'; its Regions are us-east-1, us-west-2, eu-west-1.");
  });

  test('metricRpoLag, deprecated, is metricAuroraGlobalDBRPOLag', () => {
    expect(db.metricRpoLag('eu-west-1')).toEqual(db.metricAuroraGlobalDBRPOLag('eu-west-1'));
    expect(db.metricRpoLag('us-west-2', { period: Duration.minutes(5) }).period.toMinutes()).toBe(5);
  });
});

describe('grantConnect', () => {
  test('grants rds-db:connect on the Regional cluster for the named user only', () => {
    const { app, stacks, db } = build(TWO);
    const role = new iam.Role(stacks[1].stack, 'AppRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    db.grantConnect(role, 'app_user', 'us-west-2');
    nagCleanTemplates(app, [stacks[1].stack]);
    Template.fromStack(stacks[1].stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{
          Action: 'rds-db:connect',
          Effect: 'Allow',
          Resource: {
            'Fn::Join': ['', [
              'arn:', { Ref: 'AWS::Partition' }, ':rds-db:us-west-2:', { Ref: 'AWS::AccountId' }, ':dbuser:',
              { 'Fn::GetAtt': [Match.stringLikeRegexp('^Database'), 'DBClusterResourceId'] }, '/app_user',
            ]],
          },
        }],
      },
    });
  });

  test('the order before this release (the Region first) is refused with the order to use', () => {
    const { stacks, db } = build(TWO);
    const role = new iam.Role(stacks[1].stack, 'AppRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const oldOrder = db.grantConnect as unknown as (region: string, grantee: iam.IGrantable, dbUser: string) => iam.Grant;
    expect(() => oldOrder.call(db, 'us-west-2', role, 'app_user')).toThrow(
      "MultiRegionAuroraPostgres 'Database': grantConnect takes the grantee first: grantConnect(grantee, dbUser, region), " +
        "got the Region 'us-west-2' first (the order before this release).",
    );
  });
});

describe('placement of the construct', () => {
  test('created inside the primary stack, it keeps its resources under itself there and mirrors its id elsewhere', () => {
    const app = new App();
    const stacks = regionalStacks(app, TWO);
    const db = new MultiRegionAuroraPostgres(stacks[0].stack, 'Database', {
      name: 'orders',
      regions: stacks.map((s) => ({ stack: s.stack, vpc: s.vpc })),
    });
    expect(db.regionalCluster('us-east-1').cfnCluster.node.path).toBe('Stack-us-east-1/Database/Resource');
    expect(db.regionalCluster('us-west-2').cfnCluster.node.path).toBe('Stack-us-west-2/Database/Resource');
    nagCleanTemplates(app, stacks.map((s) => s.stack));
  });

  test('logical ids of the main resources stay stable (changing them would replace a database)', () => {
    const { app, stacks } = build(TWO);
    const [primary] = nagCleanTemplates(app, [stacks[0].stack]);
    const ids = Object.keys(primary.findResources('AWS::RDS::DBCluster'));
    const globalIds = Object.keys(primary.findResources('AWS::RDS::GlobalCluster'));
    expect(ids).toHaveLength(1);
    expect(ids[0]).toMatch(/^Database[0-9A-F]{8}$/);
    expect(globalIds[0]).toMatch(/^DatabaseGlobalCluster[0-9A-F]{8}$/);
  });
});

describe('validation', () => {
  function attempt(regions: string[], props: Partial<MultiRegionAuroraPostgresProps> = {}, perRegion: Partial<AuroraRegionOptions>[] = []) {
    return () => build(regions, props, perRegion);
  }

  test('fewer than 2 Regions', () => {
    expect(attempt(['us-east-1'])).toThrow(
      "MultiRegionAuroraPostgres 'Database': 'regions' needs at least 2 Regions, got 1: add a Stack for a secondary Region (the first entry is the initial primary).",
    );
  });

  test('a Region listed twice', () => {
    const app = new App();
    const [a] = regionalStacks(app, ['us-east-1']);
    const b = new Stack(app, 'Other', { env: { region: 'us-east-1' } });
    expect(() => new MultiRegionAuroraPostgres(app, 'Database', {
      name: 'orders',
      regions: [{ stack: a.stack, vpc: a.vpc }, { stack: b, vpc: a.vpc }],
    })).toThrow("MultiRegionAuroraPostgres 'Database': Region 'us-east-1' is listed twice in 'regions' (entries 0 and 1): each Region must appear once; pass one Stack per Region.");
  });

  test('a stack without a concrete Region', () => {
    const app = new App();
    const [a] = regionalStacks(app, ['us-east-1']);
    const agnostic = new Stack(app, 'Agnostic');
    expect(() => new MultiRegionAuroraPostgres(app, 'Database', {
      name: 'orders',
      regions: [{ stack: a.stack, vpc: a.vpc }, { stack: agnostic, vpc: a.vpc }],
    })).toThrow("MultiRegionAuroraPostgres 'Database': 'regions[1]' is stack 'Agnostic', which has no concrete Region: create it with `env: { region: 'us-east-1' }` (or the Region you want).");
  });

  test('too many Regions', () => {
    const twelve = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'ap-south-1', 'ap-northeast-1', 'ap-southeast-2'];
    expect(attempt(twelve)).toThrow(
      "MultiRegionAuroraPostgres 'Database': 'regions' lists 12 Regions, but at most 11 are supported (1 primary and 10 secondaries): remove 1 of them.",
    );
  });

  test('stacks in different accounts', () => {
    const app = new App();
    const a = regionalStacks(app, ['us-east-1'], '111111111111')[0];
    const b = regionalStacks(app, ['us-west-2'], '222222222222')[0];
    expect(() => new MultiRegionAuroraPostgres(app, 'Database', {
      name: 'orders',
      regions: [{ stack: a.stack, vpc: a.vpc }, { stack: b.stack, vpc: b.vpc }],
    })).toThrow(/target different accounts \(111111111111, 222222222222\): every Region of this construct must be in the same AWS account/);
  });

  test('a secondary given credentials', () => {
    expect(attempt(TWO, {}, [{}, { masterUsername: 'admin2' }])).toThrow(
      "MultiRegionAuroraPostgres 'Database': 'regions[1]' (us-west-2) sets masterUsername 'admin2', but a secondary cluster inherits the primary's credentials: set masterUsername on regions[0] only.",
    );
  });

  test('a secondary given a database name', () => {
    expect(attempt(TWO, {}, [{}, { databaseName: 'orders' }])).toThrow(
      "MultiRegionAuroraPostgres 'Database': 'regions[1]' (us-west-2) sets databaseName 'orders', but a secondary cluster replicates the primary's databases: set databaseName on regions[0] only.",
    );
  });

  test.each([
    ['1orders', 'starts with a digit'],
    ['orders_db', 'has an underscore'],
    ['orders-', 'ends with a hyphen'],
    ['orders--db', 'has two hyphens in a row'],
  ])('an invalid identifier: %s (%s)', (name) => {
    expect(attempt(TWO, { name })).toThrow(
      `MultiRegionAuroraPostgres 'Database': 'name' is '${name}', which is not a valid Aurora identifier: use letters, digits and single hyphens, start with a letter and do not end with a hyphen (e.g. 'payments-db').`,
    );
  });

  test('a name that is not a literal', () => {
    expect(attempt(TWO, { name: Lazy.string({ produce: () => 'orders' }) })).toThrow(
      "MultiRegionAuroraPostgres 'Database': 'name' must be a literal string: every physical name and the cross-Region wiring derive from it.",
    );
  });

  test('an identifier too long for the derived cluster identifiers', () => {
    const name = 'a'.repeat(60);
    expect(attempt(TWO, { name })).toThrow(
      `MultiRegionAuroraPostgres 'Database': 'name' is '${name}' (60 characters), so cluster identifier '<name>-<region>' would be 70 characters, over Aurora's 63: shorten 'name' to at most 53 characters.`,
    );
  });

  test('several problems are reported together', () => {
    expect(attempt(TWO, { port: 80 }, [{ headless: true }, { databaseName: 'x' }])).toThrow(
      /MultiRegionAuroraPostgres 'Database': 3 problems:\n- 'port' is 80.*\n- 'regions\[0\]' \(us-east-1\) is the primary and cannot be headless.*\n- 'regions\[1\]' \(us-west-2\) sets databaseName 'x'/,
    );
  });

  test.each<[string, Partial<MultiRegionAuroraPostgresProps>, Partial<AuroraRegionOptions>[], string]>([
    ['port out of range', { port: 70000 }, [], "'port' is 70000: Aurora PostgreSQL accepts a whole number from 1150 to 65535 (default 5432)."],
    ['monitoring interval', { monitoringInterval: Duration.seconds(120) }, [],
      "'monitoringInterval' is 2 minutes: Enhanced Monitoring takes 1, 5, 10, 15, 30 or 60 seconds, or Duration.seconds(0) to turn it off."],
    ['backup retention', { backupRetention: Duration.days(40) }, [], "'backupRetention' is 40 days: use a whole number of days from 1 to 35."],
    ['headless primary', {}, [{ headless: true }], "'regions[0]' (us-east-1) is the primary and cannot be headless: the writer needs an instance. Make a later Region headless instead."],
    ['readers out of range', {}, [{ readers: 16 }], "'regions[0]' (us-east-1) has readers 16: use a whole number from 0 to 15."],
    ['readers on headless', {}, [{}, { headless: true, readers: 1 }], "'regions[1]' (us-west-2) is headless but asks for 1 readers: a headless cluster has no instance; drop readers or headless."],
    ['capacity with instance type', {}, [{ instanceType: new ec2.InstanceType('r6g.large'), serverlessV2MaxCapacity: 8 }],
      "'regions[0]' (us-east-1) sets instanceType 'r6g.large' and a Serverless v2 capacity: capacity applies to Serverless v2 instances only; remove one of them."],
    ['min capacity', {}, [{ serverlessV2MinCapacity: 0.25 }], "'regions[0]' (us-east-1) has serverlessV2MinCapacity 0.25: use 0.5 to 256 ACUs in steps of 0.5."],
    ['max capacity', {}, [{ serverlessV2MaxCapacity: 300 }], "'regions[0]' (us-east-1) has serverlessV2MaxCapacity 300: use 1 to 256 ACUs in steps of 0.5."],
    ['min above max', {}, [{ serverlessV2MinCapacity: 8, serverlessV2MaxCapacity: 4 }],
      "'regions[0]' (us-east-1) has serverlessV2MinCapacity 8 above serverlessV2MaxCapacity 4: the minimum must not exceed the maximum."],
    ['rpo too short', {}, [{ globalDbRpo: Duration.seconds(10) }],
      "'regions[0]' (us-east-1) has globalDbRpo 10 seconds: rds.global_db_rpo takes a whole number of seconds from 20 to 2147483647."],
    ['rpo on the secondary of two Regions', {}, [{}, { globalDbRpo: Duration.seconds(60) }],
      "'regions[1]' (us-west-2) sets globalDbRpo, but with two Regions the secondary must keep the default: once promoted it would have no secondary left to meet the RPO and would block its commits. Set globalDbRpo on regions[0] only."],
    ['rpo through parameters', {}, [{ parameters: { 'rds.global_db_rpo': '60' } }],
      "'regions[0]' (us-east-1) sets 'rds.global_db_rpo' in parameters: use the globalDbRpo option, which is validated, instead."],
    ['reserved user name', {}, [{ masterUsername: 'rdsadmin' }],
      "'regions[0]' (us-east-1) has masterUsername 'rdsadmin': use 1 to 63 letters, digits or underscores starting with a letter, not a reserved name (rdsadmin, rdsrepladmin, rds_superuser, postgres, public) nor one starting with 'rds' or 'pg_'."],
    ['invalid database name', {}, [{ databaseName: 'my-db' }],
      "'regions[0]' (us-east-1) has databaseName 'my-db': use 1 to 63 letters, digits or underscores starting with a letter, not a reserved name (rdsadmin, template0, template1, postgres) nor one starting with 'rds' or 'pg_'."],
  ])('%s', (_title, props, perRegion, message) => {
    expect(attempt(TWO, props, perRegion)).toThrow(`MultiRegionAuroraPostgres 'Database': ${message}`);
  });
});

describe('global write forwarding (active/active)', () => {
  const PARAMETER = 'apg_write_forward.consistency_mode';
  /** The cluster spec a stack publishes for the rebuild, parsed as the runbook parses it. */
  const specOf = (template: Template) => {
    const name = '/cdk-cross-region-failover/orders/aurora-cluster';
    const params = Object.values(template.findResources('AWS::SSM::Parameter', { Properties: { Name: name } }));
    expect(params).toHaveLength(1);
    return parseClusterSpec(name, resolveIntrinsics((params[0] as { Properties: { Value: unknown } }).Properties.Value) as string);
  };
  const parametersOf = (template: Template) =>
    (Object.values(template.findResources('AWS::RDS::DBClusterParameterGroup'))[0] as { Properties: { Parameters: Record<string, string> } })
      .Properties.Parameters;

  test('off by default: no cluster forwards, no consistency parameter, the spec says nothing', () => {
    const { stacks, db } = build(TWO);
    expect(db.globalWriteForwarding).toBe(false);
    for (const stack of stacks) {
      const template = Template.fromStack(stack.stack);
      expect(clusterOf(template).Properties.EnableGlobalWriteForwarding).toBeUndefined();
      expect(parametersOf(template)[PARAMETER]).toBeUndefined();
      expect(specOf(template).globalWriteForwarding).toBeUndefined();
    }
  });

  test('on: every cluster forwards, the primary too (it takes effect once demoted), and the rebuild spec keeps it', () => {
    const { app, stacks, db } = build(THREE, { globalWriteForwarding: true });
    expect(db.globalWriteForwarding).toBe(true);
    const templates = nagCleanTemplates(app, stacks.map((s) => s.stack));
    for (const template of templates) {
      expect(clusterOf(template).Properties.EnableGlobalWriteForwarding).toBe(true);
      expect(specOf(template).globalWriteForwarding).toBe(true);
      // Aurora's default consistency (SESSION) unless one is chosen.
      expect(parametersOf(template)[PARAMETER]).toBeUndefined();
    }
  });

  test('each Region exposes its own cluster\'s reader endpoint', () => {
    const { stacks, db } = build(THREE, { globalWriteForwarding: true });
    db.regionalClusters.forEach((r, i) => {
      const resolved = stacks[i].stack.resolve(r.readerEndpointAddress);
      expect(resolved).toEqual({ 'Fn::GetAtt': [stacks[i].stack.getLogicalId(r.cfnCluster), 'ReadEndpoint.Address'] });
      expect(stacks[i].stack.resolve(r.cluster.clusterReadEndpoint.hostname)).toEqual(resolved);
    });
  });

  test.each(Object.values(WriteForwardingConsistency))('writeForwardingConsistency %s is set in every Region\'s cluster parameter group', (mode) => {
    const { stacks } = build(TWO, { globalWriteForwarding: true, writeForwardingConsistency: mode as WriteForwardingConsistency });
    for (const stack of stacks) {
      expect(parametersOf(Template.fromStack(stack.stack))).toMatchObject({ [PARAMETER]: mode, 'rds.force_ssl': '1' });
    }
  });

  test.each([
    ['16.13', true], ['17.4', true], ['15.4', true], ['15.10', true], ['14.9', true], ['15.3', false], ['14.8', false], ['13.9', false],
  ])('engine version %s: forwarding %s', (version, supported) => {
    // A deprecated version is deployed through the context that keeps a running database's version,
    // so that only the forwarding rule decides.
    const app = new App({ context: { 'cdk-cross-region-failover:deployedEngineVersion': version } });
    const stacks = regionalStacks(app, TWO);
    const attempt = () => new MultiRegionAuroraPostgres(app, 'Database', {
      name: 'orders',
      regions: stacks.map((x) => ({ stack: x.stack, vpc: x.vpc })),
      engineVersion: rds.AuroraPostgresEngineVersion.of(version, version.split('.')[0]),
      globalWriteForwarding: true,
    });
    if (supported) {
      expect(attempt).not.toThrow();
    } else {
      expect(attempt).toThrow(new RegExp('^MultiRegionAuroraPostgres \'Database\': \'globalWriteForwarding\' is true with engineVersion ' +
        `${version.replace('.', '\\.')}, which has no global write forwarding: .*from 15\\.4 and 14\\.9 on\\. ` +
        'Upgrade the engine, or leave globalWriteForwarding unset\\.$'));
    }
  });

  test('the forwarding rule speaks of the version only when the version itself is usable', () => {
    // 12.8 has no forwarding and is refused by the engine check anyway: one message, the engine's.
    expect(() => build(TWO, { engineVersion: rds.AuroraPostgresEngineVersion.of('12.8', '12'), globalWriteForwarding: true }))
      .toThrow(/'engineVersion' is 12\.8/);
    expect(() => build(TWO, { engineVersion: rds.AuroraPostgresEngineVersion.of('12.8', '12'), globalWriteForwarding: true }))
      .not.toThrow(/globalWriteForwarding' is true/);
  });

  test('a consistency mode without forwarding, or set twice, is refused', () => {
    expect(() => build(TWO, { writeForwardingConsistency: WriteForwardingConsistency.GLOBAL }))
      .toThrow(/'writeForwardingConsistency' is GLOBAL, but 'globalWriteForwarding' is not true: .*Set globalWriteForwarding: true/);
    expect(() => build(TWO, { globalWriteForwarding: true, writeForwardingConsistency: WriteForwardingConsistency.EVENTUAL },
      [{}, { parameters: { [PARAMETER]: 'SESSION' } }]))
      .toThrow(/'regions\[1\]' \(us-west-2\) sets 'apg_write_forward.consistency_mode' in parameters and writeForwardingConsistency is set too/);
  });

  test('a mode given in one Region\'s parameters alone is that Region\'s business', () => {
    const { stacks } = build(TWO, { globalWriteForwarding: true }, [{}, { parameters: { [PARAMETER]: 'GLOBAL' } }]);
    expect(parametersOf(Template.fromStack(stacks[1].stack))[PARAMETER]).toBe('GLOBAL');
    expect(parametersOf(Template.fromStack(stacks[0].stack))[PARAMETER]).toBeUndefined();
  });
});

describe('topology document', () => {
  test('a damaged parameter is refused with what is wrong and how to fix it', () => {
    expect(() => parseAuroraTopology('/p', 'not json')).toThrow(/SSM parameter \/p is not JSON .*redeploy the stacks to rewrite it/);
    expect(() => parseAuroraTopology('/p', JSON.stringify({ version: 2, regions: [{ region: 'us-east-1' }] }))).toThrow(
      'SSM parameter /p does not hold a valid Aurora topology: unsupported version 2 (expected 1); missing globalClusterIdentifier; missing globalClusterArn; missing secretName; missing port; regions must list at least 2 members. Redeploy the stacks to rewrite it.',
    );
    expect(() => parseAuroraTopology('/p', JSON.stringify({
      version: 1,
      globalClusterIdentifier: 'g',
      globalClusterArn: 'a',
      secretName: 's',
      port: 5432,
      regions: [{ region: 'us-east-1', clusterIdentifier: 'c', clusterArn: 'a' }, { region: 'us-west-2' }],
    }))).toThrow('regions[1].clusterIdentifier missing; regions[1].clusterArn missing');
  });
});

describe('engineVersion', () => {
  // The versions RDS still creates in a major version, newest first, from the pinned cfn-lint's data.
  const current = (major: string) => KNOWN_AURORA_POSTGRES_VERSIONS
    .filter((v) => v.startsWith(`${major}.`) && !DEPRECATED_AURORA_POSTGRES_VERSIONS.includes(v))
    .sort((a, b) => Number(b.split('.')[1]) - Number(a.split('.')[1])).join(', ');
  const usable16 = current('16');
  const usable17 = current('17');
  const attempt = (version: rds.AuroraPostgresEngineVersion) => () => build(TWO, { engineVersion: version });

  test('a deprecated version (the previous default) is refused, with the versions to use and the way out for a running database', () => {
    expect(attempt(rds.AuroraPostgresEngineVersion.VER_16_6)).toThrow(
      "MultiRegionAuroraPostgres 'Database': 'engineVersion' is 16.6, which is deprecated: RDS no longer creates clusters with it " +
        `(cfn-lint ${CFN_LINT_VERSION}, rule W3690). Use one of ${usable16} (major version 16), or leave engineVersion unset for 16.13. ` +
        'A database that already runs 16.6: upgrade it first (every cluster of the global database, secondaries first), then set that ' +
        "version here; to deploy before that, set the context cdk-cross-region-failover:deployedEngineVersion to '16.6'.",
    );
  });

  test('a database that already runs a deprecated version deploys when the context says so, with a warning in every stack', () => {
    const app = new App({ context: { 'cdk-cross-region-failover:deployedEngineVersion': '16.6' } });
    const stacks = regionalStacks(app, TWO);
    new MultiRegionAuroraPostgres(app, 'Database', {
      name: 'orders', engineVersion: rds.AuroraPostgresEngineVersion.VER_16_6, regions: stacks.map((s) => ({ stack: s.stack, vpc: s.vpc })),
    });
    expect(synthWarnings(app).map((w) => [w.path, w.id, w.message])).toEqual(TWO.map((r) => [
      `/Stack-${r}/Database`, 'cdk-cross-region-failover:engine-version-deprecated',
      `'engineVersion' is 16.6, which is deprecated: RDS no longer creates clusters with it (cfn-lint ${CFN_LINT_VERSION}, rule W3690). ` +
        'The context cdk-cross-region-failover:deployedEngineVersion says the database runs it already, so it is kept; upgrade the database ' +
        `(use one of ${usable16} (major version 16), or leave engineVersion unset for 16.13), then set engineVersion to that version and remove the context.`,
    ]));
    // The context names one version: another deprecated one is still refused.
    const other = new App({ context: { 'cdk-cross-region-failover:deployedEngineVersion': '16.6' } });
    const otherStacks = regionalStacks(other, TWO);
    expect(() => new MultiRegionAuroraPostgres(other, 'Database', {
      name: 'orders', engineVersion: rds.AuroraPostgresEngineVersion.VER_16_4, regions: otherStacks.map((s) => ({ stack: s.stack, vpc: s.vpc })),
    })).toThrow(/'engineVersion' is 16\.4, which is deprecated/);
  });

  test('a version that cannot be in a global database is refused', () => {
    expect(attempt(rds.AuroraPostgresEngineVersion.VER_17_1)).toThrow(
      "MultiRegionAuroraPostgres 'Database': 'engineVersion' is 17.1, which cannot be part of an Aurora global database (the lowest that can, " +
        `per major version: 11.9 and 11.13, 12.8, 13.4, 14.3, 15.2, 16.1, 17.4, 18.3): use one of ${usable17} (major version 17), or leave engineVersion unset for 16.13.`,
    );
    // A major version without global databases at all, and none RDS still creates.
    expect(attempt(rds.AuroraPostgresEngineVersion.VER_10_7)).toThrow(
      /'engineVersion' is 10\.7, which cannot be part of an Aurora global database .*: leave engineVersion unset for 16\.13, or use one of 18\.6, 18\.4, 18\.3, 17\.11, 17\.10, 17\.9\.$/,
    );
  });

  test('11.10 to 11.12, between the floor and the next supported version, are refused too', () => {
    expect(checkEngineVersion('11.10').error).toMatch(/^'engineVersion' is 11\.10, which cannot be part of an Aurora global database \(the lowest that can, per major version: 11\.9 and 11\.13,/);
  });

  test('a version that is not major.minor is refused', () => {
    expect(attempt(rds.AuroraPostgresEngineVersion.of('16', '16'))).toThrow(
      "MultiRegionAuroraPostgres 'Database': 'engineVersion' is 16, which is not an Aurora PostgreSQL major.minor version: use " +
        "AuroraPostgresEngineVersion.VER_16_13 or AuroraPostgresEngineVersion.of('<major>.<minor>', '<major>'), for example of('16.13', '16').",
    );
  });

  test('a version newer than this release\'s data synthesizes, with a warning in every Region\'s stack that says how to check it', () => {
    const { app } = build(TWO, { engineVersion: rds.AuroraPostgresEngineVersion.of('16.99', '16') });
    expect(synthWarnings(app).map((w) => [w.path, w.message])).toEqual(TWO.map((r) => [
      `/Stack-${r}/Database`,
      `'engineVersion' is 16.99, which the data of this release (cfn-lint ${CFN_LINT_VERSION}) does not list, so it could not check that RDS ` +
        'creates global databases with it. Check with: aws rds describe-db-engine-versions --engine aurora-postgresql --engine-version 16.99 ' +
        '--query "DBEngineVersions[].[EngineVersion,Status,SupportsGlobalDatabases]"',
    ]));
    expect(new Set(synthWarnings(app).map((w) => w.id))).toEqual(new Set(['cdk-cross-region-failover:engine-version-unknown']));
  });

  test('a warning is acknowledged for the whole app by its id', () => {
    const { app } = build(TWO, { deletionProtection: false });
    Annotations.of(app).acknowledgeWarning('cdk-cross-region-failover:deletion-protection-off', 'A scratch database');
    expect(synthWarnings(app)).toEqual([]);
  });

  test('the default and a current version of another major synthesize without a word', () => {
    expect(synthWarnings(build(TWO).app)).toEqual([]);
    expect(synthWarnings(build(TWO, { engineVersion: rds.AuroraPostgresEngineVersion.VER_17_9 }).app)).toEqual([]);
  });

  test('every version aws-cdk-lib names is either usable or refused; every deprecated one is refused; the default is usable', () => {
    const named = Object.entries(rds.AuroraPostgresEngineVersion)
      .filter(([key]) => /^VER_\d+_\d+$/.test(key))
      .map(([, v]) => (v as rds.AuroraPostgresEngineVersion).auroraPostgresFullVersion);
    expect(named.length).toBeGreaterThan(50);
    for (const version of named) {
      const finding = checkEngineVersion(version);
      const [major, minor] = version.split('.').map(Number);
      // Independent of the checker's table: what E1 in docs/aws-assumptions.md says about global databases.
      const globalFloor: Record<number, number> = { 11: 9, 12: 8, 13: 4, 14: 3, 15: 2, 16: 1, 17: 4, 18: 3 };
      const canBeGlobal = globalFloor[major] !== undefined && minor >= globalFloor[major] && !['11.10', '11.11', '11.12'].includes(version);
      if (DEPRECATED_AURORA_POSTGRES_VERSIONS.includes(version) || !canBeGlobal) {
        expect({ version, refused: finding.error !== undefined }).toEqual({ version, refused: true });
      } else if (KNOWN_AURORA_POSTGRES_VERSIONS.includes(version)) {
        expect({ version, finding }).toEqual({ version, finding: {} });
      } else {
        const outcome = { version, warned: finding.warning !== undefined, refused: finding.error !== undefined };
        expect(outcome).toEqual({ version, warned: true, refused: false });
      }
    }
    expect(checkEngineVersion(DEFAULT_ENGINE_VERSION.auroraPostgresFullVersion)).toEqual({});
    expect(KNOWN_AURORA_POSTGRES_VERSIONS).toContain(DEFAULT_ENGINE_VERSION.auroraPostgresFullVersion);
  });
});

describe('Region names', () => {
  function onRegions(regions: string[], context?: Record<string, unknown>) {
    const app = new App({ context });
    const stacks = regions.map((region) => new Stack(app, `Stack-${region}`, { env: { region } }));
    const vpc = new ec2.Vpc(stacks[0], 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    return () => new MultiRegionAuroraPostgres(app, 'Database', {
      name: 'orders',
      regions: stacks.map((stack) => ({ stack, vpc: stack === stacks[0] ? vpc : new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] }) })),
    });
  }

  test('a misspelt Region is refused, with the nearest Region aws-cdk-lib knows and the escape hatch for a newer one', () => {
    expect(onRegions(['us-east-1', 'us-eest-1'])).toThrow(
      "MultiRegionAuroraPostgres 'Database': 'regions[1]' is stack 'Stack-us-eest-1', whose Region 'us-eest-1' is not one aws-cdk-lib knows: " +
        "did you mean 'us-east-1'? For a Region newer than the installed aws-cdk-lib, upgrade aws-cdk-lib or list it in the context key " +
        'cdk-cross-region-failover:additionalRegions (cdk.json: "context": { "cdk-cross-region-failover:additionalRegions": ["us-eest-1"] }).',
    );
  });

  test('Regions of two partitions are refused', () => {
    expect(onRegions(['us-east-1', 'cn-north-1'])).toThrow(
      "MultiRegionAuroraPostgres 'Database': the Regions in 'regions' are in different partitions (aws, aws-cn: us-east-1 aws, cn-north-1 aws-cn): " +
        'a global database, its runbooks and its routing stay inside one partition; use Regions of one.',
    );
  });

  test('a name like no Region gets no guess', () => {
    expect(onRegions(['us-east-1', 'moon-base-1'])).toThrow(/whose Region 'moon-base-1' is not one aws-cdk-lib knows: For a Region newer/);
  });

  test('a Region newer than aws-cdk-lib is accepted when the context lists it, as a list or comma-separated', () => {
    expect(onRegions(['us-east-1', 'xx-new-1'], { 'cdk-cross-region-failover:additionalRegions': ['xx-new-1'] })).not.toThrow();
    expect(onRegions(['xx-new-2', 'xx-new-1'], { 'cdk-cross-region-failover:additionalRegions': 'xx-new-1, xx-new-2' })).not.toThrow();
    expect(onRegions(['us-east-1', 'xx-new-3'], { 'cdk-cross-region-failover:additionalRegions': 'xx-new-1' })).toThrow(/whose Region 'xx-new-3'/);
  });
});

describe('the PostgreSQL log group and the keys', () => {
  test('created before the cluster, by calls allowed on that one group', () => {
    const { stacks } = build(TWO);
    const template = Template.fromStack(stacks[0].stack);
    const logCalls = Object.entries(template.findResources('Custom::AWS'))
      .filter(([, r]) => JSON.stringify(r).includes('/aws/rds/cluster/orders-us-east-1/postgresql')).map(([id]) => id);
    expect(logCalls).toHaveLength(3);
    expect(clusterOf(template) as unknown as { DependsOn: string[] }).toMatchObject({ DependsOn: expect.arrayContaining(logCalls) });
    const statements = JSON.stringify(resolveIntrinsics(template.findResources('AWS::IAM::Policy')));
    const group = 'arn:aws:logs:us-east-1:111111111111:log-group:/aws/rds/cluster/orders-us-east-1/postgresql';
    for (const action of ['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:AssociateKmsKey']) {
      expect(statements).toContain(`{"Action":"${action}","Effect":"Allow","Resource":["${group}","${group}:*"]}`);
    }
  });

  test('RetentionDays.INFINITE removes the retention policy (PutRetentionPolicy does not take it)', () => {
    const { stacks } = build(TWO, { cloudwatchLogsRetention: logs.RetentionDays.INFINITE });
    const template = Template.fromStack(stacks[0].stack);
    expect(postgresLog(template)).toMatchObject({ retentionInDays: 'never expire' });
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).toContain('"Action":"logs:DeleteRetentionPolicy"');
  });

  test('a key of the app given as kmsKey lets CloudWatch Logs of its Region use it, like a key the construct creates', () => {
    const app = new App();
    const stacks = regionalStacks(app, TWO);
    const keys = stacks.map((s) => new kms.Key(s.stack, 'UserKey', { enableKeyRotation: true }));
    new MultiRegionAuroraPostgres(app, 'Database', { name: 'orders', regions: stacks.map((s, i) => ({ stack: s.stack, vpc: s.vpc, kmsKey: keys[i] })) });
    TWO.forEach((region, i) => {
      Template.fromStack(stacks[i].stack).hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: `logs.${region}.amazonaws.com` } })]) },
      });
    });
  });

  test('the secondary\'s replica is encrypted with a key this stack may use: that key, by ARN', () => {
    const { stacks } = build(TWO);
    const statements = JSON.stringify(resolveIntrinsics(Template.fromStack(stacks[1].stack).findResources('AWS::IAM::Policy')));
    expect(statements).toMatch(/\{"Action":\["kms:GenerateDataKey","kms:Encrypt","kms:Decrypt"\],"Effect":"Allow","Resource":"DatabaseKey[0-9A-F]+\.Arn"\}/);
  });
});
