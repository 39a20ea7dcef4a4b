/**
 * Replays the real material in ../shared/fixtures (DESIGN §10) through the provider mappers, the
 * rules handler and the DLQ replay parser. CI has that folder; a user's clone does not, and then
 * this group skips with a visible message.
 */
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBStreamEvent, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { mapAlphaVantageGlobalQuote, mapFinnhubQuote, mapOpenMeteoCurrent, readOpenMeteo } from '../../handlers/poller/providers';
import { createHandler as createRulesHandler } from '../../handlers/rules';
import { fromImage, type StreamAttributeValue } from '../../handlers/rules/image';
import { parseOnFailureMessage } from '../../tools/lib/replay-dlq';

const SHARED = process.env.SHARED_FIXTURES_DIR ?? resolve(__dirname, '../../../shared/fixtures');
const available = existsSync(SHARED);
if (!available) {
  console.warn(`shared-fixtures: ${SHARED} does not exist; the replay of the shared real-data fixtures is skipped (CI has that folder)`);
}
const maybe = available ? describe : describe.skip;

const api = (path: string): string => readFileSync(join(SHARED, 'api-responses', path), 'utf8');
const awsEvent = <T>(name: string): T => JSON.parse(readFileSync(join(SHARED, 'aws-events', name), 'utf8')) as T;
const NOW = new Date('2026-11-20T15:00:00.000Z');

maybe('shared fixtures: provider responses', () => {
  test('Finnhub /quote docs sample → StockTick', () => {
    expect(mapFinnhubQuote('AAPL', { status: 200, body: api('finnhub/quote_AAPL_docs_sample.json') })).toEqual({
      kind: 'ok',
      event: {
        schemaVersion: 1,
        type: 'stock',
        symbol: 'AAPL',
        ts: '2020-02-25T14:30:00.000Z',
        price: 261.74,
        open: 261.07,
        high: 263.31,
        low: 260.68,
        prevClose: 259.45,
        volume: 0,
        source: 'finnhub',
      },
    });
  });
  test('Finnhub all-zero body → no data', () => {
    expect(mapFinnhubQuote('XXXX', { status: 200, body: api('finnhub/quote_all_zeros_no_data.json') })).toMatchObject({ kind: 'no-data' });
  });
  test('Alpha Vantage GLOBAL_QUOTE → StockTick stamped at the 16:00 New York close (EDT)', () => {
    expect(mapAlphaVantageGlobalQuote('MSFT', { status: 200, body: api('alphavantage/global_quote_MSFT.json') }, NOW)).toEqual({
      kind: 'ok',
      event: {
        schemaVersion: 1,
        type: 'stock',
        symbol: 'MSFT',
        ts: '2018-10-05T20:00:00.000Z',
        price: 112.13,
        open: 112.63,
        high: 113.17,
        low: 110.64,
        prevClose: 112.79,
        volume: 29062853,
        source: 'alphavantage',
      },
    });
  });
  test('Alpha Vantage "Note" (HTTP 200) → rate limited per minute', () => {
    expect(mapAlphaVantageGlobalQuote('MSFT', { status: 200, body: api('alphavantage/error_rate_limit_note_5_per_minute.json') }, NOW)).toMatchObject({
      kind: 'rate-limited',
      scope: 'minute',
      reason: expect.stringContaining('5 calls per minute'),
    });
  });
  test('Alpha Vantage "Error Message" (HTTP 200) → error, not retried', () => {
    expect(mapAlphaVantageGlobalQuote('MSFT', { status: 200, body: api('alphavantage/error_invalid_api_call.json') }, NOW)).toMatchObject({
      kind: 'error',
      retryable: false,
      reason: expect.stringContaining('Invalid API call'),
    });
  });
  test('Open-Meteo 400 docs body → error with the reason', () => {
    expect(mapOpenMeteoCurrent('Amsterdam', { status: 400, body: api('open-meteo/error_400_invalid_variable_docs.json') }, NOW)).toMatchObject({
      kind: 'error',
      retryable: false,
      reason: expect.stringContaining('tempeture_2m'),
    });
  });
  test('Open-Meteo hourly response with old names: values read, local time shifted, missing variables named', () => {
    const body = JSON.parse(api('open-meteo/forecast_hourly_daily_Amsterdam.json')) as Record<string, unknown>;
    expect(readOpenMeteo(body, NOW)).toEqual({ ts: '2026-07-10T22:00:00.000Z', block: 'hourly', values: { tempC: 21.2, windKph: 12.6, precipMm: 0 } });
    const out = mapOpenMeteoCurrent('Amsterdam', { status: 200, body: api('open-meteo/forecast_hourly_daily_Amsterdam.json') }, NOW);
    expect(out).toMatchObject({ kind: 'error', retryable: false, reason: expect.stringContaining('lacks relative_humidity_2m, pressure_msl') });
  });
});

maybe('shared fixtures: Lambda event samples', () => {
  const snsMock = mockClient(SNSClient);
  test.each(['dynamodb-stream-insert-modify.powertools-ts.json', 'dynamodb-stream-insert.aws-lambda-go.json'])(
    'rules handler takes %s without failures or alerts (not entity items)',
    async (name) => {
      snsMock.reset();
      const claims: string[] = [];
      const handler = createRulesHandler({
        config: {
          latestTableName: 'L',
          marketAlertsTopicArn: 'arn:m',
          weatherAlertsTopicArn: 'arn:w',
          thresholds: { stockDropPercent: 10, heatThresholdC: 35, coldThresholdC: -10, windThresholdKph: 60, precipThresholdMm: 10 },
        },
        doc: {} as never,
        sns: new SNSClient({ region: 'us-east-1' }),
        alertStore: { claim: async (a) => (claims.push(a.rule), true), markSent: async () => {} },
      });
      const event = awsEvent<DynamoDBStreamEvent>(name);
      await expect(handler(event)).resolves.toEqual({ batchItemFailures: [] });
      expect(claims).toEqual([]);
      expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
    },
  );
  test('every DynamoDB attribute type in the aws-lambda-go sample converts', () => {
    const event = awsEvent<DynamoDBStreamEvent>('dynamodb-stream-insert.aws-lambda-go.json');
    const images = event.Records.map((r) => fromImage(r.dynamodb!.NewImage as Record<string, StreamAttributeValue>)!);
    expect(images[0]).toMatchObject({ val: 'data', key: 'binary', asdf1: 'AAEqQQ==', asdf2: ['AAEqQQ==', 'QSoBAA=='] });
    for (const image of images) for (const value of Object.values(image)) expect(value).not.toBeUndefined();
  });
  test.each(['sqs-event.powertools-ts.json', 'sqs-event.aws-lambda-go.json'])('DLQ replay refuses plain SQS bodies in %s with a reason', (name) => {
    const event = awsEvent<SQSEvent>(name);
    for (const record of event.Records) {
      const parsed = parseOnFailureMessage(record.body);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.reason).toMatch(/not a Lambda on-failure record/);
    }
  });
});

if (!available) {
  test.skip(`shared fixtures not found at ${SHARED}: replay skipped`, () => {});
}
