#!/usr/bin/env node
/**
 * Entry point of `npx cdk-cross-region-failover`, bundled with the AWS SDK into
 * `assets/cli/main/index.js` so that it needs nothing installed beyond this package.
 */
import { awsCliDependencies } from './aws-cli-dependencies';
import { runCli } from './cli';

void runCli(process.argv.slice(2), awsCliDependencies(), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then((code) => {
  process.exitCode = code;
});
