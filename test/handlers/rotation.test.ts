/**
 * The rotation protocol against a stateful Secrets Manager fake built on aws-sdk-client-mock
 * (versions and staging labels move the way Secrets Manager moves them: AWSPENDING on put,
 * AWSCURRENT/AWSPREVIOUS on UpdateSecretVersionStage).
 */
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
  type GetSecretValueCommandInput,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { createHandler, rotationConfigFromEnv } from '../../handlers/rotation';
import { httpKeyProvider, parseApiKeySecret, type KeyProvider } from '../../handlers/rotation/key-provider';
import type { RotationEvent, RotationStep } from '../../handlers/rotation/rotate';
import { fakeFetch, recorded } from '../fixtures/providers';

const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:market-data-AbCdEf';
const smMock = mockClient(SecretsManagerClient);

interface Version {
  value: string | undefined;
  stages: Set<string>;
}
const notFound = (msg: string) => Object.assign(new Error(msg), { name: 'ResourceNotFoundException' });

function fakeSecretsManager(initial: Record<string, { value: unknown; stages: string[] }>, rotationEnabled = true) {
  const versions = new Map<string, Version>(Object.entries(initial).map(([id, v]) => [id, { value: JSON.stringify(v.value), stages: new Set(v.stages) }]));
  const moveStage = (stage: string, to: string | undefined) => {
    for (const v of versions.values()) v.stages.delete(stage);
    if (to) versions.get(to)!.stages.add(stage);
  };
  smMock.reset();
  smMock.on(DescribeSecretCommand).callsFake(() => ({
    ARN: SECRET,
    RotationEnabled: rotationEnabled,
    VersionIdsToStages: Object.fromEntries([...versions].map(([id, v]) => [id, [...v.stages]])),
  }));
  smMock.on(GetSecretValueCommand).callsFake((input: GetSecretValueCommandInput) => {
    const entry = input.VersionId
      ? ([input.VersionId, versions.get(input.VersionId)] as const)
      : [...versions].find(([, v]) => v.stages.has(input.VersionStage ?? 'AWSCURRENT'));
    if (!entry?.[1] || entry[1].value === undefined || (input.VersionStage && !entry[1].stages.has(input.VersionStage)))
      throw notFound("Secrets Manager can't find the specified secret value for staging label: AWSPENDING");
    return { ARN: SECRET, VersionId: entry[0], SecretString: entry[1].value, VersionStages: [...entry[1].stages] };
  });
  smMock.on(PutSecretValueCommand).callsFake((input) => {
    const existing = versions.get(input.ClientRequestToken!);
    if (existing && existing.value !== undefined && existing.value !== input.SecretString)
      throw Object.assign(new Error('version exists with different value'), { name: 'ResourceExistsException' });
    if (!existing) versions.set(input.ClientRequestToken!, { value: input.SecretString!, stages: new Set() });
    else existing.value = input.SecretString!;
    for (const s of input.VersionStages ?? ['AWSCURRENT']) moveStage(s, input.ClientRequestToken);
    return { VersionId: input.ClientRequestToken };
  });
  smMock.on(UpdateSecretVersionStageCommand).callsFake((input) => {
    if (input.VersionStage === 'AWSCURRENT' && input.RemoveFromVersionId) moveStage('AWSPREVIOUS', input.RemoveFromVersionId);
    moveStage(input.VersionStage!, input.MoveToVersionId);
    if (input.VersionStage === 'AWSCURRENT') versions.get(input.MoveToVersionId!)!.stages.delete('AWSPENDING');
    return {};
  });
  /** rotate-secret: Secrets Manager creates the AWSPENDING label on the token before calling createSecret. */
  const startRotation = (token: string) => {
    for (const v of versions.values()) v.stages.delete('AWSPENDING');
    versions.set(token, { value: undefined, stages: new Set(['AWSPENDING']) });
  };
  return {
    versions,
    startRotation,
    stagesOf: (id: string) => [...(versions.get(id)?.stages ?? [])].sort(),
    valueOf: (id: string) => JSON.parse(versions.get(id)!.value!),
  };
}

