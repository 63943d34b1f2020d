import { awscdk, javascript } from 'projen';

// aws-cdk-lib floor. 2.257.0 is the first release with the policy-validation API
// (`Validations.of(...)`) that cdk-nag 3 plugs into and that this library uses to
// acknowledge its deliberate cdk-nag findings at the narrowest construct. Users on an
// older aws-cdk-lib would lose those acknowledgements, so the peer range starts there.
const CDK_VERSION = '2.257.0';
// cdk-nag 3 is the release line built on that API (it needs aws-cdk-lib >= 2.257.0).
const CDK_NAG_VERSION = '^3.0.2';

// How every prebundled handler and the command line's SDK bundle are built (issue #21;
// `npm run bench` prints each one's size and load time against the previous bundling):
// - the SDK clients are bundled, not taken from the runtime, so the code that runs is the code tested;
// - `module` before `main`: the SDK's ES module build, which esbuild can tree-shake, where
//   its CommonJS build pulls in every command of a client;
// - minified, with the names of functions and classes kept (error names and stack traces
//   stay readable in CloudWatch Logs);
// - no source maps: nothing loads them (the functions do not set --enable-source-maps),
//   and they were more than half of the package's assets;
// - class fields written as assignments: V8 then builds no field initializer per class
//   (the SDK has one error class per service error), less CPU to load every bundle.
const LEAN_BUNDLE = {
  externals: [],
  sourcemap: false,
  minify: true,
  keepNames: true,
  mainFields: ['module', 'main'],
  esbuildArgs: { '--supported:class-field': 'false', '--supported:class-static-field': 'false' },
};
// The Lambda handlers read the execution role's credentials from the environment, where
// the Lambda runtime puts them, and nothing else: src/aws-lambda-credentials.ts replaces the
// SDK's default chain (and the STS, SSO and sign-in clients it bundles) in their bundles.
const LAMBDA_BUNDLE = {
  ...LEAN_BUNDLE,
  esbuildArgs: { ...LEAN_BUNDLE.esbuildArgs, '--alias:@aws-sdk/credential-provider-node': './src/aws-lambda-credentials.ts' },
};

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-cross-region-failover',
  description:
    'AWS CDK constructs for cross-Region failover and graceful failback: Aurora PostgreSQL global database, ARC-routed APIs, SSM failover runbooks and observability.',
  author: 'cdk-cross-region-failover contributors',
  authorAddress: 'maintainers@cdk-cross-region-failover.dev',
  license: 'Apache-2.0',
  repositoryUrl: 'https://github.com/cdk-cross-region-failover/cdk-cross-region-failover.git',
  keywords: ['cdk', 'aws-cdk', 'aurora', 'global-database', 'disaster-recovery', 'multi-region', 'failover', 'route53-arc'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  cdkVersion: CDK_VERSION,
  jsiiVersion: '~6.0.0',
  // jsii 6 itself needs Node.js >= 20.16.
  minNodeVersion: '20.16.0',

  devDeps: [
    `cdk-nag@${CDK_NAG_VERSION}`,
    // Bundled into the prebundled Lambda handlers (src/**/*.lambda.ts), never a runtime dependency.
    '@aws-sdk/client-route53-recovery-cluster',
    '@aws-sdk/client-rds',
    '@aws-sdk/client-cloudwatch',
    '@aws-sdk/client-secrets-manager',
    '@aws-sdk/client-ssm',
    '@aws-sdk/client-cloudformation',
    '@aws-sdk/client-kms',
    // The Lambda bundles' credential provider (src/aws-lambda-credentials.ts).
    '@aws-sdk/credential-provider-env',
    '@aws-sdk/credential-provider-http',
    // The remittance example's API handlers (bundled into their Lambda functions) and their tests.
    '@aws-sdk/client-lambda',
    'pg',
    '@types/pg',
    // The remittance example's React UI (built by Vite) and its headless Chromium test.
    'react',
    'react-dom',
    '@types/react',
    '@types/react-dom',
    'vite',
    // The operations panel: AWS's Cloudscape Design System, the console's look (and its line chart for the lag).
    '@cloudscape-design/components',
    '@cloudscape-design/global-styles',
    'playwright-core',
    // Model-based tests of the runbooks' invariants: random schedules of steps, faults and concurrent runs.
    'fast-check',
    // The documentation's Mermaid diagrams are parsed in CI (test/docs-diagrams.test.ts): mermaid's
    // parser needs a DOM for its label sanitizer, which jsdom gives. Majors pinned to what runs on Node 20.
    'mermaid@^11',
    'jsdom@^29',
  ],
  // Handlers are bundled at build time into assets/, so users need neither esbuild nor Docker.
  lambdaOptions: {
    runtime: awscdk.LambdaRuntime.NODEJS_24_X,
    bundlingOptions: LAMBDA_BUNDLE,
  },

  publishToPypi: {
    distName: 'cdk-cross-region-failover',
    module: 'cdk_cross_region_failover',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkcrossregionfailover',
    mavenGroupId: 'io.github.cdkcrossregionfailover',
    mavenArtifactId: 'cdk-cross-region-failover',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-cross-region-failover/cdk-cross-region-failover-go',
  },

  // lib/ ships without source maps: nothing loads them (Node.js applies them only with
  // --enable-source-maps), and inline they were two thirds of every compiled file.
  tsconfig: { compilerOptions: { inlineSourceMap: false, inlineSources: false } },

  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'build-tools', 'examples', 'projenrc'],
  },
  jestOptions: {
    jestConfig: {
      // The consumer apps of other languages are run by build-tools/consumers.sh.
      testPathIgnorePatterns: ['/node_modules/', '/test/consumers/(python|java|go)/'],
      // A temporary directory per run, removed at its end: the apps' cdk.out* directories go there.
      globalSetup: '<rootDir>/test/jest-global-setup.ts',
      globalTeardown: '<rootDir>/test/jest-global-teardown.ts',
      coverageThreshold: {
        statements: 90,
        branches: 85,
        functions: 90,
        lines: 90,
      },
    },
  },
  gitignore: ['cdk.out', '/examples/**/cdk.out', '/examples/remittance/ui/dist/', '/.tmp/', '__pycache__/', '.pytest_cache/'],
});

