import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { formatSummary } from '../build-tools/synth-example';

const ROOT = path.join(__dirname, '..');

describe('the example synth command (npm run example:synth, example:minimal:synth)', () => {
  test('prints a table of the stacks, the totals, the warnings and the next command', () => {
    const rows = [
      { stack: 'app-us-east-1', region: 'us-east-1', resources: 120, bytes: 123_456, template: 'examples/x/cdk.out/app-us-east-1.template.json' },
      { stack: 'app-us-west-2', region: 'us-west-2', resources: 8, bytes: 999, template: 'examples/x/cdk.out/app-us-west-2.template.json' },
    ];
    const outputs = [
      { stack: 'app-us-east-1', key: 'StatusCommand', value: 'npx cdk-cross-region-failover status --name app --region us-east-1', description: 'the deployment' },
      { stack: 'app-routing', key: 'ApiUrl' },
    ];
    const text = formatSummary(path.join(process.cwd(), 'examples/x'), path.join(process.cwd(), 'examples/x/cdk.out'), rows, ['[warning] /app-us-east-1/Db: no adminEmail'], outputs);
    expect(text.split('\n')).toEqual([
      'Synthesized examples/x offline into examples/x/cdk.out: 2 stacks in 2 Regions, 128 resources.',
      '',
      'stack          Region     resources  template bytes  template',
      '-------------  ---------  ---------  --------------  ----------------------------------------------',
      'app-us-east-1  us-east-1        120         123,456  examples/x/cdk.out/app-us-east-1.template.json',
      'app-us-west-2  us-west-2          8             999  examples/x/cdk.out/app-us-west-2.template.json',
      '',
      '1 warning(s) and error(s) the constructs recorded:',
      '  [warning] /app-us-east-1/Db: no adminEmail',
      '',
      'Outputs `cdk deploy` will print:',
      '  app-us-east-1.StatusCommand = npx cdk-cross-region-failover status --name app --region us-east-1  # the deployment',
      '  app-routing.ApiUrl = (known after deployment)',
      '',
      'To deploy (an AWS account and credentials needed): cd examples/x && npx cdk deploy --all; docs/deploying.md says which context each example takes.',
    ]);
    expect(formatSummary(ROOT, ROOT, rows, [])).toContain('\nNo warnings.\n');
  });

  test('the entry point synthesizes the minimal example and prints every stack with its Region and template', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-'));
    try {
      const out = execFileSync('npx', ['ts-node', '--project', 'build-tools/tsconfig.json', 'build-tools/synth-example.ts', 'examples/minimal', outdir], {
        cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
      });
      const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { type: string; environment?: string }> };
      const stacks = Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');
      expect(stacks.length).toBeGreaterThanOrEqual(2);
      expect(out).toMatch(new RegExp(`^Synthesized examples/minimal offline into .*: ${stacks.length} stacks in \\d Regions, \\d+ resources\\.$`, 'm'));
      expect(out).toMatch(/^stack +Region +resources +template bytes +template$/m);
      for (const [name, artifact] of stacks) {
        const region = artifact.environment!.split('/').pop()!;
        expect(out).toMatch(new RegExp(`^${name} +${region} +\\d+ +[\\d,]+ +\\S*${name}\\.template\\.json$`, 'm'));
      }
      expect(out).toContain('npx cdk deploy --all');
      // Every output leads somewhere: the runbooks' next command, the API's name, the dashboard; none to a disabled endpoint.
      expect(out).toMatch(/StatusCommand[0-9A-F]{8} = npx cdk-cross-region-failover status --name \S+ --region us-east-1 /);
      expect(out).toMatch(/\.ApiApiUrl[0-9A-F]{8} = https:\/\/\S+\/ /);
      expect(out).toMatch(/DashboardUrl[0-9A-F]{8} = https:\/\/console\.aws\.amazon\.com\/cloudwatch\//);
      expect(out).not.toMatch(/execute-api/);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  }, 120_000);
});
