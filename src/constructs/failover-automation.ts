import { createHash } from 'crypto';
import { ArnFormat, CfnOutput, CustomResource, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as arcregionswitch from 'aws-cdk-lib/aws-arcregionswitch';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { acknowledgeFinding, acknowledgeInlinePolicy, acknowledgeInPacks, acknowledgeLibraryFunction, findingArn } from './acknowledge';
import { ArcRoutedApi, RoutingMode } from './arc-routed-api';
import { MultiRegionAuroraPostgres } from './multi-region-aurora-postgres';
import { IAM_PRINCIPAL_ARN } from '../principals';
import { clusterArn, dbInstanceArn, globalClusterArn } from './private/arns';
import { readinessStatements, selfTestStatements, stepRoleStatements } from './private/failover-automation-perms';
import { RegionalPlacement } from './private/placement';
import { createRegionSwitchPlan, PLAN_NAME, planNameOf, planRoleName } from './private/region-switch-plan';
import { throwIfInvalid, ValidationRule, warnInStacks } from './validation';
import { MAX_LOOP_ITERATIONS, renderRunbookDocument, renderSelfTestDocument, RunbookDocumentSettings } from '../ssm/documents';
import { ALL_RUNBOOKS, READINESS_METRIC, READINESS_NAMESPACE, READINESS_RUNBOOK, readinessParameterName, readinessRunbooks } from '../ssm/readiness';
import { RunbookStepFunction } from '../ssm/runbook-step-function';
import { POLL_INTERVAL_MS } from '../ssm/runbook-steps';
import { RunbookName, runbooksFor } from '../ssm/runbook-types';
import { SelfTestFunction } from '../ssm/self-test-function';
import { PARAMETER_ROOT, runbookDocumentName, runbooksParameterName, RunbooksDirectory } from '../ssm/topology';

const CONSTRUCT_NAME = 'FailoverAutomation';

/** How long one invocation of a wait step polls; under the step function's timeout. */
const POLL_WINDOW = Duration.minutes(3);
const STEP_FUNCTION_TIMEOUT = Duration.minutes(4);
/** How long a script step waits for the step function's answer: longer than the function may run. */
const INVOKE_READ_TIMEOUT_SECONDS = STEP_FUNCTION_TIMEOUT.toSeconds() + 20;
/** Each script step's limit: past the read timeout, under the 600 s of `aws:executeScript`. */
const STEP_TIMEOUT_SECONDS = INVOKE_READ_TIMEOUT_SECONDS + 30;
/** Time between two polls of a wait step (2 s; doubled after transient errors, see `POLL_INTERVAL_MS`). */
const POLL_INTERVAL_SECONDS = POLL_INTERVAL_MS / 1000;
/** The longest wait a loop of at most 100 poll windows can cover. */
const MAX_WAIT = Duration.minutes(POLL_WINDOW.toMinutes() * (MAX_LOOP_ITERATIONS - 1));

/**
 * Properties of {@link FailoverAutomation}.
 */
export interface FailoverAutomationProps {
  /** The global database the runbooks move the writer of. Its Regions are the runbooks' Regions. */
  readonly database: MultiRegionAuroraPostgres;

  /** The routed API whose routing controls the runbooks flip. It must cover the same Regions as `database`. */
  readonly routing: ArcRoutedApi;

  /**
   * IAM user or role ARNs that may approve a run: the default of each document's
   * `Approvers` parameter.
   *
   * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-approve.html
   * @default - none; a run that asks for approval must name its approvers
   */
  readonly approvers?: string[];

  /**
   * Default of each document's `RequireApproval` parameter: whether a run waits for one
   * of the approvers after its pre-flight checks and before any change.
   *
   * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-approve.html
   * @default - true when `approvers` are given, false otherwise
   */
  readonly requireApproval?: boolean;

  /**
   * How long a run waits for an approval before it ends, changing nothing.
   *
   * @default Duration.hours(1)
   */
  readonly approvalTimeout?: Duration;

  /**
   * Default of the `MaxRpoLagSeconds` parameter: a switchover is refused, and a failback
   * keeps waiting, while the target lags the writer by more than this.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
   * @default Duration.seconds(30)
   */
  readonly maxRpoLag?: Duration;

  /**
   * Default of the failover's `MaxDataLossSeconds` parameter: a failover is refused,
   * before routing moves, while the target lags the writer by more than this (or its
   * lag cannot be read). An operator overrides it at start time (`--max-data-loss`, `0`
   * for no bound).
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
   * @default - no bound: the failover goes ahead whatever the lag, and the report states it
   */
  readonly maxDataLoss?: Duration;

  /**
   * How long a run waits for the writer to move (switchover, failback) or for the
   * target to become writable (failover) before it fails; run it again to resume.
   *
   * @default Duration.minutes(30)
   */
  readonly writerTimeout?: Duration;

  /**
   * How long a failback waits for the old primary to rejoin the global database and
   * catch up; run it again to resume.
   *
   * @default Duration.hours(4)
   */
  readonly rejoinTimeout?: Duration;

  /**
   * Retention of the step function's logs, which hold every step's outcome and each
   * run's report as one JSON line.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Also create an ARC Region switch plan (`AWS::ARCRegionSwitch::Plan`) built from the
   * same topology, for teams that prefer AWS's managed orchestrator to the SSM
   * documents (which are created either way). Region switch plans span exactly two
   * Regions: with more, the construct refuses. Graceful executions only (switchovers):
   * see {@link RegionSwitchPlanOptions}.
   *
   * @default - no plan
   */
  readonly regionSwitchPlan?: RegionSwitchPlanOptions;

  /**
   * Run the self-test on every deployment, in every Region: a `<name>-SelfTest`
   * automation, rendered like the runbooks, that checks in SSM itself that script steps,
   * their outputs, loops, branches and a skipped approval behave as the runbooks assume,
   * read-only, and fails the deployment naming the step and the output that came back
   * wrong. It takes about a minute per Region. Turning it off warns at synth time.
   *
   * @default true
   */
  readonly selfTest?: boolean;

  /**
   * The readiness evaluation: on a schedule, in every Region, each runbook's pre-flight
   * runs read-only with that Region as the target and publishes the CloudWatch metric
   * `RunbookReady` (1 or 0, per runbook and for all of them), with every refusal's reason
   * in the step function's log and in the parameter `status` reads; an alarm per Region
   * goes off after a number of evaluations in a row that were not ready (or did not run).
   *
   * @default - every 30 minutes, an alarm after 2 evaluations not ready
   */
  readonly readiness?: ReadinessEvaluationOptions;
}

/**
 * How {@link FailoverAutomation} evaluates, on a schedule, whether its runbooks would
 * start in each Region, as ARC Region switch evaluates its plans.
 */
export interface ReadinessEvaluationOptions {
  /**
   * Evaluate at all. Turning it off warns at synth time: nothing then tells you that a
   * runbook would refuse before an outage does.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * Time between evaluations: whole minutes, from 5 minutes to 1 day. Each evaluation
   * runs four pre-flights, a few seconds of the step function.
   *
   * @default Duration.minutes(30)
   */
  readonly interval?: Duration;

  /**
   * How many evaluations in a row not ready, or missing, set off a Region's alarm (the
   * alarm's evaluation periods, each `interval` long; together at most 1 day for an
   * interval under an hour, 7 days otherwise, as CloudWatch allows).
   *
   * @default 2
   */
  readonly alarmAfterEvaluations?: number;
}

/**
 * Options of the ARC Region switch plan {@link FailoverAutomation} can create.
 *
 * The plan is active/passive over the database's two Regions, the first one primary,
 * with one activation workflow for either Region: an optional manual approval, then an
 * Aurora global database block that switches over with no data loss, then an ARC routing
 * control block that turns the activated Region's control On and the other's Off.
 *
 * The plan is for graceful executions only. Region switch does not run the routing
 * control block in an ungraceful execution, so a plan that failed the database over
 * there would leave traffic on the old writer: the plan has no ungraceful path, its role
 * cannot fail over, and an unplanned failover is the failover runbook's job.
 */
export interface RegionSwitchPlanOptions {
  /**
   * Name of the plan: 1 to 32 letters, digits or hyphens, not starting or ending with a
   * hyphen.
   *
   * @default - the database's `name`
   */
  readonly planName?: string;

  /**
   * A role whose principals approve each execution: when given, the workflow starts with
   * a manual approval step that waits up to `approvalTimeout`, and the role is granted
   * `arc-region-switch:ApprovePlanExecutionStep` and `GetPlanExecution` on the plan
   * (when it is a role of this app).
   *
   * @default - no approval step
   */
  readonly approvalRole?: iam.IRole;

  /**
   * The recovery time objective Region switch measures executions against.
   *
   * @default - none
   */
  readonly recoveryTimeObjective?: Duration;
}

/**
 * What {@link FailoverAutomation} created in one Region.
 */
export interface RegionalFailoverAutomation {
  /** The AWS Region. */
  readonly region: string;
  /** The stack holding this Region's runbooks (the database stack of the Region). */
  readonly stack: Stack;
  /** The switchover document. */
  readonly switchoverDocument: ssm.CfnDocument;
  /** The failover document. */
  readonly failoverDocument: ssm.CfnDocument;
  /** The failback document. */
  readonly failbackDocument: ssm.CfnDocument;
  /** The rebuild document: after a detach, makes this Region a secondary of the serving one again. */
  readonly rebuildDocument: ssm.CfnDocument;
  /**
   * The evacuate document (active/active routing): takes a Region out of service, moving
   * the writer out of it first when it holds it.
   *
   * @default - undefined, when the routing serves one Region at a time
   */
  readonly evacuateDocument?: ssm.CfnDocument;
  /**
   * The restore document (active/active routing): puts a Region back into service.
   *
   * @default - undefined, when the routing serves one Region at a time
   */
  readonly restoreDocument?: ssm.CfnDocument;
  /** The function the documents invoke for every step. */
  readonly stepFunction: lambda.IFunction;
  /** The role of the step function: the runbooks' AWS permissions. */
  readonly stepRole: iam.IRole;
  /** The role the automation runs as; it may only invoke the step function. */
  readonly automationRole: iam.IRole;
  /** The step function's log group. */
  readonly logGroup: logs.ILogGroup;
  /** The SSM parameter that tells the command-line tool where the runbooks and the topology are. */
  readonly runbooksParameter: ssm.IStringParameter;
  /** The self-test document (`<name>-SelfTest`), created whether or not it runs on deployment. */
  readonly selfTestDocument: ssm.CfnDocument;
  /**
   * The custom resource that runs the self-test on every deployment; absent with `selfTest: false`.
   *
   * @default - undefined, when it is not created (see above)
   */
  readonly selfTest?: CustomResource;
  /**
   * The schedule of the readiness evaluation; absent when it is off.
   *
   * @default - undefined, when it is not created (see above)
   */
  readonly readinessSchedule?: events.Rule;
  /**
   * The alarm that goes off when the runbooks were not ready (or not evaluated) for
   * `alarmAfterEvaluations` evaluations in a row; absent when the evaluation is off. It
   * has no action: add one, or give the runbooks to ObservedWorkload, which sends it to
   * its topic.
   *
   * @default - undefined, when it is not created (see above)
   */
  readonly readinessAlarm?: cloudwatch.Alarm;
  /**
   * The parameter holding this Region's last evaluation, as JSON (`status` prints it); absent when the evaluation is off.
   *
   * @default - undefined, when it is not created (see above)
   */
  readonly readinessParameter?: ssm.IStringParameter;
}

/**
 * The switchover, failover, failback and rebuild runbooks as SSM Automation documents in
 * every Region of a {@link MultiRegionAuroraPostgres} and an {@link ArcRoutedApi}.
 *
 * A runbook is started in the Region it activates; every change it makes goes through
 * that Region and the ARC data plane, so it works while the Region being left is
 * impaired. Each step runs in a prebundled Lambda function of that Region; waits are
 * loops of short polls. Every run ends with a report (steps, durations, measured
 * recovery time, for a failover the data-loss window, and warnings) in the execution's
 * outputs and the function's logs. Every runbook keeps the invariants docs/operations.md lists
 * ("What each runbook guarantees"): routing follows the data, no detach without
 * `AllowDetach`, failback only to a caught-up member, one run of the deployment at a
 * time across Regions, and a run started again converges.
 *
 * - switchover (`<name>-Switchover`): planned, no data loss. Refuses when another run is
 *   under way, the target is unhealthy, not in sync or lags more than
 *   `MaxRpoLagSeconds`, is already the writer and routed, or the ARC data plane is
 *   unreachable on every endpoint.
 * - failover (`<name>-Failover`): the primary Region is impaired. Needs
 *   `AllowDataLoss=true`; routes traffic to the target first, then promotes it.
 * - failback (`<name>-Failback`): waits until the old primary has rejoined and caught
 *   up, then switches over to it and routes traffic back. Refused after a detach.
 * - rebuild (`<name>-Rebuild`): after a failover that detached its target, makes the
 *   Region it runs in a secondary of the serving cluster again.
 * - evacuate (`<name>-Evacuate`) and restore (`<name>-Restore`), with an ArcRoutedApi in
 *   `RoutingMode.ACTIVE_ACTIVE` only: take a Region out of service from another one
 *   (moving the writer out of it first when it holds it), and put it back once its copy
 *   is connected and caught up. With such routing, a switchover or failback leaves the
 *   other Regions in service, and a failover takes them out until each is restored.
 *
 * @example
 * const automation = new FailoverAutomation(app, 'Runbooks', { database: db, routing: api });
 * automation.grantStart(operatorRole);
 */
export class FailoverAutomation extends Construct {
  /** The Regions, in the order of the database's Regions. */
  public readonly regionNames: string[];
  /** Identifier of the global database the runbooks act on. */
  public readonly globalClusterIdentifier: string;
  /** What was created in each Region. */
  public readonly regionalAutomations: RegionalFailoverAutomation[];
  /** Name of the switchover document, the same in every Region. */
  public readonly switchoverDocumentName: string;
  /** Name of the failover document, the same in every Region. */
  public readonly failoverDocumentName: string;
  /** Name of the failback document, the same in every Region. */
  public readonly failbackDocumentName: string;
  /** Name of the rebuild document, the same in every Region. */
  public readonly rebuildDocumentName: string;
  /**
   * Name of the evacuate document, the same in every Region, with active/active routing.
   *
   * @default - undefined, when the routing serves one Region at a time
   */
  public readonly evacuateDocumentName?: string;
  /**
   * Name of the restore document, the same in every Region, with active/active routing.
   *
   * @default - undefined, when the routing serves one Region at a time
   */
  public readonly restoreDocumentName?: string;
  /**
   * Name of the SSM parameter, in every Region, that the command-line tool
   * (`npx cdk-cross-region-failover`) starts from: the document names, the Regions and
   * the topology parameters, as JSON.
   */
  public readonly runbooksParameterName: string;
  /** The ARC Region switch plan, when `regionSwitchPlan` was given (in the routing stack). */
  public readonly regionSwitchPlan?: arcregionswitch.CfnPlan;
  /** The role the Region switch plan executes as, when `regionSwitchPlan` was given. */
  public readonly regionSwitchPlanRole?: iam.IRole;

  /** Whether the readiness evaluation runs (ObservedWorkload shows it when it does). */
  public readonly readinessEnabled: boolean;

  private readonly name: string;
  private readonly activeActive: boolean;
  private readonly readinessInterval: Duration;
  private readonly database: MultiRegionAuroraPostgres;
  private readonly routing: ArcRoutedApi;

  /**
   * @param scope where the construct lives; any scope, the App is a good one
   * @param id the construct id, also used for the resources in every stack
   * @param props the database and the routed API the runbooks act on
   */
  constructor(scope: Construct, id: string, props: FailoverAutomationProps) {
    super(scope, id);
    const { database, routing } = props;
    this.name = database.globalClusterIdentifier;
    this.globalClusterIdentifier = database.globalClusterIdentifier;
    this.database = database;
    this.routing = routing;
    this.regionNames = [...database.regionNames];
    validateProps(this, props, this.name);
    this.readinessEnabled = props.readiness?.enabled !== false;
    this.readinessInterval = props.readiness?.interval ?? DEFAULT_READINESS_INTERVAL;

    this.switchoverDocumentName = documentName(this.name, 'switchover');
    this.failoverDocumentName = documentName(this.name, 'failover');
    this.failbackDocumentName = documentName(this.name, 'failback');
    this.rebuildDocumentName = documentName(this.name, 'rebuild');
    this.activeActive = routing.mode === RoutingMode.ACTIVE_ACTIVE;
    if (this.activeActive) {
      this.evacuateDocumentName = documentName(this.name, 'evacuate');
      this.restoreDocumentName = documentName(this.name, 'restore');
    }
    this.runbooksParameterName = runbooksParameterName(this.name);

    const approvers = props.approvers ?? [];
    const common = {
      functionName: stepFunctionName(this.name),
      approvers,
      requireApproval: props.requireApproval ?? approvers.length > 0,
      approvalTimeoutSeconds: (props.approvalTimeout ?? Duration.hours(1)).toSeconds(),
      maxRpoLagSeconds: (props.maxRpoLag ?? Duration.seconds(30)).toSeconds(),
      maxDataLossSeconds: props.maxDataLoss?.toSeconds() ?? 0,
      writerWaitSeconds: (props.writerTimeout ?? Duration.minutes(30)).toSeconds(),
      rejoinWaitSeconds: (props.rejoinTimeout ?? Duration.hours(4)).toSeconds(),
      pollWindowSeconds: POLL_WINDOW.toSeconds(),
      pollIntervalSeconds: POLL_INTERVAL_SECONDS,
      stepTimeoutSeconds: STEP_TIMEOUT_SECONDS,
      invokeReadTimeoutSeconds: INVOKE_READ_TIMEOUT_SECONDS,
    };

    const placement = new RegionalPlacement(this);
    const routingGrants = new Construct(routing.routingStack, `${id}RoutingGrants`);
    this.regionalAutomations = database.regionalClusters.map((cluster) => {
      const parent = placement.parentIn(cluster.stack);
      const regional = this.createRegion(parent, cluster.region, props, common);
      // The step role may flip exactly this topology's routing controls: their ARNs are
      // only known in the routing stack, so the grant is made there, on the role by name.
      const imported = iam.Role.fromRoleName(routingGrants, `StepRole-${cluster.region}`, stepRoleName(this.name, cluster.region));
      routing.grantChangeRoutingState(imported);
      acknowledgeInlinePolicy(imported);
      routing.routingStack.addDependency(cluster.stack, `the routing grant names the runbook step role of ${cluster.region}`);
      return regional;
    });

    if (props.selfTest === false) {
      warnInStacks(this.regionalAutomations.map((r) => r.selfTestDocument.node.scope!), 'cdk-cross-region-failover:self-test-off',
        'selfTest is false: a deployment no longer checks that the runbooks work in SSM; the first run that finds out may be a failover.');
    }

    if (props.readiness?.enabled === false) {
      warnInStacks(this.regionalAutomations.map((r) => r.selfTestDocument.node.scope!), 'cdk-cross-region-failover:readiness-off',
        'readiness.enabled is false: nothing evaluates whether the runbooks would start; the first to find out may be a failover during an outage.');
    }

    if (props.regionSwitchPlan) {
      const parent = placement.parentIn(routing.routingStack, 'RegionSwitch');
      const created = createRegionSwitchPlan(parent, { name: this.name, regionNames: this.regionNames, props, options: props.regionSwitchPlan });
      this.regionSwitchPlan = created.plan;
      this.regionSwitchPlanRole = created.role;
    }
  }

  /**
   * The readiness metric `RunbookReady` of `region`, as the evaluation publishes it there:
   * 1 when the runbooks would start at the last evaluation, 0 when one would refuse. Its
   * period is the evaluation's interval; read it with the Minimum statistic.
   *
   * @param region one of the database's Regions
   * @param runbook `switchover`, `failover`, `failback` or `rebuild`, and `restore` with active/active routing; every runbook together when not given
   */
  public metricRunbookReady(region: string, runbook?: string): cloudwatch.Metric {
    this.regionalAutomation(region);
    const evaluated = readinessRunbooks(this.activeActive);
    if (runbook !== undefined && !(evaluated as string[]).includes(runbook)) {
      throw new Error(`${CONSTRUCT_NAME} '${this.node.path}': metricRunbookReady: no readiness of runbook '${runbook}'; the evaluated runbooks are ` +
        `${evaluated.join(', ')}.`);
    }
    return new cloudwatch.Metric({
      namespace: READINESS_NAMESPACE,
      metricName: READINESS_METRIC,
      dimensionsMap: { Deployment: this.name, Region: region, Runbook: runbook ?? ALL_RUNBOOKS },
      statistic: 'Minimum',
      period: this.readinessInterval,
      region,
      label: runbook ? `${region} ${runbook}` : region,
    });
  }

  /**
   * What was created in `region`.
   *
   * @param region one of the database's Regions
   */
  public regionalAutomation(region: string): RegionalFailoverAutomation {
    const found = this.regionalAutomations.find((r) => r.region === region);
    if (!found) {
      throw new Error(`${CONSTRUCT_NAME} '${this.node.path}': no runbooks in Region '${region}'; its Regions are ${this.regionNames.join(', ')}.`);
    }
    return found;
  }

  /**
   * Lets `grantee` start the runbooks (six with active/active routing) in every Region and follow their
   * executions, by hand or with the command-line tool: `ssm:StartAutomationExecution` on
   * the documents; `ssm:GetAutomationExecution`, `ssm:DescribeAutomationStepExecutions`
   * and `ssm:StopAutomationExecution` on executions; `ssm:DescribeAutomationExecutions`
   * (no resource-level permissions; the tool checks no run is under way); `ssm:GetParameter`
   * and `ssm:GetParametersByPath` on this library's parameters; and `iam:PassRole` of the
   * automation roles to SSM. Approving is not included: approvers are named in
   * `approvers` or at start time.
   *
   * @param grantee an operator role, or a function that starts runbooks
   */
  public grantStart(grantee: iam.IGrantable): iam.Grant {
    const stack = this.grantStack(grantee);
    const arn = (region: string, service: string, resource: string, resourceName: string) =>
      stack.formatArn({ service, region, resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const documents = this.regionNames.flatMap((region) =>
      runbooksFor(this.activeActive).map((runbook) => documentName(this.name, runbook)).flatMap((doc) => [
        arn(region, 'ssm', 'automation-definition', `${doc}:*`),
        arn(region, 'ssm', 'document', doc),
      ]));
    const start = iam.Grant.addToPrincipal({
      grantee,
      actions: ['ssm:StartAutomationExecution'],
      resourceArns: documents,
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['ssm:GetAutomationExecution', 'ssm:DescribeAutomationStepExecutions', 'ssm:StopAutomationExecution'],
      resourceArns: this.regionNames.map((region) => arn(region, 'ssm', 'automation-execution', '*')),
    });
    this.grantPassAutomationRoles(grantee, stack);
    this.grantFindRunbooks(grantee, stack);
    return start;
  }

  /**
   * Lets `grantee` start the failover runbook only, in every Region, see the executions
   * under way and read where the writer is: `ssm:StartAutomationExecution` on the
   * failover documents, `ssm:DescribeAutomationExecutions` (no resource-level
   * permissions) and `ssm:GetAutomationExecution`, `rds:DescribeGlobalClusters` on the
   * global database, and `iam:PassRole` of the automation roles to SSM.
   * ObservedWorkload's automatic failover uses it.
   *
   * @param grantee a function or role that starts failovers
   */
  public grantStartFailover(grantee: iam.IGrantable): iam.Grant {
    const stack = this.grantStack(grantee);
    const arn = (region: string, resource: string, resourceName: string) =>
      stack.formatArn({ service: 'ssm', region, resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const start = iam.Grant.addToPrincipal({
      grantee,
      actions: ['ssm:StartAutomationExecution'],
      resourceArns: this.regionNames.flatMap((region) => [
        arn(region, 'automation-definition', `${this.failoverDocumentName}:*`),
        arn(region, 'document', this.failoverDocumentName),
      ]),
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['ssm:GetAutomationExecution'],
      resourceArns: this.regionNames.map((region) => arn(region, 'automation-execution', '*')),
    });
    iam.Grant.addToPrincipal({ grantee, actions: ['ssm:DescribeAutomationExecutions'], resourceArns: ['*'] });
    // Which Region holds the writer: a failover is started only away from an impaired writer.
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['rds:DescribeGlobalClusters'],
      resourceArns: [globalClusterArn(stack, this.globalClusterIdentifier)],
    });
    this.grantPassAutomationRoles(grantee, stack);
    return start;
  }

  /**
   * Lets `grantee` read what the command-line tool's `status`, `watch` and `--dry-run` read,
   * changing nothing: the runbooks' parameters and running executions (as in
   * `grantStart`), `rds:DescribeGlobalClusters` on the global database,
   * `rds:DescribeDBClusters` on its clusters, `rds:DescribeDBInstances` in its Regions,
   * `kms:DescribeKey` on the keys with the database's alias (`alias/<name>-aurora`; a key
   * you pass without that alias is not covered, and a dry run then says it could not read
   * it), `secretsmanager:DescribeSecret` on its secret, `cloudwatch:GetMetricData` (no
   * resource-level permissions), the routing controls' states
   * (`ArcRoutedApi.grantReadRoutingState`), and `ssm:GetAutomationExecution` and
   * `ssm:DescribeAutomationStepExecutions` on the executions of its Regions (for `watch`).
   *
   * @param grantee an operator role, or a monitoring function
   */
  public grantStatus(grantee: iam.IGrantable): iam.Grant {
    const stack = this.grantStack(grantee);
    const clusterArns = this.regionNames.map((region) => clusterArn(stack, region, this.database.regionalCluster(region).clusterIdentifier));
    const describe = iam.Grant.addToPrincipal({
      grantee,
      actions: ['rds:DescribeGlobalClusters', 'rds:DescribeDBClusters'],
      resourceArns: [globalClusterArn(stack, this.database.globalClusterIdentifier), ...clusterArns],
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['secretsmanager:DescribeSecret'],
      resourceArns: this.regionNames.map((region) => stack.formatArn({
        service: 'secretsmanager',
        region,
        resource: 'secret',
        resourceName: `${this.database.secretName}-??????`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      })),
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['rds:DescribeDBInstances'],
      resourceArns: this.regionNames.map((region) => dbInstanceArn(stack, region, '*')),
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['kms:DescribeKey'],
      resourceArns: this.regionNames.map((region) => stack.formatArn({ service: 'kms', region, resource: 'key', resourceName: '*' })),
      conditions: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': `alias/${this.database.globalClusterIdentifier}-aurora` } },
    });
    iam.Grant.addToPrincipal({ grantee, actions: ['cloudwatch:GetMetricData'], resourceArns: ['*'] });
    this.routing.grantReadRoutingState(grantee);
    this.grantFindRunbooks(grantee, stack);
    // `watch` follows a run by its id: reading an execution and its steps changes nothing.
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['ssm:GetAutomationExecution', 'ssm:DescribeAutomationStepExecutions'],
      resourceArns: this.regionNames.map((region) => stack.formatArn({
        service: 'ssm', region, resource: 'automation-execution', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      })),
    });
    return describe;
  }

  /** `iam:PassRole` of every Region's automation role, to SSM only: what starting a document as that role needs. */
  private grantPassAutomationRoles(grantee: iam.IGrantable, stack: Stack): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['iam:PassRole'],
      resourceArns: this.regionNames.map((region) => stack.formatArn({
        service: 'iam',
        region: '',
        resource: 'role',
        resourceName: automationRoleName(this.name, region),
      })),
      conditions: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
    });
  }

  /** What the command-line tool reads before anything else: the parameters and the executions under way. */
  private grantFindRunbooks(grantee: iam.IGrantable, stack: Stack): void {
    const root = PARAMETER_ROOT.replace(/^\//, '');
    const parameter = (region: string, name: string) => stack.formatArn({
      service: 'ssm',
      region,
      resource: 'parameter',
      resourceName: name.replace(/^\//, ''),
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['ssm:GetParameter'],
      resourceArns: this.regionNames.flatMap((region) =>
        [this.runbooksParameterName, this.database.topologyParameterName, this.routing.routingParameterName, readinessParameterName(this.name)]
          .map((name) => parameter(region, name))),
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['ssm:GetParametersByPath'],
      resourceArns: this.regionNames.flatMap((region) => [parameter(region, root), parameter(region, `${root}/*`)]),
    });
    iam.Grant.addToPrincipal({ grantee, actions: ['ssm:DescribeAutomationExecutions'], resourceArns: ['*'] });
  }

  private grantStack(grantee: iam.IGrantable): Stack {
    return grantee.grantPrincipal instanceof Construct ? Stack.of(grantee.grantPrincipal) : Stack.of(this.regionalAutomations[0].stack);
  }

  private createRegion(
    parent: Construct,
    region: string,
    props: FailoverAutomationProps,
    common: Omit<RunbookDocumentSettings, 'runbook' | 'region' | 'assumeRoleArn'>,
  ): RegionalFailoverAutomation {
    const stack = Stack.of(parent);
    const { database, routing } = props;

    // Encrypted with the database's key of this Region (MultiRegionAuroraPostgres lets CloudWatch Logs use the keys it creates).
    const logGroup = new logs.LogGroup(parent, 'StepLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: database.regionalCluster(region).kmsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const stepRole = new iam.Role(parent, 'StepRole', {
      roleName: stepRoleName(this.name, region),
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runbook steps of ${this.name} in ${region}: the global database, its metrics, the secret's replica, the topology parameters`,
    });
    logGroup.grantWrite(stepRole);
    for (const statement of stepRoleStatements({ stack, region, regionNames: this.regionNames, database, routing })) {
      stepRole.addToPrincipalPolicy(statement);
    }
    acknowledgeFinding(stepRole, 'AwsSolutions-IAM5[Resource::*]',
      'cloudwatch:GetMetricData (the replication lag), ssm:DescribeAutomationExecutions (the runs under way in every Region, one run at a time) ' +
        'and the X-Ray trace upload have no resource-level permissions; they are the only actions on *.');
    for (const r of this.regionNames) {
      acknowledgeFinding(stepRole, `AwsSolutions-IAM5[Resource::${findingArn(stack, 'rds', r, 'db:*')}]`,
        'rds:DescribeDBInstances only: the clusters\' instances have names CloudFormation generated; the step reads them by the cluster filter.');
    }
    const { clusterIdentifier } = database.regionalCluster(region);
    acknowledgeFinding(stepRole,
      `AwsSolutions-IAM5[Resource::${findingArn(stack, 'rds', region, `cluster-snapshot:${clusterIdentifier}-before-rebuild-*`)}]`,
      'The rebuild\'s final snapshot of the stale cluster is named after the run; only snapshots of this cluster with that prefix.');
    acknowledgeFinding(stepRole, `AwsSolutions-IAM5[Resource::${findingArn(stack, 'rds', region, 'og:*')}]`,
      'rds:CreateDBCluster (the rebuild) lists option groups among its resource types; an Aurora PostgreSQL cluster names none.');
    acknowledgeFinding(stepRole, `AwsSolutions-IAM5[Resource::${findingArn(stack, 'ssm', region, 'automation-execution/*')}]`,
      'Execution ids are random; the report step reads its own execution, in this Region only.');
    const secretArn = findingArn(stack, 'secretsmanager', region, `secret:${database.secretName}-??????`);
    acknowledgeFinding(stepRole, `AwsSolutions-IAM5[Resource::${secretArn}]`,
      'Secrets Manager appends six random characters to the secret name; this matches the database secret only.');
    acknowledgeFinding(stepRole, `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(logGroup.node.defaultChild as logs.CfnLogGroup)}.Arn>:*]`,
      'Log streams of the step function\'s own log group.');

    const stepFunction = new RunbookStepFunction(parent, 'StepFunction', {
      functionName: stepFunctionName(this.name),
      description: `Runs one step of the ${this.name} switchover, failover, failback or rebuild runbook in ${region}`,
      role: stepRole,
      timeout: STEP_FUNCTION_TIMEOUT,
      memorySize: 256,
      logGroup,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        AURORA_TOPOLOGY_PARAMETER: database.topologyParameterName,
        ROUTING_TOPOLOGY_PARAMETER: routing.routingParameterName,
        CLUSTER_SPEC_PARAMETER: database.clusterSpecParameterName,
      },
    });

    const automationRole = new iam.Role(parent, 'AutomationRole', {
      roleName: automationRoleName(this.name, region),
      assumedBy: new iam.ServicePrincipal('ssm.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'ssm', resource: 'automation-execution', resourceName: '*' }) },
        },
      }),
      description: `Runs the ${this.name} runbooks in ${region}; it may only invoke their step function`,
    });
    automationRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['lambda:InvokeFunction'],
      resources: [stepFunction.functionArn],
    }));
    acknowledgeInlinePolicy(automationRole);
    acknowledgeInlinePolicy(stepRole);
    acknowledgeLibraryFunction(stepFunction, true, props.readiness?.enabled === false ? undefined
      : 'Its scheduled readiness evaluation is invoked asynchronously: one that fails after its retries is missing data, which the readiness ' +
        'alarm counts as not ready; a dead-letter queue would hold nothing more to act on.');

    const document = (runbook: RunbookName, id: string) => new ssm.CfnDocument(parent, id, {
      name: documentName(this.name, runbook),
      documentType: 'Automation',
      // YAML: the steps' scripts are embedded, which the SSM reference allows in YAML runbooks only ("Script – ... This
      // parameter is not supported for JSON runbooks"). The content is an object; JSON text is YAML.
      documentFormat: 'YAML',
      updateMethod: 'NewVersion',
      content: renderRunbookDocument({ ...common, runbook, region, regions: this.regionNames, assumeRoleArn: automationRole.roleArn }),
    });

    const directory: RunbooksDirectory = {
      version: 1,
      name: this.name,
      regions: this.regionNames,
      documents: {
        switchover: this.switchoverDocumentName,
        failover: this.failoverDocumentName,
        failback: this.failbackDocumentName,
        rebuild: this.rebuildDocumentName,
        ...(this.activeActive ? { evacuate: this.evacuateDocumentName, restore: this.restoreDocumentName } : {}),
      },
      auroraTopologyParameter: database.topologyParameterName,
      routingTopologyParameter: routing.routingParameterName,
    };
    const runbooksParameter = new ssm.StringParameter(parent, 'RunbooksParameter', {
      parameterName: this.runbooksParameterName,
      description: `Where the ${this.name} runbooks and their topology are, for the command-line tool (written by ${region})`,
      stringValue: JSON.stringify(directory),
      tier: ssm.ParameterTier.INTELLIGENT_TIERING,
    });

    const documents = {
      switchoverDocument: document('switchover', 'SwitchoverDocument'),
      failoverDocument: document('failover', 'FailoverDocument'),
      failbackDocument: document('failback', 'FailbackDocument'),
      rebuildDocument: document('rebuild', 'RebuildDocument'),
      ...(this.activeActive
        ? { evacuateDocument: document('evacuate', 'EvacuateDocument'), restoreDocument: document('restore', 'RestoreDocument') }
        : {}),
    };
    const selfTestDocument = new ssm.CfnDocument(parent, 'SelfTestDocument', {
      name: selfTestDocumentName(this.name),
      documentType: 'Automation',
      documentFormat: 'YAML',
      updateMethod: 'NewVersion',
      content: renderSelfTestDocument({ ...common, region, assumeRoleArn: automationRole.roleArn, documentName: selfTestDocumentName(this.name) }),
    });
    const selfTest = props.selfTest === false ? undefined : this.createSelfTest(parent, {
      region,
      document: selfTestDocument,
      documents: [...Object.values(documents), selfTestDocument],
      automationRole,
      stepFunction,
      stepRole,
      logGroup,
    });

    // The longest a run can last: an approval, a writer instance, the writer's move (twice in
    // a failback), the rejoin, and an hour for every other step. Past it, a run is stuck.
    const maxRunSeconds = common.approvalTimeoutSeconds + 3 * common.writerWaitSeconds + common.rejoinWaitSeconds + 3600;
    const readiness = props.readiness?.enabled === false ? undefined
      : this.createReadiness(parent, { region, options: props.readiness ?? {}, stepFunction, stepRole, common: { ...common, maxRunSeconds } });
    // The alarm comes after the self-test, whose report ran the first evaluation: it starts with data.
    if (readiness && selfTest) readiness.alarm.node.addDependency(selfTest);

    // What an operator runs next, where `cdk deploy` prints it.
    new CfnOutput(parent, 'StatusCommand', {
      description: `The ${this.name} deployment as the runbooks see it from ${region}: writer, routing, lag, readiness, runs under way`,
      value: `npx cdk-cross-region-failover status --name ${this.name} --region ${region}`,
    });
    new CfnOutput(parent, 'SwitchoverCommand', {
      description: `A planned move of the writer and the traffic to ${region}; --dry-run shows the plan and the checks, changing nothing`,
      value: `npx cdk-cross-region-failover switchover --name ${this.name} --to ${region} --dry-run`,
    });

    return {
      region,
      stack,
      runbooksParameter,
      ...documents,
      selfTestDocument,
      selfTest,
      readinessSchedule: readiness?.schedule,
      readinessAlarm: readiness?.alarm,
      readinessParameter: readiness?.parameter,
      stepFunction,
      stepRole,
      automationRole,
      logGroup,
    };
  }

  /**
   * The readiness evaluation of this Region: a schedule that invokes the step function
   * with the deployment's defaults, the parameter it writes, the permissions to publish,
   * and the alarm.
   */
  private createReadiness(parent: Construct, r: {
    region: string;
    options: ReadinessEvaluationOptions;
    stepFunction: lambda.Function;
    stepRole: iam.Role;
    common: { maxRpoLagSeconds?: number; maxDataLossSeconds?: number; maxRunSeconds: number };
  }) {
    const stack = Stack.of(parent);
    const interval = r.options.interval ?? DEFAULT_READINESS_INTERVAL;
    const evaluations = r.options.alarmAfterEvaluations ?? DEFAULT_READINESS_ALARM_EVALUATIONS;
    const parameterName = readinessParameterName(this.name);
    const parameter = new ssm.StringParameter(parent, 'ReadinessParameter', {
      parameterName,
      description: `The last readiness evaluation of the ${this.name} runbooks in ${r.region}, written by their step function`,
      // The step function overwrites it on every evaluation; a deployment writes this placeholder.
      stringValue: JSON.stringify({ name: this.name, region: r.region, evaluatedAt: null, note: 'not evaluated since the last deployment' }),
      tier: ssm.ParameterTier.INTELLIGENT_TIERING,
    });
    for (const statement of readinessStatements(stack, parameterName)) r.stepRole.addToPrincipalPolicy(statement);
    const readinessEvent = {
      Runbook: READINESS_RUNBOOK,
      Deployment: this.name,
      MaxRpoLagSeconds: r.common.maxRpoLagSeconds,
      MaxDataLossSeconds: r.common.maxDataLossSeconds ?? 0,
      MaxRunSeconds: r.common.maxRunSeconds,
    };
    // The self-test's report runs the first evaluation with it (see runbook-step.lambda.ts).
    r.stepFunction.addEnvironment('READINESS_EVENT', JSON.stringify(readinessEvent));
    const schedule = new events.Rule(parent, 'ReadinessSchedule', {
      description: `Evaluates every ${interval.toHumanString()} whether the ${this.name} runbooks would start in ${r.region} (read-only pre-flights)`,
      schedule: events.Schedule.rate(interval),
      targets: [new targets.LambdaFunction(r.stepFunction, {
        event: events.RuleTargetInput.fromObject({ ...readinessEvent, ScheduledAt: events.EventField.time }),
        // A late evaluation is worth less than the next one: the alarm counts a missing one as not ready.
        maxEventAge: Duration.minutes(Math.min(interval.toMinutes(), 60)),
        retryAttempts: 2,
      })],
    });
    const alarm = new cloudwatch.Alarm(parent, 'ReadinessAlarm', {
      alarmName: `${this.name}-runbooks-not-ready-${r.region}`,
      alarmDescription: `The ${this.name} runbooks would not start in ${r.region}, or were not evaluated, ${evaluations} time(s) in a row. ` +
        `The reasons: npx cdk-cross-region-failover status --name ${this.name}, or the step function's log (field "readiness").`,
      metric: new cloudwatch.Metric({
        namespace: READINESS_NAMESPACE,
        metricName: READINESS_METRIC,
        dimensionsMap: { Deployment: this.name, Region: r.region, Runbook: ALL_RUNBOOKS },
        statistic: 'Minimum',
        period: interval,
      }),
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      threshold: 1,
      evaluationPeriods: evaluations,
      datapointsToAlarm: evaluations,
      // An evaluation that did not run is not a good one.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    acknowledgeInPacks(schedule, 'EventBusDLQ',
      'A schedule\'s target: an event EventBridge could not deliver is an evaluation that did not happen, which the readiness alarm counts ' +
        'as not ready (missing data breaches); a dead-letter queue would hold only old timestamps.', ['Serverless']);
    acknowledgeInPacks(alarm, 'CloudWatchAlarmAction',
      'Created without an action, as the library has no topic of its own: ObservedWorkload given these runbooks sends it to its Region\'s ' +
        'topic, or add one with readinessAlarm.addAlarmAction(). Its state is on the dashboard either way.', ['NIST.800.53.R5', 'HIPAA.Security']);
    return { schedule, alarm, parameter };
  }

  /**
   * The custom resource that runs the self-test in this Region after everything it tests
   * exists, and again whenever a document or the step function changes.
   */
  private createSelfTest(parent: Construct, r: {
    region: string;
    document: ssm.CfnDocument;
    documents: ssm.CfnDocument[];
    automationRole: iam.Role;
    stepFunction: lambda.Function;
    stepRole: iam.Role;
    logGroup: logs.ILogGroup;
  }): CustomResource {
    const stack = Stack.of(parent);
    const selfTestName = selfTestDocumentName(this.name);
    const fn = new SelfTestFunction(parent, 'SelfTestFunction', {
      description: `Runs ${selfTestName} on every deployment and fails the deployment when the runbooks would not work (${r.region})`,
      timeout: Duration.minutes(10),
      memorySize: 256,
      tracing: lambda.Tracing.ACTIVE,
      logGroup: r.logGroup,
    });
    r.logGroup.grantWrite(fn);
    for (const statement of selfTestStatements(stack, selfTestName, r.automationRole.roleArn)) fn.addToRolePolicy(statement);
    acknowledgeLibraryFunction(fn, false);
    acknowledgeInPacks(fn, 'LambdaDLQ',
      'A CloudFormation custom resource: CloudFormation waits for its answer at the response URL, and the function answers before its ' +
        'timeout, so a failure fails the deployment with the reason; a dead-letter queue would receive nothing to act on.',
      ['NIST.800.53.R5', 'HIPAA.Security', 'Serverless']);
    if (fn.role) {
      acknowledgeFinding(fn.role,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'Lets the self-test function write its own logs; its SSM permissions are the self-test document and its executions.');
      acknowledgeFinding(fn.role, `AwsSolutions-IAM5[Resource::${findingArn(stack, 'ssm', r.region, `automation-definition/${selfTestName}:*`)}]`,
        'Any version of the self-test document: the function runs the default one.');
      acknowledgeFinding(fn.role, `AwsSolutions-IAM5[Resource::${findingArn(stack, 'ssm', r.region, 'automation-execution/*')}]`,
        'Execution ids are random; the function reads the execution it started.');
      acknowledgeFinding(fn.role, 'AwsSolutions-IAM5[Resource::*]', 'The X-Ray trace upload has no resource-level permissions.');
      acknowledgeInlinePolicy(fn.role);
    }
    // Runs again whenever what it tests changes: a document's content or the step function's code.
    const fingerprint = createHash('sha256')
      .update(JSON.stringify(r.documents.map((d) => stack.resolve(d.content))))
      .update(JSON.stringify(stack.resolve((r.stepFunction.node.defaultChild as lambda.CfnFunction).code)))
      .digest('hex');
    const resource = new CustomResource(parent, 'SelfTest', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::RunbooksSelfTest',
      // CloudFormation waits an hour for an answer by default; the function answers within its 10 minutes.
      serviceTimeout: Duration.minutes(11),
      properties: { DocumentName: selfTestName, Fingerprint: fingerprint },
    });
    // Everything the self-test runs must exist first, with its permissions.
    for (const d of r.documents) resource.node.addDependency(d);
    resource.node.addDependency(r.stepFunction, r.automationRole, r.stepRole);
    return resource;
  }
}


