/**
 * The operators' command line: `cdk-cross-region-failover status | switchover | failover |
 * failback`. It starts the SSM Automation runbooks FailoverAutomation deploys, in the
 * Region being activated, follows their steps as they run, and prints the report. A dry
 * run prints the plan and runs the runbook's read-only pre-flight checks with the
 * operator's credentials, changing nothing.
 *
 * Everything AWS is behind {@link CliDependencies}, so the whole tool runs against fakes
 * in tests; `aws-cli-dependencies.ts` wires in the AWS SDK.
 */
import { AllEndpointsFailedError } from '../arc/routing-states';
import { IAM_PRINCIPAL_ARN } from '../principals';
import { CloudOperations, EndedExecution, RunbookTopology, RunningExecution } from '../ssm/cloud-operations';
import { DeploymentStateSources, readDeploymentState, RegionState } from '../ssm/deployment-state';
import { blockedBy } from '../ssm/one-run-at-a-time';
import { parseReadiness, readinessParameterName } from '../ssm/readiness';
import { RetriesExhausted } from '../ssm/retries';
import { PreflightRefusal, RunbookName, RunbookReport, RUNBOOK_NAMES, RUNBOOKS, StepInput } from '../ssm/runbooks';
import { AutomationStepView, ENDED_STATUSES, errorMessageOf, REFUSED_PREFIX, reportFromExecution, summarize } from '../ssm/step-handler';
import {
  clusterSpecParameterName, parseAuroraTopology, parseClusterSpec, parseRoutingTopology, parseRunbooksDirectory, PARAMETER_ROOT,
  runbooksParameterName, runbookTopology, RunbooksDirectory,
} from '../ssm/topology';

/** The program name, as `npx` runs it. */
export const PROGRAM = 'cdk-cross-region-failover';

/**
 * Exit codes: 0 done; 1 failed; 2 usage error; 3 refused (by a check, at any step: the
 * refusing step changed nothing); 4 no credentials, or AWS could not be reached.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3, unreachable: 4 } as const;

export type { EndedExecution, RunningExecution };

/** An automation execution as `GetAutomationExecution` reports it. */
export interface ExecutionState {
  /** The document it runs. */
  readonly documentName?: string;
  /** `Pending`, `InProgress`, `Waiting`, `Success`, `Failed`, `TimedOut`, `Cancelled`, ... */
  readonly status: string;
  readonly startTime: number;
  readonly steps: AutomationStepView[];
  readonly failureMessage?: string;
  /** The `TargetRegion` it was started with; the Region it runs in when not known. */
  readonly targetRegion?: string;
}

/** SSM in one Region: the parameters and the automation executions. */
export interface AutomationService {
  /** The parameter's value; undefined when it does not exist. */
  readParameter(name: string): Promise<string | undefined>;
  /** Names of the parameters under `path`, recursively. */
  listParameterNames(path: string): Promise<string[]>;
  /** Executions of these documents that have not ended. */
  runningExecutions(documentNames: readonly string[]): Promise<RunningExecution[]>;
  /** The last `limit` executions of these documents that ended in the last 8 days, the last ended first. */
  endedExecutions(documentNames: readonly string[], limit: number): Promise<EndedExecution[]>;
  /** `StartAutomationExecution`; answers the execution id. */
  start(documentName: string, parameters: Record<string, string[]>): Promise<string>;
  /** `GetAutomationExecution`. */
  getExecution(executionId: string): Promise<ExecutionState>;
}

/** What the tool needs from its surroundings. */
export interface CliDependencies {
  /** The Region of the environment (`AWS_REGION`), if any. */
  readonly defaultRegion?: string;
  /**
   * The `region` of the profile in use in the AWS CLI's configuration file, if any: the
   * Region when neither `--region` nor the environment names one.
   */
  profileRegion?(): Promise<string | undefined>;
  /** SSM in `region`. */
  automation(region: string): AutomationService;
  /** The runbooks' cloud operations, made from `region` (the same code the step function runs). */
  cloud(region: string): CloudOperations;
  /** Waits between polls of a running execution. */
  sleep(ms: number): Promise<void>;
}

/** Where the tool writes. */
export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
  /** With `--output json`: the one JSON document, on stdout. */
  json?(value: object): void;
}

/** An error the operator can act on; the message says how. */
export class CliError extends Error {
  constructor(message: string, public readonly exitCode: number = EXIT.failed) {
    super(message);
    this.name = 'CliError';
  }
}

const COMMANDS: Record<string, string> = {
  status: 'show, per Region, the writer, the traffic, each secondary\'s replication lag, readiness, and runbooks running',
  switchover: 'planned move of the writer and the traffic to --to, no data loss; both Regions healthy',
  failover: 'move to --to while the primary Region is impaired; needs --allow-data-loss (writes not yet replicated are lost)',
  failback: 'return to --to after a failover, once it has rejoined and caught up; then a switchover',
  rebuild: 'after a failover that detached: make --to a secondary of the Region serving traffic again (deletes its stale cluster)',
  evacuate: 'active/active: take --from out of service, run from --to, which stays in service (and takes the writer if --from holds it)',
  restore: 'active/active: put --to back into service, once its copy is connected and caught up',
  watch: 'follow a run already started (by anyone), by its execution id, in the Region it runs in',
  help: 'this text, or a command\'s own: help <command>',
};
const COMMAND_NAMES = Object.keys(COMMANDS);