/** rotate-secret: the token is listed with AWSPENDING before createSecret, but has no value yet. */
function startRotation(sm: ReturnType<typeof fakeSecretsManager>, token: string): void {
  sm.startRotation(token);
}

function recordingProvider(opts: { accept?: (key: string) => boolean } = {}): KeyProvider & { tested: string[]; revoked: string[] } {
  const tested: string[] = [];
  const revoked: string[] = [];
  return {
    name: 'finnhub',
    tested,
    revoked,
    async issue(current) {
      const [next, ...rest] = current.standbyKeys ?? [];
      if (!next) throw new Error('no standby key');
      return { ...current, apiKey: next, standbyKeys: rest };
    },
    async test(key) {
      tested.push(key);
      return opts.accept ? opts.accept(key) : true;
    },
    async revoke(key) {
      revoked.push(key);
    },
  };
}

const ev = (Step: RotationStep, token: string): RotationEvent => ({ SecretId: SECRET, ClientRequestToken: token, Step });
const STEPS: RotationStep[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

describe('rotation protocol', () => {
  test('the four steps move a standby key to AWSCURRENT; the old key becomes AWSPREVIOUS', async () => {
    const sm = fakeSecretsManager({ v1: { value: { provider: 'finnhub', apiKey: 'key-1', standbyKeys: ['key-2', 'key-3'] }, stages: ['AWSCURRENT'] } });
    const provider = recordingProvider();
    const handler = createHandler({ sm: new SecretsManagerClient({ region: 'us-east-1' }), provider });
    startRotation(sm, 'tok-2');
    const actions = [];
    for (const step of STEPS) actions.push((await handler(ev(step, 'tok-2'))).action);
    expect(actions).toEqual(['created', 'nothing-to-set', 'tested', 'finished']);
    expect(sm.stagesOf('tok-2')).toEqual(['AWSCURRENT']);
    expect(sm.stagesOf('v1')).toEqual(['AWSPREVIOUS']);
    expect(sm.valueOf('tok-2')).toEqual({ provider: 'finnhub', apiKey: 'key-2', standbyKeys: ['key-3'] });
    expect(provider.tested).toEqual(['key-2']);
    expect(provider.revoked).toEqual([]); // key-1 stays valid until the next rotation (cached pollers)
  });

  test('every step is idempotent on re-invocation (Secrets Manager retries steps)', async () => {
    const sm = fakeSecretsManager({ v1: { value: { apiKey: 'key-1', standbyKeys: ['key-2', 'key-3'] }, stages: ['AWSCURRENT'] } });
    const handler = createHandler({ sm: new SecretsManagerClient({ region: 'us-east-1' }), provider: recordingProvider() });
    startRotation(sm, 'tok-2');
    const actions = [];
    for (const step of STEPS) {
      actions.push((await handler(ev(step, 'tok-2'))).action);
      actions.push((await handler(ev(step, 'tok-2'))).action);
    }
    expect(actions).toEqual(['created', 'pending-exists', 'nothing-to-set', 'nothing-to-set', 'tested', 'tested', 'finished', 'already-current']);
    expect(smMock.commandCalls(PutSecretValueCommand)).toHaveLength(1);
    expect(smMock.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(1);
    expect(sm.valueOf('tok-2').apiKey).toBe('key-2');
  });

  test('the second rotation revokes the key from two rotations ago (AWSPREVIOUS), before moving AWSCURRENT', async () => {
    const sm = fakeSecretsManager({ v1: { value: { apiKey: 'key-1', standbyKeys: ['key-2', 'key-3'] }, stages: ['AWSCURRENT'] } });
    const provider = recordingProvider();
    const handler = createHandler({ sm: new SecretsManagerClient({ region: 'us-east-1' }), provider });
    for (const token of ['tok-2', 'tok-3']) {
      startRotation(sm, token);
      for (const step of STEPS) await handler(ev(step, token));
    }
    expect(provider.revoked).toEqual(['key-1']);
    expect(sm.stagesOf('tok-3')).toEqual(['AWSCURRENT']);
    expect(sm.stagesOf('tok-2')).toEqual(['AWSPREVIOUS']);
    expect(sm.stagesOf('v1')).toEqual([]);
  });

  test('a key the provider rejects stops the rotation at testSecret; AWSCURRENT is unchanged', async () => {
    const sm = fakeSecretsManager({ v1: { value: { apiKey: 'key-1', standbyKeys: ['bad-key'] }, stages: ['AWSCURRENT'] } });
    const handler = createHandler({ sm: new SecretsManagerClient({ region: 'us-east-1' }), provider: recordingProvider({ accept: (k) => k !== 'bad-key' }) });
    startRotation(sm, 'tok-2');
    await handler(ev('createSecret', 'tok-2'));
    await handler(ev('setSecret', 'tok-2'));
    await expect(handler(ev('testSecret', 'tok-2'))).rejects.toThrow(/finnhub rejected the pending key; rotation stopped, AWSCURRENT is unchanged/);
    expect(sm.stagesOf('v1')).toEqual(['AWSCURRENT']);
    expect(sm.stagesOf('tok-2')).toEqual(['AWSPENDING']);
  });

  test.each([
    ['no standby keys left', { v1: { value: { apiKey: 'key-1', standbyKeys: [] }, stages: ['AWSCURRENT'] } }, 'tok-2', true, 'createSecret', /no standby key/],
    ['rotation disabled', { v1: { value: { apiKey: 'key-1' }, stages: ['AWSCURRENT'] } }, 'tok-2', false, 'createSecret', /rotation is not enabled/],
    ['unknown token', { v1: { value: { apiKey: 'key-1' }, stages: ['AWSCURRENT'] } }, undefined, true, 'createSecret', /has no stage for rotation/],
  ] as const)('%s → error', async (_label, versions, token, enabled, step, message) => {
    const sm = fakeSecretsManager(versions as never, enabled);
    if (token) startRotation(sm, token);
    const handler = createHandler({ sm: new SecretsManagerClient({ region: 'us-east-1' }), provider: recordingProvider() });
    await expect(handler(ev(step, 'tok-2'))).rejects.toThrow(message);
  });

  test('a version that is neither current nor pending is refused', async () => {
    fakeSecretsManager({ v1: { value: { apiKey: 'key-1' }, stages: ['AWSCURRENT'] }, v0: { value: { apiKey: 'key-0' }, stages: ['AWSPREVIOUS'] } });
    const handler = createHandler({ sm: new SecretsManagerClient({ region: 'us-east-1' }), provider: recordingProvider() });
    await expect(handler(ev('finishSecret', 'v0'))).rejects.toThrow(/is not AWSPENDING/);
  });
});

describe('HTTP key providers', () => {
  test.each([
    ['finnhub accepts', 'finnhub', recorded('finnhub/quote_MSFT'), true],
    ['finnhub 401', 'finnhub', recorded('finnhub/error_401_invalid_key'), false],
    ['finnhub 429 (key accepted, just limited)', 'finnhub', recorded('finnhub/error_429_api_limit'), true],
    ['alphavantage quote', 'alphavantage', recorded('alphavantage/global_quote_IBM'), true],
    ['alphavantage Error Message', 'alphavantage', recorded('alphavantage/error_message_invalid_call'), false],
  ] as const)('%s', async (_label, provider, answer, accepted) => {
    const http = fakeFetch(() => answer);
    const p = httpKeyProvider(provider, {
      fetch: http.fetch,
      testSymbol: provider === 'alphavantage' ? 'IBM' : 'MSFT',
      now: () => new Date('2026-11-20T15:00:00Z'),
    });
    await expect(p.test('candidate')).resolves.toBe(accepted);
    expect(http.calls).toHaveLength(1);
  });

  test('a 5xx during the test throws (Secrets Manager retries the step) instead of judging the key', async () => {
    const p = httpKeyProvider('finnhub', { fetch: fakeFetch(() => ({ status: 503, body: '' })).fetch });
    await expect(p.test('k')).rejects.toThrow(/test request failed/);
  });

  test('issue takes the first standby key; revoke reports the masked key to the operator', async () => {
    const due: string[] = [];
    const p = httpKeyProvider('finnhub', { fetch: fakeFetch(() => recorded('finnhub/quote_MSFT')).fetch, onRevokeDue: (k) => due.push(k) });
    await expect(p.issue({ apiKey: 'a', standbyKeys: ['b', 'c'] })).resolves.toEqual({ apiKey: 'b', standbyKeys: ['c'] });
    await expect(p.issue({ apiKey: 'a' })).rejects.toThrow(/no standbyKeys; create a key in the finnhub dashboard/);
    await p.revoke('abcdefghijklmnop');
    expect(due).toEqual(['********mnop']);
  });

  test.each([
    ['plain', 'k1', { apiKey: 'k1', standbyKeys: [] }],
    ['json', '{"apiKey":"k1","standbyKeys":["k2"]}', { apiKey: 'k1', standbyKeys: ['k2'] }],
  ])('parseApiKeySecret %s', (_l, raw, expected) => {
    expect(parseApiKeySecret(raw, 's')).toEqual(expected);
  });
  test.each([['{"key":1}'], ['{"apiKey":"a","standbyKeys":"b"}'], ['{nope']])('parseApiKeySecret rejects %s', (raw) => {
    expect(() => parseApiKeySecret(raw, 's')).toThrow(/^s: /);
  });
  test('config: MARKET_DATA_PROVIDER', () => {
    expect(() => rotationConfigFromEnv({})).toThrow('environment variable MARKET_DATA_PROVIDER is not set; the function cannot run without it');
    expect(rotationConfigFromEnv({ MARKET_DATA_PROVIDER: 'AlphaVantage' })).toEqual({ provider: 'alphavantage' });
    expect(() => rotationConfigFromEnv({ MARKET_DATA_PROVIDER: 'polygon' })).toThrow(/must be one of finnhub, alphavantage/);
  });
});

describe('rotation being configured (RotationSchedule with RotateImmediatelyOnUpdate: false)', () => {
  // Secrets Manager creates an empty AWSPENDING version and runs testSecret alone on it.
  test('testSecret on a pending version without a value tests the stored key, so enabling rotation with a real key succeeds', async () => {
    const sm = fakeSecretsManager({ v1: { value: { apiKey: 'real-key', standbyKeys: ['next-key'] }, stages: ['AWSCURRENT'] } });
    const provider = recordingProvider();
    const handler = createHandler({ sm: new SecretsManagerClient({ region: 'us-east-1' }), provider });
    startRotation(sm, 'tok-config');
    await expect(handler(ev('testSecret', 'tok-config'))).resolves.toEqual({ step: 'testSecret', action: 'tested-current' });
    expect(provider.tested).toEqual(['real-key']);
    expect(sm.stagesOf('v1')).toEqual(['AWSCURRENT']);
  });

  test('with the generated placeholder still stored it fails, saying to store the real key first', async () => {
    const sm = fakeSecretsManager({ v1: { value: { apiKey: 'GeneratedPlaceholder32Chars', standbyKeys: [] }, stages: ['AWSCURRENT'] } });
    const handler = createHandler({ sm: new SecretsManagerClient({ region: 'us-east-1' }), provider: recordingProvider({ accept: () => false }) });
    startRotation(sm, 'tok-config');
    await expect(handler(ev('testSecret', 'tok-config'))).rejects.toThrow(
      /rejected the stored key \(AWSCURRENT\) while rotation was being configured; store the real key with put-secret-value before enabling rotation/,
    );
  });
});
