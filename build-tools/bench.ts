/**
 * `npm run bench`: what the library costs, from one run, as one table (printed, and
 * written to benchmarks/latest.md and benchmarks/latest.json). Every comparison is made
 * in the same run, its arms taken in turns.
 *
 * - Synthesis, on the compiled library (`lib/`): the minimal example with 2, 3, 5 and 11
 *   Regions, and a hand-written aws-cdk-lib app of the same resource types and counts
 *   (build-tools/hand-written-app.ts, checked to make the same resource types in the same
 *   counts per stack), each synthesis in a fresh Node.js process, the two apps in turns:
 *   CPU time and peak memory of the whole process (median), the library's ratio to the
 *   hand-written app, each stack's resources and template bytes against CloudFormation's
 *   limits, and what one more Region adds.
 * - The prebundled Lambda handlers and the command line's SDK bundle: size, and the CPU
 *   time to load the module in a fresh process (median of 9), each beside the previous
 *   bundling (unminified, the SDK's CommonJS build, source maps, the SDK's default
 *   credential chain), built again here and loaded in turns; the command line's `--help`
 *   against an empty Node.js process.
 * - The remittance API's data path against a real local PostgreSQL and a local
 *   moto_server: this library's handler (one connection and one secret read per
 *   environment), the earlier Node.js model of the AWS sample (a new connection and a
 *   secret read per request, one reused SDK client), and the sample's per-request
 *   behaviour in Python (build-tools/sample_handler.py: a new boto3 session and client,
 *   GetSecretValue, a new psycopg2 connection, `SELECT *`); one request of each arm per
 *   round, in rotating order; wall and CPU time per request, and the ratios of each
 *   round's pair.
 * - Recovery: failovers of the rehearsal (real PostgreSQL replication, the real
 *   runbooks, the waits polling as deployed), and a failover's steps with the real ARC
 *   client against five local HTTP endpoints, with every endpoint answering and with the
 *   first one hung.
 *
 * Times vary with the machine and what else runs on it: compare runs on one machine. Each
 * section ends with the machine's load average at its start and end, so a run made beside
 * other work shows it.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as readline from 'readline';
import * as zlib from 'zlib';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as esbuild from 'esbuild';
import { resourceDifferences } from './compare-resources';
import { Database, DatabaseSecret } from '../examples/remittance/api/db';
import { ApiEvent, handleRequest } from '../examples/remittance/api/remittances';
import { migrate } from '../examples/remittance/api/schema';
import { LocalPostgres } from '../examples/remittance/local/postgres';
import { Rehearsal } from '../examples/remittance/local/rehearsal';
import { awsRoutingDataPlane } from '../src/arc/aws-data-plane';
import { POLL_INTERVAL_MS } from '../src/ssm/runbook-steps';
import { failover } from '../src/ssm/runbooks';
import { FakeArcServer } from '../test/arc/fake-arc-server';
import { controlOf, FakeCloud, topologyOf } from '../test/ssm/fake-cloud';
import { MotoServer } from '../test/ssm/moto-server';

const ROOT = path.join(__dirname, '..');
/** Where the bench writes what it builds (gitignored); directly under the root, so `..` from a file there is the root. */
const TMP = path.join(ROOT, '.tmp');
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2', 'ap-northeast-1', 'ca-central-1', 'sa-east-1', 'eu-north-1',
  'ap-south-1', 'eu-west-2'];
