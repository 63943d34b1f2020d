import { Arn, ArnFormat, Aws, CfnOutput, CustomResource, Duration, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as arc from 'aws-cdk-lib/aws-route53recoverycontrol';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import {
  acknowledgeAwsCustomResourceProvider, acknowledgeFinding, acknowledgeInlinePolicy, acknowledgeInPacks, acknowledgeLibraryFunction,
  libraryCustomResource,
} from './acknowledge';
import { allowLogGroupsToUse } from './private/keys';
import { MAX_REGIONS } from './private/limits';
import { apiMetric } from './private/metrics';
import { RegionalPlacement } from './private/placement';
import { isIntegerInRange, throwIfInvalid, validateRegionalStacks, ValidationRule, warnInStacks } from './validation';
import { InitialRoutingStateFunction } from '../arc/initial-routing-state-function';
import { ACTIVE_ACTIVE_MODE, routingTopologyParameterName } from '../ssm/topology';

const CONSTRUCT_NAME = 'ArcRoutedApi';
/** More Regions than a routing layer sensibly steers between; also keeps the SSM document small. */
/** An ARC cluster always has five Regional data-plane endpoints. */
const CLUSTER_ENDPOINT_COUNT = 5;
/** ARC's control-plane API, used at deploy time only (never on the failover path). */
const ARC_CONTROL_PLANE_REGION = 'us-west-2';
/** Regions where CloudFormation offers the AWS::Route53RecoveryControl resources. */
const ARC_CLOUDFORMATION_REGIONS = ['us-east-1', 'us-west-2'];

/**
 * Creates the API handler of one Region, for handlers that are built the same way in
 * every Region.
 */
export interface IRegionalHandlerFactory {
  /**
   * Creates the Lambda function that serves the API in `region`.
   *
   * @param scope a construct in that Region's stack, to create the function in
   * @param region the Region
   */
  createHandler(scope: Construct, region: string): lambda.IFunction;
}

/**
 * An endpoint a team already has in one Region, for {@link ArcRoutedApi} to route the
 * shared name to in place of the API it would create there: an API it runs already (a REST,
 * HTTP or WebSocket API of API Gateway), or any other Regional endpoint with a custom
 * domain (an Application Load Balancer, ...). The endpoint serves the shared name itself,
 * with its own certificate, authorization and protections: the construct creates nothing
 * in that Region and only routes to it.
 */
export class RoutedEndpoint {
  /**
   * An API Gateway custom domain on the shared name (`domainName`) in the Region, mapped
   * to the team's own API. The routing stack reads its alias target (`GetDomainName` in that
   * Region) at deploy time, as it does for the APIs the construct creates, so it must exist
   * before the routing stack deploys (the routing stack depends on the Region's stack).
   */
  public static apiGatewayCustomDomain(): RoutedEndpoint {
    return new RoutedEndpoint(undefined, undefined);
  }

  /**
   * Any endpoint serving the shared name in the Region, by its Route 53 alias target: for
   * an Application Load Balancer its DNS name and canonical hosted zone ID, for an API
   * Gateway custom domain its Regional domain name and Regional hosted zone ID. Plain
   * strings (the record is in the routing stack, another Region).
   *
   * @see https://docs.aws.amazon.com/Route53/latest/APIReference/API_AliasTarget.html
   * @param dnsName the alias target's DNS name
   * @param hostedZoneId the alias target's hosted zone ID (not your hosted zone's)
   */
  public static aliasTarget(dnsName: string, hostedZoneId: string): RoutedEndpoint {
    return new RoutedEndpoint(dnsName, hostedZoneId);
  }

  /** @internal */
  public readonly _dnsName?: string;
  /** @internal */
  public readonly _hostedZoneId?: string;

  private constructor(dnsName: string | undefined, hostedZoneId: string | undefined) {
    this._dnsName = dnsName;
    this._hostedZoneId = hostedZoneId;
  }
}

/**
 * The settings of one Region of an {@link ArcRoutedApi}.
 */
export interface ArcRoutedApiRegionOptions {
  /** The stack the Region's API goes into. It must have a concrete `env.region`. */
  readonly stack: Stack;

  /**
   * The team's own endpoint in this Region, routed in place of an API the construct would
   * create: then nothing is created in this Region's stack, and `handler`, `userPool`
   * and `logEncryptionKey` do not apply (the endpoint authorizes its callers itself, as
   * every Region's API must: a failover moves clients to it).
   *
   * @default - the construct creates the Region's API, custom domain, certificate and web ACL
   */
  readonly endpoint?: RoutedEndpoint;

  /**
   * The function that serves every request in this Region (proxy integration).
   *
   * @default - created by the construct's `handlerFactory`
   */
  readonly handler?: lambda.IFunction;

  /**
   * A Cognito user pool whose tokens this Region's API requires (`Authorization`
   * header), in place of the construct's `userPool`. Every Region must end up with a
   * pool, or none may (see `allowUnauthenticatedAccess`).
   *
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-integrate-with-cognito.html
   * @default - the construct's `userPool`
   */
  readonly userPool?: cognito.IUserPool;

  /**
   * The KMS key that encrypts this Region's log groups of the API (access logs, WAF
   * logs). Its key policy must let CloudWatch Logs of this Region use it; the construct
   * adds that statement to a key it can change (one of this app), not to an imported one.
   *
   * @default - a new customer-managed key for the Region, with yearly rotation
   */
  readonly logEncryptionKey?: kms.IKey;
}

/**
 * How an {@link ArcRoutedApi} answers for its name: from one Region at a time, or from
 * every Region that is On.
 */
export enum RoutingMode {
  /**
   * One Region serves at a time: its routing control is On and every other one Off, and
   * the weighted records answer with the Region that is On. The first Region serves at
   * creation. For a database with one writer and no write forwarding.
   */
  ACTIVE_PASSIVE = 'ACTIVE_PASSIVE',
  /**
   * Every Region serves: every routing control is On at creation, and latency records
   * answer each client with the nearest Region that is On. Turning a Region's control
   * Off takes it out of service (evacuates it); the safety rule keeps at least one On.
   * For a database whose secondaries serve reads locally and forward their writes
   * (`MultiRegionAuroraPostgres.globalWriteForwarding`).
   */
  ACTIVE_ACTIVE = 'ACTIVE_ACTIVE',
}

/**
 * Properties of an {@link ArcRoutedApi}.
 */
export interface ArcRoutedApiProps {
  /**
   * Name of the routed application. ARC resources are named from it
   * (`<name>-<region>` for a routing control) and its topology is published in every
   * Region as the SSM parameter `/cdk-cross-region-failover/<name>/routing`.
   * Letters, digits and hyphens, starting with a letter, at most 40 characters.
   */
  readonly name: string;

  /** One entry per Region, at least 2. The first Region receives traffic first. */
  readonly regions: ArcRoutedApiRegionOptions[];

  /**
   * Whether one Region serves at a time or every Region that is On. The mode decides the
   * DNS records' routing policy and the routing states set at creation (never after).
   * Choose it before the first deployment: Route 53 keeps one routing policy per name,
   * so a deployed application changes mode under a new `domainName`.
   *
   * @default RoutingMode.ACTIVE_PASSIVE
   */
  readonly mode?: RoutingMode;

  /**
   * The stack for the Route 53 ARC resources, health checks and DNS records. It must
   * be in a Region where CloudFormation offers ARC resources (us-west-2 or us-east-1),
   * and it is deployed after every Regional stack.
   */
  readonly routingStack: Stack;

  /**
   * The public hosted zone that holds `domainName`. Import it with
   * `HostedZone.fromHostedZoneAttributes` so every stack can use it without a
   * cross-stack reference.
   */
  readonly hostedZone: route53.IHostedZone;

  /** The shared name clients call, e.g. `api.example.com`, inside `hostedZone`. */
  readonly domainName: string;

  /**
   * The Cognito user pool whose tokens every Region's API requires (`Authorization`
   * header): the same authorizer in every Region, so a failover never moves clients to
   * an API that lets anyone in. A pool created in another Region's stack needs
   * `crossRegionReferences: true` on the stacks, or import it in each with
   * `UserPool.fromUserPoolArn`.
   *
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-integrate-with-cognito.html
   * @default - each Region's `userPool`; with none at all, `allowUnauthenticatedAccess` must be true
   */
  readonly userPool?: cognito.IUserPool;

  /**
   * Deploy the API without an authorizer in every Region: for a public API, or a handler
   * that authenticates callers itself. `cdk synth` prints a warning in every Region's
   * stack. It cannot be combined with a user pool, and a pool in only some Regions is
   * refused whatever this says.
   *
   * @default false - a user pool is required (`userPool`, or `userPool` in every Region)
   */
  readonly allowUnauthenticatedAccess?: boolean;

  /**
   * Creates the handler of each Region that has no `handler`.
   *
   * @default - every Region must set `handler`
   */
  readonly handlerFactory?: IRegionalHandlerFactory;

  /**
   * ARN of an existing ARC cluster to use. A cluster is billed per hour whatever its
   * use, so sharing one between applications saves money.
   *
   * @see https://docs.aws.amazon.com/r53recovery/latest/dg/routing-control.clusters.html
   * @default - a new cluster
   */
  readonly existingClusterArn?: string;

  /**
   * Steady-state requests per second a stage accepts.
   *
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
   * @default 1000
   */
  readonly throttlingRateLimit?: number;

  /**
   * Burst of requests a stage accepts.
   *
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
   * @default 500
   */
  readonly throttlingBurstLimit?: number;

  /**
   * Requests one client IP may send in any 5 minutes before the WAF blocks it,
   * 10 to 2,000,000,000.
   *
   * @see https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based.html
   * @default 2000
   */
  readonly wafRateLimit?: number;

  /**
   * Retention of the API access logs.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly accessLogRetention?: logs.RetentionDays;
}

/**
 * One of the Regional data-plane endpoints of an ARC cluster.
 */
export interface ArcClusterEndpoint {
  /** The endpoint URL to send routing-control calls to. */
  readonly endpoint: string;
  /** The Region to sign those calls for. */
  readonly region: string;
}

/**
 * How {@link ArcRoutedApi} routes one Region, whether it created the Region's API or
 * routes the team's own endpoint there.
 */
export interface RegionalRouting {
  /** The AWS Region. */
  readonly region: string;
  /** The Region's stack. */
  readonly stack: Stack;
  /** ARN of the routing control that decides whether this Region receives traffic (a token of the routing stack). */
  readonly routingControlArn: string;
  /** The `RECOVERY_CONTROL` health check of this Region (in the routing stack). */
  readonly healthCheck: route53.IHealthCheck;
  /** Whether the Region serves the team's own endpoint (`endpoint`) rather than an API the construct created. */
  readonly ownEndpoint: boolean;
}

/**
 * What {@link ArcRoutedApi} created in one Region.
 */
export interface RegionalApi {
  /** The AWS Region. */
  readonly region: string;
  /** The stack holding this Region's API. */
  readonly stack: Stack;
  /** The REST API. */
  readonly api: apigw.RestApi;
  /** The function serving the API. */
  readonly handler: lambda.IFunction;
  /** The Regional custom domain on the shared name; its alias target is the custom-domain target. */
  readonly customDomain: apigw.DomainName;
  /** The ACM certificate of the shared name in this Region, validated in the hosted zone. */
  readonly certificate: acm.ICertificate;
  /** The WAF web ACL associated with the stage. */
  readonly webAcl: wafv2.CfnWebACL;
  /** The access log group of the stage (KMS-encrypted). */
  readonly accessLogGroup: logs.ILogGroup;
  /** The log group of the WAF web ACL's requests (KMS-encrypted; WAF needs the `aws-waf-logs-` prefix). */
  readonly webAclLogGroup: logs.ILogGroup;
  /** The key of this Region's log groups. */
  readonly logEncryptionKey: kms.IKey;
  /** ARN of the routing control that decides whether this Region receives traffic (a token of the routing stack). */
  readonly routingControlArn: string;
  /** The `RECOVERY_CONTROL` health check of this Region (in the routing stack). */
  readonly healthCheck: route53.IHealthCheck;
}

/**
 * The same REST API in every Region, reached through one name whose DNS answer ARC
 * routing controls decide: a Region receives traffic exactly while its routing control
 * is On.
 *
 * Per Region: an API Gateway REST API (Lambda proxy integration) with access logs,
 * X-Ray tracing, throttling and execution logging, a Regional custom domain on the
 * shared name with an ACM certificate validated in your hosted zone, a WAF web ACL
 * (AWS managed rule groups and a per-IP rate limit), and an optional Cognito
 * authorizer. In the routing stack: an ARC cluster (or yours), a control panel, a
 * routing control per Region, an assertion safety rule that keeps at least one Region
 * On, a `RECOVERY_CONTROL` health check and a weighted alias record per Region, and a
 * custom resource that turns the first Region On (and the others Off) when it is
 * created, and never changes a routing state afterwards.
 *
 * What a runbook needs (cluster endpoints, control ARNs) is written to the SSM
 * parameter `/cdk-cross-region-failover/<name>/routing` in every API Region.
 */
export class ArcRoutedApi extends Construct {
  /** The Regions, the initially active one first. */
  public readonly regionNames: string[];
  /** What was created in each Region, in the order of `regions`. */
  public readonly regionalApis: RegionalApi[];
  /** The routing of every Region, in the order of `regions`: its routing control and health check, whoever serves it. */
  public readonly regionalRoutings: RegionalRouting[];
  /** The shared name clients call. */
  public readonly domainName: string;
  /** ARN of the ARC cluster (the one given, or a token of the routing stack). */
  public readonly clusterArn: string;
  /** The ARC cluster, when this construct created it. */
  public readonly cluster?: arc.CfnCluster;
  /**
   * The cluster's five data-plane endpoints (tokens of the routing stack, read from ARC
   * at deploy time). Runbooks in other Regions read them from the routing parameter.
   */
  public readonly clusterEndpoints: ArcClusterEndpoint[];
  /** The control panel holding the routing controls. */
  public readonly controlPanel: arc.CfnControlPanel;
  /** The assertion rule that keeps at least one Region On. */
  public readonly safetyRule: arc.CfnSafetyRule;
  /** Name of the SSM parameter, in every API Region, with the routing topology as JSON. */
  public readonly routingParameterName: string;
  /** The stack holding the ARC resources, the health checks and the DNS records. */
  public readonly routingStack: Stack;
  /** Whether one Region serves at a time or every Region that is On (the `mode` prop). */
  public readonly mode: RoutingMode;

  /**
   * @param scope where the construct lives; any scope, the App is a good one
   * @param id the construct id, also used for the resources in every stack
   * @param props the name, the Regions, the routing stack and the domain
   */
  constructor(scope: Construct, id: string, props: ArcRoutedApiProps) {
    super(scope, id);

    this.regionNames = validateRegionalStacks(this, CONSTRUCT_NAME, 'regions', props.regions.map((r) => r.stack), MAX_REGIONS);
    validateProps(this, props, this.regionNames);

    this.domainName = props.domainName;
    this.routingStack = props.routingStack;
    this.mode = props.mode ?? RoutingMode.ACTIVE_PASSIVE;
    const activeActive = this.mode === RoutingMode.ACTIVE_ACTIVE;
    this.routingParameterName = routingTopologyParameterName(props.name);

    const placement = new RegionalPlacement(this);
    const parentIn = (stack: Stack): Construct => placement.parentIn(stack);

    const regionalParents = props.regions.map((options) => parentIn(options.stack));
    const apis = props.regions.map((options, i) => {
      props.routingStack.addDependency(options.stack, `DNS records point at the custom domain of the API in ${this.regionNames[i]}`);
      return options.endpoint ? undefined : this.createRegionalApi(regionalParents[i], this.regionNames[i], options, props);
    });
    if (props.allowUnauthenticatedAccess === true) {
      warnInStacks(regionalParents.filter((_, i) => apis[i] !== undefined), 'cdk-cross-region-failover:unauthenticated-api',
        'allowUnauthenticatedAccess is true: the API serves every request without an authorizer in every Region; ' +
          'the handler must authenticate callers unless the API is public.');
    }

    // ---- Routing: ARC, health checks, DNS, initial states, published topology ----
    const routing = parentIn(props.routingStack);
    if (props.existingClusterArn) {
      this.clusterArn = props.existingClusterArn;
    } else {
      this.cluster = new arc.CfnCluster(routing, 'Cluster', { name: `${props.name}-cluster` });
      this.clusterArn = this.cluster.attrClusterArn;
    }
    this.controlPanel = new arc.CfnControlPanel(routing, 'ControlPanel', { name: `${props.name}-panel`, clusterArn: this.clusterArn });

    const controls = this.regionNames.map((region) => new arc.CfnRoutingControl(routing, `RoutingControl-${region}`, {
      name: `${props.name}-${region}`,
      clusterArn: this.clusterArn,
      controlPanelArn: this.controlPanel.attrControlPanelArn,
    }));
    const controlArns = controls.map((c) => c.attrRoutingControlArn);

    this.safetyRule = new arc.CfnSafetyRule(routing, 'AtLeastOneRegion', {
      name: `${props.name}-at-least-one-region`,
      controlPanelArn: this.controlPanel.attrControlPanelArn,
      assertionRule: { assertedControls: controlArns, waitPeriodMs: 5000 },
      ruleConfig: { type: 'ATLEAST', threshold: 1, inverted: false },
    });

    // Where `cdk deploy` prints it: the name clients call, and where the routing is read.
    new CfnOutput(routing, 'ApiUrl', {
      description: activeActive
        ? `The ${props.name} API: one name, answered by the nearest Region whose routing control is On`
        : `The ${props.name} API: one name, answered by the Region whose routing control is On`,
      value: `https://${props.domainName}/`,
    });

    const healthChecks = this.regionNames.map((region, i) => new route53.HealthCheck(routing, `HealthCheck-${region}`, {
      type: route53.HealthCheckType.RECOVERY_CONTROL,
      routingControl: controlArns[i],
    }));

    // Every Regional custom domain's alias target, read in its own Region at deploy time
    // (or given, for a team's own endpoint).
    this.regionNames.forEach((region, i) => {
      const endpoint = props.regions[i].endpoint;
      const given = endpoint?._dnsName !== undefined && endpoint._hostedZoneId !== undefined
        ? { dnsName: endpoint._dnsName, hostedZoneId: endpoint._hostedZoneId }
        : undefined;
      const lookup = given ? undefined : libraryCustomResource(routing, `CustomDomainTarget-${region}`, {
        onUpdate: {
          service: 'APIGateway',
          action: 'getDomainName',
          region,
          parameters: { domainName: props.domainName },
          physicalResourceId: cr.PhysicalResourceId.of(`${props.domainName}@${region}`),
          outputPaths: ['regionalDomainName', 'regionalHostedZoneId'],
        },
        policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({
          actions: ['apigateway:GET'],
          resources: [`arn:${props.routingStack.partition}:apigateway:${region}::/domainnames/${props.domainName}`],
        })]),
        installLatestAwsSdk: false,
      });
      new route53.ARecord(routing, `Record-${region}`, {
        zone: props.hostedZone,
        recordName: props.domainName,
        setIdentifier: region,
        // Active/passive: equal weights, and the health checks leave the one Region that is On.
        // Active/active: the nearest Region whose health check passes, that is whose control is On.
        ...(activeActive ? { region } : { weight: 100 }),
        healthCheck: healthChecks[i],
        target: route53.RecordTarget.fromAlias({
          bind: () => given ?? ({
            dnsName: lookup!.getResponseField('regionalDomainName'),
            hostedZoneId: lookup!.getResponseField('regionalHostedZoneId'),
          }),
        }),
      });
    });

    const endpoints = this.lookUpClusterEndpoints(routing, props);
    this.clusterEndpoints = endpoints.map((e) => ({ endpoint: e.Endpoint, region: e.Region }));
    // The routing stack's log group, encrypted with a key of its own (the routing stack is never a Regional stack).
    const routingKey = new kms.Key(routing, 'LogKey', {
      description: `Encrypts the log groups of the ${props.name} routing`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    allowLogGroupsToUse(routingKey, props.routingStack, props.routingStack.region);
    const initialState = this.initialState(routing, endpoints, controlArns, activeActive ? controlArns : [controlArns[0]], routingKey);
    // The safety rule must exist before the first state change it guards.
    initialState.node.addDependency(this.safetyRule);

    const topology = props.routingStack.toJsonString({
      version: 1,
      name: props.name,
      domainName: props.domainName,
      clusterArn: this.clusterArn,
      controlPanelArn: this.controlPanel.attrControlPanelArn,
      clusterEndpoints: endpoints,
      ...(activeActive ? { mode: ACTIVE_ACTIVE_MODE } : {}),
      regions: this.regionNames.map((region, i) => ({
        region,
        routingControlArn: controlArns[i],
        healthCheckId: healthChecks[i].healthCheckId,
        initiallyActive: activeActive || i === 0,
      })),
    });
    this.regionNames.forEach((region) => {
      const parameterArn = `arn:${props.routingStack.partition}:ssm:${region}:${props.routingStack.account}:parameter${this.routingParameterName}`;
      const call = (action: string, parameters: object): cr.AwsSdkCall => ({
        service: 'SSM', action, region, parameters, physicalResourceId: cr.PhysicalResourceId.of(`${this.routingParameterName}@${region}`),
      });
      libraryCustomResource(routing, `PublishTopology-${region}`, {
        // Standard tier (free) while the value fits its 4 KB, Advanced (8 KB) past that.
        onUpdate: call(
          'putParameter',
          { Name: this.routingParameterName, Value: topology, Type: 'String', Overwrite: true, Tier: 'Intelligent-Tiering' },
        ),
        onDelete: call('deleteParameter', { Name: this.routingParameterName }),
        policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({
          actions: ['ssm:PutParameter', 'ssm:DeleteParameter'],
          resources: [parameterArn],
        })]),
        installLatestAwsSdk: false,
      });
    });
    acknowledgeAwsCustomResourceProvider(props.routingStack);

    this.regionalRoutings = this.regionNames.map((region, i) => ({
      region,
      stack: props.regions[i].stack,
      routingControlArn: controlArns[i],
      healthCheck: healthChecks[i],
      ownEndpoint: props.regions[i].endpoint !== undefined,
    }));
    this.regionalApis = apis.flatMap((api, i) => (api ? [{ ...api, routingControlArn: controlArns[i], healthCheck: healthChecks[i] }] : []));
  }

  /**
   * What was created in `region`.
   *
   * @param region one of the Regions passed in `regions`
   */
  public regionalApi(region: string): RegionalApi {
    const found = this.regionalApis.find((r) => r.region === region);
    if (!found) {
      const own = this.regionalRoutings.find((r) => r.region === region)?.ownEndpoint === true;
      throw new Error(own
        ? `${CONSTRUCT_NAME} '${this.node.path}': Region '${region}' routes your own endpoint, not an API this construct created: ` +
          'use regionalRouting(region) for its routing control and health check.'
        : `${CONSTRUCT_NAME} '${this.node.path}': no API in Region '${region}'; its Regions are ${this.regionNames.join(', ')}.`);
    }
    return found;
  }

  /**
   * How `region` is routed: its routing control and health check, whether the construct
   * created its API or routes your own endpoint there.
   *
   * @param region one of the Regions passed in `regions`
   */
  public regionalRouting(region: string): RegionalRouting {
    const found = this.regionalRoutings.find((r) => r.region === region);
    if (!found) {
      throw new Error(`${CONSTRUCT_NAME} '${this.node.path}': no Region '${region}'; its Regions are ${this.regionNames.join(', ')}.`);
    }
    return found;
  }

  /**
   * Lets `grantee` read and change the routing controls' states through the ARC
   * cluster data plane. A grantee in the routing stack gets exactly this topology's
   * controls; one in another stack (another Region) gets the routing controls of the
   * account, because their ARNs are only known inside the routing stack.
   *
   * @param grantee an operator role, a runbook's role or a function
   */
  public grantChangeRoutingState(grantee: iam.IGrantable): iam.Grant {
    return this.grantRoutingControls(grantee, [
      'route53-recovery-cluster:GetRoutingControlState',
      'route53-recovery-cluster:UpdateRoutingControlState',
      'route53-recovery-cluster:UpdateRoutingControlStates',
    ]);
  }

  /**
   * Lets `grantee` read the routing controls' states through the ARC cluster data plane
   * (`GetRoutingControlState`), with the same scoping as `grantChangeRoutingState`.
   *
   * @param grantee an operator role or a monitoring function
   */
  public grantReadRoutingState(grantee: iam.IGrantable): iam.Grant {
    return this.grantRoutingControls(grantee, ['route53-recovery-cluster:GetRoutingControlState']);
  }

  /**
   * `Count` of the API in `region`: the requests it received, which is the traffic the
   * routing sends there.
   *
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html
   * @param apiRegion one of the Regions
   * @param props options that override the defaults
   * @default - sum over 1 minute, in the API's Region
   */
  public metricCount(apiRegion: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return apiMetric(this.regionalApi(apiRegion).api, 'Count', { region: apiRegion, ...props });
  }

  /**
   * `5XXError` of the API in `region`: the requests it answered with a server error.
   *
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html
   * @param apiRegion one of the Regions
   * @param props options that override the defaults
   * @default - sum over 1 minute, in the API's Region
   */
  public metric5XXError(apiRegion: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return apiMetric(this.regionalApi(apiRegion).api, '5XXError', { region: apiRegion, ...props });
  }

  /**
   * `Latency` of the API in `region`, in milliseconds: from receiving a request to
   * answering it.
   *
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html
   * @param apiRegion one of the Regions
   * @param props options that override the defaults
   * @default - the 99th percentile over 1 minute, in the API's Region
   */
  public metricLatency(apiRegion: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return apiMetric(this.regionalApi(apiRegion).api, 'Latency', { region: apiRegion, ...props });
  }

  private grantRoutingControls(grantee: iam.IGrantable, actions: string[]): iam.Grant {
    const principalStack = grantee.grantPrincipal instanceof Construct ? Stack.of(grantee.grantPrincipal) : undefined;
    const resources = principalStack === this.routingStack
      ? this.regionalApis.map((r) => r.routingControlArn)
      : [Arn.format({
        service: 'route53-recovery-control',
        region: '',
        resource: 'controlpanel',
        resourceName: '*/routingcontrol/*',
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }, principalStack ?? this.routingStack)];
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: resources });
  }

  private createRegionalApi(parent: Construct, region: string, options: ArcRoutedApiRegionOptions, props: ArcRoutedApiProps) {
    const handler = options.handler ?? props.handlerFactory!.createHandler(parent, region);

    const logEncryptionKey = options.logEncryptionKey ?? new kms.Key(parent, 'LogKey', {
      description: `Encrypts the log groups of the ${props.name} API in ${region}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    allowLogGroupsToUse(logEncryptionKey, Stack.of(parent), region);
    const accessLogGroup = new logs.LogGroup(parent, 'AccessLogs', {
      retention: props.accessLogRetention ?? logs.RetentionDays.THREE_MONTHS,
      encryptionKey: logEncryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const userPool = options.userPool ?? props.userPool;
    const authorizer = userPool
      ? new apigw.CognitoUserPoolsAuthorizer(parent, 'Authorizer', { cognitoUserPools: [userPool] })
      : undefined;
    const api = new apigw.LambdaRestApi(parent, 'RestApi', {
      restApiName: `${props.name}-${region}`,
      description: `${props.name} API in ${region}, routed by ARC`,
      handler,
      endpointTypes: [apigw.EndpointType.REGIONAL],
      disableExecuteApiEndpoint: true,
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: 'live',
        tracingEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        metricsEnabled: true,
        throttlingRateLimit: props.throttlingRateLimit ?? 1000,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 500,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogGroup),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
      },
      defaultMethodOptions: authorizer
        ? { authorizer, authorizationType: apigw.AuthorizationType.COGNITO }
        : undefined,
    });
    // RestApi prints its execute-api URL as an output; that endpoint is disabled above, so
    // the output would lead nowhere: the API answers at the custom domain (ApiUrl).
    api.node.tryRemoveChild('Endpoint');
    acknowledgeFinding(api, 'AwsSolutions-APIG2',
      'Requests go to the Lambda handler through a proxy integration; the handler validates every input and answers 400 with the reason.');
    acknowledgeInPacks(api.deploymentStage, 'APIGWSSLEnabled',
      'The integration is a Lambda proxy, not an HTTP backend: there is no backend to present a client certificate to.',
      ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']);
    acknowledgeInPacks(api.deploymentStage, 'APIGWCacheEnabledAndEncrypted',
      'A cache would answer from data the database has changed since, and after a failover from another Region\'s past; responses are not cached.',
      ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']);
    const cloudWatchRole = api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      acknowledgeFinding(cloudWatchRole,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        'The AWS managed policy API Gateway documents for the account-level role that writes execution logs.');
    }

    const certificate = new acm.Certificate(parent, 'Certificate', {
      domainName: props.domainName,
      validation: acm.CertificateValidation.fromDns(props.hostedZone),
    });
    const customDomain = new apigw.DomainName(parent, 'CustomDomain', {
      domainName: props.domainName,
      certificate,
      endpointType: apigw.EndpointType.REGIONAL,
      securityPolicy: apigw.SecurityPolicy.TLS_1_2,
      mapping: api,
    });

    const webAcl = new wafv2.CfnWebACL(parent, 'WebAcl', {
      name: `${props.name}-${region}`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: `${props.name}-${region}` },
      rules: [
        ...[
          'AWSManagedRulesAmazonIpReputationList',
          'AWSManagedRulesCommonRuleSet',
          'AWSManagedRulesKnownBadInputsRuleSet',
        ].map((rule, priority) => ({
          name: rule,
          priority,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: rule } },
          visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: rule },
        })),
        {
          name: 'RateLimitPerIp',
          priority: 3,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: props.wafRateLimit ?? 2000, aggregateKeyType: 'IP' } },
          visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: 'RateLimitPerIp' },
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(parent, 'WebAclAssociation', {
      resourceArn: api.deploymentStage.stageArn,
      webAclArn: webAcl.attrArn,
    });
    // WAF logs only to groups named aws-waf-logs-*; the stack's id in the name lets a
    // deleted stack (whose kept group lives on) be created again.
    const stack = Stack.of(parent);
    const webAclLogGroup = new logs.LogGroup(parent, 'WebAclLogs', {
      logGroupName: `aws-waf-logs-${props.name}-${Fn.select(2, Fn.split('/', Aws.STACK_ID))}`,
      retention: props.accessLogRetention ?? logs.RetentionDays.THREE_MONTHS,
      encryptionKey: logEncryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new wafv2.CfnLoggingConfiguration(parent, 'WebAclLogging', {
      resourceArn: webAcl.attrArn,
      // The group's ARN without the trailing :* (the form WAF documents).
      logDestinationConfigs: [stack.formatArn({
        service: 'logs', resource: 'log-group', resourceName: webAclLogGroup.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      })],
    });

    return { region, stack, api, handler, customDomain, certificate, webAcl, accessLogGroup, webAclLogGroup, logEncryptionKey };
  }

  /**
   * The cluster's five data-plane endpoints, as `[{ Endpoint, Region }]` of strings.
   * Read from ARC's control plane at deploy time (CloudFormation's `ClusterEndpoints`
   * attribute is a list of objects that cannot be written into a JSON string).
   */
  private lookUpClusterEndpoints(routing: Construct, props: ArcRoutedApiProps): { Endpoint: string; Region: string }[] {
    const lookup = libraryCustomResource(routing, 'ClusterEndpoints', {
      onUpdate: {
        service: 'Route53RecoveryControlConfig',
        action: 'describeCluster',
        region: ARC_CONTROL_PLANE_REGION,
        parameters: { ClusterArn: this.clusterArn },
        physicalResourceId: cr.PhysicalResourceId.of(`${props.name}-cluster-endpoints`),
        outputPaths: Array.from(
          { length: CLUSTER_ENDPOINT_COUNT },
          (_, i) => [`Cluster.ClusterEndpoints.${i}.Endpoint`, `Cluster.ClusterEndpoints.${i}.Region`],
        ).flat(),
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({
        actions: ['route53-recovery-control-config:DescribeCluster'],
        resources: [this.clusterArn],
      })]),
      installLatestAwsSdk: false,
    });
    return Array.from({ length: CLUSTER_ENDPOINT_COUNT }, (_, i) => ({
      Endpoint: lookup.getResponseField(`Cluster.ClusterEndpoints.${i}.Endpoint`),
      Region: lookup.getResponseField(`Cluster.ClusterEndpoints.${i}.Region`),
    }));
  }

  private initialState(
    routing: Construct, endpoints: { Endpoint: string; Region: string }[], controlArns: string[], initiallyOn: string[], logKey: kms.IKey,
  ): CustomResource {
    const fn = new InitialRoutingStateFunction(routing, 'InitialRoutingStateFunction', {
      description: 'Sets the initial ARC routing control states on create; never changes them on update or delete',
      timeout: Duration.minutes(2),
      memorySize: 256,
      tracing: lambda.Tracing.ACTIVE,
      logGroup: new logs.LogGroup(routing, 'InitialRoutingStateLogs', { retention: logs.RetentionDays.THREE_MONTHS, encryptionKey: logKey }),
    });
    acknowledgeLibraryFunction(fn, false);
    acknowledgeInPacks(fn, 'LambdaDLQ',
      'A CloudFormation custom resource: CloudFormation waits for its answer at the response URL, and the function answers before its ' +
        'timeout, so a failure fails the deployment with the reason; a dead-letter queue would receive nothing to act on.',
      ['NIST.800.53.R5', 'HIPAA.Security', 'Serverless']);
    fn.addToRolePolicy(new iam.PolicyStatement({
      actions: ['route53-recovery-cluster:UpdateRoutingControlStates', 'route53-recovery-cluster:GetRoutingControlState'],
      resources: controlArns,
    }));
    if (fn.role) {
      acknowledgeFinding(fn.role,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'Lets the initial-state function write its own logs; its ARC permissions are scoped to this topology\'s routing controls.');
      acknowledgeFinding(fn.role, 'AwsSolutions-IAM5[Resource::*]', 'The X-Ray trace upload has no resource-level permissions.');
      acknowledgeInlinePolicy(fn.role);
    }
    return new CustomResource(routing, 'InitialRoutingState', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::InitialRoutingState',
      properties: {
        ClusterEndpoints: endpoints,
        RoutingControlArns: controlArns,
        // One Region On: the property every release has sent, so an existing deployment sees no change.
        ...(initiallyOn.length === 1 ? { InitiallyOnArn: initiallyOn[0] } : { InitiallyOnArns: initiallyOn }),
      },
    });
  }
}

function validateProps(scope: Construct, props: ArcRoutedApiProps, regions: string[]): void {
  const zoneName = props.hostedZone.zoneName.replace(/\.$/, '');
  const domain = props.domainName.replace(/\.$/, '').toLowerCase();
  const rules: ValidationRule[] = [
    {
      condition: Token.isUnresolved(props.name) || !/^[a-zA-Z][a-zA-Z0-9-]{0,39}$/.test(props.name),
      message: `'name' is '${props.name}': use 1 to 40 letters, digits or hyphens, starting with a letter (ARC resource names derive from it).`,
    },
    {
      condition: Token.isUnresolved(props.hostedZone.hostedZoneId) || Token.isUnresolved(props.hostedZone.zoneName),
      message: "'hostedZone' has an unresolved id or name: import it with HostedZone.fromHostedZoneAttributes({ hostedZoneId, zoneName }) so " +
        "every Region's stack can use it.",
    },
    {
      condition: !Token.isUnresolved(props.domainName) && !Token.isUnresolved(zoneName) &&
        domain !== zoneName.toLowerCase() && !domain.endsWith(`.${zoneName.toLowerCase()}`),
      message: `'domainName' is '${props.domainName}', which is not inside hosted zone '${zoneName}': use a name that ends with '.${zoneName}'.`,
    },
    {
      condition: Token.isUnresolved(props.routingStack.region) || !ARC_CLOUDFORMATION_REGIONS.includes(props.routingStack.region),
      message:
        `'routingStack' is in Region '${props.routingStack.region}', where CloudFormation has no Route 53 ARC resources: ` +
        `put it in ${ARC_CLOUDFORMATION_REGIONS.join(' or ')}.`,
    },
    {
      condition: props.existingClusterArn !== undefined && !Token.isUnresolved(props.existingClusterArn) &&
        !/^arn:aws[a-z-]*:route53-recovery-control::\d{12}:cluster\/[a-z0-9-]+$/.test(props.existingClusterArn),
      message: `'existingClusterArn' is '${props.existingClusterArn}', which is not an ARC cluster ARN ` +
        '(arn:aws:route53-recovery-control::<account>:cluster/<id>).',
    },
    {
      condition: props.wafRateLimit !== undefined && !isIntegerInRange(props.wafRateLimit, 10, 2_000_000_000),
      message: `'wafRateLimit' is ${props.wafRateLimit}: use a whole number of requests per 5 minutes from 10 to 2000000000.`,
    },
    {
      condition: props.throttlingRateLimit !== undefined && !Token.isUnresolved(props.throttlingRateLimit) && !(props.throttlingRateLimit > 0),
      message: `'throttlingRateLimit' is ${props.throttlingRateLimit}: use a positive number of requests per second.`,
    },
    {
      condition: props.throttlingBurstLimit !== undefined && !isIntegerInRange(props.throttlingBurstLimit, 1, Number.MAX_SAFE_INTEGER),
      message: `'throttlingBurstLimit' is ${props.throttlingBurstLimit}: use a positive whole number.`,
    },
    {
      condition: props.regions.some((r) => r.stack === props.routingStack),
      message: "'routingStack' is also one of the Regional stacks: it must be a stack of its own, deployed after every Region's API.",
    },
  ];
  // Authorization is all or nothing among the APIs the construct creates; a team's own
  // endpoint authorizes its callers itself.
  const created = props.regions.map((r) => r.endpoint === undefined);
  const createdRegions = regions.filter((_, i) => created[i]);
  const withPool = props.regions.map((r) => (r.userPool ?? props.userPool) !== undefined);
  const open = regions.filter((_, i) => created[i] && !withPool[i]);
  const pooled = regions.filter((_, i) => created[i] && withPool[i]);
  rules.push(
    {
      condition: open.length > 0 && pooled.length > 0,
      message:
        `Regions ${pooled.join(', ')} require a user pool's tokens but ${open.join(', ')} ` +
        `${open.length === 1 ? 'does' : 'do'} not: after a failover there, the API would serve anyone. ` +
        'Set userPool on the construct (every Region) or on every Region.',
    },
    {
      condition: createdRegions.length > 0 && open.length === createdRegions.length && props.allowUnauthenticatedAccess !== true,
      message:
        'no Region\'s API requires authorization: set userPool (a Cognito user pool every Region\'s API checks tokens against), ' +
        'or allowUnauthenticatedAccess: true for a public API or a handler that authenticates callers itself.',
    },
    {
      condition: pooled.length > 0 && props.allowUnauthenticatedAccess === true,
      message: "'allowUnauthenticatedAccess' is true but a user pool is set: remove one of the two.",
    },
  );
  props.regions.forEach((r, i) => {
    const given = (['handler', 'userPool', 'logEncryptionKey'] as const).filter((k) => r[k] !== undefined);
    rules.push({
      condition: r.endpoint !== undefined && given.length > 0,
      message: `'regions[${i}]' (${regions[i]}) routes your own endpoint and also sets ${given.join(', ')}, which only an API the construct ` +
        `creates uses: remove ${given.length === 1 ? 'it' : 'them'}, or the endpoint.`,
    });
    const alias = r.endpoint?._dnsName !== undefined ? r.endpoint : undefined;
    rules.push({
      condition: alias !== undefined && (!Token.isUnresolved(alias._dnsName) && alias._dnsName!.trim() === '' ||
        !Token.isUnresolved(alias._hostedZoneId) && !/^Z[A-Z0-9]{1,31}$/.test(alias._hostedZoneId!)),
      message: `'regions[${i}].endpoint' (${regions[i]}) is the alias target '${alias?._dnsName}' in hosted zone '${alias?._hostedZoneId}': ` +
        'give the endpoint\'s DNS name and the hosted zone ID Route 53 aliases it by (Z followed by capitals and digits).',
    });
    rules.push({
      condition: r.endpoint === undefined && r.handler === undefined && props.handlerFactory === undefined,
      message: `'regions[${i}]' (${regions[i]}) has no handler and there is no handlerFactory: set regions[${i}].handler or handlerFactory.`,
    });
  });
  throwIfInvalid(scope, CONSTRUCT_NAME, rules);
}
