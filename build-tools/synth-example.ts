/**
 * Synthesizes an example app in-process, offline, and prints what it produced:
 * the stacks per Region, their resource counts and where the templates are.
 *
 *   ts-node --project build-tools/tsconfig.json build-tools/synth-example.ts examples/minimal
 */
import * as fs from 'fs';
import * as path from 'path';
import { listStacks } from './cloud-assembly';

const exampleDir = path.resolve(process.argv[2] ?? 'examples/minimal');
const outdir = path.join(exampleDir, 'cdk.out');
// aws-cdk-lib's App writes to CDK_OUTDIR when it is set, as it does under the CDK CLI.
process.env.CDK_OUTDIR = outdir;

// eslint-disable-next-line @typescript-eslint/no-require-imports
require(path.join(exampleDir, 'app.ts'));

const rows = listStacks(outdir).map((s) => {
  const template = JSON.parse(fs.readFileSync(s.templatePath, 'utf8')) as { Resources?: Record<string, { Type: string }> };
  const resources = Object.values(template.Resources ?? {});
  return {
    stack: s.name,
    region: s.region,
    resources: resources.length,
    bytes: fs.statSync(s.templatePath).size,
    template: path.relative(process.cwd(), s.templatePath),
  };
});
if (rows.length === 0) {
  throw new Error(`the app in ${exampleDir} synthesized no stack`);
}
// Warnings and errors the app's constructs recorded, as the CDK CLI would show them
// (kept in the manifest, or in each stack's additional metadata file).
type Entries = Record<string, { type: string; data: unknown }[]>;
const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as {
  artifacts?: Record<string, { metadata?: Entries; additionalMetadataFile?: string }>;
};
for (const artifact of Object.values(manifest.artifacts ?? {})) {
  const extra = artifact.additionalMetadataFile ? JSON.parse(fs.readFileSync(path.join(outdir, artifact.additionalMetadataFile), 'utf8')) as Entries : {};
  for (const [constructPath, entries] of [...Object.entries(artifact.metadata ?? {}), ...Object.entries(extra)]) {
    for (const entry of entries.filter((e) => e.type === 'aws:cdk:warning' || e.type === 'aws:cdk:error')) {
      console.log(`[${entry.type.replace('aws:cdk:', '')}] ${constructPath}: ${String(entry.data)}`);
    }
  }
}
