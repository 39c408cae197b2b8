import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { TABLES } from '../../lambdas/shared/contracts/tables';
import { type ConfigContext, loadStageConfig } from '../../lib/config';
import { NotificationEmail, PLACEHOLDER_SES_IDENTITY } from '../../lib/notification-email';
import { ANALYTICS_ROUTES } from '../../lib/http-api';
import {
  grantsOfFunction,
  render,
  resourcesOfType,
  statementsOf,
  synthesizeVariant,
  type SynthesizedPipeline,
} from './support/pipeline';

let pipeline: SynthesizedPipeline;

beforeAll(() => {
  // prod has a real identity (TEST_PROD_SETTINGS), and stages.test.ts synthesizes it anyway.
  pipeline = synthesizeVariant('prod');
}, 300_000);

afterAll(() => pipeline?.dispose());

const routesTo = (p: SynthesizedPipeline) => {
  const services = p.json.services.Resources;
  return Object.fromEntries(
    resourcesOfType(p.json.services, 'AWS::ApiGatewayV2::Route').map(([, route]) => {
      const target = render(route.Properties!.Target).match(/integrations\/\$\{(\w+)\}/)![1]!;
      return [route.Properties!.RouteKey as string, render(services[target]!.Properties!.IntegrationUri)];
    }),
  );
};

describe('clicks, analytics and notifications (prod, SES identity shop.test)', () => {
  it('GIVEN the HTTP API WHEN synthesized THEN POST /clicks reaches the click API and every analytics route and the dashboard the analytics API', () => {
    const routes = routesTo(pipeline);
    expect(routes['POST /clicks']).toBe('${ClickApiFunction.Arn}');
    for (const path of ANALYTICS_ROUTES) expect(routes[`GET ${path}`]).toBe('${AnalyticsApiFunction.Arn}');
  });

  it('GIVEN the analytics table WHEN synthesized THEN it is keyed by pk, expires markers and windows by TTL, and is encrypted and recoverable', () => {
    expect(resourcesOfType(pipeline.json.data, 'AWS::DynamoDB::Table')).toHaveLength(Object.keys(TABLES).length);
    pipeline.templates.data.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: TABLES.analytics.partitionKey, KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('GIVEN the analytics API WHEN synthesized THEN it only reads (analytics, orders, notifications) and writes no table', () => {
    const actions = grantsOfFunction(pipeline.json.services, 'AnalyticsApiFunction')
      .filter((g) => g.action.startsWith('dynamodb:'))
      .map((g) => g.action);
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((a) => /Put|Update|Delete|Write/.test(a))).toEqual([]);
  });

  it('GIVEN the notification function WHEN synthesized THEN it sends through SES with the identity, from its domain, via the configuration set', () => {
    const fn = pipeline.json.services.Resources.NotificationsFunction!;
    const env = (fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.EMAIL_TRANSPORT).toBe('ses');
    expect(env.EMAIL_FROM).toBe('notifications@shop.test');
    // Literals only: the local runtime resolves no deploy-time reference in a function's environment.
    expect(env.SES_CONFIGURATION_SET).toBe('order-pipeline-prod-notifications');
    pipeline.templates.services.hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: env.SES_CONFIGURATION_SET,
    });
    pipeline.templates.services.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'shop.test' });
  });

  it('GIVEN the notification function WHEN synthesized THEN ses:SendEmail is its only SES action, on the identity and the configuration set only', () => {
    const grants = grantsOfFunction(pipeline.json.services, 'NotificationsFunction').filter((g) =>
      g.action.startsWith('ses:'),
    );
    expect([...new Set(grants.map((g) => g.action))]).toEqual(['ses:SendEmail']);
    expect(grants).toHaveLength(2);
    const role = (
      pipeline.json.services.Resources.NotificationsFunction!.Properties!.Role as { 'Fn::GetAtt': string[] }
    )['Fn::GetAtt'][0];
    // prod names its account and region, so the ARNs are literals up to the identity's name.
    const { account, region } = pipeline.config.env;
    const sesArn = `arn:aws:ses:${region}:${account}`;
    pipeline.templates.services.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: role }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'ses:SendEmail',
            Resource: [
              `${sesArn}:configuration-set/order-pipeline-prod-notifications`,
              // The identity's Ref is its name: the grant follows the EmailIdentity resource, whatever it is called.
              {
                'Fn::Join': [
                  '',
                  [`${sesArn}:identity/`, { Ref: Match.stringLikeRegexp('^NotificationEmailIdentity[0-9A-F]{8}$') }],
                ],
              },
            ],
          }),
        ]),
      },
    });
    for (const fnId of ['ClickApiFunction', 'AnalyticsFunction', 'AnalyticsApiFunction', 'OrderApiFunction']) {
      expect(grantsOfFunction(pipeline.json.services, fnId).filter((g) => g.action.startsWith('ses:'))).toEqual([]);
    }
  });

  it('GIVEN SES WHEN synthesized THEN bounces, complaints and rejects go to CloudWatch, and failures and bounce and complaint rates alarm', () => {
    pipeline.templates.services.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: Match.arrayWith(['bounce', 'complaint', 'reject']),
      },
    });
    const alarms = resourcesOfType(pipeline.json.services, 'AWS::CloudWatch::Alarm').map(([id, r]) => [
      id,
      r.Properties!.MetricName,
    ]);
    const metricNames = alarms.map(([, m]) => m);
    expect(metricNames).toEqual(
      expect.arrayContaining(['NotificationFailures', 'Reputation.BounceRate', 'Reputation.ComplaintRate']),
    );
  });
});

