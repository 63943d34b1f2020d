/**
 * The smallest useful deployment: an Aurora PostgreSQL global database across two
 * Regions, each cluster in a VPC of its own, and an API in both Regions whose DNS
 * answer ARC routing controls decide. Synthesizes offline with no AWS account.
 *
 *   npm run example:synth                       # from the repository root
 *   npx cdk synth --app "npx ts-node app.ts"    # from this folder, with the CDK CLI
 *
 * Context (-c key=value) or environment variables choose the Regions and the name:
 *   primaryRegion   / PRIMARY_REGION    default us-east-1
 *   secondaryRegion / SECONDARY_REGION  default us-west-2
 *   name            / DATABASE_NAME     default remittance
 *   routingRegion   / ROUTING_REGION    default us-west-2 (ARC resources, health checks, DNS)
 *   hostedZoneId    / HOSTED_ZONE_ID    default Z0123456789EXAMPLE (a placeholder)
 *   zoneName        / ZONE_NAME         default example.com; the API answers at api.<zoneName>
 *   activeActive    / ACTIVE_ACTIVE     default false; true: every Region serves (docs/active-active.md)
 */
import { App } from 'aws-cdk-lib';
import { buildMinimalExample } from './stacks';

const app = new App();
const setting = (key: string, envName: string, fallback: string): string =>
  (app.node.tryGetContext(key) as string | undefined) ?? process.env[envName] ?? fallback;

buildMinimalExample(app, {
  name: setting('name', 'DATABASE_NAME', 'remittance'),
  regions: [setting('primaryRegion', 'PRIMARY_REGION', 'us-east-1'), setting('secondaryRegion', 'SECONDARY_REGION', 'us-west-2')],
  routingRegion: setting('routingRegion', 'ROUTING_REGION', 'us-west-2'),
  // A placeholder zone lets the app synthesize offline; deploy with your own zone.
  hostedZoneId: setting('hostedZoneId', 'HOSTED_ZONE_ID', 'Z0123456789EXAMPLE'),
  zoneName: setting('zoneName', 'ZONE_NAME', 'example.com'),
  // The account stays unresolved unless the CDK CLI knows one, so synth works offline.
  account: process.env.CDK_DEFAULT_ACCOUNT,
  activeActive: String(setting('activeActive', 'ACTIVE_ACTIVE', 'false')) === 'true',
});

app.synth();
