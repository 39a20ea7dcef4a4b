/** Step 6 – Analytics, step 7 – Dashboards. */
import { dataBuckets } from './storage';
import { allText, ev, found, foundIf, missed, named, partly, properties, section, type BulletCheck, type Evidence, type Part, type ResourceRef } from './kit';

export const crawler: BulletCheck = ({ tree }) => {
  const crawlers = tree.resources('AWS::Glue::Crawler');
  if (crawlers.length === 0)
    return {
      parts: [
        missed('Glue crawler', 'an AWS::Glue::Crawler'),
        missed('crawls the processed data', 'S3Targets on the processed bucket'),
        missed('catalogs into a Glue database', 'a DatabaseName (an AWS::Glue::Database)'),
      ],
    };
  const { processed } = dataBuckets(tree);
  const onProcessed: Evidence[] = [];
  const onOther: Evidence[] = [];
  const databases: Evidence[] = [];
  for (const c of crawlers) {
    const p = properties(c.resource);
    const targets = section(p, 'Targets').S3Targets;
    const buckets = tree.resolve(c.file, targets).filter((r) => r.type === 'AWS::S3::Bucket');
    const text = allText(targets);
    if ((processed && buckets.some((b) => b.logicalId === processed.logicalId && b.file === processed.file)) || /processed|curated|parquet/i.test(text))
      onProcessed.push(ev(tree, c, 'Properties.Targets.S3Targets', targets));
    else if (Array.isArray(targets) && targets.length > 0) onOther.push(ev(tree, c, 'Properties.Targets.S3Targets', targets));
    const db = tree.resolveType(c.file, p.DatabaseName, 'AWS::Glue::Database');
    if (db) databases.push(ev(tree, db, undefined, undefined, `database of ${c.logicalId}`));
    else if (p.DatabaseName !== undefined) databases.push(ev(tree, c, 'Properties.DatabaseName', undefined, 'database passed in'));
  }
  const targetPart: Part =
    onProcessed.length > 0
      ? found('crawls the processed data', onProcessed)
      : onOther.length > 0
        ? partly('crawls the processed data', 0.5, onOther, `an S3 target on the processed bucket${processed ? ` (${processed.logicalId})` : ''}`)
        : missed('crawls the processed data', `Targets.S3Targets with the processed bucket's path${processed ? ` (${processed.logicalId})` : ''}`);
  return {
    parts: [
      found(
        'Glue crawler',
        crawlers.map((c) => ev(tree, c)),
      ),
      targetPart,
      foundIf('catalogs into a Glue database', databases, 'a DatabaseName naming an AWS::Glue::Database'),
    ],
  };
};

export const athenaResults: BulletCheck = ({ tree }) => {
  const workgroups = tree.resources('AWS::Athena::WorkGroup');
  const outputs = workgroups.map((w) => ({
    w,
    location: section(section(properties(w.resource), 'WorkGroupConfiguration'), 'ResultConfiguration').OutputLocation,
  }));
  const withLocation = outputs.filter((o) => o.location !== undefined);
  const buckets = withLocation.flatMap((o) =>
    tree
      .resolve(o.w.file, o.location)
      .filter((r) => r.type === 'AWS::S3::Bucket')
      .map((b) => ({ b, w: o.w })),
  );
  const workgroupPart =
    withLocation.length > 0
      ? found(
          'Athena workgroup with a results location',
          withLocation.map((o) => ev(tree, o.w, 'Properties.WorkGroupConfiguration.ResultConfiguration.OutputLocation', o.location)),
        )
      : workgroups.length > 0
        ? partly(
            'Athena workgroup with a results location',
            0.5,
            workgroups.map((w) => ev(tree, w)),
            'WorkGroupConfiguration.ResultConfiguration.OutputLocation (s3://<results bucket>/…)',
          )
        : missed('Athena workgroup with a results location', 'an AWS::Athena::WorkGroup whose ResultConfiguration.OutputLocation is the results bucket');
  let bucketPart: Part;
  if (buckets.length > 0)
    bucketPart = found(
      'query results bucket',
      buckets.map(({ b, w }) => ev(tree, b, undefined, undefined, `results of ${w.logicalId}`)),
    );
  else {
    const byName = named(tree.resources('AWS::S3::Bucket'), /athena|quer(y|ies)|result/i);
    bucketPart =
      byName.length > 0
        ? partly(
            'query results bucket',
            0.5,
            byName.map((b) => ev(tree, b)),
            `${byName[0]!.logicalId} as the workgroup's OutputLocation`,
          )
        : missed('query results bucket', 'an AWS::S3::Bucket for query results, named in the workgroup OutputLocation');
  }
  return { parts: [workgroupPart, bucketPart] };
};

