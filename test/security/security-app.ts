import { App } from 'aws-cdk-lib';
import { buildMinimalExample } from '../../examples/minimal/stacks';
import { ObservedWorkload } from '../../src';

export const REGION_SETS: Record<number, string[]> = {
  2: ['us-east-1', 'us-west-2'],
  3: ['us-east-1', 'us-west-2', 'eu-west-1'],
  5: ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2'],
};

/**
 * The minimal example with everything the library can create turned on: a Cognito
 * authorizer in every Region and ObservedWorkload with automatic failover and approval.
 */
export function buildSecurityApp(regionCount: number, account?: string): App {
  const app = new App();
  const built = buildMinimalExample(app, {
    name: 'orders',
    regions: REGION_SETS[regionCount],
    account,
    routingRegion: 'us-west-2',
    hostedZoneId: 'Z0123456789EXAMPLE',
    zoneName: 'example.com',
    observe: false,
    userPoolArn: 'arn:aws:cognito-idp:us-east-1:111111111111:userpool/us-east-1_EXAMPLE',
  });
  new ObservedWorkload(app, 'Observed', {
    name: 'orders',
    regions: ObservedWorkload.regionsOf(built.database, built.api),
    dashboardStack: built.routingStack,
    automaticFailover: { runbooks: built.runbooks, approvers: ['arn:aws:iam::111111111111:role/oncall'] },
  });
  return app;
}
