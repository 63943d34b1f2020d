import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { build } from './app';
import { nagFindings } from '../../nag';

test('the TypeScript usage shown in the README synthesizes, nag-clean', () => {
  const app = new App();
  const db = build(app);
  expect(nagFindings(app)).toEqual([]);
  const primary = Template.fromStack(db.regionalCluster('us-east-1').stack);
  primary.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
    IpProtocol: 'tcp',
    FromPort: 5432,
    ToPort: 5432,
    SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AppSecurityGroup'), 'GroupId'] },
  });
  primary.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: [Match.objectLike({ Action: 'rds-db:connect' })] },
  });
  primary.hasOutput('DatabaseHost', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseGlobalWriterEndpoint'), 'GlobalClusters.0.Endpoint'] } });
  expect(app.synth().stacks.map((s) => s.stackName)).toEqual(['orders-us-east-1', 'orders-eu-west-1']);
});
