import { quickSightDataSets } from '../../../tools/lib/report/checks/analytics';
import { TemplateTree } from '../../../tools/lib/report/model';

/** A one-file tree with an Athena data source, data sets and (optionally) the DynamoDB connector catalog. */
function tree(options: { dynamoSet: boolean; catalog: boolean }) {
  const dataSet = (sql: string) => ({
    Type: 'AWS::QuickSight::DataSet',
    Properties: { PhysicalTableMap: { t: { CustomSql: { DataSourceArn: { 'Fn::GetAtt': ['Source', 'Arn'] }, SqlQuery: { 'Fn::Sub': sql } } } } },
  });
  const resources: Record<string, unknown> = {
    Source: { Type: 'AWS::QuickSight::DataSource', Properties: { Type: 'ATHENA' } },
    Latest: { Type: 'AWS::DynamoDB::GlobalTable', Properties: {} },
    StocksDataSet: dataSet('SELECT * FROM stocks'),
    ...(options.dynamoSet ? { LatestDataSet: dataSet('SELECT * FROM "ddb"."default"."${Latest}"') } : {}),
    ...(options.catalog ? { Catalog: { Type: 'AWS::Athena::DataCatalog', Properties: { Type: 'LAMBDA' } } } : {}),
  };
  return new TemplateTree([{ file: 'dashboards.yaml', template: { Resources: resources } }]);
}

describe('7.1 QuickSight data sets (Athena + DynamoDB)', () => {
  test.each<[string, { dynamoSet: boolean; catalog: boolean }, boolean, RegExp]>([
    ['Athena and DynamoDB data sets with the connector catalog', { dynamoSet: true, catalog: true }, true, /Athena data sets StocksDataSet; DynamoDB data sets LatestDataSet via catalog Catalog/],
    ['no data set on DynamoDB', { dynamoSet: false, catalog: true }, false, /no QuickSight data set queries a DynamoDB table/],
    ['a DynamoDB data set without the connector', { dynamoSet: true, catalog: false }, false, /LatestDataSet query DynamoDB but no Athena LAMBDA data catalog/],
  ])('%s', (_label, options, ok, text) => {
    const result = quickSightDataSets({ tree: tree(options), repo: { isGitRepo: true, trackedGenerated: [] }, expectedFiles: [], nested: [] });
    expect(result.ok).toBe(ok);
    expect(result.ok ? result.detail : result.reason).toMatch(text);
  });
});
