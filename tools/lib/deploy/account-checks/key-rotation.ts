/**
 * Key rotation: configuring rotation makes Secrets Manager run the rotation function's testSecret
 * step at once, against the stored market-data key. The template creates the secret with a
 * generated placeholder (security.yaml `GenerateSecretString`: one version); a user stores the real
 * key with `put-secret-value`, which adds a second (AWSCURRENT, the placeholder becoming
 * AWSPREVIOUS). So the versions with staging labels (`DescribeSecret` VersionIdsToStages, no
 * secret value read, no KMS decrypt) tell a stored key from the placeholder.
 *
 * The secret is the one each RotationSchedule of the templates names (its SecretId evaluated,
 * through the nested stacks, to the AWS::SecretsManager::Secret and its Name).
 *
 * | secret                     | outcome                                                          |
 * |----------------------------|------------------------------------------------------------------|
 * | does not exist (first deploy) | stop: deploy without rotation, store the key, then enable it  |
 * | one version (placeholder)  | stop: store the key first                                        |
 * | two or more versions       | nothing                                                          |
 * | not readable               | stop (whenUnreadable): a failed testSecret leaves an AWSPENDING version behind, and the deploy fails |
 */
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { call, errorName, ReadError } from './read';
import { howToSet, parameterOf, type AccountCheck, type Outcome, type Target } from './types';

export const KEY_ROTATION_PARAMETER = 'EnableKeyRotation';

export interface RotatedSecret {
  readonly name: string;
  /** Versions with a staging label; undefined when the secret does not exist. */
  readonly versions?: number;
}

export interface KeyRotationObservation {
  readonly secrets: readonly RotatedSecret[];
}

export function decideKeyRotation(o: KeyRotationObservation, t: Target): Outcome[] {
  const off = howToSet(t, KEY_ROTATION_PARAMETER, 'false');
  return o.secrets.flatMap((s): Outcome[] => {
    const store = `aws secretsmanager put-secret-value --region ${t.region} --secret-id ${s.name} --secret-string '{"apiKey":"<key>","standbyKeys":["<next key>"]}'`;
    if (s.versions === undefined) {
      return [
        {
          kind: 'stop',
          problem: `${KEY_ROTATION_PARAMETER}=true, but the secret ${s.name} does not exist yet: this deploy would create it with a generated placeholder and rotation would test that against the quote provider at once`,
          fix: `${off} and deploy, store the real key (${store}), then enable rotation again`,
        },
      ];
    }
    if (s.versions <= 1) {
      return [
        {
          kind: 'stop',
          problem: `${KEY_ROTATION_PARAMETER}=true, but the secret ${s.name} still holds only the value CloudFormation generated (1 version), and rotation tests the stored key at once`,
          fix: `store the real key first (${store}), or ${off}`,
        },
      ];
    }
    return [];
  });
}

export const keyRotationCheck: AccountCheck<KeyRotationObservation> = {
  id: 'key-rotation',
  subject: 'the market-data key before rotation',
  whenUnreadable: 'stop',
  consequence: (t) =>
    `rotation must not be configured unchecked (a failed testSecret fails the deploy and leaves an AWSPENDING version behind); grant the permission, or ${howToSet(t, KEY_ROTATION_PARAMETER, 'false')}`,
  applies: (t) => parameterOf(t, KEY_ROTATION_PARAMETER) === 'true',
  async read(ctx) {
    const plan = ctx.target.plan;
    const names = new Set<string>();
    for (const schedule of plan.resources('AWS::SecretsManager::RotationSchedule')) {
      const id = plan.property(schedule, 'SecretId');
      const secret = plan.resolveToken(id);
      const name = secret ? plan.property(secret, 'Name') : typeof id === 'string' && !id.startsWith('<') ? id : undefined;
      if (typeof name !== 'string')
        throw new ReadError('templates', 'failed', `cannot tell from the templates which secret ${schedule.stack.ctx.stack}/${schedule.logicalId} rotates`);
      names.add(name);
    }
    const secrets = await Promise.all(
      [...names].map(async (name): Promise<RotatedSecret> => {
        const res = await call(
          'secretsmanager:DescribeSecret',
          () =>
            ctx
              .clients()
              .secretsManager()
              .send(new DescribeSecretCommand({ SecretId: name })),
          (e) => (errorName(e) === 'ResourceNotFoundException' ? { VersionIdsToStages: undefined, notFound: true as const } : undefined),
        );
        return 'notFound' in res ? { name } : { name, versions: Object.keys(res.VersionIdsToStages ?? {}).length };
      }),
    );
    return { secrets };
  },
  decide: decideKeyRotation,
};
