/**
 * The baseline of `npm run bench`'s synthesis ratio: the deployment of the minimal example
 * (`examples/minimal/stacks.ts`), written by hand with aws-cdk-lib alone, the way a CDK user
 * would without this library. It makes the same stacks (`<name>-<region>` per Region and
 * `<name>-routing`, in the same Regions, without cross-Region references) with the same
 * CloudFormation resource types in the same counts per stack, for 2 to 11 Regions: a VPC
 * with flow logs, an Aurora PostgreSQL global database (a writer and a reader in the first
 * Region, headless secondaries), an API behind `api.<zone>` in every Region with a custom
 * domain and WAF, SSM Automation runbooks with their step function and self-test, the
 * alarms and AWS Health rule of every Region, and, in the routing stack, the ARC cluster,
 * routing controls, DNS records, a dashboard and, for exactly two Regions, an ARC Region
 * switch plan. The Lambda functions use the same prebundled directories under `assets/`,
 * so asset hashing costs the same.
 *
 * It need not match the library property for property; `build-tools/bench.ts` checks that
 * the resource counts per stack match (`compare-resources.ts`) before it compares timings,
 * and `test/hand-written-app.test.ts` checks it at 2 and 3 Regions.
 */
import { createHash } from 'crypto';
import * as path from 'path';
import { ArnFormat, CfnOutput, CustomResource, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as arcregionswitch from 'aws-cdk-lib/aws-arcregionswitch';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as arc from 'aws-cdk-lib/aws-route53recoverycontrol';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

export interface HandWrittenAppOptions {
  /** Name of the deployment; stacks are named `<name>-<region>` and `<name>-routing`. */
  readonly name: string;
  /** The Regions, primary first. */
  readonly regions: string[];
  /** The Region of the routing stack (ARC resources, DNS records, dashboard). */
  readonly routingRegion: string;
  readonly hostedZoneId: string;
  readonly zoneName: string;
}

const ASSETS = path.join(__dirname, '..', 'assets');
const ENGINE_VERSION = rds.AuroraPostgresEngineVersion.VER_16_13;
const PERIOD = Duration.minutes(1);
const METRIC_NAMESPACE = 'CdkCrossRegionFailover';

/** What every Region's stack shares with the others, all of it known before synthesis. */
interface Deployment extends HandWrittenAppOptions {
  readonly primary: string;
  readonly domainName: string;
  readonly clusterId: (region: string) => string;
  readonly parameter: (what: string) => string;
  readonly secretName: string;
}

export function buildHandWrittenApp(scope: Construct, options: HandWrittenAppOptions): void {
  const d: Deployment = {
    ...options,
    primary: options.regions[0],
    domainName: `api.${options.zoneName}`,
    clusterId: (region) => `${options.name}-${region}`,
    // Where the prebundled runbook-step function and the command-line tool look.
    parameter: (what) => `/cdk-cross-region-failover/${options.name}/${what}`,
    secretName: `${options.name}-aurora-master`,
  };
  const stacks = options.regions.map((region) => buildRegion(scope, d, region));
  // Secondaries join the global cluster the primary's stack creates.
  stacks.slice(1).forEach((stack) => stack.addDependency(stacks[0]));
  const routing = buildRouting(scope, d);
  // The DNS records read each Region's custom domain, and the grants name each Region's step role.
  stacks.forEach((stack) => routing.addDependency(stack));
}

// ---------------------------------------------------------------------------------------
// A Region
// ---------------------------------------------------------------------------------------

function buildRegion(scope: Construct, d: Deployment, region: string): Stack {
  const stack = new Stack(scope, `${d.name}-${region}`, { env: { region } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
    flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs() } },
  });
  const db = buildDatabase(stack, d, region, vpc);
  const handler = whereAmI(stack);
  const api = buildApi(stack, d, region, handler);
  const topic = buildObservation(stack, d, region, api, handler);
  buildRunbooks(stack, d, region, db, topic);
  return stack;
}

/** A KMS key that the Region's CloudWatch log groups may use too. */
function logsKey(stack: Stack, id: string, description: string, alias?: string): kms.Key {
  const key = new kms.Key(stack, id, { description, enableKeyRotation: true, alias, removalPolicy: RemovalPolicy.RETAIN });
  key.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn(stack, '*') } },
  }));
  return key;
}

