/**
 * `npm run bench`: what the library costs, from one run, as one table (printed, and
 * written to benchmarks/latest.md and benchmarks/latest.json).
 *
 * - Synthesis of the example app with 2, 3 and 5 Regions, each in a fresh process: wall
 *   time, time in synthesis, peak memory; each stack's resources and template bytes
 *   against CloudFormation's limits; what one more Region adds.
 * - The prebundled Lambda handlers: bundle size (and gzipped), and the time to load the
 *   module in a fresh Node.js process (median of several), what a cold start pays first.
 * - The remittance API's data path against a real local PostgreSQL: create and list,
 *   requests per second and p50/p99 latency, with this library's approach (one
 *   connection and one secret read per environment) and the AWS sample's (a new
 *   connection and a secret fetch per request, the secret served by a local moto_server),
 *   side by side, and their ratio.
 *
 * - A failover run's time on the ARC data plane: the runbook's steps in this process,
 *   with the real SDK client against five local HTTP endpoints (the database in memory),
 *   with every endpoint answering and with one that accepts and never answers.
 *
 * Times vary with the machine and what else runs on it: compare runs on one machine.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Database, DatabaseSecret } from '../examples/remittance/api/db';
import { ApiEvent, handleRequest } from '../examples/remittance/api/remittances';
import { migrate } from '../examples/remittance/api/schema';
import { LocalPostgres } from '../examples/remittance/local/postgres';
import { awsRoutingDataPlane } from '../src/arc/aws-data-plane';
import { failover } from '../src/ssm/runbooks';
import { FakeArcServer } from '../test/arc/fake-arc-server';
import { controlOf, FakeCloud, topologyOf } from '../test/ssm/fake-cloud';
import { MotoServer } from '../test/ssm/moto-server';

const ROOT = path.join(__dirname, '..');
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2'];
/** CloudFormation's limits: resources per template, and 1 MB for a template uploaded to S3 (as the CDK does). */
const MAX_RESOURCES = 500;
const INIT_RUNS = 7;
const SYNTH_RUNS = 3;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);

interface Row {
  readonly area: string;
  readonly case: string;
  readonly metric: string;
  readonly value: string;
}

const rows: Row[] = [];
const add = (area: string, c: string, metric: string, value: string) => {
  rows.push({ area, case: c, metric, value });
  process.stderr.write(`  ${area} | ${c} | ${metric} | ${value}\n`);
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

// ---------------------------------------------------------------------------
// Synthesis
// ---------------------------------------------------------------------------

interface SynthResult {
  regions: number;
  synthMs: number;
  peakRssBytes: number;
  stacks: { stack: string; region: string; resources: number; templateBytes: number }[];
}

function synthesize(count: number): SynthResult & { wallMs: number } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'bench-synth.ts'), outdir, ...REGIONS.slice(0, count)], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, 'tsconfig.json') }, maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  fs.rmSync(outdir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`synthesis with ${count} Regions failed: ${r.stderr}`);
  return { ...(JSON.parse(r.stdout.trim().split('\n').pop()!) as SynthResult), wallMs };
}

/** Synthesizes `count` Regions `SYNTH_RUNS` times; keeps the run of median synthesis time. */
function synthesizeMedian(count: number): SynthResult & { wallMs: number } {
  const runs = Array.from({ length: SYNTH_RUNS }, () => synthesize(count)).sort((a, b) => a.synthMs - b.synthMs);
  return runs[Math.floor(runs.length / 2)];
}