const DEFAULT_READINESS_INTERVAL = Duration.minutes(30);
const DEFAULT_READINESS_ALARM_EVALUATIONS = 2;

function selfTestDocumentName(name: string): string {
  return `${name}-SelfTest`;
}

function documentName(name: string, runbook: RunbookName): string {
  return runbookDocumentName(name, runbook);
}

function stepFunctionName(name: string): string {
  return `${name}-runbook-steps`;
}

function stepRoleName(name: string, region: string): string {
  return `${name}-runbook-steps-${region}`;
}

function automationRoleName(name: string, region: string): string {
  return `${name}-runbooks-${region}`;
}

function validateProps(scope: Construct, props: FailoverAutomationProps, name: string): void {
  const { database, routing } = props;
  const onlyDb = database.regionNames.filter((r) => !routing.regionNames.includes(r));
  const onlyRouting = routing.regionNames.filter((r) => !database.regionNames.includes(r));
  const approvers = props.approvers ?? [];
  const badApprovers = approvers.filter((a) => !Token.isUnresolved(a) && !IAM_PRINCIPAL_ARN.test(a));
  const longest = database.regionNames.reduce((a, r) => (stepRoleName(name, r).length > a.length ? stepRoleName(name, r) : a), '');
  const seconds = (d: Duration | undefined) => (d === undefined || d.isUnresolved() ? undefined : d.toSeconds());
  const between = (d: Duration | undefined, min: number, max: number) => {
    const s = seconds(d);
    return s !== undefined && (s < min || s > max);
  };
  throwIfInvalid(scope, CONSTRUCT_NAME, [
    {
      condition: onlyDb.length > 0 || onlyRouting.length > 0,
      message: `'database' and 'routing' must cover the same Regions: database has ${database.regionNames.join(', ')}, ` +
        `routing has ${routing.regionNames.join(', ')}. Give MultiRegionAuroraPostgres and ArcRoutedApi the same Regions.`,
    },
    {
      condition: badApprovers.length > 0,
      message: '\'approvers\' must be IAM user or role ARNs (arn:aws:iam::<account>:role/<name>), got ' +
        `${badApprovers.map((a) => JSON.stringify(a)).join(', ')}.`,
    },
    {
      condition: props.requireApproval === true && approvers.length === 0,
      message: "'requireApproval' is true but 'approvers' is empty: name at least one IAM user or role ARN that may approve.",
    },
    {
      condition: between(props.maxRpoLag, 1, 3600),
      message: `'maxRpoLag' must be between 1 second and 1 hour, got ${seconds(props.maxRpoLag)} s.`,
    },
    {
      condition: between(props.maxDataLoss, 1, 24 * 3600),
      message: `'maxDataLoss' must be between 1 second and 24 hours, got ${seconds(props.maxDataLoss)} s.`,
    },
    {
      condition: between(props.writerTimeout, 300, MAX_WAIT.toSeconds()),
      message: `'writerTimeout' must be between 5 minutes and ${MAX_WAIT.toHumanString()} (100 polls of ${POLL_WINDOW.toMinutes()} minutes), got ` +
        `${seconds(props.writerTimeout)} s.`,
    },
    {
      condition: between(props.rejoinTimeout, 300, MAX_WAIT.toSeconds()),
      message: `'rejoinTimeout' must be between 5 minutes and ${MAX_WAIT.toHumanString()} (100 polls of ${POLL_WINDOW.toMinutes()} minutes), got ` +
        `${seconds(props.rejoinTimeout)} s: ` +
        'for a longer wait, run the failback again when it times out.',
    },
    {
      condition: between(props.approvalTimeout, 60, 7 * 24 * 3600),
      message: `'approvalTimeout' must be between 1 minute and 7 days (what aws:approve allows), got ${seconds(props.approvalTimeout)} s.`,
    },
    ...readinessRules(props),
    ...planRules(props, name),
    {
      condition: longest.length > 64,
      message: `the database name '${name}' is too long for the runbook role names: '${longest}' has ${longest.length} characters, ` +
        `IAM allows 64. Use a database 'name' of at most ${64 - (longest.length - name.length)} characters.`,
    },
  ]);
}

