/** Steps 6 (analytics.yaml) and 7 (dashboards.yaml). */
import { allText, properties, section, type ResourceRef } from '../model';
import { dataBuckets, kmsEncrypted } from './storage';
import { fail, ids, named, pass, where, type BulletCheck } from './types';

export const crawler: BulletCheck = ({ tree }) => {
  const crawlers = tree.resources('AWS::Glue::Crawler');
  if (crawlers.length === 0) return fail('no Glue crawler (AWS::Glue::Crawler)');
  const { processed } = dataBuckets(tree);
  for (const c of crawlers) {
    const p = properties(c.resource);
    const targets = section(p, 'Targets').S3Targets;
    const onProcessed = Array.isArray(targets) && targets.some((t) => tree.resolve(c.file, t).some((r) => r.type === 'AWS::S3::Bucket' && r.logicalId === processed?.logicalId));
    if (!onProcessed) return fail(`${where(c)}: no S3 target resolves to the processed bucket${processed ? ` (${processed.logicalId})` : ''}`);
    if (!tree.resolveType(c.file, p.DatabaseName, 'AWS::Glue::Database')) return fail(`${where(c)}: DatabaseName does not resolve to a Glue database`);
    if (p.CrawlerSecurityConfiguration === undefined) return fail(`${where(c)}: no CrawlerSecurityConfiguration (crawler logs unencrypted)`);
  }
  return pass(`${ids(crawlers)} over ${processed?.logicalId ?? 'the processed bucket'}`);
};

export const athenaResults: BulletCheck = ({ tree }) => {
  const workgroups = tree.resources('AWS::Athena::WorkGroup');
  if (workgroups.length === 0) return fail('no Athena workgroup (AWS::Athena::WorkGroup)');
  for (const w of workgroups) {
    const config = section(section(properties(w.resource), 'WorkGroupConfiguration'), 'ResultConfiguration');
    const bucket = tree.resolveType(w.file, config.OutputLocation, 'AWS::S3::Bucket');
    if (!bucket) return fail(`${where(w)}: ResultConfiguration.OutputLocation does not resolve to a bucket in the tree`);
    const enc = kmsEncrypted(tree, bucket);
    if (!enc.ok) return fail(`results bucket ${where(bucket)}: ${enc.reason}`);
    const option = section(config, 'EncryptionConfiguration').EncryptionOption;
    if (option !== 'SSE_KMS' && option !== 'CSE_KMS') return fail(`${where(w)}: query results are not KMS-encrypted (EncryptionConfiguration)`);
    if (section(properties(w.resource), 'WorkGroupConfiguration').EnforceWorkGroupConfiguration !== true) return fail(`${where(w)}: EnforceWorkGroupConfiguration is not true (clients could write results elsewhere)`);
  }
  return pass(`${ids(workgroups)} write KMS-encrypted results`);
};

export const quickSightDataSets: BulletCheck = ({ tree }) => {
  const sets = tree.resources('AWS::QuickSight::DataSet');
  const reaches = (set: ResourceRef, test: (r: ResourceRef) => boolean) => tree.resolve(set.file, properties(set.resource)).some(test);
  const athenaSource = (r: ResourceRef) => r.type === 'AWS::QuickSight::DataSource' && properties(r.resource).Type === 'ATHENA';
  const athena = sets.filter((s) => reaches(s, athenaSource));
  if (athena.length === 0) return fail(`no QuickSight data set reads an ATHENA data source (${sets.length} data sets)`);
  // DynamoDB reaches QuickSight through Athena's DynamoDB connector: a LAMBDA data catalog, and SQL naming the table.
  const dynamo = sets.filter((s) => reaches(s, (r) => /AWS::DynamoDB::(Global)?Table/.test(r.type)));
  if (dynamo.length === 0) return fail('no QuickSight data set queries a DynamoDB table (e.g. through the Athena DynamoDB connector)');
  const catalogs = tree.resources('AWS::Athena::DataCatalog').filter((c) => properties(c.resource).Type === 'LAMBDA');
  if (catalogs.length === 0) return fail(`${ids(dynamo)} query DynamoDB but no Athena LAMBDA data catalog (the DynamoDB connector) exists`);
  return pass(`Athena data sets ${ids(athena.filter((s) => !dynamo.includes(s)))}; DynamoDB data sets ${ids(dynamo)} via catalog ${ids(catalogs)}`);
};

export const quickSightDashboards: BulletCheck = ({ tree }) => {
  const dashboards = tree.resources('AWS::QuickSight::Dashboard');
  if (dashboards.length === 0) return fail('no QuickSight dashboard (AWS::QuickSight::Dashboard)');
  const missing = ['stock', 'weather'].filter((topic) => named(dashboards, new RegExp(topic, 'i')).length === 0 && !dashboards.some((d) => new RegExp(topic, 'i').test(allText(d.resource))));
  if (missing.length > 0) return fail(`no QuickSight dashboard for ${missing.join(', ')}`);
  return pass(`${ids(dashboards)} cover stocks and weather`);
};

export const pipelineDashboard: BulletCheck = ({ tree }) => {
  const dashboards = tree.resources('AWS::CloudWatch::Dashboard');
  if (dashboards.length === 0) return fail('no CloudWatch dashboard (AWS::CloudWatch::Dashboard)');
  const body = dashboards.map((d) => allText(properties(d.resource).DashboardBody)).join('\n');
  const missing = ['AWS/Kinesis', 'AWS/Lambda', 'AWS/SQS', 'AWS/DynamoDB'].filter((ns) => !body.includes(ns));
  if (missing.length > 0) return fail(`the dashboard body shows no ${missing.join(', ')} metrics`);
  return pass(`${ids(dashboards)} graph Kinesis, Lambda, SQS and DynamoDB metrics`);
};