const OPTIONS: Record<string, string> = {
  '--to': '--to <region>          the Region to activate; the runbook runs there',
  '--from': '--from <region>        evacuate: the Region to take out of service',
  '--region': '--region <region>      where to read from (default: AWS_REGION, AWS_DEFAULT_REGION, then the profile\'s region)',
  '--name': '--name <name>          the database name, the prefix of the runbook documents (default: the only one deployed)',
  '--profile': '--profile <profile>    the AWS CLI profile whose credentials to use (default: AWS_PROFILE, then the default chain)',
  '--output': '--output <text|json>   json: one JSON document on stdout, progress on stderr (default: text)',
  '--dry-run': '--dry-run              print the plan and run the read-only pre-flight checks; change nothing',
  '--allow-data-loss': '--allow-data-loss      accept losing the writes not yet replicated',
  '--allow-detach': '--allow-detach         if the global database stays unreachable or refuses, detach and promote --to (irreversible)',
  '--max-data-loss': '--max-data-loss <s>    refuse while the target lags more than this many seconds (default: the document\'s)',
  '--max-rpo-lag': '--max-rpo-lag <s>      the most replication lag accepted, in seconds (default: the document\'s)',
  '--require-approval': '--require-approval     wait for one of the approvers after the pre-flight checks (default: the document\'s)',
  '--approver': '--approver <arn>       an IAM user or role ARN that may approve; repeat for more (default: the document\'s)',
  '--no-follow': '--no-follow            start the runbook and return, without following its steps',
  '--poll': '--poll <s>             seconds between progress checks (default 5)',
  '--version': '--version              the version of this tool',
  '--help': '-h, --help             this text; after a command, that command\'s',
};

const MOVE_OPTIONS = ['--to', '--name', '--dry-run', '--require-approval', '--approver', '--no-follow', '--poll', '--profile', '--output'];
/** Each command's options and examples, for `<command> --help`. */
const COMMAND_HELP: Record<string, { usage: string; options: string[]; examples: string[]; optionText?: Record<string, string> }> = {
  status: {
    usage: 'status [--region <region>] [--name <name>]',
    options: ['--region', '--name', '--profile', '--output'],
    examples: ['status --region us-east-1', 'status --region us-west-2 --name orders --output json'],
  },
  switchover: {
    usage: 'switchover --to <region> [options]',
    options: [...MOVE_OPTIONS.slice(0, 2), '--max-rpo-lag', ...MOVE_OPTIONS.slice(2)],
    examples: ['switchover --to us-west-2 --dry-run', 'switchover --to ' +
      'us-west-2', 'switchover --to us-west-2 --require-approval --approver arn:aws:iam::111122223333:role/oncall'],
  },
  failover: {
    usage: 'failover --to <region> --allow-data-loss [options]',
    options: [...MOVE_OPTIONS.slice(0, 2), '--allow-data-loss', '--allow-detach', '--max-data-loss', ...MOVE_OPTIONS.slice(2)],
    examples: ['failover --to us-west-2 --dry-run', 'failover --to us-west-2 ' +
      '--allow-data-loss', 'failover --to us-west-2 --allow-data-loss --max-data-loss 60'],
  },
  failback: {
    usage: 'failback --to <region> [options]',
    options: [...MOVE_OPTIONS.slice(0, 2), '--max-rpo-lag', ...MOVE_OPTIONS.slice(2)],
    examples: ['failback --to us-east-1 --dry-run', 'failback --to us-east-1'],
  },
  rebuild: {
    usage: 'rebuild --to <region> [options]',
    options: MOVE_OPTIONS,
    examples: ['rebuild --to us-east-1 --dry-run', 'rebuild --to us-east-1'],
  },
  evacuate: {
    usage: 'evacuate --from <region> --to <region> [options]',
    options: ['--from', ...MOVE_OPTIONS.slice(0, 2), '--max-rpo-lag', ...MOVE_OPTIONS.slice(2)],
    optionText: {
      '--to': '--to <region>          the Region that stays in service (it takes the writer if --from holds it); the runbook runs there',
    },
    examples: ['evacuate --from us-east-1 --to us-west-2 --dry-run', 'evacuate --from us-east-1 --to us-west-2'],
  },
  restore: {
    usage: 'restore --to <region> [options]',
    options: [...MOVE_OPTIONS.slice(0, 2), '--max-rpo-lag', ...MOVE_OPTIONS.slice(2)],
    examples: ['restore --to us-east-1 --dry-run', 'restore --to us-east-1'],
  },
  watch: {
    usage: 'watch <execution-id> --region <region> [--name <name>]',
    options: ['--region', '--name', '--poll', '--profile', '--output'],
    examples: ['watch 0123abcd-4567-89ef-0123-456789abcdef --region us-west-2'],
  },
  help: { usage: 'help [<command>]', options: [], examples: ['help failover'] },
};

/** The `--help` text: one line per command, then the options. */
export const USAGE = [
  `usage: npx ${PROGRAM} <command> [options]`,
  '',
  'commands:',
  ...Object.entries(COMMANDS).map(([name, text]) => `  ${name.padEnd(11)} ${text}`),
  '',
  'options:',
  ...Object.values(OPTIONS).map((o) => `  ${o}`),
  '',
  `'npx ${PROGRAM} <command> --help' shows a command's options and examples.`,
  '',
  'exit status: 0 done; 1 failed; 2 usage error; 3 refused by a check at any step (the refusing step changed nothing); ' +
    '4 no AWS credentials, or AWS could not be reached',
].join('\n');

/** A command's help: what it does, its options, examples. */
export function commandHelp(command: string): string {
  const help = COMMAND_HELP[command];
  return [
    `usage: npx ${PROGRAM} ${help.usage}`,
    '',
    COMMANDS[command],
    ...(help.options.length > 0 ? ['', 'options:', ...help.options.map((o) => `  ${help.optionText?.[o] ?? OPTIONS[o]}`)] : []),
    '',
    'examples:',
    ...help.examples.map((e) => `  npx ${PROGRAM} ${e}`),
  ].join('\n');
}

/** The closest of `candidates` to a mistyped `word`, when it is close enough to be meant. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const distance = (a: string, b: string) => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let previous = row[0];
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const current = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
        previous = current;
      }
    }
    return row[b.length];
  };
  const scored = candidates.map((c) => ({ c, d: distance(word.toLowerCase(), c) })).sort((x, y) => x.d - y.d);
  const best = scored[0];
  return best && best.d <= Math.max(1, Math.floor(best.c.length / 3)) ? best.c : undefined;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** Parsed command line. */
