/** Bullet ID → its check. Every bullet of templates-src/roadmap.ts has exactly one (a test enforces it). */
import { alarms, topics } from './alerting';
import { athenaResults, crawler, pipelineDashboard, quickSightDashboards, quickSightDataSets } from './analytics';
import { backups, dax, latestTable, metricsTable, multiRegionTables } from './datastores';
import { failover, git, mappings, nestedStacks, parameters, reuse } from './iac';
import { apiWithAuth, deadLetterQueues, scheduler, stream } from './ingestion';
import type { BulletCheck } from './kit';
import { endpoints, gateways, securityGroups, subnets, vpcs } from './networking';
import { aggregator, enricher, retries, rulesEngine } from './processing';
import { iamRoles, keys, secrets, threatDetection, trailAndConfig } from './security';
import { lifecycle, processedBucket, rawBucket, replication, replicationToSecondary, versionedAndEncrypted } from './storage';

export const CHECKS: Readonly<Record<string, BulletCheck>> = {
  '1.1': vpcs,
  '1.2': subnets,
  '1.3': gateways,
  '1.4': endpoints,
  '1.5': securityGroups,
  '2.1': rawBucket,
  '2.2': processedBucket,
  '2.3': versionedAndEncrypted,
  '2.4': lifecycle,
  '2.5': replication,
  '3.1': apiWithAuth,
  '3.2': scheduler,
  '3.3': stream,
  '3.4': deadLetterQueues,
  '4.1': enricher,
  '4.2': aggregator,
  '4.3': retries,
  '5.1': metricsTable,
  '5.2': latestTable,
  '5.3': dax,
  '6.1': crawler,
  '6.2': athenaResults,
  '7.1': quickSightDataSets,
  '7.2': quickSightDashboards,
  '7.3': pipelineDashboard,
  '8.1': rulesEngine,
  '8.2': alarms,
  '8.3': topics,
  '9.1': iamRoles,
  '9.2': keys,
  '9.3': secrets,
  '9.4': trailAndConfig,
  '9.5': threatDetection,
  '10.1': replicationToSecondary,
  '10.2': multiRegionTables,
  '10.3': failover,
  '10.4': backups,
  '11.1': nestedStacks,
  '11.2': git,
  '11.3': parameters,
  '11.4': mappings,
  '11.5': reuse,
};

export type { BulletCheck, BulletOutcome, CheckContext, Evidence, Part, RepoFacts } from './kit';