function benchSynthesis(): void {
  const results = [2, 3, 5].map(synthesizeMedian);
  for (const r of results) {
    const c = `${r.regions} Regions`;
    add('synth', c, `wall time, fresh process (the run of median synthesis time of ${SYNTH_RUNS})`, `${(r.wallMs / 1000).toFixed(1)} s`);
    add('synth', c, 'building and synthesizing', `${(r.synthMs / 1000).toFixed(1)} s`);
    add('synth', c, 'peak memory', `${Math.round(r.peakRssBytes / 1024 / 1024)} MB`);
    for (const s of r.stacks) {
      add('synth', c, `${s.stack}: resources, template`,
        `${s.resources} of ${MAX_RESOURCES}, ${kb(s.templateBytes)} of 1 MB`);
    }
  }
  // What one more Region adds, between 2 and 3 and between 3 and 5 Regions.
  const total = (r: SynthResult, pick: (s: SynthResult['stacks'][number]) => number) => r.stacks.reduce((sum, s) => sum + pick(s), 0);
  const routing = (r: SynthResult) => r.stacks.find((s) => s.stack.endsWith('-routing'))!;
  for (const [a, b] of [[results[0], results[1]], [results[1], results[2]]]) {
    const n = b.regions - a.regions;
    const c = `${a.regions} → ${b.regions} Regions`;
    add('synth', c, 'per added Region: resources, template bytes (all stacks)',
      `${((total(b, (s) => s.resources) - total(a, (s) => s.resources)) / n).toFixed(1)}, ${kb((total(b, (s) => s.templateBytes) - total(a, (s) => s.templateBytes)) / n)}`);
    // With 2 Regions the routing stack also holds the ARC Region switch plan (the plan,
    // its role and policy), which 3 and more Regions do not have.
    add('synth', c, 'per added Region: resources in the routing stack (2 Regions: + the 3 of the Region switch plan)',
      `${((routing(b).resources - routing(a).resources) / n).toFixed(1)}`);
    add('synth', c, 'per added Region: synthesis time', `${((b.synthMs - a.synthMs) / n / 1000).toFixed(2)} s`);
  }
}

// ---------------------------------------------------------------------------
// Lambda bundles
// ---------------------------------------------------------------------------

