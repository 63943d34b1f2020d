import { Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/**
 * Where the alarms of one Region send their notifications: an existing SNS topic, a
 * chat or paging integration's topic, an SSM OpsItem or incident, or any other CloudWatch
 * alarm action. {@link ObservedWorkload} asks it once per Region; every alarm of that
 * Region (the "Region impaired" alarm included) takes the returned actions when it goes
 * into ALARM and when it returns to OK.
 *
 * Implement it in any jsii language, or use {@link AlarmActions}.
 */
export interface IAlarmActionFactory {
  /**
   * The actions of the alarms of `region`: at least one.
   *
   * @param scope a construct in that Region's stack, to import or create what the actions need in
   * @param region the Region
   */
  createAlarmActions(scope: Construct, region: string): cloudwatch.IAlarmAction[];
}

/**
 * Ready-made {@link IAlarmActionFactory} implementations.
 */
export class AlarmActions {
  /**
   * Each Region's alarms notify an existing SNS topic of that Region, named by its ARN:
   * the topic a team's on-call paging, chat or e-mail subscriptions already hang off.
   *
   * The topic's access policy must let `cloudwatch.amazonaws.com` publish, and a
   * KMS-encrypted topic's key must let CloudWatch use it (`kms:Decrypt`,
   * `kms:GenerateDataKey*`): the library cannot change a topic it did not create.
   *
   * @param topicArns the ARN of the topic of each Region, keyed by Region: every Region the workload observes needs one
   */
  public static snsTopicPerRegion(topicArns: { [region: string]: string }): IAlarmActionFactory {
    return new SnsTopicPerRegion({ ...topicArns });
  }

  private constructor() {}
}

class SnsTopicPerRegion implements IAlarmActionFactory {
  constructor(private readonly topicArns: { [region: string]: string }) {}

  public createAlarmActions(scope: Construct, region: string): cloudwatch.IAlarmAction[] {
    const arn = this.topicArns[region];
    const given = Object.keys(this.topicArns);
    if (arn === undefined) {
      throw new Error(`AlarmActions.snsTopicPerRegion (used at '${scope.node.path}'): no topic ARN for Region '${region}' ` +
        `(ARNs are given for ${given.length > 0 ? given.join(', ') : 'no Region'}): add one for every Region the workload observes.`);
    }
    if (!Token.isUnresolved(arn) && !/^arn:[a-z-]+:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(arn)) {
      throw new Error(`AlarmActions.snsTopicPerRegion (used at '${scope.node.path}'): the topic ARN of Region '${region}' is '${arn}': ` +
        'give an SNS topic ARN, arn:aws:sns:<region>:<account>:<topic name>.');
    }
    return [new cwActions.SnsAction(sns.Topic.fromTopicArn(scope, 'AlarmActionTopic', arn))];
  }
}
