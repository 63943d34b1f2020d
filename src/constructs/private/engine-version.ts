import * as rds from 'aws-cdk-lib/aws-rds';
import { CFN_LINT_VERSION, DEPRECATED_AURORA_POSTGRES_VERSIONS, KNOWN_AURORA_POSTGRES_VERSIONS } from './aurora-engine-versions';

/**
 * The engine version a {@link MultiRegionAuroraPostgres} uses when none is given.
 *
 * Why 16.13: it is the newest Aurora PostgreSQL version aws-cdk-lib's floor release
 * (2.257.0) names, and every feature the library builds on supports it:
 * - global databases (16.1 and higher in major version 16);
 * - managed switchover and failover, which need the same major and minor version in
 *   every cluster (the construct creates them all with this one version) and, from
 *   16.1.6/16.2.4/16.3.2/16.4.2 on, matching patch levels or newer ones;
 * - global write forwarding (every minor version of 16 and higher);
 * - not deprecated in the pinned cfn-lint's data (16.1-16.4 and 16.6 are: RDS no longer
 *   creates clusters with them).
 * It stays in major version 16, so apps deployed with the previous default (16.6) keep
 * their parameter group family (`aurora-postgresql16`) and upgrade in place.
 * Sources: docs/aws-assumptions.md, rows E1-E4.
 */
export const DEFAULT_ENGINE_VERSION = rds.AuroraPostgresEngineVersion.VER_16_13;

/**
 * The lowest minor version of each Aurora PostgreSQL major version that can be part of
 * a global database (AWS's "Supported Regions and DB engines for Aurora global
 * databases" table; 11.10-11.12 are not in it). Major versions below 11 have none.
 * The authoritative answer for one version is `SupportsGlobalDatabases` in
 * `aws rds describe-db-engine-versions`.
 */
const GLOBAL_DATABASE_FLOORS: Record<number, number> = { 11: 9, 12: 8, 13: 4, 14: 3, 15: 2, 16: 1, 17: 4, 18: 3 };
const GLOBAL_DATABASE_GAPS = ['11.10', '11.11', '11.12'];

/**
 * Context key naming the engine version a database already runs, when this release
 * refuses it as deprecated: `"cdk-cross-region-failover:deployedEngineVersion": "16.6"`.
 * That version is then accepted with a warning, so the app deploys until the database is
 * upgraded; any other deprecated version is still refused.
 */
export const DEPLOYED_ENGINE_VERSION_CONTEXT = 'cdk-cross-region-failover:deployedEngineVersion';

/** What {@link checkEngineVersion} found: at most one of the two. */
export interface EngineVersionFinding {
  /** Why the version cannot be used, with the versions to use instead. */
  readonly error?: string;
  /** Why the version could not be checked, and how to check it. */
  readonly warning?: string;
}