// Build output of the Java consumer app (after projen's own `!/test/`, which would re-include it).
project.gitignore.addPatterns('/test/consumers/java/target/');

for (const pattern of ['/examples/', '/build-tools/', '/benchmarks/', '/.ci/', '/.tmp/', '/.cfnlintrc.yaml']) {
  project.addPackageIgnore(pattern);
}

// The example app and the build tools are type-checked and linted like the tests,
// each with a tsconfig of its own next to its sources.
for (const dir of ['examples', 'build-tools']) {
  new javascript.TypescriptConfig(project, {
    fileName: `${dir}/tsconfig.json`,
    extends: javascript.TypescriptConfigExtends.fromPaths(['../tsconfig.json']),
    compilerOptions: { noEmit: true, rootDir: '..' },
    include: ['**/*.ts'],
    // The React UI is built by Vite and type-checked with its own tsconfig (DOM, JSX).
    exclude: ['node_modules', '**/cdk.out', 'remittance/ui'],
  });
}

// The Go binding names every jsii dependency at the version npm resolved, and the Go
// module proxy must serve that version. aws-cdk-lib 2.257.0 accepts
// @aws-cdk/cloud-assembly-schema ^53.25.0; npm would pick 53.28.0, whose Go module is not
// served, so resolution is held at 53.25.0, the version awscdk-go v2.257.0 itself requires
// (a top-level devDependency, where jsii looks for it, plus an override for aws-cdk-lib).
const CLOUD_ASSEMBLY_SCHEMA_VERSION = '53.25.0';
project.addDevDeps(`@aws-cdk/cloud-assembly-schema@${CLOUD_ASSEMBLY_SCHEMA_VERSION}`);
project.package.addField('overrides', { '@aws-cdk/cloud-assembly-schema': CLOUD_ASSEMBLY_SCHEMA_VERSION });

