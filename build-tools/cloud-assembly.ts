import * as fs from 'fs';
import * as path from 'path';

/** One CloudFormation stack of a synthesized cloud assembly. */
export interface SynthesizedStack {
  readonly name: string;
  readonly region: string;
  readonly templatePath: string;
}

/**
 * Lists the stacks of the cloud assembly in `outdir` (read from manifest.json), with
 * the Region each targets. Refuses a stack without a concrete Region: every Region
 * must be linted against its own resource specification.
 */
export function listStacks(outdir: string): SynthesizedStack[] {
  const manifestPath = path.join(outdir, 'manifest.json');
  if (!fs.existsSync(manifestPath)) {
    throw new Error(`${manifestPath} not found: synthesize the app first (npm run example:synth).`);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as {
    artifacts?: Record<string, { type: string; environment?: string; properties?: { templateFile?: string } }>;
  };
  const stacks: SynthesizedStack[] = [];
  for (const [name, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const region = artifact.environment?.split('/').pop();
    if (!region || region === 'unknown-region') {
      throw new Error(`stack ${name} has no concrete Region (environment ${artifact.environment})`);
    }
    stacks.push({ name, region, templatePath: path.join(outdir, artifact.properties?.templateFile ?? `${name}.template.json`) });
  }
  return stacks;
}