export interface CliArguments {
  readonly command: string;
  readonly to?: string;
  /** `evacuate`: the Region to take out of service. */
  readonly from?: string;
  readonly region?: string;
  readonly name?: string;
  readonly dryRun: boolean;
  readonly allowDataLoss: boolean;
  readonly allowDetach: boolean;
  readonly maxDataLossSeconds?: number;
  readonly maxRpoLagSeconds?: number;
  readonly requireApproval: boolean;
  readonly approvers: string[];
  readonly follow: boolean;
  readonly pollSeconds: number;
  readonly help: boolean;
  /** `--version`. */
  readonly version?: boolean;
  /** The AWS CLI profile to take credentials from (`--profile`). */
  readonly profile?: string;
  /** `json`: one JSON document on stdout, progress on stderr. Default `text`. */
  readonly output?: 'text' | 'json';
  /** `watch`: the execution to follow. */
  readonly executionId?: string;
}

const FLAGS = ['--dry-run', '--allow-data-loss', '--allow-detach', '--require-approval', '--no-follow', '--help', '-h', '--version'];
const VALUED = ['--to', '--from', '--region', '--name', '--max-rpo-lag', '--max-data-loss', '--approver', '--poll', '--profile', '--output'];
const EXECUTION_ID = /^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$/i;

/** Parses `argv` (without the node and script paths); throws a {@link CliError} with exit code 2 on a usage error. */
export function parseArguments(argv: readonly string[]): CliArguments {
  const usage = (message: string) => new CliError(`${message}\nRun 'npx ${PROGRAM} --help' for the commands and options.`, EXIT.usage);
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const equals = argv[i].startsWith('--') ? argv[i].indexOf('=') : -1;
    const [key, inline] = equals >= 0 ? [argv[i].slice(0, equals), argv[i].slice(equals + 1)] : [argv[i], undefined];
    if (FLAGS.includes(key)) {
      if (inline !== undefined) throw usage(`${key} takes no value`);
      flags.add(key === '-h' ? '--help' : key);
    } else if (VALUED.includes(key)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--')) throw usage(`${key} needs a value`);
      values.set(key, [...(values.get(key) ?? []), value]);
    } else if (key.startsWith('-')) {
      const meant = didYouMean(key, [...FLAGS, ...VALUED].filter((f) => f.startsWith('--')));
      throw usage(`unknown option '${key}'${meant ? `: did you mean ${meant}?` : ''}`);
    } else {
      positional.push(key);
    }
  }
  const help = flags.has('--help');
  const command = positional[0] ?? '';
  const none = { dryRun: false, allowDataLoss: false, allowDetach: false, requireApproval: false, approvers: [], follow: true, pollSeconds: 5 };
  const commands = `use ${COMMAND_NAMES.slice(0, -1).join(', ')} or ${COMMAND_NAMES[COMMAND_NAMES.length - 1]}`;
  const unknownCommand = (word: string) => {
    const meant = didYouMean(word, COMMAND_NAMES);
    return usage(`unknown command '${word}': ${meant ? `did you mean ${meant}?` : commands}`);
  };
  if (flags.has('--version')) return { command, help: false, version: true, ...none };
  if (help || command === 'help') {
    // `help <command>` and `<command> --help` show that command's help; an unknown one is named.
    const topic = command === 'help' ? positional[1] : command;
    if (topic !== undefined && topic !== '' && !(topic in COMMANDS)) throw unknownCommand(topic);
    return { command: topic ?? '', help: true, ...none };
  }
  if (!command) throw usage(`no command given: ${commands}`);
  if (!(command in COMMANDS)) throw unknownCommand(command);
  const executionId = command === 'watch' ? positional[1] : undefined;
  if (command === 'watch' && (executionId === undefined || !EXECUTION_ID.test(executionId))) {
    throw usage(executionId === undefined
      ? 'watch needs the execution id of the run to follow, as `start` printed it (or from the console, or status)'
      : `'${executionId}' is not an automation execution id (like 0123abcd-4567-89ef-0123-456789abcdef)`);
  }
  if (positional.length > (command === 'watch' ? 2 : 1)) throw usage(`unexpected argument '${positional[command === 'watch' ? 2 : 1]}'`);
  for (const [key, list] of values) {
    if (key !== '--approver' && list.length > 1) throw usage(`${key} is given ${list.length} times; give it once`);
  }
  const one = (key: string) => values.get(key)?.[0];
  const number = (key: string, min: number, max: number) => {
    const text = one(key);
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) throw usage(`${key} is '${text}': use a whole number of seconds from ${min} to ${max}`);
    return n;
  };
  const region = (key: string) => {
    const value = one(key);
    if (value !== undefined && !REGION.test(value)) throw usage(`${key} is '${value}', which is not an AWS Region name (like us-east-1)`);
    return value;
  };

  const output = one('--output');
  if (output !== undefined && output !== 'text' && output !== 'json') throw usage(`--output is '${output}': use text or json`);
  const profile = one('--profile');
  if (profile !== undefined && !/^[\w.@+=,/-]+$/.test(profile)) throw usage(`--profile '${profile}' is not a profile name`);

  const moving = command !== 'status' && command !== 'watch';
  const args: CliArguments = {
    command,
    executionId,
    profile,
    output: output as 'text' | 'json' | undefined,
    to: region('--to'),
    from: region('--from'),
    region: region('--region'),
    name: one('--name'),
    dryRun: flags.has('--dry-run'),
    allowDataLoss: flags.has('--allow-data-loss'),
    allowDetach: flags.has('--allow-detach'),
    maxDataLossSeconds: number('--max-data-loss', 0, 86_400),
    maxRpoLagSeconds: number('--max-rpo-lag', 1, 3600),
    requireApproval: flags.has('--require-approval'),
    approvers: values.get('--approver') ?? [],
    follow: !flags.has('--no-follow'),
    pollSeconds: number('--poll', 1, 300) ?? 5,
    help,
  };
  if (command === 'evacuate' && !args.to) {
    throw usage('evacuate needs --to <region>: the Region the run happens in, which stays in service (and takes the writer if --from holds it)');
  }
  if (moving && !args.to) throw usage(`${command} needs --to <region>: the Region to activate`);
  if (command === 'evacuate' && !args.from) throw usage('evacuate needs --from <region>: the Region to take out of service');
  if (args.from !== undefined && command !== 'evacuate' && moving) {
    throw usage(`--from is for evacuate only; a ${command} runs in --to and acts on it`);
  }
  if (command === 'evacuate' && args.from === args.to) {
    throw usage(`--from and --to are both ${args.to}: run the evacuation from a Region that stays in service`);
  }
  if (!moving) {
    const misplaced = [
      '--to',
      '--from',
      '--max-rpo-lag',
      '--max-data-loss',
      '--approver',
      ...(command === 'status' ? ['--poll'] : []),
    ].filter((k) => values.has(k))
      .concat(['--dry-run', '--allow-data-loss', '--allow-detach', '--require-approval', '--no-follow'].filter((k) => flags.has(k)));
    if (misplaced.length > 0) throw usage(`${command} takes no ${misplaced.join(', ')}`);
  }
  if (moving && args.region) throw usage(`${command} runs in the Region it activates: use --to, not --region`);
  if (args.allowDataLoss && command !== 'failover') throw usage(`--allow-data-loss is for failover only; a ${command} never loses data`);
  if (args.maxRpoLagSeconds !== undefined && command === 'failover') {
    throw usage('--max-rpo-lag is for switchover and failback; a failover does ' +
    'not wait for replication');
  }
  if (args.allowDetach && command !== 'failover') throw usage(`--allow-detach is for failover only; a ${command} never detaches`);
  if (args.maxDataLossSeconds !== undefined && command !== 'failover') {
    throw usage(`--max-data-loss is for failover only; a ${command} never ` +
    'loses data');
  }
  if (command === 'failover' && !args.allowDataLoss && !args.dryRun) {
    throw usage('a failover promotes the target without waiting for replication and can lose the writes not yet replicated: ' +
      'add --allow-data-loss to accept that, or run switchover when both Regions are healthy (--dry-run shows the checks)');
  }
  const badApprovers = args.approvers.filter((a) => !IAM_PRINCIPAL_ARN.test(a));
  if (badApprovers.length > 0) throw usage(`--approver '${badApprovers[0]}' is not an IAM user or role ARN (arn:aws:iam::<account>:role/<name>)`);
  if (args.name !== undefined && !/^[a-zA-Z][a-zA-Z0-9-]*$/.test(args.name)) {
    throw usage(`--name '${args.name}' is not a database name (letters, ` +
    'digits and hyphens)');
  }
  return args;
}

