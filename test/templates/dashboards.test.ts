import { dashboards } from '../../templates-src/dashboards';
import { DASHBOARD_FUNCTIONS, DLQ_INPUTS, TOPIC_INPUTS } from '../../templates-src/lib/pipeline-dashboard';
import { LATEST_COLUMNS } from '../../templates-src/lib/quicksight-resources';
import { canonicalize } from '../../templates-src/lib/yaml';

type Json = Record<string, any>;
const doc = canonicalize(dashboards.build()) as Json;
const resources = doc.Resources as Record<string, Json>;

describe('dashboards.yaml: CloudWatch pipeline dashboard', () => {
  const [text, variables] = resources.PipelineDashboard!.Properties.DashboardBody['Fn::Sub'] as [string, Json];
  const known = new Set([...Object.keys(doc.Parameters), ...Object.keys(variables), 'AWS::Region']);
  const body = JSON.parse(text.replace(/\$\{([^}]+)\}/g, (_, name: string) => `<${name}>`)) as { widgets: Json[] };
  const lines: string[][] = body.widgets
    .filter((w) => w.type === 'metric')
    .flatMap((w) => w.properties.metrics.map((m: unknown[]) => m.filter((x) => typeof x === 'string')));
  const has = (...parts: string[]) => lines.some((l) => parts.every((p, i) => l[i] === p));

  test('every ${…} in the body is a parameter, a !Sub variable or the region', () => {
    const used = [...text.matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]!);
    expect(used.filter((v) => !known.has(v))).toEqual([]);
  });

  test('topic names come from the topic ARNs', () => {
    expect(variables.OpsAlertsTopicName).toEqual({ 'Fn::Select': [5, { 'Fn::Split': [':', { Ref: 'OpsAlertsTopicArn' }] }] });
  });

  test('widgets stay on the 24-column grid without overlapping', () => {
    const cells = new Set<string>();
    for (const w of body.widgets) {
      expect(w.x + w.width).toBeLessThanOrEqual(24);
      for (let x = w.x; x < w.x + w.width; x++) {
        for (let y = w.y; y < w.y + w.height; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  test.each([
    ['AWS/ApiGateway', 'Count', 'ApiName', '<ApiName>', 'Stage', '<ApiStageName>'],
    ['AWS/ApiGateway', '4XXError', 'ApiName', '<ApiName>'],
    ['AWS/ApiGateway', '5XXError', 'ApiName', '<ApiName>'],
    ['AWS/ApiGateway', 'Latency', 'ApiName', '<ApiName>'],
    ['AWS/Kinesis', 'IncomingRecords', 'StreamName', '<StreamName>'],
    ['AWS/Kinesis', 'GetRecords.IteratorAgeMilliseconds', 'StreamName', '<StreamName>'],
    ...['<MetricsTableName>', '<LatestTableName>'].flatMap((t) => [
      ['AWS/DynamoDB', 'ConsumedWriteCapacityUnits', 'TableName', t],
      ['AWS/DynamoDB', 'ConsumedReadCapacityUnits', 'TableName', t],
      ['AWS/DynamoDB', 'WriteThrottleEvents', 'TableName', t],
    ]),
    ...DLQ_INPUTS.map((q) => ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', `<${q}>`]),
    ...TOPIC_INPUTS.map((a) => ['AWS/SNS', 'NumberOfMessagesPublished', 'TopicName', `<${a.replace(/Arn$/, 'Name')}>`]),
  ])('shows %s %s %s=%s', (...parts) => {
    expect(has(...parts)).toBe(true);
  });

  test.each(DASHBOARD_FUNCTIONS.flatMap((fn) => ['Invocations', 'Errors', 'Throttles', 'Duration'].map((m) => [fn, m])))('shows Lambda %s %s', (fn, m) => {
    expect(has('AWS/Lambda', m, 'FunctionName', `<NamePrefix>-${fn}`)).toBe(true);
  });
});

describe('dashboards.yaml: QuickSight', () => {
  const qs = Object.entries(resources).filter(([, r]) => r.Type.startsWith('AWS::QuickSight::') || r.Type === 'AWS::Athena::DataCatalog');

  test('QuickSight needs the toggle and a principal; the latest data sets also need the connector', () => {
    expect(doc.Conditions.QuickSightEnabled).toEqual({
      'Fn::And': [{ 'Fn::Equals': [{ Ref: 'EnableQuickSight' }, 'true'] }, { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'QuickSightPrincipalArn' }, ''] }] }],
    });
    expect(doc.Conditions.HasLatestDataSets['Fn::And'][0]).toEqual({ Condition: 'QuickSightEnabled' });
  });

  test.each(qs.map(([id, r]) => [id, r.Condition]))('%s is conditional (%s)', (_, condition) => {
    expect(['QuickSightEnabled', 'HasLatestDataSets']).toContain(condition);
  });

  test('the data source is Athena through the analytics workgroup', () => {
    const p = resources.QuickSightAthenaSource!.Properties;
    expect(p.Type).toBe('ATHENA');
    expect(p.DataSourceParameters).toEqual({ AthenaParameters: { WorkGroup: { Ref: 'AthenaWorkGroupName' } } });
    expect(p.Permissions[0].Principal).toEqual({ Ref: 'QuickSightPrincipalArn' });
  });

  test.each(['stocks', 'weather'])('the %s data set reads the crawler table with lower-cased columns', (name) => {
    const id = name === 'stocks' ? 'StocksDataSet' : 'WeatherDataSet';
    const table = resources[id]!.Properties.PhysicalTableMap[name].RelationalTable;
    expect(table).toMatchObject({ Catalog: 'AwsDataCatalog', Schema: { Ref: 'GlueDatabaseName' }, Name: name });
    for (const c of table.InputColumns) expect(c.Name).toBe(c.Name.toLowerCase());
    expect(table.InputColumns).toContainEqual({ Name: 'ts', Type: 'DATETIME' });
    expect(resources[`${id}Refresh`]!.Properties.Schedule.ScheduleFrequency).toEqual({
      Interval: { 'Fn::If': ['IsProd', 'HOURLY', 'DAILY'] },
      TimeOfTheDay: { 'Fn::If': ['IsProd', { Ref: 'AWS::NoValue' }, '02:30'] },
      TimeZone: 'UTC',
    });
  });

  test.each([
    ['LatestStocksDataSet', "WHERE type = 'stock'"],
    ['LatestWeatherDataSet', "WHERE type = 'weather'"],
  ])('%s queries LatestTable through the DynamoDB catalog (%s)', (id, where) => {
    const r = resources[id]!;
    expect(r.DependsOn).toBe('DynamoDbCatalog');
    const sql = r.Properties.PhysicalTableMap.latest.CustomSql.SqlQuery['Fn::Sub'];
    expect(sql).toContain('FROM "${NamePrefix}-dynamodb"."default"."${LatestTableName}"');
    expect(sql).toContain(where);
    expect(r.Properties.ImportMode).toBe('DIRECT_QUERY');
    expect(resources.DynamoDbCatalog!.Properties).toMatchObject({
      Name: { 'Fn::Sub': '${NamePrefix}-dynamodb' },
      Type: 'LAMBDA',
      Parameters: { function: { Ref: 'AthenaDynamoDbConnectorArn' } },
    });
  });

  /** Columns of each data-set identifier a dashboard declares. */
  function columnsOf(declaration: Json): string[] {
    const dataSetId: string = declaration.DataSetArn['Fn::GetAtt'][0];
    const table = Object.values(resources[dataSetId]!.Properties.PhysicalTableMap)[0] as Json;
    return (table.RelationalTable?.InputColumns ?? table.CustomSql.Columns).map((c: Json) => c.Name);
  }

  function visualKinds(visuals: Json[]): string[] {
    return visuals.map((v) => Object.keys(v)[0]!);
  }

  /** A list with `!If [HasLatestDataSets, x, !Ref AWS::NoValue]` elements, as deployed with and without the connector. */
  function resolve(list: Json[], withLatest: boolean): Json[] {
    return list.flatMap((item) => {
      const branch = item['Fn::If'];
      if (!branch) return [item];
      expect(branch[0]).toBe('HasLatestDataSets');
      expect(branch[2]).toEqual({ Ref: 'AWS::NoValue' });
      return withLatest ? [branch[1]] : [];
    });
  }

  test.each([
    ['StocksDashboard', ['LineChartVisual', 'BarChartVisual'], ['ts', 'price', 'symbol', 'volume']],
    ['WeatherDashboard', ['LineChartVisual', 'BarChartVisual'], ['ts', 'temp_c', 'city', 'precip_mm']],
  ])('%s has real visuals over existing columns, plus a live table with the connector', (id, kinds, columns) => {
    const definition = resources[id]!.Properties.Definition;
    const sheet = definition.Sheets[0];
    for (const withLatest of [false, true]) {
      const visuals = resolve(sheet.Visuals, withLatest);
      expect(visualKinds(visuals)).toEqual(withLatest ? [...kinds, 'TableVisual'] : kinds);
      const declarations = resolve(definition.DataSetIdentifierDeclarations, withLatest);
      const columnsById = new Map<string, string[]>(declarations.map((d: Json) => [d.Identifier, columnsOf(d)]));
      const refs: Json[] = [];
      const fieldIds: string[] = [];
      JSON.stringify(visuals, (key, value) => {
        if (key === 'Column') refs.push(value);
        if (key === 'FieldId') fieldIds.push(value);
        return value;
      });
      expect(refs.map((r) => r.ColumnName)).toEqual(expect.arrayContaining(columns));
      for (const r of refs) expect(columnsById.get(r.DataSetIdentifier)).toContain(r.ColumnName);
      expect(new Set(fieldIds).size).toBe(fieldIds.length);
      const elements = resolve(sheet.Layouts[0].Configuration.GridLayout.Elements, withLatest);
      expect(elements.map((e: Json) => e.ElementId)).toEqual(visuals.map((v: Json) => (Object.values(v)[0] as Json).VisualId));
    }
  });

  test('the latest tables show the LatestItem values', () => {
    expect(LATEST_COLUMNS.stocks).toEqual(expect.arrayContaining(['symbol', 'price', 'prevclose', 'changepct']));
    expect(LATEST_COLUMNS.weather).toEqual(expect.arrayContaining(['city', 'tempc', 'precipmm']));
  });
});