function lookBackLimit(periodSeconds: number): number {
  return periodSeconds < 3600 ? 86400 : 7 * 86400;
}

function readinessRules(props: FailoverAutomationProps): ValidationRule[] {
  const options = props.readiness;
  if (!options || options.enabled === false) return [];
  const interval = options.interval && !options.interval.isUnresolved() ? options.interval.toSeconds() : DEFAULT_READINESS_INTERVAL.toSeconds();
  const evaluations = options.alarmAfterEvaluations ?? DEFAULT_READINESS_ALARM_EVALUATIONS;
  return [
    {
      condition: interval < 300 || interval > 86400 || interval % 60 !== 0,
      message: `'readiness.interval' must be whole minutes from 5 minutes to 1 day, got ${interval} s.`,
    },
    {
      condition: !Number.isInteger(evaluations) || evaluations < 1,
      message: `'readiness.alarmAfterEvaluations' must be a whole number of 1 or more, got ${evaluations}.`,
    },
    {
      // PutMetricAlarm: Period x EvaluationPeriods at most 1 day for periods under an hour, 7 days otherwise.
      condition: Number.isInteger(evaluations) && evaluations >= 1 && interval <= 86400 && interval * evaluations > lookBackLimit(interval),
      message: `'readiness.alarmAfterEvaluations' times 'readiness.interval' must be at most ${lookBackLimit(interval) / 86400} day(s) at this ` +
        'interval ' +
        `(how far back a CloudWatch alarm looks: 1 day for periods under an hour, 7 days otherwise), got ${evaluations} x ` +
          `${interval / 60} minutes: lower one of them.`,
    },
  ];
}

