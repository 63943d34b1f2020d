import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { build } from './runbooks';
import { nagFindings } from '../../nag';

test('the FailoverAutomation usage shown in the README synthesizes; cdk-nag finds only what the user owns', () => {
  const app = new App();
  const runbooks = build(app);
  // Left to the user: the open API, the inline handlers' basic execution role, the on-call role's grants
  // (documents by name with any version, executions by random id, the library's parameters, the plan
  // by name, the secret's random suffix, the routing controls outside the routing stack, the instances and
  // keys the status reads (instance names CloudFormation chose; keys by their alias), and the two actions
  // without resource-level permissions), and the VPCs without flow logs.
  const grantWildcards = [
    'arn:<AWS::Partition>:ssm:[a-z0-9-]+:<AWS::AccountId>:(automation-definition\\/orders-\\w+:\\*|automation-execution\\/\\*|parameter\\/cdk-cross-region-failover\\/\\*)',
    'arn:<AWS::Partition>:arc-region-switch:\\*:<AWS::AccountId>:plan\\/orders[:/]\\*',
    'arn:<AWS::Partition>:secretsmanager:[a-z0-9-]+:<AWS::AccountId>:secret:orders-aurora-master-\\?{6}',
    'arn:<AWS::Partition>:route53-recovery-control::<AWS::AccountId>:controlpanel\\/\\*\\/routingcontrol\\/\\*',
    'arn:<AWS::Partition>:rds:[a-z0-9-]+:<AWS::AccountId>:db:\\*',
    'arn:<AWS::Partition>:kms:[a-z0-9-]+:<AWS::AccountId>:key\\/\\*',
    '\\*',
  ].join('|');
  const owned = new RegExp('^AwsSolutions-(APIG4|COG4|VPC7|IAM4\\[Policy::arn:<AWS::Partition>:iam::aws:policy\\/service-role\\/AWSLambdaBasicExecutionRole\\]|' +
    `IAM5\\[Resource::(${grantWildcards})\\]) orders-(us-east-1|us-west-2|operators)\\/(Api\\/RestApi|Handler|Vpc|OnCall)\\/`);
  expect(nagFindings(app).filter((f) => !owned.test(f))).toEqual([]);
  for (const regional of runbooks.regionalAutomations) {
    const t = Template.fromStack(regional.stack);
    t.resourceCountIs('AWS::SSM::Document', 5);
    t.resourceCountIs('Custom::RunbooksSelfTest', 1);
    t.hasResourceProperties('AWS::SSM::Document', {
      Name: 'orders-Switchover',
      Content: Match.objectLike({
        parameters: Match.objectLike({ MaxRpoLagSeconds: Match.objectLike({ default: 10 }), RequireApproval: Match.objectLike({ default: true }) }),
      }),
    });
  }
  Template.fromStack(app.node.findChild('orders-operators') as Stack).hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({ Action: ['arc-region-switch:ApprovePlanExecutionStep', 'arc-region-switch:GetPlanExecution'] }),
        Match.objectLike({ Action: 'ssm:StartAutomationExecution' }),
        Match.objectLike({ Action: ['rds:DescribeGlobalClusters', 'rds:DescribeDBClusters'] }),
      ]),
    },
  });
  // The plan names the on-call role by its physical name: no cross-Region reference.
  const plan = Object.values(Template.fromStack(app.node.findChild('orders-routing') as Stack).findResources('AWS::ARCRegionSwitch::Plan'))[0];
  expect(JSON.stringify(plan.Properties.Workflows[0].Steps[0])).toContain(':role/oncall');
});
