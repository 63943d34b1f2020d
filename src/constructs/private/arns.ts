import { Arn, ArnFormat, Stack } from 'aws-cdk-lib';

/**
 * ARNs of the resources the constructs name in IAM policies and custom resources, built
 * in one place. Each is formatted in `stack`, so its partition and account are that
 * stack's (tokens where the stack's environment is not concrete).
 */

/** `arn:<partition>:rds::<account>:global-cluster:<identifier>`: a global cluster has no Region. */
export function globalClusterArn(stack: Stack, globalClusterIdentifier: string): string {
  return Arn.format({
    service: 'rds', region: '', resource: 'global-cluster', resourceName: globalClusterIdentifier, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  }, stack);
}

/** `arn:<partition>:rds:<region>:<account>:cluster:<identifier>`. */
export function clusterArn(stack: Stack, region: string, clusterIdentifier: string): string {
  return Arn.format(
    { service: 'rds', region, resource: 'cluster', resourceName: clusterIdentifier, arnFormat: ArnFormat.COLON_RESOURCE_NAME },
    stack,
  );
}

/** `arn:<partition>:rds:<region>:<account>:db:<identifier>`: one DB instance, or `*` for any in the Region. */
export function dbInstanceArn(stack: Stack, region: string, instanceIdentifier: string): string {
  return Arn.format({ service: 'rds', region, resource: 'db', resourceName: instanceIdentifier, arnFormat: ArnFormat.COLON_RESOURCE_NAME }, stack);
}
