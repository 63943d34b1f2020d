import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Annotations, Aws, CfnElement, CfnOutput, CustomResource, Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { MIGRATIONS } from './api/schema';
import { ArcRoutedApi, FailoverAutomation, MultiRegionAuroraPostgres, ObservedWorkload, RoutingMode, WriteForwardingConsistency } from '../../src';

/** How the remittance example is deployed. */
export interface RemittanceExampleOptions {
  /** Name of the application: stacks are `<name>-<region>`, `<name>-edge`, `<name>-routing`. At most 20 characters. */
  readonly name: string;
  /** The two (or more) Regions, primary first. */
  readonly regions: string[];
  /** The account, or undefined for an environment-agnostic account. */
  readonly account?: string;
  /** The Region of the stack with the ARC resources and DNS records (us-west-2 or us-east-1). */
  readonly routingRegion: string;
  /** The public hosted zone: its id and name. The UI answers at `app.<zone>`, the API at `api.<zone>`. */
  readonly hostedZoneId: string;
  readonly zoneName: string;
  /** E-mail address of the first user, an operator; Cognito sends it a temporary password. */
  readonly adminEmail: string;
  /** The built UI (Vite's `dist` folder) to upload to S3 in every Region. */
  readonly uiDist: string;
  /**
   * Active/active: every Region serves (ArcRoutedApi's RoutingMode.ACTIVE_ACTIVE, latency
   * records), each Region's API reads from its own cluster's reader endpoint and writes
   * through it (global write forwarding, consistency SESSION), and the operations panel
   * evacuates and restores Regions. Default false: one Region serves at a time.
   */
  readonly activeActive?: boolean;
}

/** What the remittance example built. */
export interface RemittanceExample {
  readonly stacks: RemittanceRegionStack[];
  readonly edgeStack: RemittanceEdgeStack;
  readonly routingStack: Stack;
  readonly database: MultiRegionAuroraPostgres;
  readonly api: ArcRoutedApi;
  readonly runbooks: FailoverAutomation;
  readonly observed: ObservedWorkload;
  readonly userPool: cognito.UserPool;
}

/** The Cognito group whose members may press Failover and Failback. */
export const OPERATORS_GROUP = 'operators';
const DATABASE_NAME = 'remittance';
const API_DIR = path.join(__dirname, 'api');

/** Name of the UI bucket of `region`: known in advance, so CloudFront can name it without a reference. */
export function uiBucketName(name: string, region: string): string {
  return `${name}-ui-${Aws.ACCOUNT_ID}-${region}`;
}

/** The validated options: every mistake named, with its fix, before anything is built. */
function validate(options: RemittanceExampleOptions): void {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(options.name)) {
    problems.push(`name '${options.name}' must be 1 to 20 lower-case letters, digits and hyphens, starting with a letter (it names S3 buckets)`);
  }
  if (options.regions.length < 2 || new Set(options.regions).size !== options.regions.length) {
    problems.push(`regions ${JSON.stringify(options.regions)} must list at least two different Regions, the primary first`);
  }
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(options.adminEmail)) {
    problems.push(`adminEmail '${options.adminEmail}' is not an e-mail address: pass -c adminEmail=you@example.com`);
  }
  if (!fs.existsSync(path.join(options.uiDist, 'index.html'))) {
    problems.push(`uiDist '${options.uiDist}' has no index.html: build the UI first (npm run example:ui-build)`);
  }
  if (problems.length > 0) throw new Error(`remittance example: ${problems.join('; ')}`);
}

/**
 * The edge of the application, in us-east-1 (where CloudFront's certificates and web
 * ACLs live): the CloudFront distribution at `app.<zone>` with the UI buckets of the
 * first two Regions as an origin-failover group, the API behind `/api/*` and each
 * Region's own API behind `/regions/<region>/api/*`, a WAF web ACL, and access logs.
 * It is deployed first: the UI buckets' policies name its distribution.
 */