/**
 * Runs the tool; answers the exit status. Never throws: every error is written to `io.err`
 * as a message an operator can act on.
 */
export async function runCli(
  argv: readonly string[], deps: CliDependencies | ((args: CliArguments) => CliDependencies), io: CliOutput, version = 'unknown',
): Promise<number> {
  let parsed: CliArguments | undefined;
  try {
    const args = parseArguments(argv);
    parsed = args;
    if (args.version) {
      io.out(`${PROGRAM} ${version}`);
      return EXIT.ok;
    }
    if (args.help) {
      io.out(args.command ? commandHelp(args.command) : USAGE);
      return EXIT.ok;
    }
    // The AWS SDK is loaded only now, past the argument checks (and not at all for --help).
    const services = typeof deps === 'function' ? deps(args) : deps;
    // In JSON mode stdout carries one JSON document; everything else goes to stderr.
    const ioFor = args.output === 'json' ? { out: io.err, err: io.err, json: (value: object) => io.out(JSON.stringify(value, null, 2)) } : io;
    if (args.command === 'status') return await status(args, services, ioFor);
    if (args.command === 'watch') return await watch(args, services, ioFor);
    return await move(args, args.command as RunbookName, services, ioFor);
  } catch (e) {
    const error = e instanceof CliError ? e : new CliError(explainAwsError(e), awsErrorExit(e));
    const profile = parsed?.profile;
    // The SDK's own words do not name the profile it looked for.
    const message = profile && error.message.startsWith('no AWS credentials found: ')
      ? error.message.replace(/^no AWS credentials found: set AWS_PROFILE .*?, then run the command again/,
        `no AWS credentials found for the profile '${profile}' (--profile): check that ~/.aws/config or ~/.aws/credentials has it ` +
          `(for an SSO profile, run \`aws sso login --profile ${profile}\` first), then run the command again`)
      : error.message;
    io.err(`error: ${message}`);
    // With --output json, stdout still carries one JSON document.
    if (parsed?.output === 'json') io.out(JSON.stringify({ error: { message, exitCode: error.exitCode } }, null, 2));
    return error.exitCode;
  }
}

const CREDENTIAL_ERRORS = ['CredentialsProviderError', 'ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired',
  'UnrecognizedClientException', 'InvalidClientTokenId', 'InvalidSignatureException', 'SignatureDoesNotMatch'];
const NETWORK_CODES = ['ENOTFOUND', 'ECONNREFUSED', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE'];

/** The exit status for an error from AWS: 4 when there are no usable credentials or AWS cannot be reached, else 1. */
export function awsErrorExit(e: unknown): number {
  // A call retried until its budget ran out: what matters is why it failed.
  if (e instanceof RetriesExhausted) return awsErrorExit(e.last);
  const error = e as Error & { code?: string };
  const name = error?.name ?? '';
  const message = error?.message ?? '';
  if (CREDENTIAL_ERRORS.includes(name) || /Could not load credentials|credential.*not.*found/i.test(message)) return EXIT.unreachable;
  if (NETWORK_CODES.includes(error?.code ?? '') || name === 'TimeoutError') return EXIT.unreachable;
  if (e instanceof AllEndpointsFailedError) return EXIT.unreachable;
  return EXIT.failed;
}

/** A message an operator can act on, for an error from an AWS SDK call. */
export function explainAwsError(e: unknown, region?: string): string {
  const error = e as Error & { code?: string; $metadata?: unknown };
  const name = error?.name ?? '';
  const message = error?.message ?? String(e);
  const where = region ? ` in ${region}` : '';
  if (e instanceof AllEndpointsFailedError) {
    // One line per endpoint: which failed, and how (the SDK's words cut to one line each).
    const short = (text: string) => (text.length > 160 ? `${text.slice(0, 157)}...` : text).replace(/\s+/g, ' ');
    return [
      `${e.action} failed on all ${e.failures.length} ARC cluster endpoints:`,
      ...e.failures.map((f) => `  ${f.endpoint.region.padEnd(14)} ${short(f.error)}`),
      'check network access to the ARC data plane and the caller\'s route53-recovery-cluster permissions',
    ].join('\n');
  }
  if (['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired'].includes(name) || /expired/i.test(message) && /token/i.test(message)) {
    return `your AWS credentials have expired: refresh them (for example \`aws sso login\`) and run the command again (${message})`;
  }
  if (name === 'CredentialsProviderError' || /Could not load credentials|credential.*not.*found/i.test(message)) {
    return 'no AWS credentials found: set AWS_PROFILE (after `aws sso login` for an SSO profile) or AWS_ACCESS_KEY_ID and ' +
      `AWS_SECRET_ACCESS_KEY, then run the command again (${message})`;
  }
  if (['UnrecognizedClientException', 'InvalidClientTokenId', 'InvalidSignatureException', 'SignatureDoesNotMatch'].includes(name)) {
    return `AWS does not accept these credentials${where} (${name}: ${message}): check AWS_PROFILE or the access key`;
  }
  if (['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation'].includes(name)) {
    return `AWS refused the call${where}: ${message}. The caller needs the permissions FailoverAutomation.grantStart ` +
      '(to start and follow runbooks) and grantStatus (for status and --dry-run) give.';
  }
  if (NETWORK_CODES.includes(error?.code ?? '') || name === 'TimeoutError') {
    return `cannot reach AWS${where} (${error.code ?? name}: ${message}): check the Region name and the network, ` +
      'or use another Region if this one is impaired';
  }
  // An AWS error code (`...Exception`, `...Fault`) helps a search; other names are noise.
  return `${/(Exception|Fault)$/.test(name) ? `${name}: ` : ''}${message}`;
}

/** Calls AWS, turning its errors into messages an operator can act on. */
async function aws<T>(region: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(explainAwsError(e, region), awsErrorExit(e));
  }
}

