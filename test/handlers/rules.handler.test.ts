/**
 * The rules handler against dynalite (alert markers, conditional writes) with SNS mocked.
 * dynalite has no Streams, so the DynamoDB stream records are built here in the exact shape
 * Lambda delivers (NEW_AND_OLD_IMAGES, low-level attribute values).
 */
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { LatestItem } from '../../handlers/lib/contracts';
import { parseAlertMessage } from '../../handlers/lib/sns';
import { FUNCTIONS } from '../../handlers/lib/contracts';
import { createHandler, rulesConfigFromEnv, type RulesConfig } from '../../handlers/rules';
import { buildRoot } from '../../templates-src/root';
import { ROOT_PARAMETERS } from '../../templates-src/parameters';
import { STACKS } from '../../templates-src/stacks';
import { pkTableDefinition, startDynalite, type LocalDynamo } from '../helpers/local-aws';

const TABLE = 'Latest';
const MARKET = 'arn:aws:sns:us-east-1:123456789012:MarketAlerts';
const WEATHER = 'arn:aws:sns:us-east-1:123456789012:WeatherAlerts';
const config: RulesConfig = {
  latestTableName: TABLE,
  marketAlertsTopicArn: MARKET,
  weatherAlertsTopicArn: WEATHER,
  thresholds: { stockDropPercent: 10, heatThresholdC: 35, coldThresholdC: -10, windThresholdKph: 60, precipThresholdMm: 10 },
};
const NOW = new Date('2026-11-20T15:00:00.000Z');

type Av = Record<string, unknown>;
function toAv(value: unknown): Av {
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (value === null) return { NULL: true };
  if (Array.isArray(value)) return { L: value.map(toAv) };
  return { M: toImage(value as Record<string, unknown>) };
}
function toImage(item: Record<string, unknown>): Record<string, Av> {
  return Object.fromEntries(
    Object.entries(item)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, toAv(v)]),
  );
}

let seq = 100;
function streamRecord(oldItem: LatestItem | undefined, newItem: LatestItem | undefined): DynamoDBRecord {
  seq += 1;
  const pk = (newItem ?? oldItem)!.pk;
  return {
    eventID: `evt-${seq}`,
    eventName: oldItem === undefined ? 'INSERT' : newItem === undefined ? 'REMOVE' : 'MODIFY',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: 1_795_000_000,
      Keys: { pk: { S: pk } },
      ...(newItem ? { NewImage: toImage(newItem as unknown as Record<string, unknown>) as never } : {}),
      ...(oldItem ? { OldImage: toImage(oldItem as unknown as Record<string, unknown>) as never } : {}),
      SequenceNumber: String(seq).padStart(21, '0'),
      SizeBytes: 100,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: `arn:aws:dynamodb:us-east-1:123456789012:table/${TABLE}/stream/2026-11-01T00:00:00.000`,
  };
}
const stock = (o: Partial<LatestItem> = {}): LatestItem => ({
  pk: 'STOCK#AAPL',
  type: 'stock',
  symbol: 'AAPL',
  ts: '2026-11-20T14:30:00.000Z',
  price: 100,
  prevClose: 100,
  ...o,
});
const weather = (o: Partial<LatestItem> = {}): LatestItem => ({
  pk: 'WEATHER#Amsterdam',
  type: 'weather',
  city: 'Amsterdam',
  ts: '2026-11-20T14:00:00.000Z',
  tempC: 12,
  windKph: 5,
  precipMm: 0,
  ...o,
});
const event = (...records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });

describe('rules handler', () => {
  let ddb: LocalDynamo;
  const snsMock = mockClient(SNSClient);
  let n = 0;
  const uniqueTable = async (): Promise<RulesConfig> => {
    n += 1;
    const name = `${TABLE}${n}`;
    const { CreateTableCommand } = await import('@aws-sdk/client-dynamodb');
    await ddb.client.send(new CreateTableCommand(pkTableDefinition(name)));
    return { ...config, latestTableName: name };
  };

  beforeAll(async () => {
    ddb = await startDynalite({ tables: [pkTableDefinition(TABLE)] });
  });
  afterAll(async () => {
    await ddb.stop();
  });
  beforeEach(() => {
    snsMock.reset();
    let id = 0;
    snsMock.on(PublishCommand).callsFake(() => ({ MessageId: `msg-${++id}` }));
  });

  test('a −10 % tick publishes one MarketAlerts message with the values, and writes a sent marker', async () => {
    const cfg = await uniqueTable();
    const handler = createHandler({ config: cfg, doc: ddb.doc, sns: new SNSClient({ region: 'us-east-1' }), now: () => NOW });
    const res = await handler(event(streamRecord(stock({ ts: '2026-11-20T14:29:00.000Z' }), stock({ price: 90, prevClose: 100 }))));
    expect(res).toEqual({ batchItemFailures: [] });
    const calls = snsMock.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.TopicArn).toBe(MARKET);
    expect(input.MessageStructure).toBe('json');
    const body = JSON.parse(input.Message!) as Record<string, string>;
    expect(body.email).toContain('AAPL fell 10.00% to 90 from the previous close 100');
    expect(body.email).toContain('thresholdPercent = 10');
    const alert = parseAlertMessage(body.lambda!);
    expect(alert).toEqual({
      rule: 'stock-drop',
      entity: 'STOCK#AAPL',
      ts: '2026-11-20T14:30:00.000Z',
      values: { price: 90, prevClose: 100, changePct: -10, thresholdPercent: 10 },
      message: expect.stringContaining('AAPL fell'),
    });
    expect(body.default).toBe(body.lambda);
    expect(input.MessageAttributes?.rule?.StringValue).toBe('stock-drop');
    const marker = await ddb.doc.send(new GetCommand({ TableName: cfg.latestTableName, Key: { pk: 'ALERT#STOCK#AAPL#stock-drop#2026-11-20' } }));
    expect(marker.Item).toMatchObject({ status: 'sent', messageId: 'msg-1', rule: 'stock-drop', entity: 'STOCK#AAPL' });
    expect(marker.Item!.expiresAt).toBe(Date.parse('2026-11-21T00:00:00Z') / 1000 + 3 * 86_400);
  });

  test('one alert per entity, rule and day: a second drop the same day is deduplicated, the next day alerts again', async () => {
    const cfg = await uniqueTable();
    const handler = createHandler({ config: cfg, doc: ddb.doc, sns: new SNSClient({ region: 'us-east-1' }), now: () => NOW });
    const t1 = stock({ ts: '2026-11-20T14:30:00.000Z', price: 89, prevClose: 100 });
    const t2 = stock({ ts: '2026-11-20T14:31:00.000Z', price: 85, prevClose: 100 });
    const t3 = stock({ ts: '2026-11-21T14:30:00.000Z', price: 70, prevClose: 85 });
    await handler(event(streamRecord(undefined, t1), streamRecord(t1, t2)));
    // Redelivery of the same batch (at-least-once) changes nothing either.
    await handler(event(streamRecord(undefined, t1), streamRecord(t1, t2)));
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
    await handler(event(streamRecord(t2, t3)));
    const calls = snsMock.commandCalls(PublishCommand);
    expect(calls).toHaveLength(2);
    expect(JSON.parse(JSON.parse(calls[1]!.args[0].input.Message!).lambda).ts).toBe('2026-11-21T14:30:00.000Z');
  });

  test('weather rules go to WeatherAlerts; different rules of one entity are not deduplicated against each other', async () => {
    const cfg = await uniqueTable();
    const handler = createHandler({ config: cfg, doc: ddb.doc, sns: new SNSClient({ region: 'us-east-1' }), now: () => NOW });
    await handler(event(streamRecord(weather({ ts: '2026-11-20T13:00:00.000Z' }), weather({ tempC: 38, windKph: 70 }))));
    const calls = snsMock.commandCalls(PublishCommand);
    expect(calls.map((c) => c.args[0].input.TopicArn)).toEqual([WEATHER, WEATHER]);
    expect(calls.map((c) => JSON.parse(JSON.parse(c.args[0].input.Message!).lambda).rule)).toEqual(['heat', 'wind']);
  });

  test('a failed publish reports only that record, leaves the marker pending, and the retry publishes', async () => {
    const cfg = await uniqueTable();
    const handler = createHandler({ config: cfg, doc: ddb.doc, sns: new SNSClient({ region: 'us-east-1' }), now: () => NOW });
    snsMock.reset();
    snsMock
      .on(PublishCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' }))
      .resolves({ MessageId: 'msg-retry' });
    const msft = (o: Partial<LatestItem>) => stock({ pk: 'STOCK#MSFT', symbol: 'MSFT', ...o });
    const failing = streamRecord(undefined, stock({ price: 80 }));
    const fine = streamRecord(undefined, msft({ price: 100 }));
    const res = await handler(event(failing, fine));
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: failing.dynamodb!.SequenceNumber }]);
    const pending = await ddb.doc.send(new GetCommand({ TableName: cfg.latestTableName, Key: { pk: 'ALERT#STOCK#AAPL#stock-drop#2026-11-20' } }));
    expect(pending.Item?.status).toBe('pending');
    const retry = await handler(event(failing));
    expect(retry.batchItemFailures).toEqual([]);
    const sent = await ddb.doc.send(new GetCommand({ TableName: cfg.latestTableName, Key: { pk: 'ALERT#STOCK#AAPL#stock-drop#2026-11-20' } }));
    expect(sent.Item).toMatchObject({ status: 'sent', messageId: 'msg-retry' });
  });

  test('no alert for lease/alert items, REMOVE events, or ticks above the threshold', async () => {
    const cfg = await uniqueTable();
    const handler = createHandler({ config: cfg, doc: ddb.doc, sns: new SNSClient({ region: 'us-east-1' }), now: () => NOW });
    const lease = { pk: 'LEASE#poller', owner: 'a', expiresAt: 1 } as unknown as LatestItem;
    const res = await handler(
      event(streamRecord(undefined, lease), streamRecord(stock({ price: 50 }), undefined), streamRecord(undefined, stock({ price: 90.01 }))),
    );
    expect(res.batchItemFailures).toEqual([]);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });

  const fullEnv = {
    LATEST_TABLE_NAME: 'L',
    MARKET_ALERTS_TOPIC_ARN: MARKET,
    WEATHER_ALERTS_TOPIC_ARN: WEATHER,
    STOCK_DROP_PERCENT: '7.5',
    HEAT_THRESHOLD_C: '35',
    COLD_THRESHOLD_C: '-10',
    WIND_THRESHOLD_KPH: '75',
    PRECIP_THRESHOLD_MM: '20',
  };

  test('config from the environment (FUNCTIONS.rules)', () => {
    expect(rulesConfigFromEnv(fullEnv)).toEqual({
      ...config,
      latestTableName: 'L',
      thresholds: { stockDropPercent: 7.5, heatThresholdC: 35, coldThresholdC: -10, windThresholdKph: 75, precipThresholdMm: 20 },
    });
    expect(() => rulesConfigFromEnv({ ...fullEnv, HEAT_THRESHOLD_C: 'hot' })).toThrow(/HEAT_THRESHOLD_C must be a number/);
  });

  test.each(FUNCTIONS.rules.map((name) => [name]))('a missing %s is a startup error naming it (no fallback default)', (name) => {
    const env: Record<string, string> = { ...fullEnv };
    delete env[name];
    expect(() => rulesConfigFromEnv(env)).toThrow(`environment variable ${name} is not set`);
  });

  test('the template feeds every threshold variable from the root parameter of the same threshold (the defaults live there only)', () => {
    // JSON round trip: intrinsics are objects with toJSON (what the emitter and CloudFormation see).
    const root = JSON.parse(JSON.stringify(buildRoot(STACKS))) as { Resources: Record<string, { Properties: { Parameters: Record<string, unknown> } }> };
    const compute = JSON.parse(JSON.stringify(STACKS.find((s) => s.file === 'compute.yaml')!.build())) as {
      Resources: Record<string, { Type: string; Properties: { Environment?: { Variables: Record<string, unknown> } } }>;
    };
    const rulesEnv = compute.Resources.RulesFunction!.Properties.Environment!.Variables;
    const env: Record<string, string> = { ...fullEnv };
    for (const name of ['STOCK_DROP_PERCENT', 'HEAT_THRESHOLD_C', 'COLD_THRESHOLD_C', 'WIND_THRESHOLD_KPH', 'PRECIP_THRESHOLD_MM']) {
      const childParameter = (rulesEnv[name] as { Ref: string }).Ref;
      const rootParameter = (root.Resources.Compute!.Properties.Parameters[childParameter] as { Ref: string }).Ref;
      env[name] = String(ROOT_PARAMETERS[rootParameter]!.definition.Default);
    }
    const t = rulesConfigFromEnv(env).thresholds;
    expect(t).toEqual({
      stockDropPercent: Number(ROOT_PARAMETERS.StockDropPercent!.definition.Default),
      heatThresholdC: Number(ROOT_PARAMETERS.HeatThresholdC!.definition.Default),
      coldThresholdC: Number(ROOT_PARAMETERS.ColdThresholdC!.definition.Default),
      windThresholdKph: Number(ROOT_PARAMETERS.WindThresholdKph!.definition.Default),
      precipThresholdMm: Number(ROOT_PARAMETERS.PrecipThresholdMm!.definition.Default),
    });
  });
});
