import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
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
import { PLACEHOLDER_SES_IDENTITY } from './stages';

export { PLACEHOLDER_SES_IDENTITY };

export interface NotificationEmailProps {
  /** Its `notifications` name the identity (a domain or one address) and whether it already exists. */
  readonly config: StageConfig;
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
  readonly identity: ses.IEmailIdentity;
  readonly configurationSet: ses.ConfigurationSet;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: NotificationEmailProps) {
    super(scope, id);
    const { sesIdentity: identityName, existingIdentity } = props.config.notifications;
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
    this.identity = existingIdentity
      ? // Imported: SES identities are unique per account and region, and creating one that exists
        // fails ("AlreadyExistsException: Indicates that a resource could not be created because of a
        // naming conflict", https://docs.aws.amazon.com/botocore/latest/reference/services/ses/client/exceptions/AlreadyExistsException.html).
        // The function names the configuration set on every send, so the set still applies.
        ses.EmailIdentity.fromEmailIdentityName(this, 'Identity', identityName)
      : this.createIdentity(identityName, isAddress);

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
      new cloudwatch.Metric({
        namespace: 'AWS/SES',
        metricName: 'Reputation.BounceRate',
        statistic: 'Maximum',
        period: Duration.hours(1),
      }),
      0.025,
      'The account bounce rate is rising towards the level at which SES reviews the account.',
    );
    alarm(
      'SesComplaintRate',
      new cloudwatch.Metric({
        namespace: 'AWS/SES',
        metricName: 'Reputation.ComplaintRate',
        statistic: 'Maximum',
        period: Duration.hours(1),
      }),
      0.0005,
      'The account complaint rate is rising towards the level at which SES reviews the account.',
    );
  }

  /**
   * Creates the identity and keeps it when the stack drops or replaces it (EmailIdentity is
   * create-only: a changed name replaces it): a verified domain takes DNS work to verify again.
   * Only the dev placeholder, which can never be verified, goes with its stack.
   */
  private createIdentity(identityName: string, isAddress: boolean): ses.EmailIdentity {
    const identity = new ses.EmailIdentity(this, 'Identity', {
      identity: isAddress ? ses.Identity.email(identityName) : ses.Identity.domain(identityName),
      configurationSet: this.configurationSet,
    });
    identity.applyRemovalPolicy(
      identityName === PLACEHOLDER_SES_IDENTITY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    );
    if (!isAddress) {
      // "When you verify a domain without specifying the DkimSigningAttributes properties ... this
      // resource provides a set of CNAME token names and values (DkimDNSTokenName1, DkimDNSTokenValue1,
      // ...) as outputs. You can then add these to the DNS configuration for your domain."
      // (https://docs.amazonaws.cn/cdk/api/v2/dotnet/api/Amazon.CDK.AWS.SES.CfnEmailIdentity.html).
      // An address identity has none: its owner verifies it from the inbox.
      identity.dkimRecords.forEach((record, index) => {
        new CfnOutput(this, `DkimRecord${index + 1}`, {
          key: `SesDkimRecord${index + 1}`,
          value: `${record.name} CNAME ${record.value}`,
          description: `DKIM record ${index + 1} of 3 to publish in the DNS of ${identityName} (name CNAME value)`,
        });
      });
    }
    return identity;
  }
}
