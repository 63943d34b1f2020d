/**
 * Synthesizes an example app in-process, offline, and prints what it produced: one row
 * per stack (its Region, resources, template size and path), the warnings and errors the
 * constructs recorded, and what to do next.
 *
 *   ts-node --project build-tools/tsconfig.json build-tools/synth-example.ts examples/minimal [outdir]
 *
 * The cloud assembly goes to `<example>/cdk.out`, or to `outdir` when given.
 */
import * as fs from 'fs';
import * as path from 'path';
import { listStacks } from './cloud-assembly';

/** One synthesized stack, as printed. */
export interface StackRow {
  readonly stack: string;
  readonly region: string;
  readonly resources: number;
  readonly bytes: number;
  /** The template's path, relative to the working directory. */
  readonly template: string;
}

/** A stack output, as `cdk deploy` will print it. */
export interface StackOutput {
  readonly stack: string;
  readonly key: string;
  /** The value when it is known before deployment; undefined when CloudFormation resolves it. */
  readonly value?: string;
  readonly description?: string;
}

/** What a synthesized cloud assembly holds: its stacks, their outputs, and the warnings and errors its constructs recorded. */
export function readAssembly(outdir: string): { rows: StackRow[]; outputs: StackOutput[]; messages: string[] } {
  const outputs: StackOutput[] = [];
  const rows = listStacks(outdir).map((s) => {
    const template = JSON.parse(fs.readFileSync(s.templatePath, 'utf8')) as {
      Resources?: Record<string, { Type: string }>;
      Outputs?: Record<string, { Value: unknown; Description?: string }>;
    };
    for (const [key, o] of Object.entries(template.Outputs ?? {})) {
      // Outputs aws-cdk-lib adds for its own wiring (exports between stacks) are not for people.
      if (/^ExportsOutput/.test(key)) continue;
      outputs.push({ stack: s.name, key, value: typeof o.Value === 'string' ? o.Value : undefined, description: o.Description });
    }
    return {
      stack: s.name,
      region: s.region,
      resources: Object.keys(template.Resources ?? {}).length,
      bytes: fs.statSync(s.templatePath).size,
      template: path.relative(process.cwd(), s.templatePath),
    };
  });
  // Warnings and errors as the CDK CLI would show them (kept in the manifest, or in each
  // stack's additional metadata file).
  type Entries = Record<string, { type: string; data: unknown }[]>;
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as {
    artifacts?: Record<string, { metadata?: Entries; additionalMetadataFile?: string }>;
  };
  const messages: string[] = [];
  for (const artifact of Object.values(manifest.artifacts ?? {})) {
    const extra = artifact.additionalMetadataFile ? JSON.parse(fs.readFileSync(path.join(outdir, artifact.additionalMetadataFile), 'utf8')) as Entries : {};
    for (const [constructPath, entries] of [...Object.entries(artifact.metadata ?? {}), ...Object.entries(extra)]) {
      for (const entry of entries.filter((e) => e.type === 'aws:cdk:warning' || e.type === 'aws:cdk:error')) {
        messages.push(`[${entry.type.replace('aws:cdk:', '')}] ${constructPath}: ${String(entry.data)}`);
      }
    }
  }
  return { rows, outputs, messages };
}

/** The printed summary: a table of the stacks, the totals, the warnings, what to do next. */
export function formatSummary(
  exampleDir: string, outdir: string, rows: readonly StackRow[], messages: readonly string[], outputs: readonly StackOutput[] = [],
): string {
  const header = ['stack', 'Region', 'resources', 'template bytes', 'template'];
  const cells = rows.map((r) => [r.stack, r.region, String(r.resources), r.bytes.toLocaleString('en-US'), r.template]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  // Numbers right-aligned, text left-aligned.
  const line = (c: string[]) => c.map((v, i) => (i === 2 || i === 3 ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ').trimEnd();
  const dir = path.relative(process.cwd(), exampleDir) || '.';
  const resources = rows.reduce((a, r) => a + r.resources, 0);
  const regions = new Set(rows.map((r) => r.region)).size;
  const warnings = messages.length === 0
    ? ['No warnings.']
    : [`${messages.length} warning(s) and error(s) the constructs recorded:`, ...messages.map((m) => `  ${m}`)];
  return [
    `Synthesized ${dir} offline into ${path.relative(process.cwd(), outdir) || '.'}: ${rows.length} stacks in ${regions} Regions, ${resources} resources.`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map(line),
    '',
    ...warnings,
    '',
    ...(outputs.length === 0 ? [] : [
      'Outputs `cdk deploy` will print:',
      ...outputs.map((o) => `  ${o.stack}.${o.key} = ${o.value ?? '(known after deployment)'}${o.description ? `  # ${o.description}` : ''}`),
      '',
    ]),
    `To deploy (an AWS account and credentials needed): cd ${dir} && npx cdk deploy --all; docs/deploying.md says which context each example takes.`,
  ].join('\n');
}

function main(): void {
  const exampleDir = path.resolve(process.argv[2] ?? 'examples/minimal');
  const app = path.join(exampleDir, 'app.ts');
  if (!fs.existsSync(app)) {
    console.error(`no app at ${app}: pass an example's folder, like examples/minimal or examples/remittance`);
    process.exit(2);
  }
  const outdir = path.resolve(process.argv[3] ?? path.join(exampleDir, 'cdk.out'));
  // aws-cdk-lib's App writes to CDK_OUTDIR when it is set, as it does under the CDK CLI.
  process.env.CDK_OUTDIR = outdir;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(app);
  const { rows, outputs, messages } = readAssembly(outdir);
  if (rows.length === 0) throw new Error(`the app in ${exampleDir} synthesized no stack`);
  console.log(formatSummary(exampleDir, outdir, rows, messages, outputs));
}

if (require.main === module) main();