export class RemittanceEdgeStack extends Stack {
  public readonly distribution: cloudfront.Distribution;
  public readonly webAcl: wafv2.CfnWebACL;
  public readonly logBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: StackProps & { options: RemittanceExampleOptions; zone: (s: Construct) => route53.IHostedZone }) {
    super(scope, id, { ...props, crossRegionReferences: true });
    const { options } = props;
    const zone = props.zone(this);
    const appDomain = `app.${options.zoneName}`;

    this.logBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // CloudFront standard logs are delivered with an ACL.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    acknowledge(this.logBucket, 'AwsSolutions-S1', 'This bucket holds the access logs; logging its own access would log the logs.');

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: `${options.name}-app`,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: `${options.name}-app` },
      rules: [
        ...['AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet'].map((rule, priority) => ({
          name: rule,
          priority,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: rule } },
          visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: rule },
        })),
        {
          name: 'RatePerIp',
          priority: 3,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: 2000, aggregateKeyType: 'IP' } },
          visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: 'RatePerIp' },
        },
      ],
    });

    // The UI buckets are imported by their known names: each Region's stack owns its
    // bucket and grants this distribution read access in the bucket policy.
    const bucketOrigin = (region: string) => origins.S3BucketOrigin.withOriginAccessControl(
      s3.Bucket.fromBucketAttributes(this, `UiBucket-${region}`, { bucketName: uiBucketName(options.name, region), region }));
    const apiOrigin = (domainName: string) => new origins.HttpOrigin(domainName, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
    });
    const apiBehavior = (origin: cloudfront.IOrigin): cloudfront.BehaviorOptions => ({
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      // Every viewer header but Host (the API's custom domain answers to its own name), so Authorization reaches it.
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
    });

    const certificate = new acm.Certificate(this, 'Certificate', {
      domainName: appDomain,
      validation: acm.CertificateValidation.fromDns(zone),
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${options.name} remittance UI and API`,
      domainNames: [appDomain],
      certificate,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      defaultRootObject: 'index.html',
      webAclId: this.webAcl.attrArn,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        // The first Region's bucket, and the second's when the first answers with an error or not at all.
        origin: new origins.OriginGroup({
          primaryOrigin: bucketOrigin(options.regions[0]),
          fallbackOrigin: bucketOrigin(options.regions[1]),
          fallbackStatusCodes: [403, 404, 500, 502, 503, 504],
        }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
      },
      additionalBehaviors: {
        // The API where the routing controls send it.
        '/api/*': apiBehavior(apiOrigin(`api.${options.zoneName}`)),
        // One Region's API whatever the routing says: the Failover and Failback buttons
        // start a runbook in the Region that is to take over, even while the other is down.
        ...Object.fromEntries(options.regions.map((region) => [`/regions/${region}/api/*`, apiBehavior(apiOrigin(regionalApiDomain(options, region)))])),
      },
    });
    Annotations.of(this.distribution).acknowledgeWarning('@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac',
      "Each UI bucket's policy is written by its own Region's stack, naming this distribution.");
    acknowledge(this.distribution, 'AwsSolutions-CFR1', 'A remittance service for any country: no geographic restriction.');

    new route53.ARecord(this, 'AppRecord', {
      zone,
      recordName: appDomain,
      target: route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(this.distribution)),
    });
    new CfnOutput(this, 'AppUrl', {
      description: 'The remittance UI: sign in with the e-mail given as adminEmail and the temporary password Cognito sent it',
      value: `https://${appDomain}/`,
    });
  }
}

/** The DNS name of one Region's own API (the routed name is `api.<zone>`). */
function regionalApiDomain(options: RemittanceExampleOptions, region: string): string {
  return `${region}.api.${options.zoneName}`;
}

/**
 * One Region of the remittance application: the network with the endpoints the
 * functions need (no internet access), the UI bucket with the built UI and this
 * Region's `config.json`, and, once `addApi` ran, the API function.
 */
export class RemittanceRegionStack extends Stack {
  public readonly vpc: ec2.Vpc;
  public readonly endpoints: ec2.InterfaceVpcEndpoint[];
  public readonly uiBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: StackProps & { appName: string }) {
    super(scope, id, { ...props, crossRegionReferences: true });
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs() } },
    });
    // The functions reach Secrets Manager, SSM and Lambda (the state function) through the
    // VPC, never the internet. Each endpoint admits only the functions given access in apiFunction.
    this.endpoints = ([
      ['SecretsManager', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
      ['Ssm', ec2.InterfaceVpcEndpointAwsService.SSM],
      ['Lambda', ec2.InterfaceVpcEndpointAwsService.LAMBDA],
    ] as const)
      .map(([name, service]) => this.vpc.addInterfaceEndpoint(`${name}Endpoint`, { service, privateDnsEnabled: true, open: false }));
    this.uiBucket = new s3.Bucket(this, 'UiBucket', {
      bucketName: uiBucketName(props.appName, this.region),
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
    });
    acknowledge(this.uiBucket, 'AwsSolutions-S1', 'Every request for the UI goes through CloudFront, whose access logs record it.');
  }

  /**
   * The function that reads the deployment's state for the operations panel: outside the
   * VPC, since it reads every Region's RDS, CloudWatch and SSM and the ARC data plane; it
   * touches no database and changes nothing.
   */
  public stateFunction(deploymentName: string, alarmNames: string): nodejs.NodejsFunction {
    const fn = new nodejs.NodejsFunction(this, 'StateFunction', {
      entry: path.join(API_DIR, 'state-handler.ts'),
      handler: 'handler',
      description: 'Reads the remittance deployment\'s state in every Region for the operations panel (read only)',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      // Each read is bounded at 5 s; the topology, then the Regions, in two rounds.
      timeout: Duration.seconds(20),
      logGroup: new logs.LogGroup(this, 'StateFunctionLogs', { retention: logs.RetentionDays.THREE_MONTHS }),
      environment: { DEPLOYMENT_NAME: deploymentName, ALARM_NAMES: alarmNames, NODE_OPTIONS: '--enable-source-maps' },
      bundling: { minify: true, sourceMap: true, target: 'node22' },
    });
    acknowledge(fn.role!, ['AWSLambdaBasicExecutionRole'].map(managedPolicyFinding), 'The AWS managed policy Lambda documents for a function\'s logs.');
    return fn;
  }

  /** A function of the remittance API in this Region: in the VPC, reaching the database and the endpoints only. */
  public apiFunction(
    id: string, entry: string, database: MultiRegionAuroraPostgres, props: Partial<nodejs.NodejsFunctionProps> = {},
  ): nodejs.NodejsFunction {
    const regional = database.regionalCluster(this.region);
    const securityGroup = new ec2.SecurityGroup(this, `${id}SecurityGroup`, { vpc: this.vpc, allowAllOutbound: false, description: `${id}: the database and the VPC endpoints` });
    const fn = new nodejs.NodejsFunction(this, id, {
      entry: path.join(API_DIR, entry),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(25),
      vpc: this.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [securityGroup],
      logGroup: new logs.LogGroup(this, `${id}Logs`, { retention: logs.RetentionDays.THREE_MONTHS }),
      environment: {
        DB_SECRET_ID: database.secretName,
        DB_WRITER_ENDPOINT: regional.globalWriterEndpoint,
        DB_NAME: DATABASE_NAME,
        // Lambda's Node.js runtimes trust the Amazon RDS certificate authorities only when told to.
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
        NODE_OPTIONS: '--enable-source-maps',
      },
      // Bundled locally by esbuild (no Docker), the AWS SDK included: the code that runs is the code tested.
      bundling: { minify: true, sourceMap: true, target: 'node22', externalModules: ['pg-native'] },
      ...props,
    });
    regional.connections.allowDefaultPortFrom(fn, `${id} to the database`);
    for (const endpoint of this.endpoints) endpoint.connections.allowDefaultPortFrom(fn, `${id} to the endpoint`);
    regional.secret.grantRead(fn);
    acknowledge(fn.role!, ['AWSLambdaBasicExecutionRole', 'AWSLambdaVPCAccessExecutionRole'].map(managedPolicyFinding),
      'The AWS managed policies Lambda documents for a function\'s logs and its network interfaces in a VPC.');
    return fn;
  }
}