function benchBundles(): void {
  const bundles = [
    { name: 'runbook step (ssm/runbook-step.lambda)', file: 'assets/ssm/runbook-step.lambda/index.js', env: {} },
    { name: 'initial routing state (arc/initial-routing-state.lambda)', file: 'assets/arc/initial-routing-state.lambda/index.js', env: {} },
    {
      name: 'failover trigger (observe/failover-trigger.lambda)',
      file: 'assets/observe/failover-trigger.lambda/index.js',
      env: {
        AWS_REGION: 'us-east-1',
        REGIONS: '["us-east-1","us-west-2"]',
        IMPAIRED_ALARMS: '{}',
        FAILOVER_DOCUMENT: 'x-Failover',
        COOL_DOWN_SECONDS: '3600',
        REQUIRE_APPROVAL: 'true',
        APPROVERS: '[]',
      },
    },
  ];
  for (const b of bundles) {
    const file = path.join(ROOT, b.file);
    const bytes = fs.readFileSync(file);
    add('lambda', b.name, 'bundle, gzipped', `${kb(bytes.length)}, ${kb(zlib.gzipSync(bytes).length)}`);
    const times = Array.from({ length: INIT_RUNS }, () => {
      const r = spawnSync(process.execPath, ['-e', `const t = process.hrtime.bigint(); require(${JSON.stringify(file)}); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));`], {
        encoding: 'utf8', env: { PATH: process.env.PATH, ...b.env },
      });
      if (r.status !== 0) throw new Error(`loading ${b.file} failed: ${r.stderr}`);
      return Number(r.stdout);
    });
    add('lambda', b.name, `module load, fresh process (median of ${INIT_RUNS})`, `${median(times).toFixed(0)} ms`);
  }
  const cli = path.join(ROOT, 'assets/cli/main/index.js');
  add('lambda', 'command line (cli/main)', 'bundle, gzipped', `${kb(fs.statSync(cli).size)}, ${kb(zlib.gzipSync(fs.readFileSync(cli)).length)}`);
  // `--help` against an empty Node.js process, taken in turns in the same run: what the
  // tool itself adds to an operator's wait (it loads no AWS SDK for --help).
  const timed = (args: string[]) => {
    const started = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${r.stderr}`);
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  const help: number[] = [];
  const empty: number[] = [];
  for (let i = 0; i < INIT_RUNS; i++) {
    help.push(timed([cli, '--help']));
    empty.push(timed(['-e', '0']));
  }
  add('lambda', 'command line (cli/main)', `--help, whole process (median of ${INIT_RUNS})`, `${median(help).toFixed(0)} ms`);
  add('lambda', 'command line (cli/main)', `node -e 0, whole process, in turns with --help (median of ${INIT_RUNS})`, `${median(empty).toFixed(0)} ms`);
  add('lambda', 'command line (cli/main)', '--help / node -e 0 (medians)', `${(median(help) / median(empty)).toFixed(2)}×`);
}

// ---------------------------------------------------------------------------
// The API's data path
// ---------------------------------------------------------------------------

async function benchDataPath(): Promise<void> {
  const savedEnv = { ...process.env };
  const [pg, moto] = await Promise.all([LocalPostgres.start(), MotoServer.start()]);
  try {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_EC2_METADATA_DISABLED: 'true' });
    const secrets = new SecretsManagerClient({ region: 'us-east-1', endpoint: moto.endpoint });
    await secrets.send(new CreateSecretCommand({ Name: 'remittance-db', SecretString: JSON.stringify(pg.secret()) }));
    const readSecret = async (): Promise<DatabaseSecret> =>
      JSON.parse((await secrets.send(new GetSecretValueCommand({ SecretId: 'remittance-db' }))).SecretString!) as DatabaseSecret;
    const setup = new Database(readSecret, { ssl: false });
    await migrate(setup);
    await setup.close();

    const caller = { requestContext: { authorizer: { claims: { sub: 'bench' } } } };
    const events: Record<string, () => ApiEvent> = {
      create: () => ({ httpMethod: 'POST', ...caller, body: JSON.stringify({ sender: 'Alice', recipient: 'Bob', amount: '12.34', currency: 'EUR' }) }),
      list: () => ({ httpMethod: 'GET', ...caller }),
    };
    // This library: one connection and one secret read, kept across requests.
    const kept = new Database(readSecret, { ssl: false });
    const approaches: Record<string, () => Promise<{ run: (e: ApiEvent) => Promise<number>; done: () => Promise<void> }>> = {
      'kept connection and secret (this library)': async () => ({
        run: async (e) => (await handleRequest(e, kept, 'us-east-1')).statusCode,
        done: () => kept.close(),
      }),
      'new connection and secret fetch per request (AWS sample)': async () => ({
        run: async (e) => {
          const fresh = new Database(readSecret, { ssl: false });
          try {
            return (await handleRequest(e, fresh, 'us-east-1')).statusCode;
          } finally {
            await fresh.close();
          }
        },
        done: async () => {},
      }),
    };
    const throughput: Record<string, number> = {};
    for (const [approach, make] of Object.entries(approaches)) {
      const { run, done } = await make();
      for (const [name, event] of Object.entries(events)) {
        for (let i = 0; i < 20; i++) await run(event()); // warm-up
        const latencies: number[] = [];
        const started = process.hrtime.bigint();
        for (let i = 0; i < REQUESTS; i++) {
          const t = process.hrtime.bigint();
          const status = await run(event());
          if (status >= 300) throw new Error(`${name} answered ${status}`);
          latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
        }
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        throughput[`${name} ${approach}`] = REQUESTS / seconds;
        add('api', `${name}: ${approach}`, `requests/s, p50, p99 (${REQUESTS} in a row)`,
          `${(REQUESTS / seconds).toFixed(0)}, ${percentile(latencies, 50).toFixed(2)} ms, ${percentile(latencies, 99).toFixed(2)} ms`);
      }
      await done();
    }
    const [ours, sample] = Object.keys(approaches);
    for (const name of Object.keys(events)) {
      add('api', `${name}: this library ÷ AWS sample`, 'requests/s ratio', `${(throughput[`${name} ${ours}`] / throughput[`${name} ${sample}`]).toFixed(1)}×`);
    }
  } finally {
    process.env = savedEnv;
    await Promise.all([pg.stop(), moto.stop()]);
  }
}

// ---------------------------------------------------------------------------
// The runbooks on the ARC data plane
// ---------------------------------------------------------------------------

const RUNBOOK_RUNS = 5;

async function benchRunbooks(): Promise<void> {
  const savedEnv = { ...process.env };
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_EC2_METADATA_DISABLED: 'true' });
  const [east, west] = ['us-east-1', 'us-west-2'];
  const arc = new FakeArcServer();
  const endpoints = await arc.start(['us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-1', 'ap-southeast-2'], [controlOf(east), controlOf(west)]);
  const topology = { ...topologyOf([east, west]), clusterEndpoints: endpoints };
  const run = async (): Promise<number> => {
    arc.states.set(controlOf(east), 'On');
    arc.states.set(controlOf(west), 'Off');
    const cloud = new FakeCloud(east);
    // A new data plane per run: nothing remembered from the run before, as in a new Lambda container.
    const started = process.hrtime.bigint();
    const options = { targetRegion: west, allowDataLoss: true, pollIntervalMs: 1000 };
    const report = await failover({ ...cloud.from(west), routing: awsRoutingDataPlane() }, topology, options);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (report.outcome !== 'succeeded') throw new Error(`the bench failover ${report.outcome}: ${report.reason}`);
    return ms;
  };
  try {
    const healthy = median(await sequence(RUNBOOK_RUNS, run));
    arc.hangOn(endpoints[0].region);
    const hung = median(await sequence(RUNBOOK_RUNS, run));
    const c = 'failover, 7 steps, ARC over HTTP (5 local endpoints), database in memory';
    add('runbooks', c, `wall time, every endpoint answers (median of ${RUNBOOK_RUNS})`, `${healthy.toFixed(0)} ms`);
    add('runbooks', c, `wall time, the first endpoint accepts and never answers (median of ${RUNBOOK_RUNS})`, `${(hung / 1000).toFixed(1)} s`);
    add('runbooks', c, 'added by the hung endpoint (goal: at most 5 s)', `${((hung - healthy) / 1000).toFixed(1)} s`);
  } finally {
    process.env = savedEnv;
    await arc.stop();
  }
}

async function sequence<T>(n: number, make: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(await make());
  return out;
}

// ---------------------------------------------------------------------------

function markdown(): string {
  const header = '| area | case | metric | value |\n|---|---|---|---|\n';
  return header + rows.map((r) => `| ${r.area} | ${r.case} | ${r.metric} | ${r.value} |`).join('\n') + '\n';
}

async function main(): Promise<void> {
  process.stderr.write('synthesis (2, 3 and 5 Regions)...\n');
  benchSynthesis();
  process.stderr.write('Lambda bundles...\n');
  benchBundles();
  process.stderr.write('API data path...\n');
  await benchDataPath();
  process.stderr.write('runbooks on the ARC data plane...\n');
  await benchRunbooks();

  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 1024 ** 3)} GiB, Node.js ${process.version}`;
  const table = markdown();
  const dir = path.join(ROOT, 'benchmarks');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'latest.md'), table);
  fs.writeFileSync(path.join(dir, 'latest.json'), JSON.stringify({ date: new Date().toISOString(), machine, rows }, null, 2) + '\n');
  // docs/performance.md shows the latest table, between its two markers.
  const readmeFile = path.join(ROOT, 'docs', 'performance.md');
  const readme = fs.readFileSync(readmeFile, 'utf8');
  const start = '<!-- bench: benchmarks/latest.md -->\n';
  const end = '<!-- /bench -->';
  if (readme.includes(start) && readme.includes(end)) {
    const before = readme.slice(0, readme.indexOf(start) + start.length);
    fs.writeFileSync(readmeFile, `${before}${table}\nMachine: ${machine}; ${new Date().toISOString().slice(0, 10)}.\n${readme.slice(readme.indexOf(end))}`);
  }
  process.stdout.write(`\n${table}\nMachine: ${machine}. Written to benchmarks/latest.md, benchmarks/latest.json and docs/performance.md.\n`);
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
