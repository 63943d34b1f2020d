import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { ArcRoutedApi, FailoverAutomation, MultiRegionAuroraPostgres } from '../../../src';

/** The global database, the routed API, and the runbooks that move both between Regions. */
export function build(app: App): FailoverAutomation {
  const stacks = ['us-east-1', 'us-west-2'].map((region) => new Stack(app, `orders-${region}`, { env: { region } }));
  const database = new MultiRegionAuroraPostgres(app, 'Database', {
    name: 'orders',
    regions: stacks.map((stack, i) => ({
      stack,
      vpc: new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] }),
      ...(i === 0 ? { databaseName: 'orders' } : { headless: true }),
    })),
  });
  const routingStack = new Stack(app, 'orders-routing', { env: { region: 'us-west-2' } });
  const api = new ArcRoutedApi(app, 'Api', {
    name: 'orders',
    routingStack,
    hostedZone: route53.HostedZone.fromHostedZoneAttributes(routingStack, 'Zone', { hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com' }),
    domainName: 'api.example.com',
    regions: stacks.map((stack) => ({
      stack,
      handler: new lambda.Function(stack, 'Handler', {
        runtime: lambda.Runtime.NODEJS_24_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: process.env.AWS_REGION })'),
      }),
    })),
    allowUnauthenticatedAccess: true,
  });
  // The on-call role, in a stack of its own; a physical name lets other Regions name it.
  const operators = new Stack(app, 'orders-operators', { env: { region: 'us-east-1' } });
  const oncall = new iam.Role(operators, 'OnCall', { roleName: 'oncall', assumedBy: new iam.AccountRootPrincipal() });
  // Switchover, failover and failback documents in both Regions; a run waits for one of
  // the approvers after its pre-flight checks, before it changes anything. The same moves
  // as an ARC Region switch plan too, which the on-call role approves.
  const runbooks = new FailoverAutomation(app, 'Runbooks', {
    database,
    routing: api,
    approvers: ['arn:aws:iam::111111111111:role/oncall'],
    maxRpoLag: Duration.seconds(10),
    regionSwitchPlan: { approvalRole: oncall },
  });
  // The on-call role may start the runbooks in every Region, follow their progress, and
  // read what `npx cdk-cross-region-failover status` shows.
  runbooks.grantStart(oncall);
  runbooks.grantStatus(oncall);
  return runbooks;
}