function logGroupArn(stack: Stack, name: string, region?: string): string {
  return stack.formatArn({ service: 'logs', region, resource: 'log-group', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/** An AWS API call on create (and, unless `onUpdate` is false, on update) with its own policy. */
function sdkCall(
  stack: Stack, id: string, call: cr.AwsSdkCall, statements: iam.PolicyStatement[],
  more: { onUpdate?: cr.AwsSdkCall | false; onDelete?: cr.AwsSdkCall } = {},
): cr.AwsCustomResource {
  return new cr.AwsCustomResource(stack, id, {
    onCreate: call,
    onUpdate: more.onUpdate === false ? undefined : more.onUpdate ?? call,
    onDelete: more.onDelete,
    policy: cr.AwsCustomResourcePolicy.fromStatements(statements),
    installLatestAwsSdk: false,
  });
}

interface Database {
  readonly key: kms.Key;
  readonly cluster: rds.CfnDBCluster;
  readonly subnetGroupName: string;
  readonly parameterGroupName: string;
  /** The instances CloudFormation creates (none in a headless secondary), and their monitoring role. */
  readonly instanceIds: string[];
  readonly monitoringRoleArn?: string;
}

function buildDatabase(stack: Stack, d: Deployment, region: string, vpc: ec2.Vpc): Database {
  const isPrimary = region === d.primary;
  const clusterId = d.clusterId(region);
  const key = logsKey(stack, 'DatabaseKey', `Encrypts the ${d.name} database in ${region} and its log groups`, `${d.name}-aurora`);
  const engine = rds.DatabaseClusterEngine.auroraPostgres({ version: ENGINE_VERSION });
  const securityGroup = new ec2.SecurityGroup(stack, 'DatabaseSecurityGroup', { vpc, description: `Aurora cluster ${clusterId}`, allowAllOutbound: false });
  const subnetGroup = new rds.SubnetGroup(stack, 'DatabaseSubnetGroup', {
    vpc, description: `Subnets of Aurora cluster ${clusterId}`, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, removalPolicy: RemovalPolicy.DESTROY,
  });
  const parameterGroup = new rds.ParameterGroup(stack, 'DatabaseParameters', { engine, parameters: { 'rds.force_ssl': '1' }, removalPolicy: RemovalPolicy.DESTROY });

  // RDS creates the exported log group itself, unencrypted and kept forever; create it
  // first (or adopt it), then set its retention and key.
  const logGroupName = `/aws/rds/cluster/${clusterId}/postgresql`;
  const logGroupArns = [logGroupName, `${logGroupName}:*`].map((name) => logGroupArn(stack, name));
  const logsCall = (id: string, action: string, parameters: object, onUpdate = true) => sdkCall(stack, id, {
    service: 'CloudWatchLogs',
    action,
    parameters,
    physicalResourceId: cr.PhysicalResourceId.of(logGroupName),
    ignoreErrorCodesMatching: action === 'createLogGroup' ? 'ResourceAlreadyExistsException' : undefined,
  }, [new iam.PolicyStatement({ actions: [`logs:${action[0].toUpperCase()}${action.slice(1)}`], resources: logGroupArns })], { onUpdate: onUpdate ? undefined : false });
  const createLog = logsCall('PostgresqlLogCreate', 'createLogGroup', { logGroupName }, false);
  const logRetention = logsCall('PostgresqlLogRetention', 'putRetentionPolicy', { logGroupName, retentionInDays: 90 });
  const logKey = logsCall('PostgresqlLogKey', 'associateKmsKey', { logGroupName, kmsKeyId: key.keyArn });
  logRetention.node.addDependency(createLog);
  logKey.node.addDependency(createLog);

  let cluster: rds.CfnDBCluster;
  let instanceIds: string[] = [];
  let monitoringRole: iam.Role | undefined;
  if (isPrimary) {
    const globalCluster = new rds.CfnGlobalCluster(stack, 'GlobalCluster', {
      globalClusterIdentifier: d.name, engine: 'aurora-postgresql', engineVersion: ENGINE_VERSION.auroraPostgresFullVersion, storageEncrypted: true, deletionProtection: true,
    });
    const secret = new secretsmanager.Secret(stack, 'DatabaseSecret', {
      secretName: d.secretName,
      description: `Master credentials of the ${d.name} database`,
      encryptionKey: key,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: 'dbadmin', engine: 'postgres', port: 5432, dbname: 'remittance' }),
        generateStringKey: 'password',
        passwordLength: 32,
        excludeCharacters: ' %+~`#$&*()|[]{}:;<>?!\'/@"\\',
      },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    monitoringRole = new iam.Role(stack, 'DatabaseMonitoringRole', {
      assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
      description: `Lets RDS Enhanced Monitoring publish the OS metrics of ${clusterId}`,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole')],
    });
    const instance = { enablePerformanceInsights: true, performanceInsightEncryptionKey: key, publiclyAccessible: false };
    const l2 = new rds.DatabaseCluster(stack, 'Database', {
      engine,
      clusterIdentifier: clusterId,
      // The secret is the user's own (a fixed name other Regions replicate), so no attachment.
      credentials: rds.Credentials.fromPassword('dbadmin', secret.secretValueFromJson('password')),
      defaultDatabaseName: 'remittance',
      writer: rds.ClusterInstance.serverlessV2('Instance1', instance),
      readers: [rds.ClusterInstance.serverlessV2('Instance2', { ...instance, scaleWithWriter: true })],
      serverlessV2MinCapacity: 0.5,
      serverlessV2MaxCapacity: 16,
      vpc,
      securityGroups: [securityGroup],
      subnetGroup,
      parameterGroup,
      storageEncryptionKey: key,
      iamAuthentication: true,
      cloudwatchLogsExports: ['postgresql'],
      monitoringInterval: Duration.minutes(1),
      monitoringRole,
      backup: { retention: Duration.days(7) },
      deletionProtection: true,
      copyTagsToSnapshot: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    cluster = l2.node.defaultChild as rds.CfnDBCluster;
    cluster.globalClusterIdentifier = globalCluster.ref;
    instanceIds = l2.instanceIdentifiers;
  } else {
    // The L2 cluster needs a writer; a headless secondary is an L1 cluster.
    cluster = new rds.CfnDBCluster(stack, 'Database', {
      dbClusterIdentifier: clusterId,
      globalClusterIdentifier: d.name,
      engine: 'aurora-postgresql',
      engineVersion: ENGINE_VERSION.auroraPostgresFullVersion,
      port: 5432,
      dbSubnetGroupName: subnetGroup.subnetGroupName,
      vpcSecurityGroupIds: [securityGroup.securityGroupId],
      dbClusterParameterGroupName: parameterGroup.bindToCluster({}).parameterGroupName,
      storageEncrypted: true,
      kmsKeyId: key.keyArn,
      serverlessV2ScalingConfiguration: { minCapacity: 0.5, maxCapacity: 16 },
      enableCloudwatchLogsExports: ['postgresql'],
      enableIamDatabaseAuthentication: true,
      backupRetentionPeriod: 7,
      deletionProtection: true,
      copyTagsToSnapshot: true,
    });
    cluster.applyRemovalPolicy(RemovalPolicy.SNAPSHOT);
    // The master secret, replicated from the primary Region with this Region's key.
    const secretArn = (r: string) => stack.formatArn({ service: 'secretsmanager', region: r, resource: 'secret', resourceName: `${d.secretName}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    sdkCall(stack, 'DatabaseSecretReplica', {
      service: 'SecretsManager',
      action: 'replicateSecretToRegions',
      region: d.primary,
      parameters: { SecretId: d.secretName, AddReplicaRegions: [{ Region: region, KmsKeyId: key.keyArn }], ForceOverwriteReplicaSecret: false },
      physicalResourceId: cr.PhysicalResourceId.of(`${d.secretName}@${region}`),
    }, [
      new iam.PolicyStatement({ actions: ['secretsmanager:ReplicateSecretToRegions', 'secretsmanager:RemoveRegionsFromReplication'], resources: [secretArn(d.primary)] }),
      new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: ['*'], conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${d.primary}.amazonaws.com` } } }),
      new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'], resources: [key.keyArn] }),
    ], {
      onUpdate: false,
      onDelete: {
        service: 'SecretsManager',
        action: 'removeRegionsFromReplication',
        region: d.primary,
        parameters: { SecretId: d.secretName, RemoveReplicaRegions: [region] },
        ignoreErrorCodesMatching: 'ResourceNotFoundException',
      },
    });
  }
  cluster.node.addDependency(createLog, logRetention, logKey);

  const globalArn = stack.formatArn({ service: 'rds', region: '', resource: 'global-cluster', resourceName: d.name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  const writerEndpoint = sdkCall(stack, 'GlobalWriterEndpoint', {
    service: 'RDS',
    action: 'describeGlobalClusters',
    parameters: { GlobalClusterIdentifier: d.name },
    physicalResourceId: cr.PhysicalResourceId.of(`${d.name}-global-writer-endpoint`),
    outputPaths: ['GlobalClusters.0.Endpoint'],
  }, [new iam.PolicyStatement({ actions: ['rds:DescribeGlobalClusters'], resources: [globalArn] })]);
  writerEndpoint.node.addDependency(cluster);
  new CfnOutput(stack, 'WriterEndpoint', { value: writerEndpoint.getResponseField('GlobalClusters.0.Endpoint'), description: `The ${d.name} global writer endpoint` });

  new ssm.StringParameter(stack, 'DatabaseTopology', {
    parameterName: d.parameter('aurora'),
    description: `The ${d.name} global database: its Regions and clusters`,
    tier: ssm.ParameterTier.INTELLIGENT_TIERING,
    stringValue: stack.toJsonString({
      globalClusterIdentifier: d.name,
      globalClusterArn: globalArn,
      secretName: d.secretName,
      port: 5432,
      regions: d.regions.map((r) => ({ region: r, clusterIdentifier: d.clusterId(r), initialPrimary: r === d.primary })),
    }),
  });
  new ssm.StringParameter(stack, 'DatabaseClusterSpec', {
    parameterName: d.parameter('aurora-cluster'),
    description: `How ${clusterId} was created, to create it again as a secondary`,
    tier: ssm.ParameterTier.INTELLIGENT_TIERING,
    stringValue: stack.toJsonString({
      region,
      clusterIdentifier: clusterId,
      engineVersion: ENGINE_VERSION.auroraPostgresFullVersion,
      port: 5432,
      subnetGroupName: subnetGroup.subnetGroupName,
      securityGroupIds: [securityGroup.securityGroupId],
      parameterGroupName: cluster.dbClusterParameterGroupName,
      kmsKeyId: key.keyArn,
      serverlessV2Scaling: { minCapacity: 0.5, maxCapacity: 16 },
    }),
  });
  return {
    key,
    cluster,
    instanceIds,
    monitoringRoleArn: monitoringRole?.roleArn,
    subnetGroupName: subnetGroup.subnetGroupName,
    parameterGroupName: parameterGroup.bindToCluster({}).parameterGroupName,
  };
}

/** The example's handler: answers with the Region that served the request. */
function whereAmI(stack: Stack): lambda.Function {
  const logGroup = new logs.LogGroup(stack, 'WhereAmILogs', { retention: logs.RetentionDays.ONE_MONTH });
  const role = new iam.Role(stack, 'WhereAmIRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  return new lambda.Function(stack, 'WhereAmI', {
    role,
    logGroup,
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(
      'exports.handler = async () => ({ statusCode: 200, headers: { "content-type": "application/json" }, ' +
        'body: JSON.stringify({ region: process.env.AWS_REGION }) });',
    ),
  });
}

function buildApi(stack: Stack, d: Deployment, region: string, handler: lambda.Function): apigateway.RestApi {
  const key = logsKey(stack, 'ApiLogKey', `Encrypts the log groups of the ${d.name} API in ${region}`);
  const accessLogs = new logs.LogGroup(stack, 'ApiAccessLogs', { encryptionKey: key, retention: logs.RetentionDays.THREE_MONTHS });
  const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: d.hostedZoneId, zoneName: d.zoneName });
  const certificate = new acm.Certificate(stack, 'ApiCertificate', { domainName: d.domainName, validation: acm.CertificateValidation.fromDns(zone) });
  const api = new apigateway.LambdaRestApi(stack, 'Api', {
    handler,
    restApiName: `${d.name}-${region}`,
    description: `${d.name} API in ${region}, routed by ARC`,
    endpointTypes: [apigateway.EndpointType.REGIONAL],
    disableExecuteApiEndpoint: true,
    cloudWatchRole: true,
    deployOptions: {
      stageName: 'live',
      accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
      accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
      loggingLevel: apigateway.MethodLoggingLevel.ERROR,
      metricsEnabled: true,
      tracingEnabled: true,
      throttlingBurstLimit: 500,
      throttlingRateLimit: 1000,
    },
    domainName: {
      domainName: d.domainName,
      certificate,
      endpointType: apigateway.EndpointType.REGIONAL,
      securityPolicy: apigateway.SecurityPolicy.TLS_1_2,
    },
  });

  const managed = ['AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet'];
  const visibility = (metricName: string) => ({ cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });
  const webAcl = new wafv2.CfnWebACL(stack, 'ApiWebAcl', {
    name: `${d.name}-${region}`,
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: visibility(`${d.name}-${region}`),
    rules: [
      ...managed.map((name, priority) => ({
        name, priority, overrideAction: { none: {} }, statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } }, visibilityConfig: visibility(name),
      })),
      {
        name: 'RateLimitPerIp',
        priority: managed.length,
        action: { block: {} },
        statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit: 2000 } },
        visibilityConfig: visibility('RateLimitPerIp'),
      },
    ],
  });
  new wafv2.CfnWebACLAssociation(stack, 'ApiWebAclAssociation', { resourceArn: api.deploymentStage.stageArn, webAclArn: webAcl.attrArn });
  // WAF logs to groups named aws-waf-logs-*; the stack id lets a re-created stack not collide with the kept group.
  const wafLogs = new logs.LogGroup(stack, 'ApiWebAclLogs', {
    logGroupName: `aws-waf-logs-${d.name}-${Fn.select(2, Fn.split('/', stack.stackId))}`,
    encryptionKey: key,
    retention: logs.RetentionDays.THREE_MONTHS,
  });
  new wafv2.CfnLoggingConfiguration(stack, 'ApiWebAclLogging', {
    resourceArn: webAcl.attrArn,
    logDestinationConfigs: [logGroupArn(stack, wafLogs.logGroupName)],
  });
  return api;
}

