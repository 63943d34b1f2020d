/**
 * The integration test's settings: which Regions, which hosted zone, and the name that
 * keeps one run's resources apart from every other's. Read the same way by the app
 * (CDK context) and by the driver (its own `-c key=value` arguments and the
 * environment), so the stacks the driver deploys and destroys are the ones it checks.
 */

/** Context keys, and the environment variable each falls back to. */
export const SETTING_KEYS = {
  name: 'INTEG_NAME',
  primaryRegion: 'PRIMARY_REGION',
  secondaryRegion: 'SECONDARY_REGION',
  routingRegion: 'ROUTING_REGION',
  hostedZoneId: 'HOSTED_ZONE_ID',
  zoneName: 'ZONE_NAME',
  arcClusterArn: 'ARC_CLUSTER_ARN',
} as const;

export type SettingKey = keyof typeof SETTING_KEYS;

/** The placeholder zone the app synthesizes with offline; a deployment needs a real one. */
export const PLACEHOLDER_ZONE = { hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com' } as const;

/** The name the app synthesizes with when none is given (CI's synth). A run makes its own. */
export const DEFAULT_NAME = 'integ';

/** Where CloudFormation offers ARC resources: the routing stack must be in one of them. */
export const ROUTING_REGIONS = ['us-west-2', 'us-east-1'];

export interface IntegSettings {
  /** Prefix of every stack and named resource; the database's `name`. */
  readonly name: string;
  /** Primary first. */
  readonly regions: [string, string];
  readonly routingRegion: string;
  readonly hostedZoneId: string;
  readonly zoneName: string;
  /** The per-run name the API answers at: `<name>.<zoneName>`. */
  readonly domainName: string;
  /** An ARC cluster to share instead of creating one; undefined: the stacks create one. */
  readonly arcClusterArn?: string;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
// Lowercase, because RDS stores cluster identifiers in lowercase and the topology's ARNs
// must match what RDS reports; short, because `<name>-runbook-steps-<region>` must fit
// IAM's 64 characters and a Region switch plan's name 32.
const NAME = /^[a-z][a-z0-9-]{0,23}[a-z0-9]$/;

/**
 * The settings from `lookup` (context first, then the environment), with defaults for an
 * offline synth. Throws one error listing every problem.
 */
export function readSettings(lookup: (key: SettingKey) => string | undefined): IntegSettings {
  const get = (key: SettingKey, fallback: string) => {
    const value = lookup(key)?.trim();
    return value ? value : fallback;
  };
  const name = get('name', DEFAULT_NAME);
  const regions: [string, string] = [get('primaryRegion', 'us-east-1'), get('secondaryRegion', 'us-west-2')];
  const routingRegion = get('routingRegion', 'us-west-2');
  const hostedZoneId = get('hostedZoneId', PLACEHOLDER_ZONE.hostedZoneId);
  const zoneName = get('zoneName', PLACEHOLDER_ZONE.zoneName).replace(/\.$/, '');
  const arcClusterArn = lookup('arcClusterArn')?.trim() || undefined;

  const problems: string[] = [];
  if (!NAME.test(name)) {
    problems.push(`name '${name}' must be 2 to 25 lowercase letters, digits and hyphens, starting with a letter`);
  }
  for (const [key, region] of [['primaryRegion', regions[0]], ['secondaryRegion', regions[1]], ['routingRegion', routingRegion]]) {
    if (!REGION.test(region)) problems.push(`${key} '${region}' is not an AWS Region name (like us-east-1)`);
  }
  if (regions[0] === regions[1]) problems.push(`primaryRegion and secondaryRegion are both '${regions[0]}': give two different Regions`);
  if (!ROUTING_REGIONS.includes(routingRegion)) {
    problems.push(`routingRegion '${routingRegion}' must be ${ROUTING_REGIONS.join(' or ')} (where CloudFormation offers ARC resources)`);
  }
  if (arcClusterArn !== undefined && !/^arn:aws[a-z-]*:route53-recovery-control::\d{12}:cluster\/[a-z0-9-]+$/.test(arcClusterArn)) {
    problems.push(`arcClusterArn '${arcClusterArn}' is not an ARC cluster ARN (arn:aws:route53-recovery-control::<account>:cluster/<id>)`);
  }
  if (problems.length > 0) throw new Error(`integration test settings: ${problems.join('; ')}`);
  return { name, regions, routingRegion, hostedZoneId, zoneName, domainName: `${name}.${zoneName}`, arcClusterArn };
}

/** Reads a setting from the CDK context, then the environment. */
export function contextThenEnv(context: (key: string) => unknown, env: Record<string, string | undefined>) {
  return (key: SettingKey): string | undefined => {
    const value = context(key);
    return typeof value === 'string' && value !== '' ? value : env[SETTING_KEYS[key]];
  };
}

/**
 * A fresh name for one run: `integ-` and 8 base-36 characters from the time and a
 * random number, so two runs in one account (or a run and the leftovers of an earlier
 * one) never share a stack, a KMS alias or a DNS name.
 */
export function newRunName(nowMs: number, random: number): string {
  const time = Math.floor(nowMs / 1000).toString(36).slice(-5);
  const salt = Math.floor(random * 36 ** 3).toString(36).padStart(3, '0');
  return `${DEFAULT_NAME}-${time}${salt}`;
}

/** Why the settings cannot be deployed as they are (the placeholder zone); empty when they can. */
export function deployProblems(settings: IntegSettings): string[] {
  const problems: string[] = [];
  if (settings.hostedZoneId === PLACEHOLDER_ZONE.hostedZoneId || settings.zoneName === PLACEHOLDER_ZONE.zoneName) {
    problems.push('a public hosted zone of the account is needed (its certificates are validated by DNS in it): ' +
      '-c hostedZoneId=Z... -c zoneName=<its name>, or HOSTED_ZONE_ID and ZONE_NAME');
  }
  return problems;
}

/** The settings by the keys they are read from (context or environment): what reads them back gives the same settings. */
export function settingValues(settings: IntegSettings): Record<SettingKey, string | undefined> {
  return {
    name: settings.name,
    primaryRegion: settings.regions[0],
    secondaryRegion: settings.regions[1],
    routingRegion: settings.routingRegion,
    hostedZoneId: settings.hostedZoneId,
    zoneName: settings.zoneName,
    arcClusterArn: settings.arcClusterArn,
  };
}

/** The settings as CDK CLI context arguments, so the CLI synthesizes exactly what the driver checks. */
export function contextArguments(settings: IntegSettings): string[] {
  return Object.entries(settingValues(settings)).flatMap(([key, value]) => (value === undefined ? [] : ['-c', `${key}=${value}`]));
}

/** Parses `-c key=value` / `--context key=value` / `--context=key=value` arguments; other arguments are returned apart. */
export function parseContextArguments(argv: readonly string[]): { context: Record<string, string>; rest: string[] } {
  const context: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    let pair: string | undefined;
    if (arg === '-c' || arg === '--context') {
      pair = argv[++i];
    } else if (arg.startsWith('--context=')) {
      pair = arg.slice('--context='.length);
    } else {
      rest.push(arg);
      continue;
    }
    const eq = pair?.indexOf('=') ?? -1;
    if (pair === undefined || eq <= 0) throw new Error(`${arg} needs key=value, got '${pair ?? ''}'`);
    const key = pair.slice(0, eq);
    if (!(key in SETTING_KEYS)) throw new Error(`unknown setting '${key}': use ${Object.keys(SETTING_KEYS).join(', ')}`);
    context[key] = pair.slice(eq + 1);
  }
  return { context, rest };
}
