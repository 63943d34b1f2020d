/**
 * The smallest useful deployment: an Aurora PostgreSQL global database across two
 * Regions, each cluster in a VPC of its own. Synthesizes offline with no AWS account.
 *
 *   npm run example:synth                       # from the repository root
 *   npx cdk synth --app "npx ts-node app.ts"    # from this folder, with the CDK CLI
 *
 * Context (-c key=value) or environment variables choose the Regions and the name:
 *   primaryRegion   / PRIMARY_REGION    default us-east-1
 *   secondaryRegion / SECONDARY_REGION  default us-west-2
 *   name            / DATABASE_NAME     default remittance
 */
import { App } from 'aws-cdk-lib';
import { buildMinimalExample } from './stacks';

const app = new App();
const setting = (key: string, envName: string, fallback: string): string =>
  (app.node.tryGetContext(key) as string | undefined) ?? process.env[envName] ?? fallback;

buildMinimalExample(app, {
  name: setting('name', 'DATABASE_NAME', 'remittance'),
  regions: [setting('primaryRegion', 'PRIMARY_REGION', 'us-east-1'), setting('secondaryRegion', 'SECONDARY_REGION', 'us-west-2')],
  // The account stays unresolved unless the CDK CLI knows one, so synth works offline.
  account: process.env.CDK_DEFAULT_ACCOUNT,
});

app.synth();