// npm 11 runs a dependency's install script only when allowScripts says so. None is
// needed here, so both are denied explicitly: esbuild's postinstall only re-checks the
// platform binary npm already installs from its optional @esbuild/<platform> package,
// and jest's @parcel/watcher ships prebuilt binaries (its script builds from source).
project.package.addField('allowScripts', { 'esbuild': false, '@parcel/watcher': false });

// ---------------------------------------------------------------------------
// The main job: synthesize the example app offline and check its templates.
// ---------------------------------------------------------------------------
// One import style for aws-cdk-lib's modules, the one its own documentation uses:
// `import * as rds from 'aws-cdk-lib/aws-rds'`, never `aws_rds as rds` from the root.
project.eslint?.addRules({
  'no-restricted-imports': ['error', {
    patterns: [{
      regex: '^aws-cdk-lib$',
      importNamePattern: '^(aws_|alexa_|custom_resources$|region_info$|cx_api$|cloud_assembly_schema$|assertions$|pipelines$|triggers$|lambda_layer_)',
      message: "Import the module itself: import * as rds from 'aws-cdk-lib/aws-rds'.",
    }],
  }],
});

// The library's own source keeps to 150 characters a line, strings, templates and comments
// included (only URLs may run longer); tests and tools keep the default, which skips them.
project.eslint?.addOverride({
  files: ['src/**/*.ts'],
  rules: {
    '@stylistic/max-len': ['error', { code: 150, ignoreUrls: true, ignoreStrings: false, ignoreTemplateLiterals: false, ignoreComments: false }],
  },
});

// Modules that only the Lambda handlers (and the tests) import: esbuild bundles the AWS
// SDK into the handlers, so the SDK is a devDependency, never a runtime dependency.
project.eslint?.addOverride({
  files: ['src/**/aws-*.ts'],
  rules: { 'import/no-extraneous-dependencies': ['error', { devDependencies: true, optionalDependencies: false, peerDependencies: true }] },
});

// The operators' command line, bundled into the package so `npx cdk-cross-region-failover`
// needs no runtime dependency: the tool itself in one small file, the AWS SDK clients it
// uses in a second one, loaded only once the arguments are checked (so --help, --version
// and usage errors do not parse the SDK).
project.bundler.addBundle('src/cli/main.ts', {
  ...LEAN_BUNDLE,
  platform: 'node',
  target: 'node20',
  executable: true,
  tsconfigPath: 'test/tsconfig.json',
  // The SDK bundle beside it is required by a path known at run time, on purpose.
  esbuildArgs: { ...LEAN_BUNDLE.esbuildArgs, '--log-override:unsupported-require-call': 'silent' },
});
project.bundler.addBundle('src/cli/aws-cli-dependencies.ts', {
  ...LEAN_BUNDLE,
  platform: 'node',
  target: 'node20',
  tsconfigPath: 'test/tsconfig.json',
});
project.addBins({ 'cdk-cross-region-failover': 'assets/cli/main/index.js' });

// Tests and the example use the prebundled handlers: bundle them first.
const bundle = project.tasks.tryFind('bundle')!;
project.testTask.prependSpawn(bundle);
// Tests of the AWS calls moto implements run against a local moto_server (PyPI: moto[server]).
project.testTask.prependExec(
  'python3 -c "import moto.server" 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check "moto[server]>=5,<6"',
  { name: 'moto_server for the tests' },
);

// The remittance example's React UI: type-checked with its own tsconfig, built by Vite
// into examples/remittance/ui/dist, which the example's stacks deploy to S3.
const uiBuild = project.addTask('example:ui-build', {
  description: 'Type-check and build the remittance example UI (React, Vite) into examples/remittance/ui/dist',
  steps: [
    { exec: 'tsc -p examples/remittance/ui/tsconfig.json' },
    { exec: 'vite build --config examples/remittance/ui/vite.config.mts --logLevel warn' },
  ],
});

