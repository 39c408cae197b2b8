import { LogFormatter, LogItem, Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { type MetricName, METRICS_NAMESPACE } from './contracts/metrics';
import { activeTrace } from './trace-context';

/**
 * Powertools' default log structure, plus `trace_id`: the W3C trace id of the record or request
 * being worked on (trace-context.ts), so that one order's lines can be found in every function's
 * logs. Records of a batch run concurrently, so the id comes from the async context, not from
 * logger keys shared by the whole invocation.
 */
export class TraceContextLogFormatter extends LogFormatter {
  formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const trace = activeTrace();
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: attributes.message,
        timestamp: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        cold_start: attributes.lambdaContext?.coldStart,
        function_arn: attributes.lambdaContext?.invokedFunctionArn,
        function_memory_size: attributes.lambdaContext?.memoryLimitInMB,
        function_name: attributes.lambdaContext?.functionName,
        function_request_id: attributes.lambdaContext?.awsRequestId,
        sampling_rate: attributes.sampleRateValue,
        xray_trace_id: attributes.xRayTraceId,
        ...(trace ? { trace_id: trace.traceId } : {}),
      },
    }).addAttributes(additional);
  }
}

type MetricArguments = Parameters<Metrics['addMetric']> extends [string, ...infer Rest] ? Rest : never;

/** Powertools' Metrics that takes the names of the metrics contract only (contracts/metrics.ts). */
class ContractMetrics extends Metrics {
  override addMetric(name: MetricName, ...rest: MetricArguments): this {
    return super.addMetric(name, ...rest);
  }
}

/**
 * One structured JSON logger and one metrics emitter (CloudWatch EMF) per function, created once
 * per process. POWERTOOLS_SERVICE_NAME, set by the CDK app, names the service.
 */
export const logger = new Logger({ logFormatter: new TraceContextLogFormatter() });
export const metrics = new ContractMetrics({ namespace: METRICS_NAMESPACE });
export { MetricUnit };

/** How a consumer reports one kind of business outcome: the metric it counts, and its log line. */
export interface OutcomeReport {
  readonly metric: MetricName;
  /** `info` unless the outcome needs attention. */
  readonly level?: 'warn' | 'error';
  readonly message: string;
}

/** Counts one outcome on its metric and logs it, with the details of this occurrence. */
export function reportOutcome(report: OutcomeReport, details: LogAttributes): void {
  metrics.addMetric(report.metric, MetricUnit.Count, 1);
  logger[report.level ?? 'info'](report.message, details);
}
