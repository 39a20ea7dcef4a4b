/**
 * The `POST /ingest` contract of the REST API (DESIGN §4): the request model (a batch of
 * canonical events), the VTL that turns it into one Kinesis `PutRecords` call, and the response
 * templates. Kept as plain constants so tests (and the local demo's `/ingest`) can evaluate the
 * same text API Gateway runs.
 *
 * Request:  `{ "records": [ <stock tick | weather observation>, … ] }` (1–500 events).
 * Records:  Data = base64(the event's JSON), PartitionKey = `symbol` (stock) or `city` (weather).
 * Success:  200 `{ "recordCount": n, "failedRecordCount": f, "failed": [{ "index", "errorCode", "errorMessage" }] }`
 *           — PutRecords is not atomic: the caller resends exactly the failed indexes.
 * Errors:   every error, ours or API Gateway's, is `{ "error": { "code", "message", "requestId" } }`.
 *
 * Free text (Kinesis error messages) is embedded with `$input.json(…)`, which yields a JSON string
 * literal; `$util.escapeJavaScript` would turn `'` into `\'`, which is not valid JSON.
 */

import { STOCK_TICK_SCHEMA, toDraft04, WEATHER_OBSERVATION_SCHEMA } from '../../contracts/events';

/** PutRecords accepts at most 500 records per call. */
export const MAX_RECORDS_PER_REQUEST = 500;

/**
 * JSON Schema draft 4 (the dialect API Gateway models use): the envelope, and each record exactly
 * the canonical event the enricher accepts (contracts/events.ts, converted to draft 4), so what the
 * enricher would quarantine for its shape is a 400 here. The partition-key fields (symbol, city)
 * exclude quotes, backslashes and control characters, so the VTL can embed them verbatim.
 */
export const INGEST_BATCH_SCHEMA = {
  $schema: 'http://json-schema.org/draft-04/schema#',
  title: 'IngestBatch',
  type: 'object',
  additionalProperties: false,
  required: ['records'],
  properties: {
    records: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_RECORDS_PER_REQUEST,
      items: {
        oneOf: [
          { title: 'StockTick', ...toDraft04(STOCK_TICK_SCHEMA) },
          { title: 'WeatherObservation', ...toDraft04(WEATHER_OBSERVATION_SCHEMA) },
        ],
      },
    },
  },
} as const;

/**
 * Request mapping (VTL) for `Kinesis_20131202.PutRecords`. `${StreamName}` is filled in by `!Sub`;
 * nothing else in the text uses `${`, so `!Sub` leaves the VTL alone.
 * `$input.json(...)` re-serialises each event exactly as received (no Velocity map rendering).
 */
export const INGEST_REQUEST_TEMPLATE = `#set($records = $input.path('$.records'))
{
  "StreamName": "\${StreamName}",
  "Records": [
#foreach($event in $records)
#if($event.type == 'stock')
#set($partitionKey = $event.symbol)
#else
#set($partitionKey = $event.city)
#end
    {
      "Data": "$util.base64Encode($input.json("$.records[$foreach.index]"))",
      "PartitionKey": "$partitionKey"
    }#if($foreach.hasNext),#end
#end
  ]
}
`;

/** 200: counts plus the failed entries (PutRecords reports per-record errors with HTTP 200). */
export const INGEST_SUCCESS_TEMPLATE = `#set($records = $input.path('$.Records'))
#set($first = true)
{
  "recordCount": $records.size(),
  "failedRecordCount": $input.path('$.FailedRecordCount'),
  "failed": [
#foreach($record in $records)
#if("$!record.ErrorCode" != "")
#if(!$first),#end
#set($first = false)
    { "index": $foreach.index, "errorCode": "$record.ErrorCode", "errorMessage": $input.json("$.Records[$foreach.index].ErrorMessage") }
#end
#end
  ]
}
`;

/**
 * Kinesis errors (`{"__type": …, "message": …}`) in our error shape. Decision table, on the
 * exception name (the integration response already chose 400 or 500 from the HTTP status):
 *
 * | Kinesis / KMS exception                                   | status | why                          |
 * | --------------------------------------------------------- | ------ | ---------------------------- |
 * | ProvisionedThroughputExceeded, KMSThrottling, LimitExceeded | 429  | caller should back off       |
 * | AccessDenied, KMSAccessDenied, KMSDisabled, KMSNotFound, KMSInvalidState, ResourceNotFound | 500 | our misconfiguration |
 * | anything else 4xx                                         | 400    | the request was rejected     |
 * | 5xx                                                       | 500    | Kinesis failed               |
 */
export const INGEST_ERROR_TEMPLATE = `#set($type = "$!input.path('$.__type')")
#if($type.contains('ProvisionedThroughputExceeded') || $type.contains('KMSThrottling') || $type.contains('LimitExceeded'))
#set($context.responseOverride.status = 429)
#elseif($type.contains('AccessDenied') || $type.contains('KMSDisabled') || $type.contains('KMSNotFound') || $type.contains('KMSInvalidState') || $type.contains('ResourceNotFound'))
#set($context.responseOverride.status = 500)
#end
{
  "error": {
    "code": "$type",
    "message": #if("$!input.path('$.message')" != "")$input.json('$.message')#else"$type"#end,
    "requestId": "$context.requestId"
  }
}
`;

/** API Gateway's own errors (validation, auth, throttling) in the same shape. */
export const GATEWAY_ERROR_TEMPLATE = `{
  "error": {
    "code": "$context.error.responseType",
    "message": $context.error.messageString,
    "requestId": "$context.requestId"
  }
}
`;

/** Body validation failures also say what failed. */
export const BAD_REQUEST_BODY_TEMPLATE = `{
  "error": {
    "code": "$context.error.responseType",
    "message": $context.error.messageString,
    "details": "$context.error.validationErrorString",
    "requestId": "$context.requestId"
  }
}
`;

/** `GET /health`: a mock integration answering 200 `{"status":"ok"}` for the Route 53 health check. */
export const HEALTH_REQUEST_TEMPLATE = '{"statusCode": 200}';
export const HEALTH_RESPONSE_BODY = '{"status":"ok"}';

/** JSON access-log line of the stage (`$context` variables). */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  ip: '$context.identity.sourceIp',
  clientId: '$context.authorizer.claims.client_id',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  integrationStatus: '$context.integration.status',
  integrationLatency: '$context.integration.latency',
  errorType: '$context.error.responseType',
  errorMessage: '$context.error.message',
  wafStatus: '$context.waf.status',
  xrayTraceId: '$context.xrayTraceId',
});
