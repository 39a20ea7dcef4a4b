/**
 * A Cognito user pool for machine-to-machine callers: no human users (admin-only creation,
 * admin-only recovery), a resource server with one scope, the hosted domain that serves the
 * OAuth token endpoint, and an app client limited to the client-credentials grant.
 *
 * Why client credentials rather than user/password: ingestion clients are programs (a partner
 * feed, the demo's injector), not people; a client ID + secret exchanged for a one-hour access
 * token needs no user lifecycle (passwords, MFA, resets), and the scope lets API Gateway
 * authorize the access token for exactly `POST /ingest`. (Cognito bills M2M token requests.)
 */
import UserPool from 'cloudform-types/types/cognito/userPool';
import UserPoolClient from 'cloudform-types/types/cognito/userPoolClient';
import UserPoolDomain from 'cloudform-types/types/cognito/userPoolDomain';
import UserPoolResourceServer from 'cloudform-types/types/cognito/userPoolResourceServer';
import { ifThen, ref, sub } from './fn';
import { nameText, physicalName, tagMap } from './names';
import { dependsOn } from './resources';
import type { Fragment } from './template';

export interface ClientCredentialsPoolProps {
  /** Name suffix of the pool, client and domain (`${NamePrefix}-<name>`). */
  readonly name: string;
  /** `<resource server>/<scope>`, e.g. `ingest/write`. */
  readonly scope: string;
  readonly scopeDescription: string;
  /** Condition under which the pool gets deletion protection (e.g. IsProd). */
  readonly protectWhen: string;
  /** Access-token lifetime. @default 60 minutes */
  readonly accessTokenMinutes?: number;
}

/** IDs: `<id>` (pool), `<id>ResourceServer`, `<id>Domain`, `<id>Client`. */
export function clientCredentialsPool(id: string, props: ClientCredentialsPoolProps): Fragment {
  const [server, scopeName] = props.scope.split('/');
  if (!server || !scopeName) throw new Error(`clientCredentialsPool(${id}): scope "${props.scope}" must be <resource server>/<scope>`);
  return {
    [id]: new UserPool({
      UserPoolName: physicalName(props.name),
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'admin_only', Priority: 1 }] },
      Policies: {
        PasswordPolicy: {
          MinimumLength: 14,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          TemporaryPasswordValidityDays: 1,
        },
      },
      MfaConfiguration: 'OFF',
      DeletionProtection: ifThen(props.protectWhen, 'ACTIVE', 'INACTIVE'),
      UserPoolTags: tagMap(),
    }),
    [`${id}ResourceServer`]: new UserPoolResourceServer({
      UserPoolId: ref(id),
      Identifier: server,
      Name: physicalName(`${props.name}-api`),
      Scopes: [{ ScopeName: scopeName, ScopeDescription: props.scopeDescription }],
    }),
    // The token endpoint lives on the pool's domain; the prefix is global, hence the account ID.
    [`${id}Domain`]: new UserPoolDomain({ UserPoolId: ref(id), Domain: sub(`${nameText(props.name)}-\${AWS::AccountId}`) }),
    [`${id}Client`]: dependsOn(
      new UserPoolClient({
        UserPoolId: ref(id),
        ClientName: physicalName(`${props.name}-client`),
        GenerateSecret: true,
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthScopes: [props.scope],
        SupportedIdentityProviders: ['COGNITO'],
        ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
        AccessTokenValidity: props.accessTokenMinutes ?? 60,
        TokenValidityUnits: { AccessToken: 'minutes' },
        EnableTokenRevocation: true,
        PreventUserExistenceErrors: 'ENABLED',
      }),
      `${id}ResourceServer`,
    ),
  };
}