/** Alarms, the AWS Health rule and the "Region impaired" alarm; returns the alarm topic. */
function buildObservation(stack: Stack, d: Deployment, region: string, api: apigateway.RestApi, fn: lambda.Function): sns.Topic {
  const prefix = `${d.name}-${region}`;
  const key = logsKey(stack, 'AlarmTopicKey', `Encrypts the ${d.name} alarm topic in ${region}`);
  key.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com'), new iam.ServicePrincipal('events.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
  }));
  const deadLetters = new sqs.Queue(stack, 'DeadLetterQueue', {
    encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key, enforceSSL: true, retentionPeriod: Duration.days(14),
  });
  const topic = new sns.Topic(stack, 'AlarmTopic', { topicName: `${d.name}-alarms`, displayName: `${d.name} alarms in ${region}`, masterKey: key, enforceSSL: true });
  const action = new cwActions.SnsAction(topic);
  const alarm = (id: string, suffix: string, metric: cloudwatch.IMetric, threshold: number, description: string,
    comparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, evaluationPeriods = 3) => {
    const a = new cloudwatch.Alarm(stack, id, {
      alarmName: `${prefix}-${suffix}`,
      alarmDescription: `${description} (${d.name}, ${region})`,
      metric,
      threshold,
      evaluationPeriods,
      datapointsToAlarm: evaluationPeriods,
      comparisonOperator,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    a.addAlarmAction(action);
    a.addOkAction(action);
    return a;
  };
  const rate = (label: string, errors: cloudwatch.IMetric, total: cloudwatch.IMetric) =>
    new cloudwatch.MathExpression({ expression: 'IF(total > 0, 100 * errors / total, 0)', usingMetrics: { errors, total }, label, period: PERIOD });
  const aurora = (metricName: string, statistic: string, unit?: cloudwatch.Unit) =>
    new cloudwatch.Metric({ namespace: 'AWS/RDS', metricName, dimensionsMap: { DBClusterIdentifier: d.clusterId(region) }, statistic, unit, period: PERIOD });

  const api5xx = alarm('Api5xxRate', 'api-5xx-rate', rate('API 5xx rate (%)',
    api.metricServerError({ period: PERIOD, statistic: 'Sum' }), api.metricCount({ period: PERIOD, statistic: 'Sum' })), 5, 'API requests answered 5xx, in percent');
  const apiLatency = alarm('ApiLatencyP99', 'api-latency-p99', api.metricLatency({ period: PERIOD, statistic: 'p99' }), 2000, 'API p99 latency, in ms');
  const lambdaErrors = alarm('LambdaErrorRate', 'lambda-error-rate', rate('Lambda error rate (%)',
    fn.metricErrors({ period: PERIOD, statistic: 'Sum' }), fn.metricInvocations({ period: PERIOD, statistic: 'Sum' })), 5, 'Failed invocations, in percent');
  alarm('LambdaThrottles', 'lambda-throttles', fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }), 10, 'Throttled invocations per minute');
  alarm('LambdaDurationP99', 'lambda-duration-p99', fn.metricDuration({ period: PERIOD, statistic: 'p99' }), 10_000, 'p99 duration, in ms');
  alarm('AuroraCpu', 'aurora-cpu', aurora('CPUUtilization', 'Maximum', cloudwatch.Unit.PERCENT), 80, 'Aurora CPU of the busiest instance, in percent');
  alarm('AuroraConnections', 'aurora-connections', aurora('DatabaseConnections', 'Maximum'), 1000, 'Aurora database connections');
  const commitLatency = alarm('AuroraCommitLatency', 'aurora-commit-latency', aurora('CommitLatency', 'Average', cloudwatch.Unit.MILLISECONDS), 100, 'Aurora commit latency, in ms');
  alarm('RpoLag', 'rpo-lag', aurora('AuroraGlobalDBRPOLag', 'Maximum', cloudwatch.Unit.MILLISECONDS), 30_000, 'Replication lag while a secondary, in ms');

  // AWS Health issues of the services the Region depends on: to the topic, and kept in a log group.
  const services = ['APIGATEWAY', 'LAMBDA', 'RDS', 'EVENTS', 'SNS', 'CLOUDWATCH'];
  const healthLogs = new logs.LogGroup(stack, 'HealthEvents', {
    logGroupName: `/aws/events/${d.name}-health-${Fn.select(2, Fn.split('/', stack.stackId))}`,
    retention: logs.RetentionDays.ONE_YEAR,
    encryptionKey: key,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  // The CloudWatchLogGroup target would add a custom resource for the log group's resource
  // policy; a plain target and an AWS::Logs::ResourcePolicy do the same.
  const logTarget: events.IRuleTarget = {
    bind: () => ({
      arn: logGroupArn(stack, healthLogs.logGroupName),
      deadLetterConfig: { arn: deadLetters.queueArn },
    }),
  };
  const healthRule = new events.Rule(stack, 'HealthEventRule', {
    ruleName: `${d.name}-health-issues`,
    description: `AWS Health issues of ${services.join(', ')} in ${region}, for ${d.name}`,
    eventPattern: { source: ['aws.health'], detailType: ['AWS Health Event'], detail: { service: services, eventTypeCategory: ['issue'] } },
    targets: [new targets.SnsTopic(topic, { deadLetterQueue: deadLetters }), logTarget],
  });
  new logs.ResourcePolicy(stack, 'HealthEventsLogPolicy', {
    resourcePolicyName: `${d.name}-health-events`,
    policyStatements: [new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('events.amazonaws.com'), new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [healthLogs.logGroupArn],
    })],
  });
  alarm('DeadLetterAlarm', 'undelivered-events', deadLetters.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }), 0,
    'An AWS Health event could not be delivered: read the dead-letter queue', undefined, 1);
  const health = alarm('HealthEventAlarm', 'health-issue', new cloudwatch.Metric({
    namespace: 'AWS/Events', metricName: 'TriggeredRules', dimensionsMap: { RuleName: healthRule.ruleName }, statistic: 'Sum', period: Duration.minutes(15),
  }), 1, 'AWS Health reported an issue in the last 15 minutes', cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, 1);

  const impaired = new cloudwatch.CompositeAlarm(stack, 'RegionImpaired', {
    compositeAlarmName: `${prefix}-region-impaired`,
    alarmDescription: `${region} is impaired for ${d.name}: any of the API, Lambda, commit latency and AWS Health alarms`,
    alarmRule: cloudwatch.AlarmRule.anyOf(...[api5xx, apiLatency, lambdaErrors, commitLatency, health]
      .map((a) => cloudwatch.AlarmRule.fromAlarm(a, cloudwatch.AlarmState.ALARM))),
  });
  impaired.addAlarmAction(action);
  impaired.addOkAction(action);
  return topic;
}