/** The runbooks deployed in `region`: the one named, or the only one there. */
async function findRunbooks(ssm: AutomationService, region: string, name: string | undefined): Promise<RunbooksDirectory> {
  let chosen = name;
  if (chosen === undefined) {
    const names = (await aws(region, () => ssm.listParameterNames(PARAMETER_ROOT)))
      .map((p) => new RegExp(`^${PARAMETER_ROOT}/([^/]+)/runbooks$`).exec(p)?.[1])
      .filter((n): n is string => n !== undefined)
      .sort();
    if (names.length === 0) {
      throw new CliError(`no FailoverAutomation runbooks are deployed in ${region} (no SSM parameter ${PARAMETER_ROOT}/<name>/runbooks there): ` +
        'check the Region, or deploy the stacks of that Region first');
    }
    if (names.length > 1) throw new CliError(`${region} has the runbooks of ${names.join(', ')}: say which with --name`, EXIT.usage);
    chosen = names[0];
  }
  const parameter = runbooksParameterName(chosen);
  const text = await aws(region, () => ssm.readParameter(parameter));
  if (text === undefined) {
    throw new CliError(`no runbooks named '${chosen}' in ${region} (SSM parameter ${parameter} not found): check --name and the Region; ` +
      'a FailoverAutomation stack writes it in every Region it covers');
  }
  return parseRunbooksDirectory(parameter, text);
}

