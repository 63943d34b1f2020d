import { awsTriggerDependencies } from './aws-trigger-dependencies';
import { clientTokenOf, decideFailover, settingsFromEnvironment } from './failover-trigger';

/** The CloudWatch "Alarm State Change" event EventBridge delivers. */
interface AlarmStateChangeEvent {
  /** The event's id: the same in every retry of its delivery. */
  readonly id?: string;
  readonly detail?: { readonly alarmName?: string; readonly state?: { readonly value?: string } };
}

/** The part of Lambda's context the trigger reads. */
interface TriggerContext {
  getRemainingTimeInMillis(): number;
}

/** No start is sent with less than this left before the function's timeout: the start's own bound (connection and answer) and a margin. */
const START_MARGIN_MS = 20_000;

const settings = settingsFromEnvironment(process.env);
const deps = awsTriggerDependencies(settings.regions);

export async function handler(event: AlarmStateChangeEvent, context: TriggerContext): Promise<void> {
  const decision = await decideFailover(settings, deps, event.detail?.state?.value ?? 'unknown', {
    clientToken: clientTokenOf(event.id),
    deadline: Date.now() + context.getRemainingTimeInMillis() - START_MARGIN_MS,
  });
  // One JSON line per decision, for the log group's queries and the operator's timeline.
  console.log(JSON.stringify({ alarm: event.detail?.alarmName, event: event.id, decision }));
  // Started nothing because something could not be read: Lambda retries the event, then sends it to the dead-letter queue.
  if (decision.retry) throw new Error(`${decision.action}: ${decision.reason}`);
}
