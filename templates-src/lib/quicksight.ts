/**
 * QuickSight shapes: Athena data sets over the crawler's tables, and dashboard definitions built
 * from a few visual kinds (line, bar, table). QuickSight definitions are verbose; the stack module
 * states only which columns go where.
 */
import type {
  BarChartVisual,
  DashboardVersionDefinition,
  DimensionField,
  LineChartVisual,
  MeasureField,
  ResourcePermission,
  SheetDefinition,
  TableVisual,
  Visual,
} from 'cloudform-types/types/quickSight/dashboard';
import type { InputColumn } from 'cloudform-types/types/quickSight/dataSet';
import { ifThen, NO_VALUE, type Value } from './fn';
import type { ProcessedColumn } from './named-queries';

/** Owner actions, as the QuickSight console grants them to a resource's owner. */
export const QUICKSIGHT_ACTIONS = {
  dataSource: [
    'quicksight:DescribeDataSource',
    'quicksight:DescribeDataSourcePermissions',
    'quicksight:PassDataSource',
    'quicksight:UpdateDataSource',
    'quicksight:DeleteDataSource',
    'quicksight:UpdateDataSourcePermissions',
  ],
  dataSet: [
    'quicksight:DescribeDataSet',
    'quicksight:DescribeDataSetPermissions',
    'quicksight:PassDataSet',
    'quicksight:DescribeIngestion',
    'quicksight:ListIngestions',
    'quicksight:UpdateDataSet',
    'quicksight:DeleteDataSet',
    'quicksight:CreateIngestion',
    'quicksight:CancelIngestion',
    'quicksight:UpdateDataSetPermissions',
  ],
  dashboard: [
    'quicksight:DescribeDashboard',
    'quicksight:ListDashboardVersions',
    'quicksight:UpdateDashboardPermissions',
    'quicksight:QueryDashboard',
    'quicksight:UpdateDashboard',
    'quicksight:DeleteDashboard',
    'quicksight:DescribeDashboardPermissions',
    'quicksight:UpdateDashboardPublishedVersion',
  ],
} as const;

export function permissions(principal: Value<string>, kind: keyof typeof QUICKSIGHT_ACTIONS): ResourcePermission[] {
  return [{ Principal: principal, Actions: [...QUICKSIGHT_ACTIONS[kind]] }];
}

const QUICKSIGHT_TYPES: Readonly<Record<ProcessedColumn['type'], string>> = {
  VARCHAR: 'STRING',
  DOUBLE: 'DECIMAL',
  BIGINT: 'INTEGER',
  INTEGER: 'INTEGER',
  TIMESTAMP: 'DATETIME',
};

/** Input columns of a crawler-made table (the Glue catalog keeps names lower case; the writer's are snake_case already). */
export function inputColumns(columns: readonly ProcessedColumn[]): InputColumn[] {
  return columns.map((c) => ({ Name: c.name.toLowerCase(), Type: QUICKSIGHT_TYPES[c.type] }));
}

// --- fields ----------------------------------------------------------------------------------

/** A column of a data set declared in the definition (`dataSet` is the declaration's identifier). */
export interface FieldRef {
  readonly dataSet: string;
  readonly column: string;
}

const fieldId = (visualId: string, f: FieldRef, role: string): string => `${visualId}.${role}.${f.column}`;
const column = (f: FieldRef) => ({ DataSetIdentifier: f.dataSet, ColumnName: f.column });

export function dateDimension(visualId: string, f: FieldRef, granularity: 'HOUR' | 'DAY' | 'WEEK' | 'MONTH'): DimensionField {
  return { DateDimensionField: { FieldId: fieldId(visualId, f, 'date'), Column: column(f), DateGranularity: granularity } };
}

export function categoryDimension(visualId: string, f: FieldRef, role = 'category'): DimensionField {
  return { CategoricalDimensionField: { FieldId: fieldId(visualId, f, role), Column: column(f) } };
}

export function measure(visualId: string, f: FieldRef, aggregation: 'SUM' | 'AVERAGE' | 'MIN' | 'MAX'): MeasureField {
  return {
    NumericalMeasureField: {
      FieldId: fieldId(visualId, f, aggregation.toLowerCase()),
      Column: column(f),
      AggregationFunction: { SimpleNumericalAggregation: aggregation },
    },
  };
}

const title = (text: string) => ({ Visibility: 'VISIBLE', FormatText: { PlainText: text } });

// --- visuals ---------------------------------------------------------------------------------

export interface ChartProps {
  readonly id: string;
  readonly title: string;
  /** X axis (line) or bar category. */
  readonly x: DimensionField;
  readonly values: readonly MeasureField[];
  /** One series per value of this dimension (symbol, city). @default none */
  readonly colors?: DimensionField;
}

