/**
 * The integration test's CDK app: the minimal example in two Regions, under a name of
 * its own, deletable by `cdk destroy`. `npx projen integ:run` deploys, exercises and
 * destroys it (see TESTING.md); `npx projen integ:synth` synthesizes it offline.
 *
 * Settings, as CDK context (-c key=value) or environment variables: name (INTEG_NAME),
 * primaryRegion, secondaryRegion, routingRegion, hostedZoneId, zoneName (PRIMARY_REGION,
 * SECONDARY_REGION, ROUTING_REGION, HOSTED_ZONE_ID, ZONE_NAME), arcClusterArn
 * (ARC_CLUSTER_ARN). Defaults let it synthesize with no account: see settings.ts.
 */
import { App } from 'aws-cdk-lib';
import { contextThenEnv, readSettings } from './settings';
import { buildIntegApp } from './stacks';

const app = new App();
const settings = readSettings(contextThenEnv((key) => app.node.tryGetContext(key), process.env));
buildIntegApp(app, settings);
app.synth();
