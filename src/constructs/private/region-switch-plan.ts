import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as arcregionswitch from 'aws-cdk-lib/aws-arcregionswitch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { clusterArn, globalClusterArn } from './arns';
import { acknowledgeFinding, acknowledgeInlinePolicy } from '../acknowledge';
import { RoutingMode } from '../arc-routed-api';
import type { FailoverAutomationProps, RegionSwitchPlanOptions } from '../failover-automation';

/** What `AWS::ARCRegionSwitch::Plan` accepts as a plan name. */
export const PLAN_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$/;
/** How long the plan's routing-control step may take. */
const PLAN_ROUTING_TIMEOUT_MINUTES = 10;

/**
 * The ARC Region switch plan of a FailoverAutomation, with its role: an optional
 * approval, the global database's switchover (switchover only: no ungraceful path) and
 * the routing controls, between the first two Regions.
 */
export function createRegionSwitchPlan(parent: Construct, input: {
  name: string;
  regionNames: string[];
  props: FailoverAutomationProps;
  options: RegionSwitchPlanOptions;
}): { plan: arcregionswitch.CfnPlan; role: iam.Role } {
  const { props, options, regionNames } = input;
  const stack = Stack.of(parent);
  const { database, routing } = props;
  const [primary, secondary] = regionNames;
  const clusterArns = regionNames.map((region) => clusterArn(stack, region, database.regionalCluster(region).clusterIdentifier));
  const globalCluster = globalClusterArn(stack, database.globalClusterIdentifier);
  const controlArn = (region: string) => routing.regionalRouting(region).routingControlArn;

  const role = new iam.Role(parent, 'RegionSwitchPlanRole', {
    roleName: planRoleName(input.name),
    assumedBy: new iam.ServicePrincipal('arc-region-switch.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
    description: `Runs the ${input.name} Region switch plan: the global database and the routing controls of ${regionNames.join(' and ')}`,
  });
  acknowledgeInlinePolicy(role);
  // What Region switch needs to evaluate the plan (every 30 minutes and on change) as
  // well as to run it: AWS's managed policy "for plan execution and plan evaluation"
  // (plan reads, iam:SimulatePrincipalPolicy, CloudWatch alarm reads), and no block action.
  role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName(REGION_SWITCH_EXECUTION_POLICY));
  acknowledgeFinding(role, `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${REGION_SWITCH_EXECUTION_POLICY}]`,
    'The AWS managed policy that ARC Region switch documents for plan execution and evaluation: plan reads, iam:SimulatePrincipalPolicy ' +
      'and CloudWatch alarm reads; the block actions are in the inline policy, on named resources.');
  // The Aurora block's sample policy puts the Describe actions on "*"; evaluation reads them.
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'DescribeGlobalDatabase',
    actions: ['rds:DescribeGlobalClusters', 'rds:DescribeDBClusters'],
    resources: ['*'],
  }));
  acknowledgeFinding(role, 'AwsSolutions-IAM5[Resource::*]',
    'rds:DescribeGlobalClusters and rds:DescribeDBClusters on "*", as the Aurora global database execution block\'s sample policy grants ' +
      'them for plan evaluation; reads only. SwitchoverGlobalCluster is on the named global cluster and clusters.');
  // Switchover only: the plan has no ungraceful path (docs/failover-automation.md: "Ungraceful executions").
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'SwitchOverTheWriter',
    actions: ['rds:SwitchoverGlobalCluster'],
    resources: [globalCluster, ...clusterArns],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'DescribeRoutingControls',
    actions: ['route53-recovery-control-config:DescribeControlPanel', 'route53-recovery-control-config:DescribeCluster'],
    resources: [routing.controlPanel.attrControlPanelArn, routing.clusterArn],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'FlipRoutingControls',
    actions: ['route53-recovery-control-config:DescribeRoutingControl', 'route53-recovery-cluster:GetRoutingControlState',
      'route53-recovery-cluster:UpdateRoutingControlStates'],
    resources: regionNames.map(controlArn),
  }));

  const approval: arcregionswitch.CfnPlan.StepProperty[] = [];
  if (options.approvalRole) {
    approval.push({
      name: 'Approve',
      description: 'An approver of the approval role confirms the move before anything changes.',
      executionBlockType: 'ManualApproval',
      executionBlockConfiguration: {
        executionApprovalConfig: {
          approvalRole: options.approvalRole.roleArn,
          timeoutMinutes: Math.ceil((props.approvalTimeout ?? Duration.hours(1)).toSeconds() / 60),
        },
      },
    });
  }
  const moveTheWriter: arcregionswitch.CfnPlan.StepProperty = {
    name: 'MoveTheWriter',
    description: 'SwitchoverGlobalCluster: no data loss. Graceful executions only: for an unplanned failover, run the <name>-Failover runbook.',
    executionBlockType: 'AuroraGlobalDatabase',
    executionBlockConfiguration: {
      globalAuroraConfig: {
        // No ungraceful configuration: in an ungraceful execution the routing-control
        // block does not run ("This block doesn't support the ungraceful execution mode"),
        // so a failover there would leave traffic on the old writer. See docs/failover-automation.md.
        behavior: 'switchoverOnly',
        globalClusterIdentifier: database.globalClusterIdentifier,
        databaseClusterArns: clusterArns,
        timeoutMinutes: Math.ceil((props.writerTimeout ?? Duration.minutes(30)).toSeconds() / 60),
      },
    },
  };
  // Active/passive: activating a Region turns its control On and the other's Off.
  // Active/active: every Region's own control On when it is active; the routing control
  // block takes the same states in the activate and the deactivate workflow ("make sure
  // that you provide the same inputs ... for all routing control execution blocks") and
  // stops traffic to the Region being deactivated (docs/aws-assumptions.md, X7).
  const activeActive = routing.mode === RoutingMode.ACTIVE_ACTIVE;
  const routeTraffic: arcregionswitch.CfnPlan.StepProperty = {
    name: 'RouteTraffic',
    description: activeActive
      ? 'Activating: the Region\'s routing control On; deactivating: its traffic stopped. The other Region is left as it is.'
      : 'The activated Region\'s routing control On, the other\'s Off.',
    executionBlockType: 'ARCRoutingControl',
    executionBlockConfiguration: {
      arcRoutingControlConfig: {
        regionAndRoutingControls: Object.fromEntries(regionNames.map((region) => [region, [
          { routingControlArn: controlArn(region), state: 'On' },
          ...(activeActive ? [] : regionNames.filter((r) => r !== region).map((r) => ({ routingControlArn: controlArn(r), state: 'Off' }))),
        ]])),
        timeoutMinutes: PLAN_ROUTING_TIMEOUT_MINUTES,
      },
    },
  };
  const approvalText = options.approvalRole ? 'approval, ' : '';
  const workflows: arcregionswitch.CfnPlan.WorkflowProperty[] = activeActive
    ? [
      {
        workflowTargetAction: 'activate',
        workflowDescription: `Puts ${primary} or ${secondary} back into service: ${approvalText}its routing control On. ` +
          'The writer stays where it is.',
        steps: [...approval, routeTraffic],
      },
      {
        // The writer leaves the Region being deactivated before its traffic stops (X8).
        workflowTargetAction: 'deactivate',
        workflowDescription: `Takes ${primary} or ${secondary} out of service: ${approvalText}the global database writer moves to the other ` +
          'Region if it is there, then the Region\'s traffic stops.',
        steps: [...approval, moveTheWriter, routeTraffic],
      },
    ]
    : [{
      workflowTargetAction: 'activate',
      workflowDescription: `Activates ${primary} or ${secondary}: ${approvalText}the global database writer, then the routing controls.`,
      steps: [...approval, moveTheWriter, routeTraffic],
    }];

  const plan = new arcregionswitch.CfnPlan(parent, 'RegionSwitchPlan', {
    name: planNameOf(input.name, options),
    description: activeActive
      ? `Takes ${primary} or ${secondary} out of the ${input.name} service and puts it back, moving the writer out first`
      : `Moves the ${input.name} writer and traffic between ${primary} and ${secondary}`,
    executionRole: role.roleArn,
    recoveryApproach: activeActive ? 'activeActive' : 'activePassive',
    regions: [primary, secondary],
    // Active/active has no primary Region: both serve.
    ...(activeActive ? {} : { primaryRegion: primary }),
    ...(options.recoveryTimeObjective ? { recoveryTimeObjectiveMinutes: Math.ceil(options.recoveryTimeObjective.toSeconds() / 60) } : {}),
    workflows,
  });

  if (options.approvalRole) {
    iam.Grant.addToPrincipal({
      grantee: options.approvalRole,
      actions: ['arc-region-switch:ApprovePlanExecutionStep', 'arc-region-switch:GetPlanExecution'],
      resourceArns: planArnsFor(stack, plan, options.approvalRole),
    });
  }
  return { plan, role };
}