function parse(version: string): [number, number] | undefined {
  const match = /^([0-9]+)\.([0-9]+)$/.exec(version);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

function compare(a: string, b: string): number {
  const [am, an] = parse(a)!;
  const [bm, bn] = parse(b)!;
  return am - bm || an - bn;
}

function supportsGlobalDatabase(version: string): boolean {
  const [major, minor] = parse(version)!;
  const floor = GLOBAL_DATABASE_FLOORS[major];
  if (major > Math.max(...Object.keys(GLOBAL_DATABASE_FLOORS).map(Number))) return true; // newer than the table: checked by the warning
  return floor !== undefined && minor >= floor && !GLOBAL_DATABASE_GAPS.includes(version);
}

/** The versions RDS still creates that can be in a global database, newest first: of `major`, or of every major. */
function usable(major?: number): string[] {
  return KNOWN_AURORA_POSTGRES_VERSIONS
    .filter((v) => !DEPRECATED_AURORA_POSTGRES_VERSIONS.includes(v) && supportsGlobalDatabase(v))
    .filter((v) => major === undefined || parse(v)![0] === major)
    .sort((a, b) => compare(b, a));
}

function alternatives(major: number): string {
  const same = usable(major);
  const fallback = `leave engineVersion unset for ${DEFAULT_ENGINE_VERSION.auroraPostgresFullVersion}`;
  return same.length > 0
    ? `use one of ${same.join(', ')} (major version ${major}), or ${fallback}`
    : `${fallback}, or use one of ${usable().slice(0, 6).join(', ')}`;
}

/**
 * Checks an Aurora PostgreSQL `major.minor` engine version for a global database that
 * is created today: refused when it cannot be in a global database or RDS no longer
 * creates clusters with it (the pinned cfn-lint's data, rule W3690), unless `deployed`
 * (the context {@link DEPLOYED_ENGINE_VERSION_CONTEXT}) names it; a warning when that
 * data does not list it (newer than this release, or one RDS withdrew).
 */
export function checkEngineVersion(version: string, deployed?: string): EngineVersionFinding {
  const prop = `'engineVersion' is ${version}`;
  const parsed = parse(version);
  if (!parsed) {
    return {
      error: `${prop}, which is not an Aurora PostgreSQL major.minor version: use AuroraPostgresEngineVersion.VER_16_13 or ` +
        `AuroraPostgresEngineVersion.of('<major>.<minor>', '<major>'), for example of('${DEFAULT_ENGINE_VERSION.auroraPostgresFullVersion}', '16').`,
    };
  }
  const [major] = parsed;
  if (!supportsGlobalDatabase(version)) {
    const floors = Object.entries(GLOBAL_DATABASE_FLOORS).map(([m, n]) => (m === '11' ? '11.9 and 11.13' : `${m}.${n}`)).join(', ');
    return {
      error: `${prop}, which cannot be part of an Aurora global database (the lowest that can, per major version: ${floors}): ` +
        `${alternatives(major)}.`,
    };
  }
  if (DEPRECATED_AURORA_POSTGRES_VERSIONS.includes(version)) {
    const deprecated = `${prop}, which is deprecated: RDS no longer creates clusters with it (cfn-lint ${CFN_LINT_VERSION}, rule W3690).`;
    if (deployed === version) {
      return {
        warning: `${deprecated} The context ${DEPLOYED_ENGINE_VERSION_CONTEXT} says the database runs it already, so it is kept; ` +
          `upgrade the database (${alternatives(major)}), then set engineVersion to that version and remove the context.`,
      };
    }
    return {
      error: `${deprecated} ${capitalize(alternatives(major))}. A database that already runs ${version}: upgrade it first ` +
        '(every cluster of the global database, secondaries first), then set that version here; to deploy before that, ' +
        `set the context ${DEPLOYED_ENGINE_VERSION_CONTEXT} to '${version}'.`,
    };
  }
  if (!KNOWN_AURORA_POSTGRES_VERSIONS.includes(version)) {
    return {
      warning: `${prop}, which the data of this release (cfn-lint ${CFN_LINT_VERSION}) does not list, so it could not check that RDS creates ` +
        `global databases with it. Check with: aws rds describe-db-engine-versions --engine aurora-postgresql --engine-version ${version} ` +
        '--query "DBEngineVersions[].[EngineVersion,Status,SupportsGlobalDatabases]"',
    };
  }
  return {};
}

/**
 * The lowest minor version of each major version below 16 with global write forwarding;
 * every minor version of 16 and later has it (docs/aws-assumptions.md, row E3).
 */
const WRITE_FORWARDING_FLOORS: Record<number, number> = { 14: 9, 15: 4 };

/**
 * Why global write forwarding cannot be turned on with Aurora PostgreSQL `version`
 * (`major.minor`), or undefined when it can. A version that is not `major.minor` is
 * left to {@link checkEngineVersion}.
 */
export function writeForwardingVersionError(version: string): string | undefined {
  const parsed = parse(version);
  if (!parsed) return undefined;
  const [major, minor] = parsed;
  const floor = WRITE_FORWARDING_FLOORS[major];
  if (major >= 16 || (floor !== undefined && minor >= floor)) return undefined;
  return `'globalWriteForwarding' is true with engineVersion ${version}, which has no global write forwarding: Aurora PostgreSQL has it ` +
    'in every minor version of 16 and later, and from 15.4 and 14.9 on. Upgrade the engine, or leave globalWriteForwarding unset.';
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
