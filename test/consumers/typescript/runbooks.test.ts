import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { build } from './runbooks';
import { nagFindings } from '../../nag';

test('the FailoverAutomation usage shown in the README synthesizes; cdk-nag finds only what the user owns', () => {
  const app = new App();
  const runbooks = build(app);
  // Left to the user: the open API, the inline handlers' basic execution role, the on-call role's grant
  // (documents by name with any version, executions by random id), and the VPCs without flow logs.
  const owned = /^AwsSolutions-(APIG4|COG4|VPC7|IAM4\[Policy::arn:<AWS::Partition>:iam::aws:policy\/service-role\/AWSLambdaBasicExecutionRole\]|IAM5\[Resource::arn:<AWS::Partition>:ssm:[a-z0-9-]+:<AWS::AccountId>:(automation-definition\/orders-\w+:\*|automation-execution\/\*)\]) orders-(us-east-1|us-west-2|operators)\/(Api\/RestApi|Handler|Vpc|OnCall)\//;
  expect(nagFindings(app).filter((f) => !owned.test(f))).toEqual([]);
  for (const regional of runbooks.regionalAutomations) {
    const t = Template.fromStack(regional.stack);
    t.resourceCountIs('AWS::SSM::Document', 3);
    t.hasResourceProperties('AWS::SSM::Document', {
      Name: 'orders-Switchover',
      Content: Match.objectLike({
        parameters: Match.objectLike({ MaxRpoLagSeconds: Match.objectLike({ default: 10 }), RequireApproval: Match.objectLike({ default: true }) }),
      }),
    });
  }
  Template.fromStack(app.node.findChild('orders-operators') as Stack).hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'ssm:StartAutomationExecution' })]) },
  });
});