describe('dashboards.yaml: cost controls', () => {
  test('the monthly budget follows MonthlyBudgetUsd and notifies FinOpsAlerts at 80 % actual and 100 % forecast', () => {
    const p = resources.MonthlyBudget!.Properties;
    expect(p.Budget).toMatchObject({ BudgetType: 'COST', TimeUnit: 'MONTHLY', BudgetLimit: { Amount: { Ref: 'MonthlyBudgetUsd' }, Unit: 'USD' } });
    expect(
      p.NotificationsWithSubscribers.map((n: Json) => [n.Notification.NotificationType, n.Notification.Threshold, n.Notification.ThresholdType, n.Subscribers]),
    ).toEqual([
      ['ACTUAL', 80, 'PERCENTAGE', [{ SubscriptionType: 'SNS', Address: { Ref: 'FinOpsAlertsTopicArn' } }]],
      ['FORECASTED', 100, 'PERCENTAGE', [{ SubscriptionType: 'SNS', Address: { Ref: 'FinOpsAlertsTopicArn' } }]],
    ]);
  });

  test('with ProjectTagActive the budget tracks the Project tag only; without it the whole account, and says so in its name', () => {
    const budget = resources.MonthlyBudget!.Properties.Budget;
    expect(budget.CostFilters).toEqual({
      'Fn::If': ['TracksProjectTag', { TagKeyValue: [{ 'Fn::Sub': 'user:Project$${NamePrefix}' }] }, { Ref: 'AWS::NoValue' }],
    });
    expect(budget.BudgetName).toEqual({
      'Fn::If': ['TracksProjectTag', { 'Fn::Sub': '${NamePrefix}-monthly-${AWS::Region}' }, { 'Fn::Sub': '${NamePrefix}-monthly-account-${AWS::Region}' }],
    });
    expect(doc.Conditions.TracksProjectTag).toEqual({ 'Fn::Equals': [{ Ref: 'ProjectTagActive' }, 'true'] });
  });

  test('the anomaly monitor watches the Project tag, so it exists only once that tag is active', () => {
    for (const id of ['CostAnomalyMonitor', 'CostAnomalySubscription']) expect(resources[id]!.Condition).toBe('TracksProjectTag');
    expect(doc.Outputs.AnomalyMonitorArn.Value).toEqual({ 'Fn::If': ['TracksProjectTag', { Ref: 'CostAnomalyMonitor' }, ''] });
  });

  test('cost anomalies of this deployment alert FinOpsAlerts immediately', () => {
    const monitor = resources.CostAnomalyMonitor!.Properties;
    expect(monitor.MonitorType).toBe('CUSTOM');
    expect(JSON.parse(monitor.MonitorSpecification['Fn::Sub'].replace('${NamePrefix}', 'stockwx-dev'))).toEqual({
      Tags: { Key: 'Project', Values: ['stockwx-dev'], MatchOptions: ['EQUALS'] },
    });
    const sub = resources.CostAnomalySubscription!.Properties;
    expect(sub.MonitorArnList).toEqual([{ Ref: 'CostAnomalyMonitor' }]);
    expect(sub.Frequency).toBe('IMMEDIATE');
    expect(sub.Subscribers).toEqual([{ Type: 'SNS', Address: { Ref: 'FinOpsAlertsTopicArn' } }]);
    expect(JSON.parse(sub.ThresholdExpression).Dimensions.Key).toBe('ANOMALY_TOTAL_IMPACT_ABSOLUTE');
  });
});

