import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { resourceDifferences } from '../build-tools/compare-resources';
import { buildHandWrittenApp } from '../build-tools/hand-written-app';
import { buildMinimalExample } from '../examples/minimal/stacks';

const OPTIONS = { name: 'remittance', routingRegion: 'us-west-2', hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com' };

interface Synthesized {
  /** Stack name to template. */
  readonly templates: Record<string, object>;
  /** Each stack's name and Region, and the stacks it depends on. */
  readonly stacks: string[];
}

function synthesize(build: (app: App) => void): Synthesized {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'hand-written-'));
  try {
    const app = new App({ outdir });
    build(app);
    const assembly = app.synth();
    const stacks = assembly.stacks.map((s) => {
      const dependsOn = s.dependencies.map((dep) => dep.id).filter((id) => !id.endsWith('.assets')).sort();
      return `${s.stackName} in ${s.environment.region} after [${dependsOn.join(', ')}]`;
    });
    return { templates: Object.fromEntries(assembly.stacks.map((s) => [s.stackName, s.template])), stacks: stacks.sort() };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

describe('the hand-written baseline of the synthesis benchmark (build-tools/hand-written-app.ts)', () => {
  test.each([
    [['us-east-1', 'us-west-2']],
    [['us-east-1', 'us-west-2', 'eu-west-1']],
  ])('makes the stacks of the minimal example with the same resource types and counts for %j', (regions) => {
    const library = synthesize((app) => buildMinimalExample(app, { ...OPTIONS, regions }));
    const handWritten = synthesize((app) => buildHandWrittenApp(app, { ...OPTIONS, regions }));
    expect(handWritten.stacks).toEqual(library.stacks);
    expect(resourceDifferences(library.templates, handWritten.templates)).toEqual([]);
    // Not empty shells: the routing stack has a routing control per Region, and the plan only for two Regions.
    const routing = handWritten.templates['remittance-routing'] as { Resources: Record<string, { Type: string }> };
    const types = Object.values(routing.Resources).map((r) => r.Type);
    expect(types.filter((t) => t === 'AWS::Route53RecoveryControl::RoutingControl')).toHaveLength(regions.length);
    expect(types.includes('AWS::ARCRegionSwitch::Plan')).toBe(regions.length === 2);
  }, 120_000);
});

describe('resourceDifferences', () => {
  const template = (...types: string[]) => ({ Resources: Object.fromEntries(types.map((Type, i) => [`R${i}`, { Type, Properties: {} }])) });

  test('is empty when every stack has the same resource types in the same counts, whatever the logical ids', () => {
    const a = { one: template('AWS::SNS::Topic', 'AWS::SQS::Queue', 'AWS::SQS::Queue'), two: {} };
    const b = { two: { Resources: {} }, one: template('AWS::SQS::Queue', 'AWS::SNS::Topic', 'AWS::SQS::Queue') };
    expect(resourceDifferences(a, b)).toEqual([]);
  });

  test('names a missing type, a different count and a stack present in one app only', () => {
    const a = { one: template('AWS::SNS::Topic', 'AWS::SQS::Queue', 'AWS::SQS::Queue'), only: template('AWS::IAM::Role') };
    const b = { one: template('AWS::SQS::Queue', 'AWS::Lambda::Function'), extra: template() };
    expect(resourceDifferences(a, b)).toEqual([
      'extra: only in the second app (0 resources)',
      'one: AWS::Lambda::Function: 0 in the first app, 1 in the second',
      'one: AWS::SNS::Topic: 1 in the first app, 0 in the second',
      'one: AWS::SQS::Queue: 2 in the first app, 1 in the second',
      'only: only in the first app (1 resources)',
    ]);
  });
});
