import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildMinimalExample } from '../../examples/minimal/stacks';
import { parseAuroraTopology, parseRoutingTopology, parseRunbooksDirectory, runbookTopology } from '../../src/ssm/topology';
import { resolveIntrinsics } from '../helpers';

/**
 * The contract between the constructs and the runbooks: what the stacks publish in every
 * Region is enough to build the topology a runbook acts on.
 */
describe('published topology', () => {
  const app = new App();
  const example = buildMinimalExample(app, {
    name: 'remittance', regions: ['us-east-1', 'us-west-2'], routingRegion: 'us-west-2', hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com',
  });

  function auroraIn(stack: Stack) {
    const name = example.database.topologyParameterName;
    const [param] = Object.values(Template.fromStack(stack).findResources('AWS::SSM::Parameter', { Properties: { Name: name } })) as { Properties: { Value: unknown } }[];
    return parseAuroraTopology(name, resolveIntrinsics(param.Properties.Value) as string);
  }

  function routingFor(region: string) {
    const calls = Object.values(Template.fromStack(example.routingStack).findResources('Custom::AWS'))
      .map((r) => JSON.parse(resolveIntrinsics((r as { Properties: { Create: unknown } }).Properties.Create) as string))
      .filter((c) => c.action === 'putParameter' && c.region === region);
    expect(calls).toHaveLength(1);
    return parseRoutingTopology(calls[0].parameters.Name, calls[0].parameters.Value);
  }

  test.each(['us-east-1', 'us-west-2'])('in %s, the two documents make a runbook topology', (region) => {
    const stack = example.stacks.find((s) => s.region === region)!;
    const topology = runbookTopology(auroraIn(stack), routingFor(region));
    expect(topology.globalClusterIdentifier).toBe('remittance');
    expect(topology.clusterEndpoints).toHaveLength(5);
    expect(topology.clusterEndpoints[0]).toEqual({ endpoint: expect.stringMatching(/^ApiClusterEndpoints.*\.Cluster\.ClusterEndpoints\.0\.Endpoint$/), region: expect.any(String) });
    expect(topology.regions).toEqual([
      { region: 'us-east-1', clusterIdentifier: 'remittance-us-east-1', clusterArn: 'arn:aws:rds:us-east-1:111111111111:cluster:remittance-us-east-1', routingControlArn: expect.stringMatching(/^ApiRoutingControluseast1.*\.RoutingControlArn$/), instanceClass: 'db.serverless' },
      { region: 'us-west-2', clusterIdentifier: 'remittance-us-west-2', clusterArn: 'arn:aws:rds:us-west-2:111111111111:cluster:remittance-us-west-2', routingControlArn: expect.stringMatching(/^ApiRoutingControluswest2.*\.RoutingControlArn$/), instanceClass: 'db.serverless' },
    ]);
  });

  test('Regions that differ between the database and the routing are refused, naming them', () => {
    const aurora = auroraIn(example.stacks[0]);
    const routing = routingFor('us-east-1');
    expect(() => runbookTopology(aurora, { ...routing, regions: [routing.regions[0], { ...routing.regions[1], region: 'eu-west-1' }] })).toThrow(
      'the database and the routing do not cover the same Regions; only the database has us-west-2; only the routing has eu-west-1: give MultiRegionAuroraPostgres and ArcRoutedApi the same Regions.',
    );
  });

  test('a routing published in active/active makes an active/active runbook topology; a mode this release does not know is refused', () => {
    const aurora = auroraIn(example.stacks[0]);
    const routing = routingFor('us-east-1');
    expect(runbookTopology(aurora, routing).activeActive).toBeUndefined();
    expect(runbookTopology(aurora, { ...routing, mode: 'active-active' }).activeActive).toBe(true);
    expect(() => runbookTopology(aurora, { ...routing, mode: 'active-standby' })).toThrow(
      "the routing of remittance is in mode 'active-standby', which these runbooks do not know (they know 'active-active' and one Region at " +
        'a time): nothing was changed; deploy FailoverAutomation from the same release as ArcRoutedApi.',
    );
  });

  test('a damaged routing parameter is refused with what is wrong', () => {
    expect(() => parseRoutingTopology('/p', '{')).toThrow(/SSM parameter \/p is not JSON .*redeploy the routing stack/);
    expect(() => parseRoutingTopology('/p', JSON.stringify({ version: 1, regions: [{}] }))).toThrow(
      'SSM parameter /p does not hold a valid routing topology: missing name; missing domainName; missing clusterArn; missing controlPanelArn; clusterEndpoints must list { Endpoint, Region } strings; regions must list at least 2 members. Redeploy the routing stack to rewrite it.',
    );
    const valid = routingFor('us-east-1');
    expect(() => parseRoutingTopology('/p', JSON.stringify({ ...valid, regions: [valid.regions[0], { region: 'x' }] }))).toThrow('regions[1].routingControlArn missing');
  });
});

describe('the runbooks directory', () => {
  test('the stacks publish one the command-line tool can read, naming the two topology parameters', () => {
    const app = new App();
    const example = buildMinimalExample(app, {
      name: 'remittance', regions: ['us-east-1', 'us-west-2'], routingRegion: 'us-west-2', hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com',
    });
    const name = example.runbooks.runbooksParameterName;
    const [param] = Object.values(Template.fromStack(example.stacks[1]).findResources('AWS::SSM::Parameter', { Properties: { Name: name } })) as { Properties: { Value: string } }[];
    const directory = parseRunbooksDirectory(name, param.Properties.Value);
    expect(directory.auroraTopologyParameter).toBe(example.database.topologyParameterName);
    expect(directory.routingTopologyParameter).toBe(example.api.routingParameterName);
    expect(directory.documents.failback).toBe(example.runbooks.failbackDocumentName);
  });

  test('a damaged one is refused with what is wrong', () => {
    expect(() => parseRunbooksDirectory('/r', JSON.stringify({ version: 1, regions: ['us-east-1'], documents: { switchover: 'x' } }))).toThrow(
      'SSM parameter /r does not hold a valid runbooks directory: missing name; missing auroraTopologyParameter; missing routingTopologyParameter; ' +
        'regions must list at least 2 Regions; missing documents.failover; missing documents.failback. Redeploy the FailoverAutomation stacks to rewrite it.',
    );
  });
});
