import { awsTriggerDependencies } from './aws-trigger-dependencies';
import { decideFailover, settingsFromEnvironment } from './failover-trigger';

/** The CloudWatch "Alarm State Change" event EventBridge delivers. */
interface AlarmStateChangeEvent {
  readonly detail?: { readonly alarmName?: string; readonly state?: { readonly value?: string } };
}

const settings = settingsFromEnvironment(process.env);
const deps = awsTriggerDependencies(settings.regions);

export async function handler(event: AlarmStateChangeEvent): Promise<void> {
  const decision = await decideFailover(settings, deps, event.detail?.state?.value ?? 'unknown');
  // One JSON line per decision, for the log group's queries and the operator's timeline.
  console.log(JSON.stringify({ alarm: event.detail?.alarmName, decision }));
}