describe('dashboards.yaml: QuickSight prerequisites the stack can set up', () => {
  const policy = resources.QuickSightDataAccessPolicy!;
  const statements = policy.Properties.PolicyDocument.Statement as Json[];
  const actions = (s: Json) => s.Action as string[];

  test("a policy on QuickSight's service role, only with QuickSight, created before the data source", () => {
    expect(policy.Condition).toBe('QuickSightEnabled');
    expect(policy.Properties.Roles).toEqual([{ Ref: 'QuickSightServiceRoleName' }]);
    expect(doc.Parameters.QuickSightServiceRoleName.Default).toBe('aws-quicksight-service-role-v0');
    expect(resources.QuickSightAthenaSource!.DependsOn).toBe('QuickSightDataAccessPolicy');
  });

  test.each([
    ['s3:GetObject', { 'Fn::Sub': '${ProcessedBucketArn}/processed/*' }],
    ['s3:PutObject', { 'Fn::Sub': '${AthenaResultsBucketArn}/*' }],
    ['kms:Decrypt', { Ref: 'DataLakeKeyArn' }],
    ['athena:StartQueryExecution', { 'Fn::Sub': 'arn:${AWS::Partition}:athena:${AWS::Region}:${AWS::AccountId}:workgroup/${AthenaWorkGroupName}' }],
    ['glue:GetTable', { 'Fn::Sub': 'arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:table/${GlueDatabaseName}/*' }],
  ])('grants %s on %j', (action, resource) => {
    expect(
      statements.filter((s) => !('Fn::If' in s)).some((s) => actions(s).includes(action) && JSON.stringify(s.Resource).includes(JSON.stringify(resource))),
    ).toBe(true);
  });

  test('invoking the DynamoDB connector only with the latest-value data sets', () => {
    const conditional = statements.find((s) => 'Fn::If' in s)!;
    expect(conditional['Fn::If'][0]).toBe('HasLatestDataSets');
    expect(conditional['Fn::If'][1]).toMatchObject({ Action: ['lambda:InvokeFunction'], Resource: [{ Ref: 'AthenaDynamoDbConnectorArn' }] });
  });
});

describe('dashboards.yaml: contract', () => {
  test('declares every promised output unconditionally (root re-exports them)', () => {
    for (const o of dashboards.outputs) {
      expect(doc.Outputs).toHaveProperty(o);
      expect(doc.Outputs[o].Condition).toBeUndefined();
    }
  });
  test('every parameter without a default is wired by root', () => {
    for (const [name, p] of Object.entries(doc.Parameters as Record<string, Json>)) if (p.Default === undefined) expect(dashboards.inputs).toHaveProperty(name);
  });
  test.each([
    ['7.1', ['QuickSightAthenaSource', 'StocksDataSet', 'WeatherDataSet', 'LatestStocksDataSet', 'DynamoDbCatalog']],
    ['7.2', ['StocksDashboard', 'WeatherDashboard']],
    ['7.3', ['PipelineDashboard']],
  ])('roadmap bullet %s maps to %j', (bullet, ids) => {
    expect(doc.Metadata.Roadmap[bullet].Resources).toEqual(expect.arrayContaining(ids));
  });
});