describe('NotificationEmail (no synthesis of the services)', () => {
  const emailStack = (context: ConfigContext) => {
    const stack = new Stack(new App());
    const fn = new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {};'),
    });
    new NotificationEmail(stack, 'Email', {
      config: loadStageConfig(context),
      notifications: fn,
      alarmTopic: new sns.Topic(stack, 'Alarms'),
    });
    return Template.fromStack(stack);
  };
  const dkimOutputs = (template: Template) =>
    Object.entries(template.toJSON().Outputs ?? {})
      .filter(([id]) => id.startsWith('SesDkimRecord'))
      .map(([id, output]) => [id, render((output as { Value: unknown }).Value)]);

  it('GIVEN no identity WHEN synthesized THEN a placeholder address identity is used, so that synth works and nothing is sent until one is set', () => {
    const template = emailStack({ stage: 'dev' });
    expect(template.findResources('AWS::SES::ConfigurationSet')).not.toEqual({});
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: PLACEHOLDER_SES_IDENTITY });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ EMAIL_FROM: PLACEHOLDER_SES_IDENTITY, EMAIL_TRANSPORT: 'ses' }) },
    });
    // It can never be verified: nothing to keep, and a dev redeploy after a destroy must not collide with it.
    template.hasResource('AWS::SES::EmailIdentity', { DeletionPolicy: 'Delete' });
    expect(dkimOutputs(template)).toEqual([]);
  });

  it('GIVEN a domain the stack creates WHEN synthesized THEN the identity outlives the stack and its three DKIM CNAME records are outputs', () => {
    const template = emailStack({ stage: 'dev', sesIdentity: 'shop.test' });
    template.hasResource('AWS::SES::EmailIdentity', {
      Properties: { EmailIdentity: 'shop.test' },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(dkimOutputs(template)).toEqual(
      [1, 2, 3].map((n) => [
        `SesDkimRecord${n}`,
        expect.stringMatching(
          new RegExp(
            `^\\$\\{EmailIdentity\\w+\\.DkimDNSTokenName${n}\\} CNAME \\$\\{EmailIdentity\\w+\\.DkimDNSTokenValue${n}\\}$`,
          ),
        ),
      ]),
    );
  });

  it('GIVEN an identity that already exists WHEN synthesized THEN it is imported by name, not created, and still the only one the function may send from', () => {
    const template = emailStack({ stage: 'dev', sesIdentity: 'orders@shop.test', sesExistingIdentity: 'true' });
    expect(template.findResources('AWS::SES::EmailIdentity')).toEqual({});
    expect(dkimOutputs(template)).toEqual([]);
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) =>
      statementsOf((p as { Properties: { PolicyDocument: unknown } }).Properties.PolicyDocument),
    );
    expect(statements.filter((g) => g.action === 'ses:SendEmail').map((g) => g.resource)).toEqual([
      expect.stringMatching(/:ses:.*:identity\/orders@shop\.test$/),
      expect.stringMatching(/:ses:.*:configuration-set\/order-pipeline-dev-notifications$/),
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ EMAIL_FROM: 'orders@shop.test' }) },
    });
  });
});
