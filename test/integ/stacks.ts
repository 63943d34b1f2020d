import { Annotations, App, RemovalPolicies, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { IntegSettings } from './settings';
import { buildMinimalExample, MinimalExample } from '../../examples/minimal/stacks';

/** Warnings the integration app raises on purpose: it must leave nothing behind when it is torn down. */
const DELIBERATE_WARNINGS: Record<string, string> = {
  'cdk-cross-region-failover:deletion-protection-off': 'a test deployment: its teardown deletes the global database',
  'cdk-cross-region-failover:removal-policy-destroy': 'a test deployment: its data is thrown away with it, no final snapshot',
};

/**
 * The minimal example, deployable and deletable: the same stacks, with the database's
 * deletion protection off, no final snapshots, and every resource the constructs keep on
 * stack deletion by design (KMS keys, log groups) deleted with its stack instead, so
 * that `cdk destroy` leaves nothing billable behind. API Gateway's account-level
 * CloudWatch Logs role stays, as in the library: it is not the stack's alone. The API
 * answers at `<name>.<zoneName>`, a name of its own per run, next to whatever the zone
 * already holds.
 */
export function buildIntegApp(app: App, settings: IntegSettings): MinimalExample {
  const example = buildMinimalExample(app, {
    name: settings.name,
    regions: settings.regions,
    routingRegion: settings.routingRegion,
    hostedZoneId: settings.hostedZoneId,
    zoneName: settings.zoneName,
    domainName: settings.domainName,
    existingArcClusterArn: settings.arcClusterArn,
    // No `account`: the CDK CLI deploys into the credentials' account, and the stacks need
    // no context lookup (a VPC in a known account would look its zones up), so what is
    // deployed is exactly what CI synthesizes and lints offline.
    deletionProtection: false,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  RemovalPolicies.of(app).destroy();
  // Except API Gateway's account-level CloudWatch Logs role, kept as the library keeps it:
  // the setting is the Region's, and every REST API of the account in the Region logs through it.
  for (const regional of example.api.regionalApis) {
    for (const id of ['CloudWatchRole', 'Account']) {
      const child = regional.api.node.tryFindChild(id);
      if (child) RemovalPolicies.of(child).retain();
    }
  }
  for (const [id, reason] of Object.entries(DELIBERATE_WARNINGS)) Annotations.of(app).acknowledgeWarning(id, reason);
  // cdk-nag's finding for the same choice, at the clusters it is about.
  for (const region of settings.regions) {
    Validations.of(example.database.regionalCluster(region).cfnCluster).acknowledge({
      id: 'AwsSolutions-RDS10',
      reason: DELIBERATE_WARNINGS['cdk-cross-region-failover:deletion-protection-off'],
    });
  }
  return example;
}