// ---------------------------------------------------------------------------------------
// The runbooks: SSM Automation documents whose steps invoke one Lambda function
// ---------------------------------------------------------------------------------------

type Step = Record<string, unknown>;

function buildRunbooks(stack: Stack, d: Deployment, region: string, db: Database, topic: sns.Topic): void {
  const functionName = `${d.name}-runbook-steps`;
  const parameterArn = (what: string) => stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: d.parameter(what).slice(1) });

  const stepLogs = new logs.LogGroup(stack, 'RunbookLogs', { encryptionKey: db.key, retention: logs.RetentionDays.ONE_YEAR });
  const stepRole = new iam.Role(stack, 'RunbookStepRole', {
    roleName: `${d.name}-runbook-steps-${region}`,
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Runbook steps of ${d.name} in ${region}`,
  });
  stepLogs.grantWrite(stepRole);
  grantRunbookSteps(stepRole, d, region, db);
  const stepFunction = new lambda.Function(stack, 'RunbookStep', {
    functionName,
    description: `Runs one step of the ${d.name} runbooks in ${region}`,
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(path.join(ASSETS, 'ssm', 'runbook-step.lambda')),
    role: stepRole,
    logGroup: stepLogs,
    memorySize: 256,
    timeout: Duration.minutes(4),
    tracing: lambda.Tracing.ACTIVE,
    environment: {
      AURORA_TOPOLOGY_PARAMETER: d.parameter('aurora'),
      ROUTING_TOPOLOGY_PARAMETER: d.parameter('routing'),
      CLUSTER_SPEC_PARAMETER: d.parameter('aurora-cluster'),
      AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
    },
  });
  stepRole.addToPolicy(new iam.PolicyStatement({ sid: 'WriteTheReadiness', actions: ['ssm:PutParameter'], resources: [parameterArn('readiness')] }));
  stepRole.addToPolicy(new iam.PolicyStatement({
    sid: 'PublishTheReadiness', actions: ['cloudwatch:PutMetricData'], resources: ['*'], conditions: { StringEquals: { 'cloudwatch:namespace': METRIC_NAMESPACE } },
  }));
  const automationRole = new iam.Role(stack, 'RunbookAutomationRole', {
    roleName: `${d.name}-runbooks-${region}`,
    description: `Runs the ${d.name} runbooks in ${region}; it may only invoke their step function`,
    assumedBy: new iam.ServicePrincipal('ssm.amazonaws.com', {
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'ssm', resource: 'automation-execution', resourceName: '*' }) },
      },
    }),
  });
  stepFunction.grantInvoke(automationRole);
  new ssm.StringParameter(stack, 'RunbooksParameter', {
    parameterName: d.parameter('runbooks'),
    description: `Where the ${d.name} runbooks are`,
    tier: ssm.ParameterTier.INTELLIGENT_TIERING,
    stringValue: JSON.stringify({ name: d.name, regions: d.regions, documents: ['Switchover', 'Failover', 'Failback', 'Rebuild'].map((r) => `${d.name}-${r}`) }),
  });

  // Each step hands its name and the execution's parameters to the step function.
  const invoke = (runbook: string, name: string, inputs: string[], more: Step = {}): Step => ({
    name,
    action: 'aws:invokeLambdaFunction',
    timeoutSeconds: 290,
    maxAttempts: 1,
    onFailure: 'step:Report',
    inputs: {
      FunctionName: functionName,
      Payload: JSON.stringify(Object.fromEntries([['Runbook', runbook], ['Step', name], ['ExecutionId', '{{ automation:EXECUTION_ID }}'],
        ...inputs.map((p) => [p, `{{ ${p} }}`])])),
    },
    ...more,
  });
  const waitForCluster = (name: string, selector: string, desired: string[]): Step => ({
    name,
    action: 'aws:waitForAwsResourceProperty',
    timeoutSeconds: 1800,
    onFailure: 'step:Report',
    inputs: { Service: 'rds', Api: 'DescribeDBClusters', DBClusterIdentifier: d.clusterId(region), PropertySelector: selector, DesiredValues: desired },
  });
  const approval = (next: string): Step[] => [
    { name: 'ApprovalRequired', action: 'aws:branch', inputs: { Choices: [{ NextStep: 'Approve', Variable: '{{ RequireApproval }}', BooleanEquals: true }], Default: next } },
    {
      name: 'Approve',
      action: 'aws:approve',
      timeoutSeconds: 3600,
      onFailure: 'step:Report',
      inputs: { Approvers: '{{ Approvers }}', MinRequiredApprovals: 1, Message: `Approve the ${d.name} runbook {{ automation:EXECUTION_ID }} in ${region}` },
    },
  ];
  const common = {
    TargetRegion: { type: 'String', description: 'The Region to activate (this one)', allowedValues: d.regions, default: region },
    RequireApproval: { type: 'Boolean', description: 'Whether an approver must approve before any change', default: false },
    Approvers: { type: 'StringList', description: 'IAM users or roles that may approve', default: ['none'] },
  };
  const runbook = (kind: string, description: string, parameters: Record<string, object>, steps: Step[]) => ({
    kind,
    content: {
      schemaVersion: '0.3',
      description,
      parameters: { ...common, ...parameters },
      mainSteps: [...steps, invoke(kind, 'Report', Object.keys({ ...common, ...parameters }), { onFailure: 'Abort', isEnd: true })],
      outputs: ['Report.Payload'],
    } as Record<string, unknown>,
  });
  const lag = { MaxRpoLagSeconds: { type: 'Integer', description: 'The largest replication lag to accept', default: 30 } };
  const documents = [
    runbook('Switchover', `Planned switchover of ${d.name} to this Region, no data loss: checks, SwitchoverGlobalCluster, then routing.`, lag, [
      invoke('switchover', 'Preflight', ['TargetRegion', 'MaxRpoLagSeconds']), ...approval('SwitchoverGlobalCluster'),
      invoke('switchover', 'SwitchoverGlobalCluster', ['TargetRegion']), waitForCluster('WaitForWriter', '$.DBClusters[0].Status', ['available']),
      invoke('switchover', 'RouteTraffic', ['TargetRegion']), invoke('switchover', 'Verify', ['TargetRegion']),
    ]),
    runbook('Failover', `Failover of ${d.name} to this Region away from an impaired one; may lose unreplicated writes.`, {
      AllowDataLoss: { type: 'Boolean', description: 'Must be true: the writes not yet replicated are lost', default: false },
    }, [
      invoke('failover', 'Preflight', ['TargetRegion', 'AllowDataLoss']), ...approval('RouteTraffic'),
      invoke('failover', 'RouteTraffic', ['TargetRegion']), invoke('failover', 'PromoteTarget', ['TargetRegion', 'AllowDataLoss']),
      waitForCluster('WaitUntilWritable', '$.DBClusters[0].Status', ['available']), invoke('failover', 'Verify', ['TargetRegion']),
    ]),
    runbook('Failback', `Failback of ${d.name} to this Region once it has rejoined and caught up.`, lag, [
      invoke('failback', 'Preflight', ['TargetRegion', 'MaxRpoLagSeconds']), invoke('failback', 'CheckInSync', ['TargetRegion', 'MaxRpoLagSeconds']),
      ...approval('SwitchoverGlobalCluster'), invoke('failback', 'SwitchoverGlobalCluster', ['TargetRegion']),
      waitForCluster('WaitForWriter', '$.DBClusters[0].Status', ['available']), invoke('failback', 'RouteTraffic', ['TargetRegion']),
    ]),
    runbook('Rebuild', `Makes this Region a secondary of the ${d.name} global database again after a detach.`, {}, [
      invoke('rebuild', 'Preflight', ['TargetRegion']), ...approval('ReplaceStaleCluster'),
      invoke('rebuild', 'ReplaceStaleCluster', ['TargetRegion']), waitForCluster('WaitUntilJoined', '$.DBClusters[0].Status', ['available']),
    ]),
    {
      kind: 'SelfTest',
      content: {
        schemaVersion: '0.3',
        description: 'Checks that script steps, outputs and branches behave as the runbooks assume. Read-only.',
        parameters: { Probe: { type: 'String', default: 'self-test' } },
        mainSteps: [
          {
            name: 'Start',
            action: 'aws:executeScript',
            inputs: { Runtime: 'python3.11', Handler: 'handler', Script: 'def handler(events, context):\n    return {"Probe": events["Probe"]}\n', InputPayload: { Probe: '{{ Probe }}' } },
            outputs: [{ Name: 'Probe', Selector: '$.Payload.Probe', Type: 'String' }],
          },
          { name: 'BranchOnOutput', action: 'aws:branch', inputs: { Choices: [{ NextStep: 'Report', Variable: '{{ Start.Probe }}', StringEquals: '{{ Probe }}' }] } },
          { name: 'Report', action: 'aws:executeScript', isEnd: true, inputs: { Runtime: 'python3.11', Handler: 'handler', Script: 'def handler(events, context):\n    return {"Detail": "ok"}\n' } },
        ],
      } as Record<string, unknown>,
    },
  ];
  const cfnDocuments = documents.map(({ kind, content }) => new ssm.CfnDocument(stack, `${kind}Document`, {
    name: `${d.name}-${kind}`,
    documentType: 'Automation',
    documentFormat: 'YAML',
    updateMethod: 'NewVersion',
    content: { ...content, assumeRole: automationRole.roleArn },
  }));

  // Runs the self-test document on every deployment that changes a document.
  const selfTestName = `${d.name}-SelfTest`;
  const selfTestFunction = new lambda.Function(stack, 'SelfTestFunction', {
    description: `Runs ${selfTestName} on deployment and fails the deployment when it fails (${region})`,
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(path.join(ASSETS, 'ssm', 'self-test.lambda')),
    logGroup: stepLogs,
    memorySize: 256,
    timeout: Duration.minutes(10),
    tracing: lambda.Tracing.ACTIVE,
  });
  stepLogs.grantWrite(selfTestFunction);
  selfTestFunction.addToRolePolicy(new iam.PolicyStatement({
    actions: ['ssm:StartAutomationExecution'],
    resources: [
      stack.formatArn({ service: 'ssm', resource: 'automation-definition', resourceName: `${selfTestName}:*` }),
      stack.formatArn({ service: 'ssm', resource: 'document', resourceName: selfTestName }),
    ],
  }));
  selfTestFunction.addToRolePolicy(new iam.PolicyStatement({
    actions: ['ssm:GetAutomationExecution'], resources: [stack.formatArn({ service: 'ssm', resource: 'automation-execution', resourceName: '*' })],
  }));
  automationRole.grantPassRole(selfTestFunction.grantPrincipal);
  const selfTest = new CustomResource(stack, 'SelfTest', {
    serviceToken: selfTestFunction.functionArn,
    resourceType: 'Custom::RunbooksSelfTest',
    serviceTimeout: Duration.minutes(11),
    properties: {
      DocumentName: selfTestName,
      Fingerprint: createHash('sha256').update(JSON.stringify(documents)).digest('hex'),
    },
  });
  selfTest.node.addDependency(...cfnDocuments, stepFunction, automationRole);

  // Every 30 minutes, the step function checks (read-only) that each runbook would start.
  new ssm.StringParameter(stack, 'ReadinessParameter', {
    parameterName: d.parameter('readiness'),
    description: `The last readiness evaluation of the ${d.name} runbooks in ${region}`,
    tier: ssm.ParameterTier.INTELLIGENT_TIERING,
    stringValue: JSON.stringify({ name: d.name, region, evaluatedAt: null }),
  });
  new events.Rule(stack, 'ReadinessSchedule', {
    description: `Evaluates every 30 minutes whether the ${d.name} runbooks would start in ${region}`,
    schedule: events.Schedule.rate(Duration.minutes(30)),
    targets: [new targets.LambdaFunction(stepFunction, {
      event: events.RuleTargetInput.fromObject({ Runbook: 'Readiness', Deployment: d.name, MaxRpoLagSeconds: 30, ScheduledAt: events.EventField.time }),
      retryAttempts: 2,
      maxEventAge: Duration.minutes(30),
    })],
  });
  const readiness = new cloudwatch.Alarm(stack, 'ReadinessAlarm', {
    alarmName: `${d.name}-runbooks-not-ready-${region}`,
    alarmDescription: `The ${d.name} runbooks would not start in ${region}, or were not evaluated, twice in a row`,
    metric: new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName: 'RunbookReady',
      dimensionsMap: { Deployment: d.name, Region: region, Runbook: 'all' },
      statistic: 'Minimum',
      period: Duration.minutes(30),
    }),
    threshold: 1,
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.BREACHING,
  });
  readiness.addAlarmAction(new cwActions.SnsAction(topic));
  readiness.addOkAction(new cwActions.SnsAction(topic));
  readiness.node.addDependency(selfTest);
}

/**
 * What the runbook-step function does: move the writer (switchover, failover), rebuild a
 * detached Region's cluster as a secondary, give a headless secondary a writer, and read
 * the topology, the lag and the other runs. Least privilege, so it grows with the Regions.
 */
function grantRunbookSteps(role: iam.Role, d: Deployment, region: string, db: Database): void {
  const stack = Stack.of(role);
  const rdsArn = (resource: string, resourceName: string, r = region) =>
    stack.formatArn({ service: 'rds', region: r, resource, resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  const clusterArn = (r: string) => rdsArn('cluster', d.clusterId(r), r);
  const globalArn = rdsArn('global-cluster', d.name, '');
  const addedWriter = rdsArn('db', `${d.clusterId(region)}-writer`);
  const allow = (sid: string, actions: string[], resources: string[], conditions?: Record<string, unknown>) =>
    role.addToPolicy(new iam.PolicyStatement({ sid, actions, resources, conditions }));
  allow('ReadTopology', ['ssm:GetParameters'], ['aurora', 'routing', 'aurora-cluster'].map((what) =>
    stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: d.parameter(what).slice(1) })));
  allow('DescribeGlobalDatabase', ['rds:DescribeGlobalClusters'], [globalArn]);
  allow('MoveTheWriter', ['rds:SwitchoverGlobalCluster', 'rds:FailoverGlobalCluster', 'rds:RemoveFromGlobalCluster'], [globalArn, ...d.regions.map(clusterArn)]);
  allow('RebuildTheGlobalDatabase', ['rds:ModifyGlobalCluster', 'rds:DeleteGlobalCluster', 'rds:CreateGlobalCluster'], [globalArn, ...d.regions.map(clusterArn)]);
  allow('ReplaceTheStaleCluster', ['rds:ModifyDBCluster', 'rds:DeleteDBCluster', 'rds:CreateDBCluster'], [
    clusterArn(region), globalArn, rdsArn('subgrp', db.subnetGroupName), rdsArn('cluster-pg', db.parameterGroupName), rdsArn('og', '*'),
  ]);
  allow('KeepAFinalSnapshot', ['rds:DeleteDBCluster', 'rds:CreateDBClusterSnapshot', 'rds:AddTagsToResource'],
    [clusterArn(region), rdsArn('cluster-snapshot', `${d.clusterId(region)}-before-rebuild-*`)]);
  allow('ReplaceTheInstances', ['rds:DeleteDBInstance', 'rds:CreateDBInstance'], [clusterArn(region), ...db.instanceIds.map((id) => rdsArn('db', id)), addedWriter]);
  if (db.monitoringRoleArn) allow('PassTheMonitoringRole', ['iam:PassRole'], [db.monitoringRoleArn]);
  allow('EncryptTheNewCluster', ['kms:CreateGrant', 'kms:DescribeKey'], [db.key.keyArn], { StringEquals: { 'kms:ViaService': `rds.${region}.amazonaws.com` } });
  allow('DescribeTheClusters', ['rds:DescribeDBClusters'], d.regions.map(clusterArn));
  allow('DescribeTheInstances', ['rds:DescribeDBInstances'], d.regions.map((r) => rdsArn('db', '*', r)));
  allow('GiveAHeadlessClusterAWriter', ['rds:CreateDBInstance'], [clusterArn(region), addedWriter]);
  allow('CheckTheClusterKey', ['kms:DescribeKey'], [db.key.keyArn]);
  allow('OneRunAtATime', ['ssm:DescribeAutomationExecutions'], ['*']);
  allow('CheckTheSecretReplica', ['secretsmanager:DescribeSecret'],
    [stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${d.secretName}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })]);
  allow('ReadReplicationLag', ['cloudwatch:GetMetricData'], ['*']);
  allow('ReadOwnExecution', ['ssm:GetAutomationExecution', 'ssm:DescribeAutomationStepExecutions'],
    [stack.formatArn({ service: 'ssm', resource: 'automation-execution', resourceName: '*' })]);
}

// ---------------------------------------------------------------------------------------
// The routing stack
// ---------------------------------------------------------------------------------------

function buildRouting(scope: Construct, d: Deployment): Stack {
  const stack = new Stack(scope, `${d.name}-routing`, { env: { region: d.routingRegion } });
  const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: d.hostedZoneId, zoneName: d.zoneName });

  const cluster = new arc.CfnCluster(stack, 'Cluster', { name: `${d.name}-cluster` });
  const panel = new arc.CfnControlPanel(stack, 'ControlPanel', { name: `${d.name}-panel`, clusterArn: cluster.attrClusterArn });
  const controls = d.regions.map((region) => new arc.CfnRoutingControl(stack, `RoutingControl-${region}`, {
    name: `${d.name}-${region}`, clusterArn: cluster.attrClusterArn, controlPanelArn: panel.attrControlPanelArn,
  }));
  const controlArns = controls.map((c) => c.attrRoutingControlArn);
  const safetyRule = new arc.CfnSafetyRule(stack, 'AtLeastOneRegion', {
    name: `${d.name}-at-least-one-region`,
    controlPanelArn: panel.attrControlPanelArn,
    ruleConfig: { type: 'ATLEAST', threshold: 1, inverted: false },
    assertionRule: { assertedControls: controlArns, waitPeriodMs: 5000 },
  });

  // A weighted record per Region, healthy while its routing control is On, aliased to the
  // Region's custom domain (read with GetDomainName in that Region: no cross-Region reference).
  d.regions.forEach((region, i) => {
    const healthCheck = new route53.HealthCheck(stack, `HealthCheck-${region}`, { type: route53.HealthCheckType.RECOVERY_CONTROL, routingControl: controlArns[i] });
    const target = sdkCall(stack, `CustomDomainTarget-${region}`, {
      service: 'APIGateway',
      action: 'getDomainName',
      region,
      parameters: { domainName: d.domainName },
      physicalResourceId: cr.PhysicalResourceId.of(`${d.domainName}@${region}`),
      outputPaths: ['regionalDomainName', 'regionalHostedZoneId'],
    }, [new iam.PolicyStatement({ actions: ['apigateway:GET'], resources: [`arn:${stack.partition}:apigateway:${region}::/domainnames/${d.domainName}`] })]);
    new route53.ARecord(stack, `Record-${region}`, {
      zone,
      recordName: d.domainName,
      weight: 100,
      setIdentifier: region,
      healthCheck,
      target: route53.RecordTarget.fromAlias({
        bind: () => ({ dnsName: target.getResponseField('regionalDomainName'), hostedZoneId: target.getResponseField('regionalHostedZoneId') }),
      }),
    });
  });

  // The cluster's data-plane endpoints (its ClusterEndpoints attribute is a list of objects).
  const endpointPaths = [0, 1, 2, 3, 4].flatMap((i) => [`Cluster.ClusterEndpoints.${i}.Endpoint`, `Cluster.ClusterEndpoints.${i}.Region`]);
  const endpoints = sdkCall(stack, 'ClusterEndpoints', {
    service: 'Route53RecoveryControlConfig',
    action: 'describeCluster',
    region: d.routingRegion,
    parameters: { ClusterArn: cluster.attrClusterArn },
    physicalResourceId: cr.PhysicalResourceId.of(`${d.name}-cluster-endpoints`),
    outputPaths: endpointPaths,
  }, [new iam.PolicyStatement({ actions: ['route53-recovery-control-config:DescribeCluster'], resources: [cluster.attrClusterArn] })]);
  const clusterEndpoints = [0, 1, 2, 3, 4].map((i) => ({
    Endpoint: endpoints.getResponseField(`Cluster.ClusterEndpoints.${i}.Endpoint`), Region: endpoints.getResponseField(`Cluster.ClusterEndpoints.${i}.Region`),
  }));

  // The first Region On, the others Off, once, when the stack is created.
  const key = logsKey(stack, 'LogKey', `Encrypts the log groups of the ${d.name} routing`);
  const initialStateLogs = new logs.LogGroup(stack, 'InitialRoutingStateLogs', { encryptionKey: key, retention: logs.RetentionDays.THREE_MONTHS });
  const initialStateFunction = new lambda.Function(stack, 'InitialRoutingStateFunction', {
    description: 'Sets the initial ARC routing control states on create',
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(path.join(ASSETS, 'arc', 'initial-routing-state.lambda')),
    logGroup: initialStateLogs,
    memorySize: 256,
    timeout: Duration.minutes(2),
    tracing: lambda.Tracing.ACTIVE,
  });
  initialStateFunction.addToRolePolicy(new iam.PolicyStatement({
    actions: ['route53-recovery-cluster:UpdateRoutingControlStates', 'route53-recovery-cluster:GetRoutingControlState'], resources: controlArns,
  }));
  const initialState = new CustomResource(stack, 'InitialRoutingState', {
    serviceToken: initialStateFunction.functionArn,
    resourceType: 'Custom::InitialRoutingState',
    properties: { ClusterEndpoints: clusterEndpoints, RoutingControlArns: controlArns, InitiallyOnArn: controlArns[0] },
  });
  initialState.node.addDependency(safetyRule);

  // Each Region's runbooks read the routing controls from a parameter in their Region, and
  // their step role may change them.
  const topology = stack.toJsonString({
    name: d.name,
    domainName: d.domainName,
    clusterArn: cluster.attrClusterArn,
    controlPanelArn: panel.attrControlPanelArn,
    clusterEndpoints,
    routingControls: d.regions.map((region, i) => ({ region, routingControlArn: controlArns[i] })),
  });
  for (const region of d.regions) {
    const parameterArn = stack.formatArn({ service: 'ssm', region, resource: 'parameter', resourceName: d.parameter('routing').slice(1) });
    sdkCall(stack, `PublishTopology-${region}`, {
      service: 'SSM',
      action: 'putParameter',
      region,
      parameters: { Name: d.parameter('routing'), Value: topology, Type: 'String', Overwrite: true },
      physicalResourceId: cr.PhysicalResourceId.of(`${d.parameter('routing')}@${region}`),
    }, [new iam.PolicyStatement({ actions: ['ssm:PutParameter', 'ssm:DeleteParameter'], resources: [parameterArn] })], {
      onDelete: { service: 'SSM', action: 'deleteParameter', region, parameters: { Name: d.parameter('routing') }, ignoreErrorCodesMatching: 'ParameterNotFound' },
    });
    iam.Role.fromRoleName(stack, `StepRole-${region}`, `${d.name}-runbook-steps-${region}`).addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['route53-recovery-cluster:GetRoutingControlState', 'route53-recovery-cluster:UpdateRoutingControlState', 'route53-recovery-cluster:UpdateRoutingControlStates'],
      resources: controlArns,
    }));
  }

  // An ARC Region switch plan spans exactly two Regions.
  if (d.regions.length === 2) {
    const clusterArns = d.regions.map((r) => stack.formatArn({ service: 'rds', region: r, resource: 'cluster', resourceName: d.clusterId(r), arnFormat: ArnFormat.COLON_RESOURCE_NAME }));
    const planRole = new iam.Role(stack, 'RegionSwitchPlanRole', {
      roleName: `${d.name}-region-switch-plan`,
      assumedBy: new iam.ServicePrincipal('arc-region-switch.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonApplicationRecoveryControllerRegionSwitchPlanExecutionPolicy')],
    });
    planRole.addToPolicy(new iam.PolicyStatement({ actions: ['rds:DescribeGlobalClusters', 'rds:DescribeDBClusters'], resources: ['*'] }));
    planRole.addToPolicy(new iam.PolicyStatement({
      actions: ['rds:SwitchoverGlobalCluster'],
      resources: [stack.formatArn({ service: 'rds', region: '', resource: 'global-cluster', resourceName: d.name, arnFormat: ArnFormat.COLON_RESOURCE_NAME }), ...clusterArns],
    }));
    planRole.addToPolicy(new iam.PolicyStatement({
      actions: ['route53-recovery-control-config:DescribeControlPanel', 'route53-recovery-control-config:DescribeCluster'],
      resources: [panel.attrControlPanelArn, cluster.attrClusterArn],
    }));
    planRole.addToPolicy(new iam.PolicyStatement({
      actions: ['route53-recovery-control-config:DescribeRoutingControl', 'route53-recovery-cluster:GetRoutingControlState', 'route53-recovery-cluster:UpdateRoutingControlStates'],
      resources: controlArns,
    }));
    new arcregionswitch.CfnPlan(stack, 'RegionSwitchPlan', {
      name: d.name,
      description: `Moves the ${d.name} writer and traffic between ${d.regions.join(' and ')}`,
      executionRole: planRole.roleArn,
      primaryRegion: d.primary,
      regions: d.regions,
      recoveryApproach: 'activePassive',
      workflows: [{
        workflowTargetAction: 'activate',
        workflowDescription: 'The global database writer, then the routing controls',
        steps: [
          {
            name: 'MoveTheWriter',
            executionBlockType: 'AuroraGlobalDatabase',
            executionBlockConfiguration: {
              globalAuroraConfig: { behavior: 'switchoverOnly', globalClusterIdentifier: d.name, databaseClusterArns: clusterArns, timeoutMinutes: 30 },
            },
          },
          {
            name: 'RouteTraffic',
            executionBlockType: 'ARCRoutingControl',
            executionBlockConfiguration: {
              arcRoutingControlConfig: {
                timeoutMinutes: 10,
                regionAndRoutingControls: Object.fromEntries(d.regions.map((region, i) =>
                  [region, controlArns.map((arn, j) => ({ routingControlArn: arn, state: i === j ? 'On' : 'Off' }))])),
              },
            },
          },
        ],
      }],
    });
  }

  // Every Region side by side; the metrics are named, so nothing refers across stacks.
  const perRegion = (namespace: string, metricName: string, statistic: string, dims: (region: string) => Record<string, string>) =>
    d.regions.map((region) => new cloudwatch.Metric({
      namespace, metricName, statistic, region, label: region, period: PERIOD, dimensionsMap: dims(region),
    }));
  const apiDims = (region: string) => ({ ApiName: `${d.name}-${region}` });
  const dbDims = (region: string) => ({ DBClusterIdentifier: d.clusterId(region) });
  const graph = (title: string, left: cloudwatch.IMetric[], width = 8) => new cloudwatch.GraphWidget({ title, left, width, height: 6 });
  const dashboard = new cloudwatch.Dashboard(stack, 'Dashboard', { dashboardName: d.name, defaultInterval: Duration.hours(3) });
  dashboard.addWidgets(new cloudwatch.TextWidget({
    markdown: `# ${d.name} in ${d.regions.join(', ')}\nThe Region with requests is the one routed; the writer is the Region with commits.`, width: 24, height: 2,
  }));
  dashboard.addWidgets(
    graph('Requests per Region', perRegion('AWS/ApiGateway', 'Count', 'Sum', apiDims)),
    graph('API 5xx per Region', perRegion('AWS/ApiGateway', '5XXError', 'Sum', apiDims)),
    graph('API p99 latency per Region', perRegion('AWS/ApiGateway', 'Latency', 'p99', apiDims)),
  );
  dashboard.addWidgets(
    graph('Commits per second', perRegion('AWS/RDS', 'CommitThroughput', 'Average', dbDims)),
    graph('Replication lag (from secondaries)', perRegion('AWS/RDS', 'AuroraGlobalDBRPOLag', 'Maximum', dbDims)),
    graph('Lambda errors per Region', perRegion('AWS/Lambda', 'Errors', 'Sum', () => ({}))),
  );
  dashboard.addWidgets(
    graph('Aurora CPU per Region', perRegion('AWS/RDS', 'CPUUtilization', 'Maximum', dbDims)),
    graph('Aurora commit latency per Region', perRegion('AWS/RDS', 'CommitLatency', 'Average', dbDims)),
    graph('Lambda throttles per Region', perRegion('AWS/Lambda', 'Throttles', 'Sum', () => ({}))),
  );
  const runbookDims = (region: string) => ({ Deployment: d.name, Region: region, Runbook: 'all' });
  dashboard.addWidgets(graph('Runbooks ready per Region (1 ready, 0 would refuse)', perRegion(METRIC_NAMESPACE, 'RunbookReady', 'Minimum', runbookDims), 24));

  new CfnOutput(stack, 'ApiUrl', { value: `https://${d.domainName}/`, description: `The ${d.name} API` });
  new CfnOutput(stack, 'DashboardUrl', { value: `https://console.aws.amazon.com/cloudwatch/home?region=${d.routingRegion}#dashboards/dashboard/${d.name}` });
  return stack;
}
