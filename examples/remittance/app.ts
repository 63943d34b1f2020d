/**
 * The remittance application: the React UI on S3 in two Regions behind CloudFront, the
 * API in both Regions behind ARC routing controls, an Aurora PostgreSQL global database,
 * the runbooks, the alarms, and Cognito sign-in. Synthesizes offline with no AWS account.
 *
 *   npm run example:synth                       # from the repository root (builds the UI first)
 *   npx cdk synth --app "npx ts-node app.ts"    # from this folder, after npm run example:ui-build
 *
 * Context (-c key=value) or environment variables:
 *   primaryRegion   / PRIMARY_REGION    default us-east-1
 *   secondaryRegion / SECONDARY_REGION  default us-west-2
 *   name            / APP_NAME          default remittance
 *   routingRegion   / ROUTING_REGION    default us-west-2 (ARC resources, health checks, DNS)
 *   hostedZoneId    / HOSTED_ZONE_ID    default Z0123456789EXAMPLE (a placeholder)
 *   zoneName        / ZONE_NAME         default example.com: the UI at app.<zoneName>, the API at api.<zoneName>
 *   adminEmail      / ADMIN_EMAIL       default admin@example.com: the first operator, sent a temporary password
 *   activeActive    / ACTIVE_ACTIVE     default false; true: every Region serves, reads locally, forwards its writes (docs/active-active.md)
 */
import * as path from 'path';
import { Annotations, App } from 'aws-cdk-lib';
import { buildRemittanceExample } from './stacks';

const app = new App();
const setting = (key: string, envName: string, fallback: string): string =>
  (app.node.tryGetContext(key) as string | undefined) ?? process.env[envName] ?? fallback;

function activeActive(value: string): boolean {
  if (value === 'true' || value === 'false') return value === 'true';
  throw new Error(`remittance example: activeActive must be true or false, got '${value}': pass -c activeActive=true or ACTIVE_ACTIVE=true`);
}

const example = buildRemittanceExample(app, {
  name: setting('name', 'APP_NAME', 'remittance'),
  regions: [setting('primaryRegion', 'PRIMARY_REGION', 'us-east-1'), setting('secondaryRegion', 'SECONDARY_REGION', 'us-west-2')],
  routingRegion: setting('routingRegion', 'ROUTING_REGION', 'us-west-2'),
  // A placeholder zone lets the app synthesize offline; deploy with your own zone.
  hostedZoneId: setting('hostedZoneId', 'HOSTED_ZONE_ID', 'Z0123456789EXAMPLE'),
  zoneName: setting('zoneName', 'ZONE_NAME', 'example.com'),
  adminEmail: setting('adminEmail', 'ADMIN_EMAIL', 'admin@example.com'),
  uiDist: path.join(__dirname, 'ui', 'dist'),
  activeActive: activeActive(String(setting('activeActive', 'ACTIVE_ACTIVE', 'false'))),
  // The account stays unresolved unless the CDK CLI knows one, so synth works offline.
  account: process.env.CDK_DEFAULT_ACCOUNT,
});
if (setting('adminEmail', 'ADMIN_EMAIL', '') === '') {
  Annotations.of(example.userPool).addWarningV2('remittance:adminEmail',
    'No adminEmail given: the first operator is admin@example.com, whose temporary password nobody receives. Deploy with -c adminEmail=you@example.com.');
}

app.synth();