/** AWS's managed policy for Region switch plan execution and evaluation. */
const REGION_SWITCH_EXECUTION_POLICY = 'AmazonApplicationRecoveryControllerRegionSwitchPlanExecutionPolicy';

/**
 * The plan's ARN for a grant to `grantee`: the plan's `Arn` attribute when the grantee's
 * stack can reference it (the same account and Region); otherwise, as the API reference
 * gives the format (`arn:<partition>:arc-region-switch::<account>:plan/<name>:<suffix>`,
 * a random six-character suffix after the name) and as the sample policies write it
 * (`plan/<name>/<suffix>`), with the suffix a wildcard.
 */
function planArnsFor(stack: Stack, plan: arcregionswitch.CfnPlan, grantee: iam.IRole): string[] {
  const granteeStack = grantee instanceof Construct ? Stack.of(grantee) : stack;
  const sameEnvironment = !Token.isUnresolved(stack.region) && granteeStack.region === stack.region && granteeStack.account === stack.account;
  if (sameEnvironment) return [plan.attrArn];
  // The Region field is a wildcard: the API's pattern leaves it empty, and `*` matches that
  // as well as a Region, should a sample's form be the one an ARN takes.
  const byName = (separator: string) => granteeStack.formatArn({
    service: 'arc-region-switch', region: '*', account: stack.account, resource: 'plan', resourceName: `${plan.name}${separator}*`,
  });
  return [byName(':'), byName('/')];
}

export function planNameOf(name: string, options: RegionSwitchPlanOptions): string {
  return options.planName ?? name;
}

export function planRoleName(name: string): string {
  return `${name}-region-switch-plan`;
}
