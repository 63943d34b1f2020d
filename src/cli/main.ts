#!/usr/bin/env node
/**
 * Entry point of `npx cdk-cross-region-failover`, bundled into
 * `assets/cli/main/index.js`, with the AWS SDK clients it uses bundled beside it
 * (`assets/cli/aws-cli-dependencies/index.js`), so that it needs nothing installed beyond
 * this package.
 *
 * The AWS SDK is loaded only once the arguments are known to be right (`--help`,
 * `--version` and usage errors never load it, nor parse it), with the profile `--profile` names.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { CliArguments, CliDependencies } from './cli';
import { runCli } from './cli';

/** This package's version, from the package.json above this file (source or bundle). */
function packageVersion(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'cdk-cross-region-failover') return pkg.version ?? 'unknown';
  }
  return 'unknown';
}

function awsDependencies(args: CliArguments): CliDependencies {
  // The AWS CLI's conventions: --profile wins over AWS_PROFILE.
  if (args.profile) {
    process.env.AWS_PROFILE = args.profile;
    // As the AWS CLI: the profile named wins over access keys in the environment.
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    delete process.env.AWS_SESSION_TOKEN;
  }
  // The SDK prints nine lines on every run under Node.js 20 about its own future support;
  // README says which Node.js versions this tool supports and which it tolerates.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // The package's bundle of the SDK clients lies beside this bundle; from source, the module itself.
  const bundled = path.join(__dirname, '..', 'aws-cli-dependencies', 'index.js');
  const target = fs.existsSync(bundled) ? bundled : './aws-cli-dependencies';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { awsCliDependencies } = require(target) as typeof import('./aws-cli-dependencies');
  return awsCliDependencies();
}

void runCli(process.argv.slice(2), awsDependencies, {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}, packageVersion()).then((code) => {
  process.exitCode = code;
});