/**
 * The remittance application: the edge stack, one stack per Region (network, UI bucket,
 * API function, database cluster, runbooks, alarms), the routing stack, and in the
 * primary Region the Cognito user pool with the first operator and the schema migration.
 */
export function buildRemittanceExample(scope: Construct, options: RemittanceExampleOptions): RemittanceExample {
  validate(options);
  const zone = (s: Construct) => route53.HostedZone.fromHostedZoneAttributes(s, 'Zone', { hostedZoneId: options.hostedZoneId, zoneName: options.zoneName });

  const edgeStack = new RemittanceEdgeStack(scope, `${options.name}-edge`, { env: { account: options.account, region: 'us-east-1' }, options, zone });
  const stacks = options.regions.map((region) => new RemittanceRegionStack(scope, `${options.name}-${region}`, { env: { account: options.account, region }, appName: options.name }));
  const [primary] = stacks;

  const database = new MultiRegionAuroraPostgres(scope, 'Database', {
    name: options.name,
    // Every secondary has an instance, so the Failover button can promote it at once.
    regions: stacks.map((stack, i) => (i === 0 ? { stack, vpc: stack.vpc, databaseName: DATABASE_NAME } : { stack, vpc: stack.vpc })),
    // Active/active: a Region without the writer forwards its writes; a session reads its own writes back.
    ...(options.activeActive ? { globalWriteForwarding: true, writeForwardingConsistency: WriteForwardingConsistency.SESSION } : {}),
  });

  const userPool = signIn(primary, options);

  const handlers = stacks.map((stack) => stack.apiFunction('ApiHandler', 'handler.ts', database, { description: 'The remittance API' }));
  const routingStack = new Stack(scope, `${options.name}-routing`, { env: { account: options.account, region: options.routingRegion } });
  const api = new ArcRoutedApi(scope, 'Api', {
    name: options.name,
    routingStack,
    hostedZone: zone(routingStack),
    domainName: `api.${options.zoneName}`,
    regions: stacks.map((stack, i) => ({ stack, handler: handlers[i], userPool: userPool.pool })),
    // The UI's requests reach the Regional APIs from CloudFront's addresses, many users to
    // one address: the per-user limit is the edge web ACL's (2,000 per IP in 5 minutes).
    wafRateLimit: 100_000,
    ...(options.activeActive ? { mode: RoutingMode.ACTIVE_ACTIVE } : {}),
  });
  const runbooks = new FailoverAutomation(scope, 'Runbooks', {
    database,
    routing: api,
    ...(options.regions.length === 2 ? { regionSwitchPlan: {} } : {}),
  });
  const observed = new ObservedWorkload(scope, 'Observed', {
    name: options.name,
    regions: ObservedWorkload.regionsOf(database, api),
    dashboardStack: routingStack,
  });

  stacks.forEach((stack, i) => {
    const handler = handlers[i];
    runbooks.grantStart(handler);
    handler.addEnvironment('SWITCHOVER_DOCUMENT', runbooks.switchoverDocumentName);
    handler.addEnvironment('FAILOVER_DOCUMENT', runbooks.failoverDocumentName);
    handler.addEnvironment('FAILBACK_DOCUMENT', runbooks.failbackDocumentName);
    if (options.activeActive) {
      // The reads on this Region's own cluster, the writes forwarded through it (api/db.ts, ForwardedWrites).
      handler.addEnvironment('DB_READER_ENDPOINT', database.regionalCluster(stack.region).readerEndpointAddress);
      handler.addEnvironment('EVACUATE_DOCUMENT', runbooks.evacuateDocumentName!);
      handler.addEnvironment('RESTORE_DOCUMENT', runbooks.restoreDocumentName!);
    }
    handler.addEnvironment('OPERATORS_GROUP', OPERATORS_GROUP);
    // The operations panel's state: what `cdk-cross-region-failover status` reads, and every
    // Region's alarms, read by a function outside the VPC (no endpoint of the VPC reaches
    // other Regions or the ARC data plane), which the API function invokes.
    const alarmNames = JSON.stringify(Object.fromEntries(options.regions.map((r) => [r, {
      prefix: observed.alarmNamePrefix(r), impaired: observed.regionImpairedAlarmName(r),
    }])));
    const state = stack.stateFunction(database.globalClusterIdentifier, alarmNames);
    runbooks.grantStatus(state);
    observed.grantReadAlarms(state);
    state.grantInvoke(handler);
    acknowledge(handler.role!, [`AwsSolutions-IAM5[Resource::<${stack.getLogicalId(state.node.defaultChild as CfnElement)}.Arn>:*]`],
      'Lambda.grantInvoke: the state function and its versions (:*), which Lambda checks the invocation of a qualified ARN against.');
    handler.addEnvironment('HOME_REGION', options.regions[0]);
    handler.addEnvironment('STATE_FUNCTION', state.functionName);
    handler.addEnvironment('ALARM_NAMES', alarmNames);
    acknowledge(handler.role!, [
      'AwsSolutions-IAM5[Resource::*]',
      ...options.regions.flatMap((r) => [
        // The evacuate and restore documents exist with active/active routing only.
        ...[
          runbooks.switchoverDocumentName, runbooks.failoverDocumentName, runbooks.failbackDocumentName, runbooks.rebuildDocumentName,
          runbooks.evacuateDocumentName, runbooks.restoreDocumentName,
        ].filter((doc): doc is string => doc !== undefined).map((doc) =>
          `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:${r}:<AWS::AccountId>:automation-definition/${doc}:*]`),
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:${r}:<AWS::AccountId>:automation-execution/*]`,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:${r}:<AWS::AccountId>:parameter/cdk-cross-region-failover/*]`,
      ]),
    ], 'FailoverAutomation.grantStart: every version of the runbooks (:*), their executions (generated ids), the library\'s parameters, ' +
      'and ssm:DescribeAutomationExecutions, which has no resource-level permissions.');
    acknowledge(state.role!, [
      'AwsSolutions-IAM5[Resource::*]',
      ...options.regions.flatMap((r) => [
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:${r}:<AWS::AccountId>:automation-execution/*]`,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:${r}:<AWS::AccountId>:parameter/cdk-cross-region-failover/*]`,
      ]),
    ], 'FailoverAutomation.grantStatus and ObservedWorkload.grantReadAlarms, read only: the library\'s parameters, the executions (generated ids), ' +
      'ssm:DescribeAutomationExecutions and cloudwatch:GetMetricData (no resource-level permissions), cloudwatch:DescribeAlarms (composite alarms are read only with *).');
    acknowledge(state.role!, [
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:route53-recovery-control::<AWS::AccountId>:controlpanel/*/routingcontrol/*]',
      ...options.regions.flatMap((r) => [
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:rds:${r}:<AWS::AccountId>:db:*]`,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:${r}:<AWS::AccountId>:key/*]`,
      ]),
    ], 'FailoverAutomation.grantStatus, read only, for the operations panel: the routing controls\' states (ids ARC generates), ' +
      'rds:DescribeDBInstances in the database\'s Regions (instance identifiers CloudFormation generates), and kms:DescribeKey ' +
      'limited by the kms:ResourceAliases condition to the database\'s key alias.');
    regionalDomain(stack, api.regionalApis[i].api, options, zone(stack));
    deployUi(stack, edgeStack.distribution, options, userPool);
  });

  schemaMigration(primary, database);
  return { stacks, edgeStack, routingStack, database, api, runbooks, observed, userPool: userPool.pool };
}

/** Cognito in the primary Region: the user pool, the UI's app client, the operators group and its first member. */
function signIn(stack: RemittanceRegionStack, options: RemittanceExampleOptions) {
  const pool = new cognito.UserPool(stack, 'Users', {
    userPoolName: `${options.name}-users`,
    selfSignUpEnabled: false,
    signInAliases: { email: true },
    autoVerify: { email: true },
    passwordPolicy: {
      minLength: 12,
      requireDigits: true,
      requireLowercase: true,
      requireUppercase: true,
      requireSymbols: true,
      tempPasswordValidity: Duration.days(3),
    },
    accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
    mfa: cognito.Mfa.OPTIONAL,
    mfaSecondFactor: { otp: true, sms: false },
    deletionProtection: true,
  });
  acknowledge(pool, 'AwsSolutions-COG2', 'MFA is offered (TOTP) but not forced on the example\'s first user; require it for production users.');
  acknowledge(pool, ['AwsSolutions-COG3', 'AwsSolutions-COG8'], 'Threat protection needs the Plus feature plan; the example stays on the default plan.');
  const client = pool.addClient('Ui', {
    userPoolClientName: `${options.name}-ui`,
    // The UI signs in with Cognito's InitiateAuth over TLS: no client secret in a browser.
    authFlows: { userPassword: true },
    generateSecret: false,
    preventUserExistenceErrors: true,
    idTokenValidity: Duration.hours(1),
    accessTokenValidity: Duration.hours(1),
    refreshTokenValidity: Duration.days(1),
  });
  const group = new cognito.CfnUserPoolGroup(stack, 'Operators', { userPoolId: pool.userPoolId, groupName: OPERATORS_GROUP, description: 'May press Failover and Failback' });
  // The first user: Cognito e-mails a temporary password, changed at the first sign-in.
  const admin = new cognito.CfnUserPoolUser(stack, 'FirstOperator', {
    userPoolId: pool.userPoolId,
    username: options.adminEmail,
    userAttributes: [{ name: 'email', value: options.adminEmail }, { name: 'email_verified', value: 'true' }],
    desiredDeliveryMediums: ['EMAIL'],
  });
  const membership = new cognito.CfnUserPoolUserToGroupAttachment(stack, 'FirstOperatorIsOperator', {
    userPoolId: pool.userPoolId, groupName: OPERATORS_GROUP, username: options.adminEmail,
  });
  membership.addDependency(admin);
  membership.addDependency(group);
  return { pool, client };
}

/** This Region's own API name, `<region>.api.<zone>`, for the buttons that must reach this Region. */
function regionalDomain(stack: Stack, restApi: apigw.RestApi, options: RemittanceExampleOptions, zone: route53.IHostedZone): void {
  const domainName = regionalApiDomain(options, stack.region);
  const domain = new apigw.DomainName(stack, 'RegionalDomain', {
    domainName,
    certificate: new acm.Certificate(stack, 'RegionalCertificate', { domainName, validation: acm.CertificateValidation.fromDns(zone) }),
    endpointType: apigw.EndpointType.REGIONAL,
    securityPolicy: apigw.SecurityPolicy.TLS_1_2,
    mapping: restApi,
  });
  new route53.ARecord(stack, 'RegionalRecord', { zone, recordName: domainName, target: route53.RecordTarget.fromAlias(new targets.ApiGatewayDomain(domain)) });
}

/** The built UI and this Region's `config.json` into the Region's bucket, readable by the edge distribution only. */
function deployUi(
  stack: RemittanceRegionStack, distribution: cloudfront.IDistribution, options: RemittanceExampleOptions, signin: ReturnType<typeof signIn>,
): void {
  stack.uiBucket.addToResourcePolicy(new iam.PolicyStatement({
    actions: ['s3:GetObject'],
    resources: [stack.uiBucket.arnForObjects('*')],
    principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
    conditions: { StringEquals: { 'AWS:SourceArn': `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:distribution/${distribution.distributionId}` } },
  }));
  const cognitoRegion = signin.pool.stack.region;
  new s3deploy.BucketDeployment(stack, 'Ui', {
    destinationBucket: stack.uiBucket,
    sources: [
      s3deploy.Source.asset(options.uiDist),
      s3deploy.Source.jsonData('config.json', {
        region: stack.region,
        regions: options.regions,
        cognito: { region: cognitoRegion, endpoint: `https://cognito-idp.${cognitoRegion}.amazonaws.com/`, clientId: signin.client.userPoolClientId },
        operatorsGroup: OPERATORS_GROUP,
      }),
    ],
    cacheControl: [s3deploy.CacheControl.fromString('public, max-age=60')],
    memoryLimit: 256,
  });
  // The deployment's provider function is a singleton of the stack, created by aws-cdk-lib.
  const provider = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (provider) {
    acknowledgeCdkFunction(provider, 'BucketDeployment', [
      ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((a) => `AwsSolutions-IAM5[Action::${a}]`),
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-${stack.region}/*]`,
      `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(stack.uiBucket.node.defaultChild as s3.CfnBucket)}.Arn>/*]`,
    ], 'copies the built UI from the CDK asset bucket into the UI bucket and deletes what the new build no longer has (bucket/*)');
  }
}

/**
 * The schema, migrated at deploy time by a custom resource in the primary Region,
 * through the global writer endpoint; a new migration in api/schema.ts changes the
 * resource's properties, so the next deploy applies it.
 */
function schemaMigration(stack: RemittanceRegionStack, database: MultiRegionAuroraPostgres): CustomResource {
  const migrateFn = stack.apiFunction('Migrate', 'migrate-handler.ts', database, { description: 'Migrates the remittance schema', timeout: Duration.minutes(14) });
  const provider = new cr.Provider(stack, 'SchemaProvider', {
    onEventHandler: migrateFn,
    logGroup: new logs.LogGroup(stack, 'SchemaProviderLogs', { retention: logs.RetentionDays.THREE_MONTHS }),
  });
  acknowledgeCdkFunction(provider, 'custom resource Provider', [
    `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(migrateFn.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
  ], 'invokes every version of the migration function (:*)');
  const migrations = crypto.createHash('sha256').update(JSON.stringify(MIGRATIONS)).digest('hex');
  const schema = new CustomResource(stack, 'Schema', {
    serviceToken: provider.serviceToken,
    resourceType: 'Custom::RemittanceSchema',
    properties: { Migrations: migrations },
  });
  // The writer must exist before the schema can be created.
  schema.node.addDependency(database.regionalCluster(stack.region).instances[0]);
  return schema;
}

/**
 * Acknowledges cdk-nag findings on `scope` and below, with the reason. Findings named with
 * `::` (`AwsSolutions-IAM4[Policy::...]`), which `Validations.acknowledge()` refuses, are
 * written to the same construct metadata entry it writes.
 */
function acknowledge(scope: IConstruct, ids: string | string[], reason: string): void {
  for (const id of typeof ids === 'string' ? [ids] : ids) {
    if (!id.includes('::')) {
      Validations.of(scope).acknowledge({ id, reason });
      continue;
    }
    const key = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;
    const previous = scope.node.metadata.filter((m) => m.type === key).pop()?.data as Record<string, string> | undefined;
    scope.node.addMetadata(key, { ...previous, [id]: reason });
  }
}

function managedPolicyFinding(policy: string): string {
  return `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${policy}]`;
}

/** The findings of a function aws-cdk-lib builds and maintains (its runtime, its logging policy, its grants). */
function acknowledgeCdkFunction(scope: IConstruct, what: string, grants: string[], does: string): void {
  acknowledge(scope, 'AwsSolutions-L1', `aws-cdk-lib chooses the runtime of its ${what} function and moves it with upgrades.`);
  acknowledge(scope, managedPolicyFinding('AWSLambdaBasicExecutionRole'), `aws-cdk-lib's ${what} function writes its logs with AWSLambdaBasicExecutionRole.`);
  acknowledge(scope, grants, `aws-cdk-lib's ${what} function ${does}.`);
}