const exampleSynth = project.addTask('example:synth', {
  description: 'Synthesize the remittance example app offline into examples/remittance/cdk.out and print what it produced',
  steps: [
    { spawn: bundle.name },
    { spawn: uiBuild.name },
    { exec: 'rm -rf examples/remittance/cdk.out' },
    { exec: 'ts-node --project build-tools/tsconfig.json build-tools/synth-example.ts examples/remittance' },
  ],
});

const minimalSynth = project.addTask('example:minimal:synth', {
  description: 'Synthesize the minimal example app offline into examples/minimal/cdk.out',
  steps: [
    { spawn: bundle.name },
    { exec: 'rm -rf examples/minimal/cdk.out' },
    { exec: 'ts-node --project build-tools/tsconfig.json build-tools/synth-example.ts examples/minimal' },
  ],
});

project.addTask('consumers', {
  description: 'Build the Python, Java and Go bindings and run the consumer app of each (args: languages)',
  steps: [{ exec: 'bash build-tools/consumers.sh', receiveArgs: true }],
});

// cfn-lint, pinned in build-tools/requirements-cfn-lint.txt, in its own virtual environment
// (.tmp/cfn-lint): CI lints with that version, never with whichever the machine has.
const cfnLint = project.addTask('cfn-lint:install', {
  description: 'Install the pinned cfn-lint (build-tools/requirements-cfn-lint.txt) into .tmp/cfn-lint',
  steps: [{ exec: 'bash build-tools/ensure-cfn-lint.sh' }],
});

// The engineVersion check's data: the Aurora PostgreSQL versions the pinned cfn-lint knows
// and those it reports as deprecated, written to src/constructs/private/aurora-engine-versions.ts.
const auroraVersions = project.addTask('aurora-versions', {
  description: 'Regenerate the Aurora PostgreSQL engine versions the engineVersion check uses, from the pinned cfn-lint',
  steps: [
    { spawn: cfnLint.name },
    { exec: '.tmp/cfn-lint/bin/python build-tools/aurora-engine-versions.py src/constructs/private/aurora-engine-versions.ts' },
  ],
});

// `npx projen upgrade` moves the cfn-lint pin to the newest release and regenerates that
// data with the dependencies, so a deprecation reaches the check (and the default) in the
// same reviewed change.
project.tasks.tryFind('post-upgrade')!.exec('bash build-tools/ensure-cfn-lint.sh --upgrade');
project.tasks.tryFind('post-upgrade')!.spawn(auroraVersions);

project.addTask('example:cfn-lint', {
  description: 'Run cfn-lint on every template the two examples synthesize (the minimal one also active/active), for the Region each targets',
  steps: [
    { spawn: cfnLint.name },
    { spawn: exampleSynth.name },
    { exec: 'ts-node --project build-tools/tsconfig.json build-tools/cfn-lint-example.ts examples/remittance/cdk.out' },
    { spawn: minimalSynth.name },
    { exec: 'ts-node --project build-tools/tsconfig.json build-tools/cfn-lint-example.ts examples/minimal/cdk.out' },
    // The minimal example with every Region serving (docs/active-active.md).
    { exec: 'rm -rf .tmp/minimal-active-active.out' },
    { exec: 'ACTIVE_ACTIVE=true ts-node --project build-tools/tsconfig.json build-tools/synth-example.ts examples/minimal .tmp/minimal-active-active.out' },
    { exec: 'ts-node --project build-tools/tsconfig.json build-tools/cfn-lint-example.ts .tmp/minimal-active-active.out' },
  ],
});

