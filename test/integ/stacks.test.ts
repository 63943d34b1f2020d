import { App, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { readSettings, SettingKey } from './settings';
import { buildIntegApp } from './stacks';
import { nagFindings } from '../nag';

const ARC = 'arn:aws:route53-recovery-control::111111111111:cluster/0123abcd-4567-89ef-0123-456789abcdef';

function build(values: Partial<Record<SettingKey, string>> = {}) {
  const app = new App();
  const settings = readSettings((key) => ({ name: 'integ-abc', hostedZoneId: 'Z1ABCDEFGHIJKL', zoneName: 'test.example.org', ...values })[key]);
  const example = buildIntegApp(app, settings);
  const stacks: Stack[] = [...example.stacks, example.routingStack];
  return { app, example, stacks, templates: stacks.map((s) => Template.fromStack(s)) };
}

describe('the integration app', () => {
  const { app, example, stacks, templates } = build();

  test('the minimal example under the run\'s name: a stack per Region and the routing stack', () => {
    expect(stacks.map((s) => [s.stackName, s.region])).toEqual([
      ['integ-abc-us-east-1', 'us-east-1'],
      ['integ-abc-us-west-2', 'us-west-2'],
      ['integ-abc-routing', 'us-west-2'],
    ]);
    // No account: the CLI deploys into the credentials' account, and no lookup is needed.
    expect(stacks.every((s) => Token.isUnresolved(s.account))).toBe(true);
    expect(example.database.globalClusterIdentifier).toBe('integ-abc');
  });

  test('every resource of every stack is deleted with its stack, the kept-by-design keys and log groups included, but API Gateway\'s account role', () => {
    for (const template of templates) {
      type Resource = { Type: string; DeletionPolicy?: string; UpdateReplacePolicy?: string };
      const resources = Object.entries(template.toJSON().Resources as Record<string, Resource>);
      expect(resources.length).toBeGreaterThan(10);
      const kept = resources.filter(([, r]) => r.DeletionPolicy !== 'Delete' || r.UpdateReplacePolicy !== 'Delete').map(([id, r]) => `${id} ${r.Type} ${r.DeletionPolicy}`);
      // API Gateway's account-level CloudWatch Logs role and setting, in the Regional stacks only.
      expect(kept).toEqual(template === templates[2] ? [] : [
        expect.stringMatching(/^ApiRestApiCloudWatchRole[0-9A-F]+ AWS::IAM::Role Retain$/),
        expect.stringMatching(/^ApiRestApiAccount[0-9A-F]+ AWS::ApiGateway::Account Retain$/),
      ]);
    }
    expect(Object.keys(templates[0].findResources('AWS::KMS::Key')).length).toBeGreaterThan(0);
  });

  test('the database can be deleted: no deletion protection, no final snapshot, its log group and secret replica removed', () => {
    templates[0].hasResourceProperties('AWS::RDS::GlobalCluster', { GlobalClusterIdentifier: 'integ-abc', DeletionProtection: false });
    for (const [i, region] of ['us-east-1', 'us-west-2'].entries()) {
      templates[i].hasResource('AWS::RDS::DBCluster', {
        DeletionPolicy: 'Delete',
        Properties: Match.objectLike({ DBClusterIdentifier: `integ-abc-${region}`, DeletionProtection: false }),
      });
      expect(JSON.stringify(templates[i].toJSON())).toContain('deleteLogGroup');
    }
    expect(JSON.stringify(templates[1].toJSON())).toContain('removeRegionsFromReplication');
  });

  test('the API answers at <name>.<zone>, next to whatever the zone holds', () => {
    templates[0].hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: 'integ-abc.test.example.org' });
    templates[2].hasResourceProperties('AWS::Route53::RecordSet', { Name: 'integ-abc.test.example.org.', HostedZoneId: 'Z1ABCDEFGHIJKL' });
    templates[2].resourceCountIs('AWS::Route53RecoveryControl::Cluster', 1);
  });

  test('the warnings it raises on purpose are acknowledged; the public API still warns, as in the example', () => {
    for (const stack of example.stacks) {
      const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
      expect(warnings.filter((w) => /deletionProtection|removalPolicy/.test(w))).toEqual([]);
      expect(warnings.some((w) => w.includes('allowUnauthenticatedAccess'))).toBe(true);
    }
  });

  test('as cdk-nag clean as the example', () => {
    expect(nagFindings(app)).toEqual([]);
  });
});

test('a shared ARC cluster: the routing stack creates none', () => {
  const { templates } = build({ arcClusterArn: ARC });
  templates[2].resourceCountIs('AWS::Route53RecoveryControl::Cluster', 0);
  templates[2].hasResourceProperties('AWS::Route53RecoveryControl::ControlPanel', { ClusterArn: ARC });
});