const REGION_COUNTS = [2, 3, 5, 11];
/** CloudFormation's limits: resources per template, and 1 MB for a template uploaded to S3 (as the CDK does). */
const MAX_RESOURCES = 500;
const LOAD_RUNS = 9;
const SYNTH_RUNS = Number(process.env.BENCH_SYNTH_RUNS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
/** Rows in the table when the list is measured: this library answers the caller's latest 100, the sample every row. */
const LIST_ROWS = 1_000;
/** The bundles' goals (issue #21): load CPU and size. */
const LOAD_GOAL_MS = 80;
const SIZE_GOAL_BYTES = 600 * 1024;

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

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const ms = (x: number) => (x >= 10 ? `${x.toFixed(0)} ms` : `${x.toFixed(2)} ms`);
const times = (x: number) => `${x.toFixed(2)}×`;

// ---------------------------------------------------------------------------
// Synthesis, on the compiled library, against a hand-written app
// ---------------------------------------------------------------------------

interface SynthResult {
  regions: number;
  synthMs: number;
  cpuMs: number;
  peakRssBytes: number;
  wallMs: number;
  stacks: { stack: string; region: string; resources: number; templateBytes: number }[];
  templates: Record<string, object>;
}

/**
 * Transpiles the runner, the minimal example (its `../../src` pointed at `lib/`) and the
 * hand-written app to plain JavaScript in .tmp/, once: the timed processes then load
 * compiled code only, as a user's app loads the published library.
 */
function prepareSynthesis(): { library: string; handWritten: string; runner: string } {
  if (!fs.existsSync(path.join(ROOT, 'lib', 'index.js'))) throw new Error('lib/ is missing: run `npx projen compile` first (the bench task does)');
  fs.mkdirSync(TMP, { recursive: true });
  const transpile = (from: string, to: string, rewrite = (code: string) => code) => {
    const { code } = esbuild.transformSync(fs.readFileSync(path.join(ROOT, from), 'utf8'), { loader: 'ts', format: 'cjs', target: 'node20' });
    fs.writeFileSync(path.join(TMP, to), rewrite(code));
    return path.join(TMP, to);
  };
  const library = transpile('examples/minimal/stacks.ts', 'bench-minimal-stacks.js', (code) => {
    if (!code.includes('require("../../src")')) throw new Error('examples/minimal/stacks.ts no longer imports ../../src: update the bench');
    return code.replace('require("../../src")', `require(${JSON.stringify(path.join(ROOT, 'lib'))})`);
  });
  return {
    library,
    handWritten: transpile('build-tools/hand-written-app.ts', 'bench-hand-written-app.js'),
    runner: transpile('build-tools/bench-synth.ts', 'bench-synth.js'),
  };
}

function synthesize(runner: string, module: string, builder: string, count: number): SynthResult {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [runner, outdir, module, builder, ...REGIONS.slice(0, count)], {
    cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, CDK_DISABLE_VERSION_CHECK: '1' }, maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  try {
    if (r.status !== 0) throw new Error(`synthesis of ${builder} with ${count} Regions failed: ${r.stderr}`);
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as Omit<SynthResult, 'wallMs' | 'templates'>;
    const templates = Object.fromEntries(fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json'))
      .map((f) => [f.replace(/\.template\.json$/, ''), JSON.parse(fs.readFileSync(path.join(outdir, f), 'utf8')) as object]));
    return { ...result, wallMs, templates };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function benchSynthesis(): void {
  const { library, handWritten, runner } = prepareSynthesis();
  const medians: { regions: number; cpuMs: number; rss: number; stacks: SynthResult['stacks'] }[] = [];
  for (const count of REGION_COUNTS) {
    const ours: SynthResult[] = [];
    const theirs: SynthResult[] = [];
    for (let i = 0; i < SYNTH_RUNS; i++) {
      // In turns, the order swapped every run: neither app always runs on a warmer machine.
      const pair = i % 2 === 0
        ? [synthesize(runner, library, 'buildMinimalExample', count), synthesize(runner, handWritten, 'buildHandWrittenApp', count)]
        : [synthesize(runner, handWritten, 'buildHandWrittenApp', count), synthesize(runner, library, 'buildMinimalExample', count)].reverse();
      ours.push(pair[0]);
      theirs.push(pair[1]);
    }
    const differences = resourceDifferences(ours[0].templates, theirs[0].templates);
    if (differences.length > 0) {
      throw new Error(`the hand-written app no longer makes what the library's example makes with ${count} Regions (update build-tools/hand-written-app.ts):\n` +
        differences.join('\n'));
    }
    const c = `${count} Regions`;
    const cpu = median(ours.map((r) => r.cpuMs));
    const handCpu = median(theirs.map((r) => r.cpuMs));
    const rss = median(ours.map((r) => r.peakRssBytes));
    const handRss = median(theirs.map((r) => r.peakRssBytes));
    const total = ours[0].stacks.reduce((n, s) => n + s.resources, 0);
    add('synth', c, `CPU, whole process (median of ${SYNTH_RUNS}): library; hand-written; ratio`, `${(cpu / 1000).toFixed(2)} s; ${(handCpu / 1000).toFixed(2)} s; ${times(cpu / handCpu)}`);
    add('synth', c, `peak memory (median of ${SYNTH_RUNS}): library; hand-written; ratio`, `${mb(rss)}; ${mb(handRss)}; ${times(rss / handRss)}`);
    add('synth', c, 'wall time (median), of which building and synthesizing: library; hand-written',
      `${(median(ours.map((r) => r.wallMs)) / 1000).toFixed(2)} s, ${(median(ours.map((r) => r.synthMs)) / 1000).toFixed(2)} s; ` +
      `${(median(theirs.map((r) => r.wallMs)) / 1000).toFixed(2)} s, ${(median(theirs.map((r) => r.synthMs)) / 1000).toFixed(2)} s`);
    const bytes = (r: SynthResult) => kb(r.stacks.reduce((n, st) => n + st.templateBytes, 0));
    add('synth', c, 'resources in all stacks (the same types and counts in both apps, checked); template bytes: library; hand-written',
      `${total}; ${bytes(ours[0])}; ${bytes(theirs[0])}`);
    const largest = [...ours[0].stacks].sort((a, b) => b.templateBytes - a.templateBytes);
    const regional = largest.find((s) => !s.stack.endsWith('-routing'))!;
    const routing = largest.find((s) => s.stack.endsWith('-routing'))!;
    for (const s of [regional, routing]) {
      add('synth', c, `${s.stack === regional.stack ? 'largest Regional stack' : 'routing stack'} (${s.stack}): resources, template`,
        `${s.resources} of ${MAX_RESOURCES}, ${kb(s.templateBytes)} of 1 MB`);
    }
    medians.push({ regions: count, cpuMs: cpu, rss, stacks: ours[0].stacks });
  }
  // What one more Region adds, between each pair of counts.
  for (let i = 1; i < medians.length; i++) {
    const [a, b] = [medians[i - 1], medians[i]];
    const n = b.regions - a.regions;
    const sum = (r: typeof a, pick: (s: SynthResult['stacks'][number]) => number) => r.stacks.reduce((t, s) => t + pick(s), 0);
    const routing = (r: typeof a) => r.stacks.find((s) => s.stack.endsWith('-routing'))!.resources;
    add('synth', `${a.regions} → ${b.regions} Regions`, 'per added Region: resources (of which in the routing stack), template bytes, CPU',
      `${((sum(b, (s) => s.resources) - sum(a, (s) => s.resources)) / n).toFixed(1)} (${((routing(b) - routing(a)) / n).toFixed(1)}), ` +
      `${kb((sum(b, (s) => s.templateBytes) - sum(a, (s) => s.templateBytes)) / n)}, ${((b.cpuMs - a.cpuMs) / n / 1000).toFixed(2)} s`);
  }
  add('synth', '2 Regions', 'note', 'the 2-Region app also has the ARC Region switch plan (3 resources in the routing stack), which 3 and more Regions do not');
}

// ---------------------------------------------------------------------------
// The bundles, against the previous bundling
// ---------------------------------------------------------------------------

interface Load { cpuMs: number; rssBytes: number }

/** Loads `file` in a fresh Node.js process with `env`: the CPU time `require` took, and the process's peak memory after it. */
function load(file: string, env: Record<string, string>): Load {
  const r = spawnSync(process.execPath, ['-e', `const c = process.cpuUsage(); require(${JSON.stringify(file)}); const d = process.cpuUsage(c);
    process.stdout.write(JSON.stringify({ cpuMs: (d.user + d.system) / 1000, rssBytes: process.resourceUsage().maxRSS * 1024 }));`], {
    encoding: 'utf8',
    // Node.js 20 here, where the SDK warns that it will need 22; Lambda runs Node.js 24, which pays no warning.
    env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
  });
  if (r.status !== 0) throw new Error(`loading ${file} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Load;
}

/** Builds `entry` as every bundle was built before issue #21: unminified, the SDK's CommonJS build, a source map, the default credential chain. */
function previousBundling(entry: string, outfile: string, target: string): { bytes: number; mapBytes: number } {
  esbuild.buildSync({
    entryPoints: [path.join(ROOT, entry)],
    bundle: true,
    platform: 'node',
    target,
    outfile,
    sourcemap: true,
    tsconfig: path.join(ROOT, 'test', 'tsconfig.json'),
    logLevel: 'error',
  });
  return { bytes: fs.statSync(outfile).size, mapBytes: fs.statSync(`${outfile}.map`).size };
}

function benchBundles(): void {
  const trigger = {
    AWS_REGION: 'us-east-1',
    REGIONS: '["us-east-1","us-west-2"]',
    IMPAIRED_ALARMS: '{}',
    GLOBAL_CLUSTER: 'x',
    FAILOVER_DOCUMENT: 'x-Failover',
    COOL_DOWN_SECONDS: '3600',
    REQUIRE_APPROVAL: 'true',
    APPROVERS: '[]',
  };
  const bundles = [
    { name: 'runbook step', dir: 'ssm/runbook-step.lambda', target: 'node24', env: {} },
    { name: 'self-test resource', dir: 'ssm/self-test.lambda', target: 'node24', env: {} },
    { name: 'failover trigger', dir: 'observe/failover-trigger.lambda', target: 'node24', env: trigger },
    { name: 'initial routing state', dir: 'arc/initial-routing-state.lambda', target: 'node24', env: {} },
    { name: 'command line: its AWS SDK bundle', dir: 'cli/aws-cli-dependencies', target: 'node20', env: {} },
  ];
  const previousDir = path.join(TMP, 'bench-previous-bundles');
  fs.rmSync(previousDir, { recursive: true, force: true });
  for (const b of bundles) {
    const file = path.join(ROOT, 'assets', b.dir, 'index.js');
    const before = path.join(previousDir, b.dir, 'index.js');
    const previous = previousBundling(`src/${b.dir}.ts`, before, b.target);
    const bytes = fs.readFileSync(file);
    const lambda = !b.dir.startsWith('cli/');
    const c = `${b.name} (${b.dir})`;
    add('bundles', c, 'size, gzipped; previous bundling (+ its source map); ratio',
      `${kb(bytes.length)}, ${kb(zlib.gzipSync(bytes).length)}; ${kb(previous.bytes)} (+ ${kb(previous.mapBytes)}); ${times(bytes.length / previous.bytes)}` +
      (lambda ? ` (goal: ≤ ${kb(SIZE_GOAL_BYTES)}${bytes.length <= SIZE_GOAL_BYTES ? ', met' : ', MISSED'})` : ' (not a Lambda handler: no goal)'));
    const now: Load[] = [];
    const then: Load[] = [];
    for (let i = 0; i < LOAD_RUNS; i++) {
      // In turns, the order swapped every run.
      if (i % 2 === 0) {
        now.push(load(file, b.env));
        then.push(load(before, b.env));
      } else {
        then.push(load(before, b.env));
        now.push(load(file, b.env));
      }
    }
    const cpu = median(now.map((x) => x.cpuMs));
    const cpuBefore = median(then.map((x) => x.cpuMs));
    add('bundles', c, `module load CPU (median of ${LOAD_RUNS} fresh processes); previous bundling; ratio`,
      `${ms(cpu)}; ${ms(cpuBefore)}; ${times(cpu / cpuBefore)}` + (lambda ? ` (goal: ≤ ${LOAD_GOAL_MS} ms${cpu <= LOAD_GOAL_MS ? ', met' : ', MISSED'})` : ''));
    add('bundles', c, 'peak memory after the load (median); previous bundling',
      `${mb(median(now.map((x) => x.rssBytes)))}; ${mb(median(then.map((x) => x.rssBytes)))}`);
  }
  const assets = walk(path.join(ROOT, 'assets'));
  add('bundles', 'the npm package\'s assets/', 'files, size, source maps',
    `${assets.length}, ${kb(assets.reduce((n, f) => n + fs.statSync(f).size, 0))}, ${assets.filter((f) => f.endsWith('.map')).length}`);

  const cli = path.join(ROOT, 'assets/cli/main/index.js');
  // The command line's previous bundling: unminified, no source map (it never had one).
  const previousMain = path.join(previousDir, 'cli', 'main', 'index.js');
  esbuild.buildSync({
    entryPoints: [path.join(ROOT, 'src/cli/main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    outfile: previousMain,
    tsconfig: path.join(ROOT, 'test', 'tsconfig.json'),
    logLevel: 'error',
  });
  add('bundles', 'command line (cli/main)', 'size, gzipped; previous bundling; ratio',
    `${kb(fs.statSync(cli).size)}, ${kb(zlib.gzipSync(fs.readFileSync(cli)).length)}; ${kb(fs.statSync(previousMain).size)}; ` +
    `${times(fs.statSync(cli).size / fs.statSync(previousMain).size)}`);
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
  const helpBefore: number[] = [];
  for (let i = 0; i < LOAD_RUNS; i++) {
    // In turns, the order rotated every run.
    const runs = [() => help.push(timed([cli, '--help'])), () => empty.push(timed(['-e', '0'])), () => helpBefore.push(timed([previousMain, '--help']))];
    for (let k = 0; k < runs.length; k++) runs[(i + k) % runs.length]();
  }
  add('bundles', 'command line (cli/main)', `--help; node -e 0, in turns; ratio (medians of ${LOAD_RUNS}, whole process, wall)`,
    `${ms(median(help))}; ${ms(median(empty))}; ${times(median(help) / median(empty))} (goal: ≤ 1.30×${median(help) / median(empty) <= 1.3 ? ', met' : ', MISSED'})`);
  add('bundles', 'command line (cli/main)', '--help with the previous bundling (unminified); ratio', `${ms(median(helpBefore))}; ${times(median(help) / median(helpBefore))}`);
  fs.rmSync(previousDir, { recursive: true, force: true });
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

// ---------------------------------------------------------------------------
// The API's data path: three arms, in turns
// ---------------------------------------------------------------------------

interface Sample { wallMs: number; cpuMs: number }
interface Arm { readonly name: string; request(op: 'create' | 'list'): Promise<Sample>; close(): Promise<void> }

/** The sample's per-request behaviour in Python, in one long-running worker (build-tools/sample_handler.py). */
function pythonSample(env: Record<string, string>): Arm {
  const child = spawn('python3', [path.join(__dirname, 'sample_handler.py')], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout });
  const waiting: { resolve: (line: string) => void; reject: (e: Error) => void }[] = [];
  let ended: Error | undefined;
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  // A worker that cannot start or that dies fails every request waiting for it, and every later one.
  const end = (e: Error) => {
    ended ??= e;
    for (const w of waiting.splice(0)) w.reject(ended);
  };
  child.on('error', (e) => end(new Error(`the Python sample could not start: ${e.message}`)));
  child.on('exit', (code) => end(new Error(`the Python sample exited (${code}): is psycopg2 installed? (npm run bench installs it)`)));
  lines.on('line', (line) => waiting.shift()?.resolve(line));
  return {
    name: 'the AWS sample\'s per-request behaviour (Python: new boto3 session and client, GetSecretValue, new psycopg2 connection, the statement)',
    request: (op) => new Promise((resolve, reject) => {
      if (ended) return reject(ended);
      waiting.push({
        resolve: (line) => {
          const answer = JSON.parse(line) as { status: number } & Sample;
          if (answer.status >= 300) reject(new Error(`the Python sample answered ${answer.status}`));
          else resolve({ wallMs: answer.wallMs, cpuMs: answer.cpuMs });
        },
        reject,
      });
      child.stdin.write(`${JSON.stringify({ op, body: { sender: 'Alice', recipient: 'Bob', amount: '12.34', currency: 'EUR' } })}\n`);
    }),
    close: async () => {
      if (child.exitCode === null && !ended) child.stdin.end();
      else child.kill();
      await closed;
    },
  };
}

/** A Node.js arm: the handler called in this process; wall and CPU measured around it. */
function nodeArm(name: string, run: (e: ApiEvent) => Promise<number>, close: () => Promise<void>): Arm {
  const caller = { requestContext: { authorizer: { claims: { sub: 'bench' } } } };
  return {
    name,
    request: async (op) => {
      const event: ApiEvent = op === 'create'
        ? { httpMethod: 'POST', ...caller, body: JSON.stringify({ sender: 'Alice', recipient: 'Bob', amount: '12.34', currency: 'EUR' }) }
        : { httpMethod: 'GET', ...caller };
      const cpu = process.cpuUsage();
      const started = process.hrtime.bigint();
      const status = await run(event);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const used = process.cpuUsage(cpu);
      if (status >= 300) throw new Error(`${name} answered ${status}`);
      return { wallMs, cpuMs: (used.user + used.system) / 1000 };
    },
    close,
  };
}

async function benchDataPath(): Promise<void> {
  const savedEnv = { ...process.env };
  const [pg, moto] = await Promise.all([LocalPostgres.start(), MotoServer.start()]);
  const credentials = { AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_EC2_METADATA_DISABLED: 'true' };
  const arms: Arm[] = [];
  try {
    Object.assign(process.env, credentials);
    const secrets = new SecretsManagerClient({ region: 'us-east-1', endpoint: moto.endpoint });
    await secrets.send(new CreateSecretCommand({ Name: 'remittance-db', SecretString: JSON.stringify(pg.secret()) }));
    const readSecret = async (): Promise<DatabaseSecret> =>
      JSON.parse((await secrets.send(new GetSecretValueCommand({ SecretId: 'remittance-db' }))).SecretString!) as DatabaseSecret;
    const setup = new Database(readSecret, { ssl: false });
    await migrate(setup);
    await setup.close();

    // This library: one connection and one secret read, kept across requests.
    const kept = new Database(readSecret, { ssl: false });
    arms.push(nodeArm('this library (Node.js: connection and secret kept per environment)',
      async (e) => (await handleRequest(e, kept, 'us-east-1')).statusCode, () => kept.close()));
    // The earlier model of the sample: a new connection and secret read per request, with one reused SDK client.
    arms.push(nodeArm('the earlier model of the sample (Node.js: new connection and secret read per request, one reused SDK client)', async (e) => {
      const fresh = new Database(readSecret, { ssl: false });
      try {
        return (await handleRequest(e, fresh, 'us-east-1')).statusCode;
      } finally {
        await fresh.close();
      }
    }, async () => {}));
    arms.push(pythonSample({ ...credentials, SECRET_ID: 'remittance-db', AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: moto.endpoint }));

    const [ours, model, sample] = arms;
    for (const op of ['list', 'create'] as const) {
      if (op === 'list') {
        // A table of LIST_ROWS rows, all the bench caller's: this library answers the latest 100, the sample every row.
        const seed = new Database(readSecret, { ssl: false });
        await seed.query(`INSERT INTO remittances (sender, recipient, amount, currency, created_by, created_in)
          SELECT 'Alice', 'Bob', 12.34, 'EUR', 'bench', 'us-east-1' FROM generate_series(1, ${LIST_ROWS})`);
        await seed.close();
      }
      for (let i = 0; i < 20; i++) for (const arm of arms) await arm.request(op); // warm-up
      const samples = arms.map(() => [] as Sample[]);
      for (let round = 0; round < ROUNDS; round++) {
        for (let k = 0; k < arms.length; k++) {
          const a = (round + k) % arms.length; // rotating order
          samples[a].push(await arms[a].request(op));
        }
      }
      const c = op === 'list' ? `list (${LIST_ROWS} rows in the table; the sample: SELECT *, no limit)` : 'create (the sample: INSERT ... RETURNING *)';
      arms.forEach((arm, a) => {
        const wall = samples[a].map((x) => x.wallMs);
        const cpu = samples[a].map((x) => x.cpuMs);
        add('api', `${c}: ${arm.name}`, `wall p50, p99; CPU p50 per request; requests/s one at a time (${ROUNDS} rounds)`,
          `${ms(percentile(wall, 50))}, ${ms(percentile(wall, 99))}; ${ms(median(cpu))}; ${(1000 / (wall.reduce((x, y) => x + y, 0) / wall.length)).toFixed(0)}`);
      });
      // Paired: the ratio within each round, then its median.
      const paired = (x: Sample[], y: Sample[], pick: (s: Sample) => number) => median(x.map((s, i) => pick(s) / pick(y[i])));
      const at = (arm: Arm) => samples[arms.indexOf(arm)];
      add('api', `${c}: the sample (Python) ÷ this library`, 'wall; CPU (medians of the rounds\' ratios)',
        `${times(paired(at(sample), at(ours), (s) => s.wallMs))}; ${times(paired(at(sample), at(ours), (s) => s.cpuMs))}`);
      add('api', `${c}: the sample (Python) ÷ the earlier Node.js model of it`, 'wall; CPU (how kind the model was)',
        `${times(paired(at(sample), at(model), (s) => s.wallMs))}; ${times(paired(at(sample), at(model), (s) => s.cpuMs))}`);
    }
    add('api', 'what these figures cover', 'scope',
      'the handler alone, over loopback, no TLS, one request at a time; CPU of the handler\'s process only (PostgreSQL and moto_server not counted). ' +
      'End to end adds, to every arm, API Gateway and the Lambda invoke, and TLS: the sample pays a TLS handshake to Secrets Manager and one to ' +
      'the database on every request, this library once per environment; so the ratios here understate the sample\'s cost in AWS');
  } finally {
    process.env = savedEnv;
    for (const arm of arms) await arm.close();
    await Promise.all([pg.stop(), moto.stop()]);
  }
}

// ---------------------------------------------------------------------------
// The runbooks on the ARC data plane
// ---------------------------------------------------------------------------

const RUNBOOK_RUNS = 5;
const REHEARSAL_RUNS = Number(process.env.BENCH_REHEARSALS ?? 3);

async function benchRecovery(): Promise<void> {
  const [east, west] = ['us-east-1', 'us-west-2'];
  // The failover rehearsal: real PostgreSQL replication, the real runbooks, the waits polling as deployed.
  const recovery: number[] = [];
  const notice: number[] = [];
  for (let i = 0; i < REHEARSAL_RUNS; i++) {
    const runbooks = { pollIntervalMs: POLL_INTERVAL_MS, timeoutMs: 60_000, retryBudgetMs: 5_000 };
    const rehearsal = await Rehearsal.start({ regions: [east, west], runbooks });
    try {
      rehearsal.impair(east);
      const report = await rehearsal.runbooks.report(rehearsal.runbooks.start(west, 'failover', { allowDataLoss: true }));
      if (report.outcome !== 'succeeded') throw new Error(`the rehearsal's failover ${report.outcome}: ${report.reason}`);
      recovery.push(report.recoveryTimeMs!);
      notice.push(...rehearsal.cloud.noticeDelaysMs());
    } finally {
      await rehearsal.stop();
    }
  }
  if (notice.length < REHEARSAL_RUNS) throw new Error(`only ${notice.length} of ${REHEARSAL_RUNS} failovers had their settled writer seen by a read`);
  const rehearsed = `failover rehearsal: 2 Regions, real PostgreSQL replication, the real runbooks, waits polling every ${POLL_INTERVAL_MS / 1000} s, ARC in memory`;
  add('recovery', rehearsed, `recovery time, the report's (p50, max of ${REHEARSAL_RUNS})`, `${(median(recovery) / 1000).toFixed(2)} s, ${(Math.max(...recovery) / 1000).toFixed(2)} s`);
  add('recovery', rehearsed, 'of which: the writer settled → a wait saw it, within its poll window (p50, max)',
    `${(median(notice) / 1000).toFixed(2)} s, ${(Math.max(...notice) / 1000).toFixed(2)} s (goal: ≤ 3 s${Math.max(...notice) <= 3000 ? ', met' : ', MISSED'})`);

  // The ARC data plane: the real SDK client against five local HTTP endpoints, one of them hung.
  const savedEnv = { ...process.env };
  const arc = new FakeArcServer();
  try {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_EC2_METADATA_DISABLED: 'true' });
    const endpoints = await arc.start(['us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-1', 'ap-southeast-2'], [controlOf(east), controlOf(west)]);
    const topology = { ...topologyOf([east, west]), clusterEndpoints: endpoints };
    const run = async (hung: boolean): Promise<number> => {
      arc.heal();
      if (hung) arc.hangOn(endpoints[0].region);
      arc.states.set(controlOf(east), 'On');
      arc.states.set(controlOf(west), 'Off');
      const cloud = new FakeCloud(east);
      // A new data plane per run: nothing remembered from the run before, as in a new Lambda container.
      const started = process.hrtime.bigint();
      const options = { targetRegion: west, allowDataLoss: true, pollIntervalMs: POLL_INTERVAL_MS };
      const report = await failover({ ...cloud.from(west), routing: awsRoutingDataPlane() }, topology, options);
      const took = Number(process.hrtime.bigint() - started) / 1e6;
      if (report.outcome !== 'succeeded') throw new Error(`the bench failover ${report.outcome}: ${report.reason}`);
      return took;
    };
    // In turns, paired: a run with every endpoint answering, a run with the first one hung.
    const healthy: number[] = [];
    const hung: number[] = [];
    for (let i = 0; i < RUNBOOK_RUNS; i++) {
      healthy.push(await run(false));
      hung.push(await run(true));
    }
    const c = 'failover\'s 7 steps in one process: the real ARC client against 5 local HTTP endpoints, the database in memory';
    add('recovery', c, `wall time, every endpoint answers (median of ${RUNBOOK_RUNS})`, ms(median(healthy)));
    add('recovery', c, `wall time, the first endpoint accepts and never answers (median of ${RUNBOOK_RUNS})`, `${(median(hung) / 1000).toFixed(2)} s`);
    const added = median(hung.map((h, n) => h - healthy[n]));
    add('recovery', c, 'added by the hung endpoint, to any failover (median of the pairs; goal: ≤ 5 s)', `${(added / 1000).toFixed(2)} s${added <= 5000 ? ' (met)' : ' (MISSED)'}`);
  } finally {
    process.env = savedEnv;
    await arc.stop();
  }
}

