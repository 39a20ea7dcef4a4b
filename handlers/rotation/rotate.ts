/**
 * The Secrets Manager rotation protocol for the market data API key. Secrets Manager calls the
 * function four times with the same ClientRequestToken (the new version's id), and may repeat
 * any step; each step is idempotent:
 *
 * | step          | does                                                                 | on re-invocation                    |
 * | ------------- | -------------------------------------------------------------------- | ----------------------------------- |
 * | createSecret  | provider.issue(AWSCURRENT) → PutSecretValue(token, AWSPENDING)       | pending version exists → nothing    |
 * | setSecret     | nothing: an issued key is already live at the provider               | nothing                             |
 * | testSecret    | provider.test(AWSPENDING key); false → throw (rotation stops)        | tests again                         |
 * | testSecret, AWSPENDING has no value | provider.test(AWSCURRENT key): see below           | tests again                         |
 * | finishSecret  | provider.revoke(AWSPREVIOUS key), then AWSCURRENT → token            | token already AWSCURRENT → nothing  |
 *
 * The key replaced now stays valid until the next rotation (it becomes AWSPREVIOUS), so pollers
 * holding it in their cache keep working; the one before it is revoked.
 *
 * Configuring rotation without rotating at once (CloudFormation's RotationSchedule with
 * `RotateImmediatelyOnUpdate: false`) makes Secrets Manager create an AWSPENDING version and run
 * only testSecret on it: no createSecret has put a value there. That call tests the key in use
 * (AWSCURRENT), so the configuration succeeds with a real key and fails, saying what to do, with
 * the placeholder the template generates.
 */
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { PipelineError } from '../lib/errors';
import { parseApiKeySecret, type KeyProvider } from './key-provider';

export type RotationStep = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';

export interface RotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: RotationStep;
  readonly RotationToken?: string;
}

export class RotationError extends PipelineError {
  override readonly name = 'RotationError';
  constructor(message: string) {
    super(message, false);
  }
}

export interface RotationLog {
  info(message: string, extra?: Record<string, unknown>): void;
}

export interface RotationDeps {
  readonly sm: SecretsManagerClient;
  readonly provider: KeyProvider;
  readonly log?: RotationLog;
}

const isNotFound = (err: unknown): boolean => (err as { name?: string }).name === 'ResourceNotFoundException';

export async function rotate(event: RotationEvent, deps: RotationDeps): Promise<{ step: RotationStep; action: string }> {
  const { SecretId: secretId, ClientRequestToken: token, Step: step } = event;
  const { sm, provider } = deps;
  const log = deps.log ?? { info: () => {} };

  const described = await sm.send(new DescribeSecretCommand({ SecretId: secretId }));
  if (described.RotationEnabled === false)
    throw new RotationError(`${secretId}: rotation is not enabled on this secret; enable it (RotationRules) before invoking the rotation function`);
  const versions = described.VersionIdsToStages ?? {};
  const stages = versions[token];
  if (!stages) throw new RotationError(`${secretId}: version ${token} has no stage for rotation; start the rotation with rotate-secret`);
  if (stages.includes('AWSCURRENT')) {
    log.info('version is already AWSCURRENT; nothing to do', { secretId, step });
    return { step, action: 'already-current' };
  }
  if (!stages.includes('AWSPENDING'))
    throw new RotationError(`${secretId}: version ${token} is not AWSPENDING (stages ${stages.join(', ')}); start a new rotation`);

  switch (step) {
    case 'createSecret': {
      const current = await sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' }));
      try {
        await sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: token, VersionStage: 'AWSPENDING' }));
        log.info('pending version already exists', { secretId });
        return { step, action: 'pending-exists' };
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      const next = await provider.issue(parseApiKeySecret(current.SecretString ?? '', secretId));
      await sm.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          ClientRequestToken: token,
          SecretString: JSON.stringify({ ...next, provider: next.provider ?? provider.name }),
          VersionStages: ['AWSPENDING'],
        }),
      );
      log.info('pending version created', { secretId, provider: provider.name });
      return { step, action: 'created' };
    }
    case 'setSecret':
      log.info('setSecret: the issued key is already live at the provider', { secretId, provider: provider.name });
      return { step, action: 'nothing-to-set' };
    case 'testSecret': {
      let pending: string | undefined;
      try {
        pending = (await sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: token, VersionStage: 'AWSPENDING' }))).SecretString;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      if (pending === undefined || pending.trim() === '') {
        const current = await sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' }));
        const { apiKey: currentKey } = parseApiKeySecret(current.SecretString ?? '', secretId);
        if (!(await provider.test(currentKey))) {
          throw new RotationError(
            `${secretId}: ${provider.name} rejected the stored key (AWSCURRENT) while rotation was being configured; store the real key with put-secret-value before enabling rotation (EnableKeyRotation)`,
          );
        }
        log.info('rotation configuration test: the stored key is accepted by the provider', { secretId, provider: provider.name });
        return { step, action: 'tested-current' };
      }
      const { apiKey } = parseApiKeySecret(pending, secretId);
      if (!(await provider.test(apiKey)))
        throw new RotationError(
          `${secretId}: ${provider.name} rejected the pending key; rotation stopped, AWSCURRENT is unchanged (check the standby key in the secret)`,
        );
      log.info('pending key accepted by the provider', { secretId, provider: provider.name });
      return { step, action: 'tested' };
    }
    case 'finishSecret': {
      const currentVersion = Object.entries(versions).find(([, s]) => s.includes('AWSCURRENT'))?.[0];
      const previousVersion = Object.entries(versions).find(([, s]) => s.includes('AWSPREVIOUS'))?.[0];
      if (previousVersion !== undefined && previousVersion !== token) {
        const [previous, current, pending] = await Promise.all([
          sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: previousVersion })),
          currentVersion ? sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: currentVersion })) : Promise.resolve(undefined),
          sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: token })),
        ]);
        const oldKey = parseApiKeySecret(previous.SecretString ?? '', secretId).apiKey;
        const inUse = [current?.SecretString, pending.SecretString]
          .filter((s): s is string => s !== undefined)
          .map((s) => parseApiKeySecret(s, secretId).apiKey);
        if (!inUse.includes(oldKey)) await provider.revoke(oldKey);
      }
      await sm.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: token,
          ...(currentVersion ? { RemoveFromVersionId: currentVersion } : {}),
        }),
      );
      log.info('pending version is now AWSCURRENT', { secretId, from: currentVersion, to: token });
      return { step, action: 'finished' };
    }
    default:
      throw new RotationError(`${secretId}: unknown rotation step ${JSON.stringify(step)}; expected createSecret, setSecret, testSecret or finishSecret`);
  }
}