function planRules(props: FailoverAutomationProps, name: string): ValidationRule[] {
  const options = props.regionSwitchPlan;
  if (!options) return [];
  const regions = props.database.regionNames;
  const planName = planNameOf(name, options);
  const rto = options.recoveryTimeObjective;
  const rtoSeconds = rto === undefined || rto.isUnresolved() ? undefined : rto.toSeconds();
  return [
    {
      condition: regions.length !== 2,
      message: `'regionSwitchPlan' needs exactly two Regions, as an ARC Region switch plan spans two; the database has ${regions.length} ` +
        `(${regions.join(', ')}). Leave 'regionSwitchPlan' out and use the SSM runbooks, which cover every Region.`,
    },
    {
      condition: !Token.isUnresolved(planName) && !PLAN_NAME.test(planName),
      message: `'regionSwitchPlan.planName' is '${planName}': use 1 to 32 letters, digits or hyphens, not starting or ending with a hyphen` +
        `${options.planName === undefined ? " (it defaults to the database's name; set planName)" : ''}.`,
    },
    {
      condition: rtoSeconds !== undefined && (rtoSeconds < 60 || rtoSeconds > 7 * 24 * 3600),
      message: `'regionSwitchPlan.recoveryTimeObjective' must be between 1 minute and 7 days, got ${rtoSeconds} s.`,
    },
    {
      condition: planRoleName(name).length > 64,
      message: `the database name '${name}' is too long for the plan's role name ` +
        `'${planRoleName(name)}' (${planRoleName(name).length} characters, IAM allows 64).`,
    },
  ];
}
