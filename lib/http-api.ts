import { Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { resourcePrefix, type StageConfig } from './config';
import { PipelineLogGroup } from './log-groups';

/** The GET routes of the analytics API function. */
export const ANALYTICS_ROUTES = [
  '/analytics/popular-products',
  '/analytics/users/{user_id}/recent',
  '/analytics/summary',
  '/analytics/pipeline',
  '/dashboard',
] as const;

export interface PipelineHttpApiProps {
  readonly config: StageConfig;
  readonly orderApi: lambda.IFunction;
  readonly clickApi: lambda.IFunction;
  readonly analyticsApi: lambda.IFunction;
}

export interface PipelineHttpApi {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
}

/**
 * The one HTTP API of the stage (construct id `OrdersApi`, kept so its logical id does not change,
 * although it serves more than orders): the order routes, POST /clicks, the analytics reads and the
 * dashboard page, all under the stage's authorization (IAM by default), with JSON access logs.
 */
export function addHttpApi(scope: Construct, props: PipelineHttpApiProps): PipelineHttpApi {
  const { config } = props;
  const iamAuth = config.api.authorization === 'iam';
  const api = new apigwv2.HttpApi(scope, 'OrdersApi', {
    apiName: `${resourcePrefix(config.stage)}-orders`,
    description: 'POST /orders, GET /orders/{order_id}',
    createDefaultStage: false,
    defaultAuthorizer: iamAuth ? new HttpIamAuthorizer() : undefined,
  });
  const accessLogs = new PipelineLogGroup(scope, 'OrdersApiAccessLogs', {
    config,
    retention: config.functions.logRetention,
  });
  const stage = new apigwv2.HttpStage(scope, 'OrdersApiStage', {
    httpApi: api,
    stageName: '$default',
    autoDeploy: true,
    throttle: config.api.throttle,
    accessLogSettings: {
      destination: new apigwv2.LogGroupLogDestination(accessLogs),
      format: accessLogFormat(),
    },
  });
  const orders = new HttpLambdaIntegration('OrderApiIntegration', props.orderApi);
  api.addRoutes({ path: '/orders', methods: [apigwv2.HttpMethod.POST], integration: orders });
  api.addRoutes({ path: '/orders/{order_id}', methods: [apigwv2.HttpMethod.GET], integration: orders });
  if (!iamAuth) {
    Validations.of(api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'Demo deployment chosen with -c apiAuth=none: the routes are public on purpose. The default is IAM.',
    });
  }
  const clicks = new HttpLambdaIntegration('ClickApiIntegration', props.clickApi);
  api.addRoutes({ path: '/clicks', methods: [apigwv2.HttpMethod.POST], integration: clicks });
  const analytics = new HttpLambdaIntegration('AnalyticsApiIntegration', props.analyticsApi);
  for (const path of ANALYTICS_ROUTES) {
    api.addRoutes({ path, methods: [apigwv2.HttpMethod.GET], integration: analytics });
  }
  return { api, stage };
}

/** JSON, one line per request, with the caller's IAM identity when the route is IAM-authorised. */
function accessLogFormat(): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: '$context.requestId',
      requestTime: '$context.requestTime',
      sourceIp: '$context.identity.sourceIp',
      caller: '$context.identity.userArn',
      routeKey: '$context.routeKey',
      status: '$context.status',
      responseLength: '$context.responseLength',
      latencyMs: '$context.responseLatency',
      integrationError: '$context.integrationErrorMessage',
    }),
  );
}
