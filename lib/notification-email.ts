import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ses from 'aws-cdk-lib/aws-ses';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ENV } from '../lambdas/shared/contracts/environment';
import { functionName } from '../lambdas/shared/contracts/functions';
import { METRICS, METRICS_NAMESPACE } from '../lambdas/shared/contracts/metrics';
import { resourcePrefix, type StageConfig } from './config';

/** Used when no `-c sesIdentity=...` is given: synth works, but SES refuses to send until a real identity is set. */
export const PLACEHOLDER_SES_IDENTITY = 'notifications@example.com';

export interface NotificationEmailProps {
  readonly config: StageConfig;
  /** `-c sesIdentity=`: a domain (`shop.example.org`) or one address (`orders@example.org`). */
  readonly identity?: string;
  readonly notifications: lambda.Function;
  readonly alarmTopic: sns.ITopic;
}

/**
 * What the notification function needs from Amazon SES: the sending identity, a configuration set
 * that publishes bounces, complaints, rejects and delivery delays to CloudWatch, `ses:SendEmail`
 * on exactly that identity and configuration set, the function's EMAIL_* environment, and alarms
 * on failed sends and on the account's bounce and complaint rates.
 */
export class NotificationEmail extends Construct {
  readonly identity: ses.EmailIdentity;
  readonly configurationSet: ses.ConfigurationSet;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: NotificationEmailProps) {
    super(scope, id);
    const identityName = props.identity ?? PLACEHOLDER_SES_IDENTITY;
    const isAddress = identityName.includes('@');
    const prefix = resourcePrefix(props.config.stage);

    // A literal name, not a reference: the local runtime runs the function from the template and
    // resolves no deploy-time reference.
    const configurationSetName = `${prefix}-notifications`;
    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName,
      reputationMetrics: true,
      // Addresses that hard-bounced or complained are not mailed again.
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.configurationSet.addEventDestination('CloudWatch', {
      destination: ses.EventDestination.cloudWatchDimensions([
        { name: 'configuration-set', source: ses.CloudWatchDimensionSource.MESSAGE_TAG, defaultValue: prefix },
      ]),
      events: [
        ses.EmailSendingEvent.SEND,
        ses.EmailSendingEvent.DELIVERY,
        ses.EmailSendingEvent.BOUNCE,
        ses.EmailSendingEvent.COMPLAINT,
        ses.EmailSendingEvent.REJECT,
        ses.EmailSendingEvent.RENDERING_FAILURE,
        ses.EmailSendingEvent.DELIVERY_DELAY,
      ],
    });
    this.identity = new ses.EmailIdentity(this, 'Identity', {
      identity: isAddress ? ses.Identity.email(identityName) : ses.Identity.domain(identityName),
      configurationSet: this.configurationSet,
    });

    const fn = props.notifications;
    fn.addEnvironment(ENV.emailTransport, 'ses');
    fn.addEnvironment(ENV.emailFrom, isAddress ? identityName : `notifications@${identityName}`);
    fn.addEnvironment(ENV.sesConfigurationSet, configurationSetName);
    const stack = Stack.of(this);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          this.identity.emailIdentityArn,
          stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: configurationSetName }),
        ],
      }),
    );

    const alarmAction = new actions.SnsAction(props.alarmTopic);
    const alarm = (alarmId: string, metric: cloudwatch.IMetric, threshold: number, description: string) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        alarmName: `${prefix}-${alarmId}`,
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(alarmAction);
      this.alarms.push(created);
    };
    alarm(
      'NotificationFailures',
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: METRICS.notificationFailures,
        dimensionsMap: { service: functionName('notifications') },
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
      5,
      'Emails failed to send (SES refused or failed); the records are retried and end in the dead letters when retries run out.',
    );
    // Early warnings, far below the rates at which SES reviews or pauses an account (SES developer
    // guide, reputation metrics); tune them to the account's normal rates.
    alarm(
      'SesBounceRate',
      new cloudwatch.Metric({ namespace: 'AWS/SES', metricName: 'Reputation.BounceRate', statistic: 'Maximum', period: Duration.hours(1) }),
      0.025,
      'The account bounce rate is rising towards the level at which SES reviews the account.',
    );
    alarm(
      'SesComplaintRate',
      new cloudwatch.Metric({ namespace: 'AWS/SES', metricName: 'Reputation.ComplaintRate', statistic: 'Maximum', period: Duration.hours(1) }),
      0.0005,
      'The account complaint rate is rising towards the level at which SES reviews the account.',
    );
  }
}