export function lineChart(p: ChartProps): Visual {
  const visual: LineChartVisual = {
    VisualId: p.id,
    Title: title(p.title),
    ChartConfiguration: {
      Type: 'LINE',
      FieldWells: { LineChartAggregatedFieldWells: { Category: [p.x], Values: [...p.values], ...(p.colors ? { Colors: [p.colors] } : {}) } },
      Legend: { Visibility: 'VISIBLE' },
    },
  };
  return { LineChartVisual: visual };
}

export function barChart(p: ChartProps & { readonly arrangement?: 'CLUSTERED' | 'STACKED' }): Visual {
  const visual: BarChartVisual = {
    VisualId: p.id,
    Title: title(p.title),
    ChartConfiguration: {
      Orientation: 'VERTICAL',
      BarsArrangement: p.arrangement ?? 'CLUSTERED',
      FieldWells: { BarChartAggregatedFieldWells: { Category: [p.x], Values: [...p.values], ...(p.colors ? { Colors: [p.colors] } : {}) } },
      Legend: { Visibility: p.colors ? 'VISIBLE' : 'HIDDEN' },
    },
  };
  return { BarChartVisual: visual };
}

/** A plain (unaggregated) table: one row per data-set row. */
export function table(p: { readonly id: string; readonly title: string; readonly columns: readonly FieldRef[] }): Visual {
  const visual: TableVisual = {
    VisualId: p.id,
    Title: title(p.title),
    ChartConfiguration: {
      FieldWells: { TableUnaggregatedFieldWells: { Values: p.columns.map((f) => ({ FieldId: fieldId(p.id, f, 'value'), Column: column(f) })) } },
    },
  };
  return { TableVisual: visual };
}

/** Visual id → its id, whichever visual kind it is. */
function visualId(v: Visual): string {
  const inner = v.LineChartVisual ?? v.BarChartVisual ?? v.TableVisual;
  if (!inner || typeof inner.VisualId !== 'string') throw new Error('quicksight: only line, bar and table visuals with literal ids are supported here');
  return inner.VisualId;
}

/** Grid columns of a QuickSight sheet; each visual takes half the width. */
const GRID_COLUMNS = 36;

function gridElements(visuals: readonly Visual[]) {
  const span = GRID_COLUMNS / 2;
  return visuals.map((v, i) => ({
    ElementId: visualId(v),
    ElementType: 'VISUAL',
    ColumnIndex: (i % 2) * span,
    RowIndex: Math.floor(i / 2) * 12,
    ColumnSpan: span,
    RowSpan: 12,
  }));
}

export interface DashboardDefinitionProps {
  readonly sheetId: string;
  readonly sheetName: string;
  /** Declared data sets: identifier → data set ARN. */
  readonly dataSets: Readonly<Record<string, Value<string>>>;
  readonly visuals: readonly Visual[];
  /** Data sets and visuals present only when `condition` is true. @default none */
  readonly optional?: { readonly condition: string; readonly dataSets: Readonly<Record<string, Value<string>>>; readonly visuals: readonly Visual[] };
}

/**
 * `!If [condition, value, !Ref AWS::NoValue]` as a list element: CloudFormation drops the element
 * when the condition is false. Typed as the element so cloudform's list types accept it (the one
 * cast here: an intrinsic stands where the element would be).
 */
function optionalElement<T>(condition: string, value: T): T {
  return ifThen(condition, value, NO_VALUE) as unknown as T;
}

/**
 * A one-sheet dashboard definition, visuals laid out two per row on the grid. Optional data sets
 * and visuals are appended as `!If … AWS::NoValue` list elements (declarations, visuals, layout
 * elements), so one dashboard serves deployments with and without them and nothing is repeated.
 */
export function dashboardDefinition(props: DashboardDefinitionProps): DashboardVersionDefinition {
  const declarations = (sets: Readonly<Record<string, Value<string>>>) => Object.entries(sets).map(([Identifier, DataSetArn]) => ({ Identifier, DataSetArn }));
  const o = props.optional;
  const elements = gridElements([...props.visuals, ...(o?.visuals ?? [])]);
  const optional = <T>(items: readonly T[]): T[] => (o ? items.map((item) => optionalElement(o.condition, item)) : []);
  const sheet: SheetDefinition = {
    SheetId: props.sheetId,
    Name: props.sheetName,
    Title: props.sheetName,
    Visuals: [...props.visuals, ...optional(o?.visuals ?? [])],
    Layouts: [{ Configuration: { GridLayout: { Elements: [...elements.slice(0, props.visuals.length), ...optional(elements.slice(props.visuals.length))] } } }],
  };
  return { DataSetIdentifierDeclarations: [...declarations(props.dataSets), ...optional(o ? declarations(o.dataSets) : [])], Sheets: [sheet] };
}