/** The topology the runbooks act on, as published in `region`. */
async function loadTopology(ssm: AutomationService, region: string, directory: RunbooksDirectory): Promise<RunbookTopology> {
  const read = async (name: string, writer: string) => {
    const text = await aws(region, () => ssm.readParameter(name));
    if (text === undefined) throw new CliError(`SSM parameter ${name} does not exist in ${region}: deploy ${writer} of this Region first`);
    return text;
  };
  const specName = clusterSpecParameterName(directory.name);
  const [aurora, routing, spec] = await Promise.all([
    read(directory.auroraTopologyParameter, 'the database stack'),
    read(directory.routingTopologyParameter, 'the routing stack'),
    aws(region, () => ssm.readParameter(specName)),
  ]);
  try {
    return runbookTopology(
      parseAuroraTopology(directory.auroraTopologyParameter, aurora),
      parseRoutingTopology(directory.routingTopologyParameter, routing),
      spec === undefined ? undefined : parseClusterSpec(specName, spec),
    );
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

function documentsOf(directory: RunbooksDirectory): string[] {
  return RUNBOOK_NAMES.map((r) => directory.documents[r]).filter((d): d is string => d !== undefined);
}

/**
 * The runs of the deployment under way in each of `regions` (one run at a time, across
 * every Region), and the Regions that could not be asked.
 */
async function runsUnderway(
  deps: CliDependencies, regions: readonly string[], documents: string[],
): Promise<{ running: RunningExecution[]; unaskable: string[] }> {
  const answers = await Promise.all(regions.map(async (region) => {
    try {
      return { region, running: await deps.automation(region).runningExecutions(documents) };
    } catch (e) {
      return { region, error: explainAwsError(e, region) };
    }
  }));
  return {
    running: answers.flatMap((a) => a.running ?? []),
    unaskable: answers.filter((a) => a.error !== undefined).map((a) => `${a.region} (${a.error})`),
  };
}

// ---------------------------------------------------------------------------
// status
// ---------------------------------------------------------------------------

async function status(args: CliArguments, deps: CliDependencies, io: CliOutput): Promise<number> {
  const region = args.region ?? deps.defaultRegion ?? await deps.profileRegion?.();
  if (!region) {
    throw new CliError('say which Region to read the topology from: --region <region>, AWS_REGION, or a region in the profile\'s configuration ' +
      '(any Region of the deployment will do)', EXIT.usage);
  }
  const { directory, sources } = await deploymentStateSources(deps, region, args.name);
  const topology = sources.topology;
  const state = await readDeploymentState(sources, region);
  const now = deps.cloud(region).now();
  const runbookOf = new Map(RUNBOOK_NAMES.map((r) => [directory.documents[r], r]));
  const lastRunText = (run: { documentName: string; status: string; endTime: number }) =>
    `${runbookOf.get(run.documentName) ?? run.documentName} ${run.status} (${ago(now - run.endTime)})`;
  const rows = state.regions.map((r) => {
    const role = r.role === 'secondary' ? `secondary (${r.synchronizationStatus ?? 'status unknown'})` : r.role;
    const lag = r.role !== 'secondary' ? '-' : r.rpoLagError ? 'unavailable' : r.rpoLag ? `${r.rpoLag.valueMs} ms` : 'no recent data';
    const running = r.runningError ? 'unknown' : r.running!.map((x) => `${x.documentName} ${x.executionId} (${x.status})`).join('; ') || 'none';
    const last = r.lastRunsError ? 'unknown' : r.lastRuns!.length === 0 ? 'none in 8 days'
      : lastRunText(r.lastRuns![0]);
    return [r.region, role, r.traffic, lag, readinessCell(r, now), running, last];
  });

  io.out(`${directory.name}: global database '${topology.globalClusterIdentifier}'` +
    `${state.globalDatabase.status ? ` (${state.globalDatabase.status}${state.globalDatabase.failoverState
      ? `, ${state.globalDatabase.failoverState.status} to ${state.globalDatabase.failoverState.toClusterArn}` : ''})` : ''}, read from ${region}`);
  io.out('');
  for (const line of table([['REGION', 'DATABASE', 'TRAFFIC', 'RPO LAG', 'RUNBOOKS READY', 'RUNBOOKS RUNNING', 'LAST RUN'], ...rows])) io.out(line);
  // The last readiness evaluation's refusals, per Region: what a runbook started there now would say.
  const notReady = state.regions.flatMap((r) => (r.readiness?.runbooks ?? [])
    .filter((x) => !x.ready).map((x) => `${r.region} ${x.runbook}: ${x.outcome === 'error' ? '' : 'would refuse: '}${x.reason}`));
  if (notReady.length > 0) {
    io.out('');
    io.out('not ready at the last evaluation:');
    notReady.forEach((line) => io.out(`  ${line}`));
  }
  if (state.problems.length > 0) {
    io.out('');
    state.problems.forEach((p) => io.out(`! ${p}`));
  }
  if (state.interrupted) {
    const writer = state.regions.find((r) => r.role === 'writer')!.region;
    const routed = state.regions.find((r) => r.traffic === 'On')!.region;
    io.out('');
    io.out(`! the writer (${writer}) is not the Region receiving traffic (${routed}): a run was interrupted; run the same runbook again to ` +
      'finish it');
  }
  io.json?.({
    name: directory.name,
    globalDatabase: {
      identifier: topology.globalClusterIdentifier,
      status: state.globalDatabase.status ?? null,
      failoverState: state.globalDatabase.failoverState ?? null,
    },
    readFrom: region,
    regions: state.regions.map((r, i) => ({
      region: r.region,
      database: rows[i][1],
      traffic: r.traffic,
      rpoLag: r.rpoLag ? { valueMs: r.rpoLag.valueMs, at: new Date(r.rpoLag.at).toISOString() } : undefined,
      rpoLagText: rows[i][3],
      readiness: r.readiness ?? null,
      readinessText: rows[i][4],
      running: r.running ?? null,
      ...(r.runningError ? { runningError: r.runningError } : {}),
      lastRuns: r.lastRuns?.map((x) => ({ ...x, startTime: iso(x.startTime), endTime: iso(x.endTime) })) ?? null,
      ...(r.lastRunsError ? { lastRunsError: r.lastRunsError } : {}),
    })),
    problems: state.problems,
    interrupted: state.interrupted,
  });
  return state.problems.length > 0 ? EXIT.failed : EXIT.ok;
}

/** How many runs `status` and an operations page show per Region. */
export const LAST_RUNS = 5;

/**
 * Where the state of the deployment `name` (or the only one) is read from, through SSM
 * of `region`: its published topology and runbooks, then each Region's SSM and cloud
 * operations. The command line's `status` reads it; so can an application's operations
 * page, with the permissions `FailoverAutomation.grantStatus` gives.
 */
export async function deploymentStateSources(
  deps: CliDependencies, region: string, name?: string,
): Promise<{ directory: RunbooksDirectory; sources: DeploymentStateSources }> {
  const ssm = deps.automation(region);
  const directory = await findRunbooks(ssm, region, name);
  const topology = await loadTopology(ssm, region, directory);
  const documents = documentsOf(directory);
  return {
    directory,
    sources: {
      topology,
      cloud: (r) => deps.cloud(r),
      runningExecutions: (r) => deps.automation(r).runningExecutions(documents),
      endedExecutions: (r) => deps.automation(r).endedExecutions(documents, LAST_RUNS),
      readiness: async (r) => parseReadiness(await deps.automation(r).readParameter(readinessParameterName(directory.name))),
      explain: (e, r) => explainAwsError(e, r),
    },
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function ago(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 120) return `${minutes} min ago`;
  return minutes < 48 * 60 ? `${Math.round(minutes / 60)} h ago` : `${Math.round(minutes / 1440)} days ago`;
}

/** The RUNBOOKS READY cell: the last evaluation's verdict and age. */
function readinessCell(r: RegionState, now: number): string {
  if (r.readinessError) return 'unknown';
  if (!r.readiness) return 'not evaluated';
  const age = ago(now - Date.parse(r.readiness.evaluatedAt));
  const notReady = r.readiness.runbooks.filter((x) => !x.ready).map((x) => x.runbook);
  return notReady.length === 0 ? `yes (${age})` : `no: ${notReady.join(', ')} (${age})`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  '));
}

// ---------------------------------------------------------------------------
// watch
// ---------------------------------------------------------------------------

/** Follows a run already started, by anyone, to its end, as a run this tool started. */
async function watch(args: CliArguments, deps: CliDependencies, io: CliOutput): Promise<number> {
  const region = args.region ?? deps.defaultRegion ?? await deps.profileRegion?.();
  if (!region) throw new CliError('say which Region the run runs in: --region <region> (a runbook runs in the Region it activates)', EXIT.usage);
  const ssm = deps.automation(region);
  const id = args.executionId!;
  const execution = await aws(region, () => ssm.getExecution(id));
  // The document names the deployment (`<name>-Switchover`, ...): no --name needed.
  const named = /^(.+)-(Switchover|Failover|Failback|Rebuild|Evacuate|Restore)$/.exec(execution.documentName ?? '')?.[1];
  const directory = await findRunbooks(ssm, region, args.name ?? named);
  const runbook = RUNBOOK_NAMES.find((r) => directory.documents[r] !== undefined && directory.documents[r] === execution.documentName);
  if (!runbook) {
    throw new CliError(`execution ${id} in ${region} runs ${execution.documentName ?? 'a document this tool cannot name'}, ` +
      `not one of the runbooks of '${directory.name}' (${documentsOf(directory).join(', ')})`, EXIT.usage);
  }
  io.out(`following ${execution.documentName} in ${region}: execution ${id} (${execution.status}); Ctrl-C stops following, not the run`);
  io.out(`  console: ${consoleLink(region, id)}`);
  return follow(runbook, region, id, args, deps, io, execution.targetRegion);
}

/** The execution's page in the Systems Manager console. */
/** The AWS console's page of an automation execution. */
export function consoleLink(region: string, executionId: string): string {
  return `https://${region}.console.aws.amazon.com/systems-manager/automation/execution/${executionId}?region=${region}`;
}

// ---------------------------------------------------------------------------
// switchover, failover, failback
// ---------------------------------------------------------------------------

async function move(args: CliArguments, runbook: RunbookName, deps: CliDependencies, io: CliOutput): Promise<number> {
  const region = args.to!;
  const ssm = deps.automation(region);
  const directory = await findRunbooks(ssm, region, args.name);
  if (!directory.regions.includes(region)) {
    throw new CliError(`'${region}' is not a Region of '${directory.name}': its Regions are ${directory.regions.join(', ')}`, EXIT.usage);
  }
  const topology = await loadTopology(ssm, region, directory);
  const documentName = directory.documents[runbook];
  if (!documentName) {
    throw new CliError(runbook === 'evacuate' || runbook === 'restore'
      ? `'${directory.name}' has no ${runbook} runbook: its routing serves one Region at a time; evacuate and restore are for active/active ` +
        'routing (docs/active-active.md)'
      : `'${directory.name}' in ${region} has no ${runbook} runbook: its stacks predate it; redeploy the FailoverAutomation stacks`);
  }
  // An evacuation runs in --to and takes --from out; every other runbook acts on the Region it runs in.
  const target = runbook === 'evacuate' ? args.from! : region;
  if (!directory.regions.includes(target)) {
    throw new CliError(`'${target}' is not a Region of '${directory.name}': its Regions are ${directory.regions.join(', ')}`, EXIT.usage);
  }
  const parameters: Record<string, string[]> = {
    TargetRegion: [target],
    ...(runbook === 'failover' && args.allowDataLoss ? { AllowDataLoss: ['true'] } : {}),
    ...(args.allowDetach ? { AllowDetach: ['true'] } : {}),
    ...(args.maxDataLossSeconds !== undefined ? { MaxDataLossSeconds: [String(args.maxDataLossSeconds)] } : {}),
    ...(args.maxRpoLagSeconds !== undefined ? { MaxRpoLagSeconds: [String(args.maxRpoLagSeconds)] } : {}),
    ...(args.requireApproval ? { RequireApproval: ['true'] } : {}),
    ...(args.approvers.length > 0 ? { Approvers: args.approvers } : {}),
  };

  if (args.dryRun) return dryRun(args, runbook, deps, io, { region, target, topology, documentName, documents: documentsOf(directory), parameters });

  // One run at a time, across every Region: the runbook's pre-flight checks again.
  const { running, unaskable } = await runsUnderway(deps, directory.regions, documentsOf(directory));
  if (running.length > 0) throw new CliError(blockedBy(running[0]), EXIT.refused);
  for (const r of unaskable) io.err(`warning: could not ask ${r} for runs under way; a run there would not be seen`);

  const executionId = await aws(region, () => ssm.start(documentName, parameters));
  io.out(`started ${documentName} in ${region}: execution ${executionId}`);
  io.out(`  console: ${consoleLink(region, executionId)}`);
  if (!args.follow) {
    io.json?.({ runbook, region, documentName, executionId, console: consoleLink(region, executionId), followed: false });
    return EXIT.ok;
  }
  io.out('  following its steps; Ctrl-C stops following, not the run');
  try {
    return await follow(runbook, region, executionId, args, deps, io, target);
  } catch (e) {
    // The run goes on without this tool: say how to pick it up again.
    const error = e instanceof CliError ? e : new CliError(explainAwsError(e, region), awsErrorExit(e));
    throw new CliError(`${error.message}. The run ${executionId} was started and goes on: follow it again with ` +
      `npx ${PROGRAM} watch ${executionId} --region ${region}`, error.exitCode);
  }
}

interface DryRunContext {
  readonly region: string;
  /** The Region the runbook acts on: `region`, but for an evacuation. */
  readonly target: string;
  readonly topology: RunbookTopology;
  readonly documentName: string;
  /** Every runbook document of the deployment. */
  readonly documents: string[];
  readonly parameters: Record<string, string[]>;
}

async function dryRun(args: CliArguments, runbook: RunbookName, deps: CliDependencies, io: CliOutput, ctx: DryRunContext): Promise<number> {
  const { region, topology } = ctx;
  io.out(runbook === 'evacuate'
    ? `dry run: evacuate ${ctx.target}, from ${region}; nothing will be changed`
    : `dry run: ${runbook} to ${region}; nothing will be changed`);
  io.out(`would start ${ctx.documentName} in ${region} with ${Object.entries(ctx.parameters).map(([k, v]) => `${k}=${v.join(',')}`).join(' ')}`);
  io.out('its steps:');
  RUNBOOKS[runbook].forEach((step, i) => {
    const note = step.kind === 'approve' ? (args.requireApproval ? '' : ' (only when RequireApproval is true)') : '';
    io.out(`  ${i + 1}. ${step.title}${note}`);
  });
  io.out(`  ${RUNBOOKS[runbook].length + 1}. report`);

  const preflight = RUNBOOKS[runbook][0];
  const input: StepInput = {
    targetRegion: ctx.target,
    // A dry run of a failover shows every other check; the real run needs the flag.
    allowDataLoss: runbook === 'failover' ? true : undefined,
    allowDetach: args.allowDetach,
    maxDataLossMs: args.maxDataLossSeconds !== undefined ? args.maxDataLossSeconds * 1000 : undefined,
    maxRpoLagMs: args.maxRpoLagSeconds !== undefined ? args.maxRpoLagSeconds * 1000 : undefined,
    requireApproval: args.requireApproval,
    approvers: args.approvers,
  };
  io.out(`pre-flight checks, read-only, from ${region} with your credentials:`);
  const cloud = deps.cloud(region);
  let code: number = EXIT.ok;
  let preflightDetail: string;
  try {
    const result = await preflight.run!({ cloud, topology, localRegion: region, input });
    preflightDetail = result.detail;
    io.out(`  ✓ passed: ${result.detail}`);
  } catch (e) {
    if (e instanceof PreflightRefusal) {
      preflightDetail = e.message;
      io.out(`  ✗ refused: ${e.message}`);
      code = EXIT.refused;
    } else {
      preflightDetail = explainAwsError(e, region);
      io.out(`  ✗ could not run: ${preflightDetail}`);
      code = awsErrorExit(e);
    }
  }
  if (runbook === 'failover' && !args.allowDataLoss) io.out('note: the real run needs --allow-data-loss');
  if (runbook === 'failback') io.out('note: the switchover\'s checks run again after the wait for the old primary to rejoin');
  io.json?.({
    dryRun: true,
    runbook,
    region,
    documentName: ctx.documentName,
    parameters: ctx.parameters,
    steps: [...RUNBOOKS[runbook].map((step) => step.title), 'report'],
    preflight: { outcome: code === EXIT.ok ? 'passed' : code === EXIT.refused ? 'refused' : 'error', detail: preflightDetail },
  });
  return code;
}

/** A run being followed. */
interface Followed {
  readonly runbook: RunbookName;
  readonly region: string;
  /** The Region the runbook acts on: `region`, but for an evacuation. */
  readonly targetRegion: string;
  readonly executionId: string;
  readonly approvers: readonly string[];
  /** Step name to title, for the runbook's own steps. */
  readonly titles: Map<string, string>;
  /** Step name to the line last printed for it. */
  readonly printed: Map<string, string>;
}


async function follow(
  runbook: RunbookName, region: string, executionId: string, args: CliArguments, deps: CliDependencies, io: CliOutput, targetRegion = region,
): Promise<number> {
  const ssm = deps.automation(region);
  const run: Followed = {
    runbook,
    region,
    targetRegion,
    executionId,
    approvers: args.approvers,
    titles: new Map(RUNBOOKS[runbook].map((s) => [s.name, s.title])),
    printed: new Map(),
  };
  for (;;) {
    const execution = await aws(region, () => ssm.getExecution(executionId));
    printProgress(run, execution, io);
    if (ENDED_STATUSES.includes(execution.status)) return finish(run, execution, io);
    await deps.sleep(args.pollSeconds * 1000);
  }
}

/** Prints a line for each of the runbook's steps whose state changed since the last poll. */
function printProgress(run: Followed, execution: ExecutionState, io: CliOutput): void {
  for (const step of execution.steps) {
    if (step.parentStepName || !run.titles.has(step.stepName)) continue;
    const line = progressLine(run, step, execution.steps.filter((s) => s.parentStepName === step.stepName));
    if (run.printed.get(step.stepName) !== line) {
      run.printed.set(step.stepName, line);
      io.out(line);
    }
  }
}

function progressLine(run: Followed, step: AutomationStepView, inner: AutomationStepView[]): string {
  const title = run.titles.get(step.stepName)!;
  const last = inner.length > 0 ? inner[inner.length - 1] : step;
  if (step.action === 'aws:approve' && !ENDED_STATUSES.includes(step.status)) {
    const approvers = run.approvers.length > 0 ? ` (${run.approvers.join(', ')})` : '';
    return `  ⏸ ${title}: waiting for an approver${approvers}: aws ssm send-automation-signal --region ${run.region} ` +
      `--automation-execution-id ${run.executionId} --signal-type Approve (or Reject, which changes nothing)`;
  }
  if (step.status === 'Success') {
    const skipped = last.outputs?.Skipped?.[0] === 'true';
    const seconds = step.startTime !== undefined && step.endTime !== undefined ? Math.round((step.endTime - step.startTime) / 1000) : 0;
    const detail = last.outputs?.Detail?.[0] ?? (step.action === 'aws:approve' ? 'approved' : '');
    return `  ✓ ${title}${skipped ? ' (skipped)' : ''}, ${seconds} s: ${detail}`;
  }
  if (ENDED_STATUSES.includes(step.status)) {
    const message = errorMessageOf(last.failureMessage ?? step.failureMessage);
    return message.startsWith(REFUSED_PREFIX)
      ? `  ✗ ${title}: refused: ${message.slice(REFUSED_PREFIX.length)}`
      : `  ✗ ${title}: ${step.status.toLowerCase()}: ${message}`;
  }
  // The current iteration of a wait has no outputs yet: show what the last one saw.
  const waiting = [...inner].reverse().find((s) => s.outputs?.Detail)?.outputs?.Detail?.[0];
  return `  … ${title}${waiting ? `: ${waiting}` : ''}`;
}

function finish(run: Followed, execution: ExecutionState, io: CliOutput): number {
  const { runbook, region, targetRegion } = run;
  const reportStep = execution.steps.find((s) => s.stepName === 'Report' && !s.parentStepName);
  let report: RunbookReport | undefined;
  const text = reportStep?.outputs?.Report?.[0];
  if (text) {
    try {
      report = JSON.parse(text) as RunbookReport;
    } catch {
      report = undefined;
    }
  }
  report = report ?? reportFromExecution(runbook, targetRegion, execution);
  if (execution.status !== 'Success' && report.outcome === 'succeeded') {
    report = {
      ...report,
      outcome: 'failed',
      reason: 'the execution ended ' +
      `${execution.status}${execution.failureMessage ? `: ${errorMessageOf(execution.failureMessage)}` : ''}`,
    };
  }
  io.out('');
  io.out(summarize(report));
  io.json?.({ runbook, region, executionId: run.executionId, status: execution.status, console: consoleLink(region, run.executionId), report });
  return report.outcome === 'succeeded' ? EXIT.ok : report.outcome === 'refused' ? EXIT.refused : EXIT.failed;
}
