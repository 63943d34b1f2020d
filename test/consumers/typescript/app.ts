import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { MultiRegionAuroraPostgres } from '../../../src';

/** A Stack and a VPC per Region, an Aurora PostgreSQL global database across them, and its first user. */
export function build(app: App): MultiRegionAuroraPostgres {
  const regions = ['us-east-1', 'eu-west-1'].map((region) => {
    const stack = new Stack(app, `orders-${region}`, { env: { region } });
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      natGateways: 0,
      subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
      flowLogs: { all: {} },
    });
    return { stack, vpc };
  });
  const db = new MultiRegionAuroraPostgres(app, 'Database', {
    name: 'orders',
    regions: [
      { ...regions[0], databaseName: 'orders' }, // initial primary: a Serverless v2 writer
      { ...regions[1], headless: true }, // warm standby: replicated storage, no instance
    ],
  });

  // An application in us-east-1: network access, IAM login as app_user, the writer endpoint.
  const { stack, vpc } = regions[0];
  const appSecurityGroup = new ec2.SecurityGroup(stack, 'AppSecurityGroup', { vpc });
  const appRole = new iam.Role(stack, 'AppRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  db.regionalCluster('us-east-1').connections.allowDefaultPortFrom(appSecurityGroup);
  db.grantConnect(appRole, 'app_user', 'us-east-1');
  // The global writer endpoint follows the writer to whichever Region holds it.
  new CfnOutput(stack, 'DatabaseHost', { value: db.regionalCluster('us-east-1').globalWriterEndpoint });
  return db;
}
