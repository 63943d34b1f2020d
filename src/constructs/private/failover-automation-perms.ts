import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { READINESS_NAMESPACE } from '../../ssm/readiness';
import { addedInstanceIdentifier } from '../../ssm/runbook-steps';
import type { ArcRoutedApi } from '../arc-routed-api';
import type { MultiRegionAuroraPostgres } from '../multi-region-aurora-postgres';
import { clusterArn, dbInstanceArn, globalClusterArn } from './arns';

/**
 * The IAM statements of FailoverAutomation's roles, in one place: what the runbook step
 * function may do in one Region. The grants to operators (`grantStart`,
 * `grantStartFailover`, `grantStatus`) are the construct's public methods.
 */

/**
 * The step role of `region`: read the topology, describe and move the global database,
 * rebuild this Region's cluster, describe every Region's clusters and instances, give a
 * headless cluster a writer, check the key and the secret's replica, read the lag, see
 * the runs under way and its own execution.
 */
export function stepRoleStatements(r: {
  stack: Stack;
  region: string;
  regionNames: string[];
  database: MultiRegionAuroraPostgres;
  routing: ArcRoutedApi;
}): iam.PolicyStatement[] {
  const { stack, region, regionNames, database, routing } = r;
  const clusterArnOf = (name: string) => clusterArn(stack, name, database.regionalCluster(name).clusterIdentifier);
  const globalCluster = globalClusterArn(stack, database.globalClusterIdentifier);
  const parameterArn = (name: string) => stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.replace(/^\//, '') });
  const statements: iam.PolicyStatement[] = [];
  statements.push(allow('ReadTopology', ['ssm:GetParameters'],
    [database.topologyParameterName, routing.routingParameterName, database.clusterSpecParameterName].map(parameterArn)));
  statements.push(allow('DescribeGlobalDatabase', ['rds:DescribeGlobalClusters'], [globalCluster]));
  statements.push(allow('MoveTheWriter', ['rds:SwitchoverGlobalCluster', 'rds:FailoverGlobalCluster', 'rds:RemoveFromGlobalCluster'],
    [globalCluster, ...regionNames.map(clusterArnOf)]));
  statements.push(...rebuildStatements({ stack, region, database, regionNames, globalCluster, clusterArnOf }));
  // Every Region's cluster: a failover checks that the routed one still belongs to the
  // global database, a rebuild that the serving one is available.
  statements.push(allow('DescribeTheClusters', ['rds:DescribeDBClusters'], regionNames.map(clusterArnOf)));
  // The clusters' instances have names CloudFormation chose: they are read by the cluster filter.
  statements.push(allow('DescribeTheInstances', ['rds:DescribeDBInstances'], regionNames.map((name) => dbInstanceArn(stack, name, '*'))));
  statements.push(allow('GiveAHeadlessClusterAWriter', ['rds:CreateDBInstance'], [
    clusterArnOf(region),
    dbInstanceArn(stack, stack.region, addedInstanceIdentifier(database.regionalCluster(region).clusterIdentifier)),
  ]));
  statements.push(allow('CheckTheClusterKey', ['kms:DescribeKey'], [database.regionalCluster(region).kmsKey.keyArn]));
  statements.push(allow('OneRunAtATime', ['ssm:DescribeAutomationExecutions'], ['*']));
  statements.push(allow('CheckTheSecretReplica', ['secretsmanager:DescribeSecret'], [stack.formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${database.secretName}-??????`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  })]));
  statements.push(allow('ReadReplicationLag', ['cloudwatch:GetMetricData'], ['*']));
  // The step history, paged when GetAutomationExecution cuts it (StepExecutionsTruncated).
  statements.push(allow('ReadOwnExecution', ['ssm:GetAutomationExecution', 'ssm:DescribeAutomationStepExecutions'],
    [stack.formatArn({ service: 'ssm', resource: 'automation-execution', resourceName: '*' })]));
  return statements;
}

/**
 * What the rebuild runbook does in this Region: the global database re-created on the
 * serving cluster (its stale members removed), this Region's stale cluster deleted with a
 * final snapshot and created again as a secondary, with its instances.
 */
function rebuildStatements(r: {
  stack: Stack;
  region: string;
  database: MultiRegionAuroraPostgres;
  regionNames: string[];
  globalCluster: string;
  clusterArnOf: (region: string) => string;
}): iam.PolicyStatement[] {
  const { stack, region, globalCluster, clusterArnOf } = r;
  const statements: iam.PolicyStatement[] = [];
  const regional = r.database.regionalCluster(region);
  const rds = (resource: string, resourceName: string) => stack.formatArn({
    service: 'rds',
    resource,
    resourceName,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  const instanceArns = [...regional.instances.map((i) => rds('db', i.ref)), rds('db', addedInstanceIdentifier(regional.clusterIdentifier))];
  statements.push(allow('RebuildTheGlobalDatabase', ['rds:ModifyGlobalCluster', 'rds:DeleteGlobalCluster', 'rds:CreateGlobalCluster'],
    [globalCluster, ...r.regionNames.map(clusterArnOf)]));
  // The Service Authorization Reference lists option groups among CreateDBCluster's
  // resource types; Aurora PostgreSQL has none of its own, so any in this Region.
  statements.push(allow('ReplaceTheStaleCluster', ['rds:ModifyDBCluster', 'rds:DeleteDBCluster', 'rds:CreateDBCluster'], [
    clusterArnOf(region),
    globalCluster,
    rds('subgrp', regional.subnetGroup.subnetGroupName),
    rds('cluster-pg', regional.parameterGroup.bindToCluster({}).parameterGroupName),
    rds('og', '*'),
  ]));
  // DeleteDBCluster with a final snapshot: the snapshot is a resource of the call, and
  // its dependent actions create and tag it.
  statements.push(allow('KeepAFinalSnapshot', ['rds:DeleteDBCluster', 'rds:CreateDBClusterSnapshot', 'rds:AddTagsToResource'],
    [clusterArnOf(region), rds('cluster-snapshot', `${regional.clusterIdentifier}-before-rebuild-*`)]));
  statements.push(allow('ReplaceTheInstances', ['rds:DeleteDBInstance', 'rds:CreateDBInstance'], [clusterArnOf(region), ...instanceArns]));
  // The instances' Enhanced Monitoring role is passed to RDS.
  const monitoringRoles = regional.instances.map((i) => i.monitoringRoleArn).filter((a): a is string => a !== undefined);
  if (monitoringRoles.length > 0) {
    statements.push(new iam.PolicyStatement({ sid: 'PassTheMonitoringRole', actions: ['iam:PassRole'], resources: [monitoringRoles[0]] }));
  }
  // RDS creates the encrypted cluster and its Performance Insights with this Region's key on the caller's behalf.
  statements.push(new iam.PolicyStatement({
    sid: 'EncryptTheNewCluster',
    actions: ['kms:CreateGrant', 'kms:DescribeKey'],
    resources: [regional.kmsKey.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `rds.${region}.amazonaws.com` } },
  }));
  return statements;
}

/**
 * What the step role needs for the readiness evaluation: write the Region's readiness
 * parameter, and publish the readiness metric in the library's namespace only.
 */
export function readinessStatements(stack: Stack, parameterName: string): iam.PolicyStatement[] {
  const statements: iam.PolicyStatement[] = [];
  statements.push(allow('WriteTheReadiness', ['ssm:PutParameter'],
    [stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: parameterName.slice(1) })]));
  // PutMetricData has no resource-level permissions; the condition keeps it to the library's namespace.
  statements.push(new iam.PolicyStatement({
    sid: 'PublishTheReadiness',
    actions: ['cloudwatch:PutMetricData'],
    resources: ['*'],
    conditions: { StringEquals: { 'cloudwatch:namespace': READINESS_NAMESPACE } },
  }));
  return statements;
}

/**
 * What the self-test function needs: start the self-test document and follow its
 * execution, see whether its stack is rolling back, and pass the runbooks' role to SSM.
 */
export function selfTestStatements(stack: Stack, selfTestName: string, automationRoleArn: string): iam.PolicyStatement[] {
  const statements: iam.PolicyStatement[] = [];
  statements.push(allow('StartTheSelfTest', ['ssm:StartAutomationExecution'], [
    stack.formatArn({ service: 'ssm', resource: 'automation-definition', resourceName: `${selfTestName}:*` }),
    stack.formatArn({ service: 'ssm', resource: 'document', resourceName: selfTestName }),
  ]));
  statements.push(allow('FollowTheSelfTest', ['ssm:GetAutomationExecution'],
    [stack.formatArn({ service: 'ssm', resource: 'automation-execution', resourceName: '*' })]));
  // Whether its stack is rolling back: then the self-test is not run again (see self-test-resource.ts).
  statements.push(allow('SeeARollback', ['cloudformation:DescribeStacks'], [stack.stackId]));
  statements.push(new iam.PolicyStatement({
    sid: 'RunItAsTheRunbooksRole',
    actions: ['iam:PassRole'],
    resources: [automationRoleArn],
    conditions: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
  }));
  return statements;
}

/** A statement that allows `actions` on `resources`, named `sid`. */
function allow(sid: string, actions: string[], resources: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid, actions, resources });
}