// ---------------------------------------------------------------------------

function markdown(): string {
  const header = '| area | case | metric | value |\n|---|---|---|---|\n';
  return header + rows.map((r) => `| ${r.area} | ${r.case} | ${r.metric} | ${r.value} |`).join('\n') + '\n';
}

async function main(): Promise<void> {
  // Node.js 20 here: the SDK's warning that it will need 22 is known (README), and Lambda runs 24.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // `--only synth,bundles,api,recovery` runs some sections and writes nothing (a partial table is not the bench's).
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1]?.split(',') ?? [] : undefined;
  const section = async (name: string, title: string, run: () => unknown) => {
    if (only && !only.includes(name)) return;
    const started = Date.now();
    const loadBefore = os.loadavg()[0];
    process.stderr.write(`${title}...\n`);
    await run();
    // What else ran: CPU-time figures move with it (a busy machine's caches and clocks are shared).
    add(name, 'the machine while measured', `load average over 1 minute, at the section's start; end (${os.cpus().length} cores; ` +
      'the bench alone keeps it between about 1 and 2)', `${loadBefore.toFixed(2)}; ${os.loadavg()[0].toFixed(2)}`);
    process.stderr.write(`  (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  };
  await section('synth', `synthesis on lib/, ${REGION_COUNTS.join(', ')} Regions, against the hand-written app`, benchSynthesis);
  await section('bundles', 'bundles, against the previous bundling', benchBundles);
  await section('api', 'API data path, three arms in turns', benchDataPath);
  await section('recovery', 'recovery: the failover rehearsal, and a hung ARC endpoint', benchRecovery);

  if (only) {
    process.stdout.write(`\n${markdown()}\n(--only ${only.join(',')}: nothing written)\n`);
    return;
  }
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
