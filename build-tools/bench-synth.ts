/**
 * One synthesis in this process, for `bench.ts`, of an app built by a function a
 * compiled module exports: the minimal example over the compiled library (`lib/`), or
 * the hand-written aws-cdk-lib app of the same resources. It prints one JSON line: the
 * time building and synthesizing took, the whole process's CPU time (loading aws-cdk-lib
 * and the library included) and peak memory, and each stack's resources and template
 * bytes; the templates stay in <outdir>.
 *
 *   node bench-synth.js <outdir> <module.js> <exported builder> us-east-1 us-west-2 ...
 */
import * as fs from 'fs';
import * as path from 'path';

const [outdir, modulePath, exportName, ...regions] = process.argv.slice(2);
// Loading the app's module (and with it aws-cdk-lib and the library) is part of what a synthesis costs.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { App } = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const build = require(modulePath)[exportName] as (scope: unknown, options: object) => unknown;
const started = process.hrtime.bigint();
const app = new App({ outdir });
build(app, { name: 'remittance', regions, routingRegion: 'us-west-2', hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com' });
const assembly = app.synth();
const synthMs = Number(process.hrtime.bigint() - started) / 1e6;
const stacks = assembly.stacks.map((s) => ({
  stack: s.stackName,
  region: s.environment.region,
  resources: Object.keys((s.template as { Resources?: object }).Resources ?? {}).length,
  templateBytes: fs.statSync(path.join(assembly.directory, s.templateFile)).size,
}));
const cpu = process.cpuUsage();
// ru_maxrss is in kilobytes on Linux.
console.log(JSON.stringify({
  regions: regions.length, synthMs, cpuMs: (cpu.user + cpu.system) / 1000, peakRssBytes: process.resourceUsage().maxRSS * 1024, stacks,
}));