// The integration app (test/integ): the minimal example, deletable, under a name of its own
// per run. CI synthesizes and lints it offline; running it needs an AWS account (TESTING.md).
project.addTask('integ:synth', {
  description: 'Synthesize the integration app (test/integ) offline into test/integ/cdk.out and cfn-lint every template for its Region',
  steps: [
    { spawn: cfnLint.name },
    { spawn: bundle.name },
    { exec: 'rm -rf test/integ/cdk.out' },
    { exec: 'ts-node --project build-tools/tsconfig.json build-tools/synth-example.ts test/integ' },
    { exec: 'ts-node --project build-tools/tsconfig.json build-tools/cfn-lint-example.ts test/integ/cdk.out' },
  ],
});
// The bundled command-line tool is what the run drives (and what the teardown uses to move
// the writer back after an interrupted run), so both build it first.
project.addTask('integ:run', {
  description: 'AWS account needed: deploy the integration app in two Regions, switch over and fail back through the CLI, check, tear down (TESTING.md)',
  steps: [
    { spawn: bundle.name },
    { exec: 'ts-node --project test/tsconfig.json test/integ/run.ts run', receiveArgs: true },
  ],
});
project.addTask('integ:destroy', {
  description: 'AWS account needed: tear down the integration app of the last run, or of -c name=<name> (after an interrupted run)',
  steps: [
    { spawn: bundle.name },
    { exec: 'ts-node --project test/tsconfig.json test/integ/run.ts destroy', receiveArgs: true },
  ],
});

// The remittance example on this machine, over the failover rehearsal: a PostgreSQL server
// per simulated Region with streaming replication, the real runbooks behind the buttons,
// a local stand-in for Cognito's sign-in.
project.addTask('example:local', {
  description: 'Serve the remittance example locally: a replicating PostgreSQL per Region, the real runbooks, an Impair control (args: --port N)',
  steps: [
    { spawn: uiBuild.name },
    { exec: 'bash build-tools/ensure-postgres.sh >/dev/null' },
    { exec: 'ts-node --project build-tools/tsconfig.json examples/remittance/local/main.ts', receiveArgs: true },
  ],
});

// The UI in headless Chromium (the system's, Debian package chromium) against the local run.
project.addTask('example:browser-test', {
  description: 'Sign in, create and list remittances through the UI in headless Chromium, against the local run',
  steps: [
    { spawn: uiBuild.name },
    { exec: 'bash build-tools/ensure-postgres.sh >/dev/null' },
    { exec: 'bash build-tools/ensure-chromium.sh' },
    { exec: 'ts-node --project build-tools/tsconfig.json test/remittance/browser.ts' },
  ],
});

// A release's notes are CHANGELOG.md's "Unreleased" section (kept by hand in each change),
// written to dist/changelog.md once the version is decided; a release without it stops there.
project.tasks.tryFind('bump')!.exec('ts-node --project build-tools/tsconfig.json build-tools/release-notes.ts');

// The failover drill: the real runbooks over replicating PostgreSQL Regions under write
// load; one table, printed and written to benchmarks/recovery.md and docs/performance.md; exits 1
// on an invariant breach, never on a time.
project.addTask('drill', {
  description: 'Rehearse switchover, failover and failback under write load on real PostgreSQL; measure lost writes and recovery time (args: --seed N --repeat N --no-write)',
  steps: [
    { exec: 'bash build-tools/ensure-postgres.sh >/dev/null' },
    { exec: 'ts-node --project build-tools/tsconfig.json examples/remittance/local/drill.ts', receiveArgs: true },
  ],
});

// Benchmarks: synthesis on the compiled library at 2, 3, 5 and 11 Regions against a
// hand-written app of the same resource types and counts, the bundles against their previous bundling,
// the API's data path in three arms (the AWS sample's per-request behaviour in Python among
// them), the recovery figures; one table, printed and written to benchmarks/.
project.addTask('bench', {
  description: 'Measure synthesis, the bundles, the API data path and recovery; print one table, write benchmarks/latest.{md,json} (args: --only synth,bundles,api,recovery)',
  steps: [
    { spawn: bundle.name },
    // Synthesis is measured on lib/, as a user's app loads the published library.
    { spawn: 'compile' },
    { exec: 'bash build-tools/ensure-postgres.sh >/dev/null' },
    { exec: 'python3 -c "import moto.server" 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check "moto[server]>=5,<6"' },
    // The data path's third arm: the AWS sample's per-request behaviour, with boto3 (moto's dependency) and psycopg2.
    { exec: 'python3 -c "import psycopg2" 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check "psycopg2-binary>=2.9,<3"' },
    { exec: 'ts-node --project build-tools/tsconfig.json build-tools/bench.ts', receiveArgs: true },
  ],
});

project.synth();
