import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { build } from './routed-api';
import { nagFindings } from '../../nag';

test('the ArcRoutedApi usage shown in the README synthesizes; cdk-nag finds only what the user owns', () => {
  const app = new App();
  const api = build(app);
  // Left to the user: the inline handlers use Lambda's basic execution role.
  const owned = /^AwsSolutions-IAM4\[Policy::arn:<AWS::Partition>:iam::aws:policy\/service-role\/AWSLambdaBasicExecutionRole\] orders-api-[a-z0-9-]+\/Api\/Handler\//;
  expect(nagFindings(app).filter((f) => !owned.test(f))).toEqual([]);
  const routing = Template.fromStack(Stack.of(api.controlPanel));
  routing.resourceCountIs('AWS::Route53RecoveryControl::RoutingControl', 2);
  routing.resourceCountIs('AWS::Route53::RecordSet', 2);
  routing.hasResourceProperties('AWS::IAM::Policy', {
    Roles: [{ Ref: Match.stringLikeRegexp('^Operator') }],
    PolicyDocument: {
      Statement: [Match.objectLike({
        Action: Match.arrayWith(['route53-recovery-cluster:UpdateRoutingControlStates']),
        Resource: [
          { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiRoutingControluseast1'), 'RoutingControlArn'] },
          { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiRoutingControleuwest1'), 'RoutingControlArn'] },
        ],
      })],
    },
  });
  // The one pool's authorizer on every Region's API.
  for (const regional of api.regionalApis) {
    Template.fromStack(regional.stack).hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS', ProviderARNs: ['arn:aws:cognito-idp:us-east-1:111111111111:userpool/us-east-1_EXAMPLE'],
    });
  }
  expect(app.synth().stacks.map((s) => s.stackName).sort()).toEqual(['orders-api-eu-west-1', 'orders-api-us-east-1', 'orders-routing']);
});