export const quickSightDataSets: BulletCheck = ({ tree }) => {
  const sets = tree.resources('AWS::QuickSight::DataSet');
  const reaches = (set: ResourceRef, test: (r: ResourceRef) => boolean): ResourceRef | undefined => tree.resolve(set.file, properties(set.resource)).find(test);
  const athena: Evidence[] = [];
  const dynamo: Evidence[] = [];
  for (const s of sets) {
    const source = reaches(s, (r) => r.type === 'AWS::QuickSight::DataSource' && properties(r.resource).Type === 'ATHENA');
    const viaCatalog = reaches(s, (r) => r.type === 'AWS::Athena::DataCatalog' && properties(r.resource).Type === 'LAMBDA');
    const viaTable = reaches(s, (r) => /DynamoDB/.test(r.type));
    const text = allText(properties(s.resource).PhysicalTableMap);
    if (viaCatalog || viaTable || /dynamodb/i.test(text))
      dynamo.push(ev(tree, s, 'Properties.PhysicalTableMap', undefined, `via ${(viaCatalog ?? viaTable)?.logicalId ?? 'a DynamoDB query'}`));
    else if (source || /ATHENA/.test(allText(properties(s.resource))))
      athena.push(ev(tree, s, 'Properties.PhysicalTableMap', undefined, source ? `source ${source.logicalId}` : undefined));
  }
  return {
    parts: [
      foundIf('QuickSight data set on Athena', athena, 'an AWS::QuickSight::DataSet whose PhysicalTableMap reads an ATHENA AWS::QuickSight::DataSource'),
      foundIf(
        'QuickSight data set on DynamoDB',
        dynamo,
        'an AWS::QuickSight::DataSet on DynamoDB (QuickSight reaches it through Athena with the DynamoDB connector: an AWS::Athena::DataCatalog of Type LAMBDA)',
      ),
    ],
  };
};

export const quickSightDashboards: BulletCheck = ({ tree }) => {
  const dashboards = tree.resources('AWS::QuickSight::Dashboard');
  const about = (topic: RegExp) =>
    dashboards.filter(
      (d) =>
        topic.test(d.logicalId) ||
        topic.test(allText(properties(d.resource).Name)) ||
        topic.test(allText(properties(d.resource).DashboardId)) ||
        topic.test(allText(properties(d.resource))),
    );
  return {
    parts: [
      foundIf(
        'stocks dashboard',
        about(/stock|market|ticker/i).map((d) => ev(tree, d)),
        'an AWS::QuickSight::Dashboard for stocks',
      ),
      foundIf(
        'weather dashboard',
        about(/weather|city|temperature/i).map((d) => ev(tree, d)),
        'an AWS::QuickSight::Dashboard for weather',
      ),
    ],
  };
};

/** The pipeline's services a health dashboard should graph. */
export const PIPELINE_NAMESPACES = ['AWS/Kinesis', 'AWS/Lambda', 'AWS/SQS', 'AWS/DynamoDB'] as const;

export const pipelineDashboard: BulletCheck = ({ tree }) => {
  const dashboards = tree.resources('AWS::CloudWatch::Dashboard');
  if (dashboards.length === 0)
    return {
      parts: [
        missed('CloudWatch dashboard', 'an AWS::CloudWatch::Dashboard'),
        missed('pipeline health metrics', `widgets on ${PIPELINE_NAMESPACES.join(', ')} metrics`),
      ],
    };
  const body = dashboards.map((d) => allText(properties(d.resource).DashboardBody)).join('\n');
  const shown = PIPELINE_NAMESPACES.filter((ns) => body.includes(ns));
  const missingNs = PIPELINE_NAMESPACES.filter((ns) => !shown.includes(ns));
  const e = dashboards.map((d) => ev(tree, d, 'Properties.DashboardBody', undefined, `graphs ${shown.join(', ') || 'no pipeline metrics'}`));
  const credit = shown.length / PIPELINE_NAMESPACES.length;
  return {
    parts: [
      found(
        'CloudWatch dashboard',
        dashboards.map((d) => ev(tree, d)),
      ),
      credit >= 1
        ? found('pipeline health metrics (Kinesis, Lambda, SQS, DynamoDB)', e)
        : credit > 0
          ? partly('pipeline health metrics (Kinesis, Lambda, SQS, DynamoDB)', credit, e, `widgets on ${missingNs.join(', ')} metrics`)
          : missed('pipeline health metrics (Kinesis, Lambda, SQS, DynamoDB)', `widgets on ${PIPELINE_NAMESPACES.join(', ')} metrics`),
    ],
  };
};
