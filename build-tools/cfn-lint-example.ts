/**
 * Runs cfn-lint on every template of a synthesized cloud assembly, each against the
 * Region its stack targets. Rules the project ignores, and why, are in .cfnlintrc.yaml.
 * Fails on any error or warning (a deprecated engine version, W3690, is a warning).
 * The cfn-lint is the pinned one in .tmp/cfn-lint (npx projen cfn-lint:install), or
 * $CFN_LINT.
 *
 *   ts-node --project build-tools/tsconfig.json build-tools/cfn-lint-example.ts examples/minimal/cdk.out
 */
import { spawnSync } from 'child_process';
import { listStacks } from './cloud-assembly';

const outdir = process.argv[2] ?? 'examples/minimal/cdk.out';
const stacks = listStacks(outdir);
if (stacks.length === 0) {
  throw new Error(`no stack in ${outdir}`);
}
const cfnLint = process.env.CFN_LINT ?? '.tmp/cfn-lint/bin/cfn-lint';
let failed = 0;
for (const stack of stacks) {
  const result = spawnSync(cfnLint, ['--config-file', '.cfnlintrc.yaml', '--regions', stack.region, '--', stack.templatePath], { encoding: 'utf8' });
  if (result.error) {
    throw new Error(`could not run ${cfnLint} (${result.error.message}): install the pinned version with 'npx projen cfn-lint:install'.`);
  }
  const output = `${result.stdout}${result.stderr}`.trim();
  if (result.status === 0) {
    console.log(`cfn-lint ${stack.region} ${stack.templatePath}: clean`);
  } else {
    failed++;
    console.error(`cfn-lint ${stack.region} ${stack.templatePath}: exit ${result.status}\n${output}`);
  }
}
if (failed > 0) {
  console.error(`cfn-lint: ${failed} of ${stacks.length} templates have findings`);
  process.exit(1);
}
console.log(`cfn-lint: ${stacks.length} templates clean`);
