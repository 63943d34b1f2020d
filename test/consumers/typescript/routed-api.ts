import { App, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { ArcRoutedApi } from '../../../src';

/** The same API in two Regions behind api.example.com; ARC routing controls decide which Region serves it. */
export function build(app: App): ArcRoutedApi {
  const stacks = ['us-east-1', 'eu-west-1'].map((region) => new Stack(app, `orders-api-${region}`, { env: { region } }));
  // ARC resources, health checks and DNS records live in a stack of their own (us-west-2 or us-east-1).
  const routingStack = new Stack(app, 'orders-routing', { env: { region: 'us-west-2' } });
  const hostedZone = route53.HostedZone.fromHostedZoneAttributes(routingStack, 'Zone', {
    hostedZoneId: 'Z0123456789EXAMPLE',
    zoneName: 'example.com',
  });
  const api = new ArcRoutedApi(app, 'Api', {
    name: 'orders',
    routingStack,
    hostedZone,
    domainName: 'api.example.com',
    // One handler per Region, built the same way everywhere.
    handlerFactory: {
      createHandler: (scope, region) => new lambda.Function(scope, 'Handler', {
        runtime: lambda.Runtime.NODEJS_24_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline(`exports.handler = async () => ({ statusCode: 200, body: '${region}' })`),
      }),
    },
    regions: stacks.map((stack) => ({ stack })),
    // Every Region's API requires this pool's tokens: a failover never opens the API.
    userPool: cognito.UserPool.fromUserPoolArn(routingStack, 'Users', 'arn:aws:cognito-idp:us-east-1:111111111111:userpool/us-east-1_EXAMPLE'),
  });
  // Operators (or a runbook) in the routing stack may flip the routing controls.
  api.grantChangeRoutingState(new iam.Role(routingStack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() }));
  return api;
}
