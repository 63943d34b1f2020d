/**
 * One synthesis of the example app with the Regions given on the command line, in this
 * process, for `bench.ts`: prints one JSON line with the time the synthesis took, the
 * process's peak memory, and each stack's resources and template bytes.
 *
 *   ts-node build-tools/bench-synth.ts <outdir> us-east-1 us-west-2 ...
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { buildMinimalExample } from '../examples/minimal/stacks';

const [outdir, ...regions] = process.argv.slice(2);
const started = process.hrtime.bigint();
const app = new App({ outdir });
buildMinimalExample(app, {
  name: 'remittance', regions, routingRegion: 'us-west-2', hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com',
});
const assembly = app.synth();
const synthMs = Number(process.hrtime.bigint() - started) / 1e6;
const stacks = assembly.stacks.map((s) => {
  const file = path.join(assembly.directory, s.templateFile);
  return {
    stack: s.stackName,
    region: s.environment.region,
    resources: Object.keys((s.template as { Resources?: object }).Resources ?? {}).length,
    templateBytes: fs.statSync(file).size,
  };
});
// ru_maxrss is in kilobytes on Linux.
console.log(JSON.stringify({ regions: regions.length, synthMs, peakRssBytes: process.resourceUsage().maxRSS * 1024, stacks }));
