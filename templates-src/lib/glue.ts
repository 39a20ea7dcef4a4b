/**
 * Glue Data Catalog tables of the processed zone, declared rather than left to the crawler's
 * first run: Athena's named queries and QuickSight's data sets name `stocks` and `weather`, and a
 * data set over a table that does not exist yet fails to create. The schema is the writer's
 * (PROCESSED_COLUMNS); partitions use Athena partition projection, so a new day is queryable the
 * moment its first object lands, without waiting for the hourly crawler (which still registers
 * them in the catalog for other engines).
 */
import Table from 'cloudform-types/types/glue/table';
import { AWS, ref, sub } from './fn';
import { PARTITION_COLUMNS, PROCESSED_COLUMNS, type ProcessedColumn, type ProcessedDataset } from './named-queries';

/** Parquet logical type → Hive/Glue column type. */
const GLUE_TYPES: Readonly<Record<ProcessedColumn['type'], string>> = {
  VARCHAR: 'string',
  DOUBLE: 'double',
  BIGINT: 'bigint',
  INTEGER: 'int',
  TIMESTAMP: 'timestamp',
};

/** First year partition projection enumerates (the project's data starts later). */
export const PROJECTION_FIRST_YEAR = 2020;
/** Last year partition projection enumerates. */
export const PROJECTION_LAST_YEAR = 2100;

export interface ProcessedTableProps {
  readonly dataset: ProcessedDataset;
  /** Logical ID of the Glue database. */
  readonly databaseId: string;
  /** Stack parameter holding the processed bucket's name. */
  readonly bucketNameParameter: string;
}

/**
 * `processed/<dataset>/year=YYYY/month=MM/day=DD/*.parquet` as an external Parquet table with
 * `year`, `month`, `day` as projected integer partitions (two-digit month and day, as the
 * enricher writes them).
 */
export function processedTable(props: ProcessedTableProps): Table {
  const location = `s3://\${${props.bucketNameParameter}}/processed/${props.dataset}/`;
  const partitions = Object.keys(PARTITION_COLUMNS) as (keyof typeof PARTITION_COLUMNS)[];
  const projection: Record<string, string> = {
    'projection.enabled': 'true',
    'projection.year.type': 'integer',
    'projection.year.range': `${PROJECTION_FIRST_YEAR},${PROJECTION_LAST_YEAR}`,
    'projection.month.type': 'integer',
    'projection.month.range': '1,12',
    'projection.month.digits': '2',
    'projection.day.type': 'integer',
    'projection.day.range': '1,31',
    'projection.day.digits': '2',
  };
  return new Table({
    CatalogId: AWS.accountId,
    DatabaseName: ref(props.databaseId),
    TableInput: {
      Name: props.dataset,
      Description: `Processed ${props.dataset} (Parquet, written by the enricher)`,
      TableType: 'EXTERNAL_TABLE',
      Parameters: {
        classification: 'parquet',
        EXTERNAL: 'TRUE',
        ...projection,
        // `${!year}` is a literal `${year}` for Athena, not a !Sub variable.
        'storage.location.template': sub(`${location}${partitions.map((p) => `${p}=\${!${p}}`).join('/')}`),
      },
      PartitionKeys: partitions.map((Name) => ({ Name, Type: GLUE_TYPES[PARTITION_COLUMNS[Name]] })),
      StorageDescriptor: {
        Location: sub(location),
        Columns: PROCESSED_COLUMNS[props.dataset].map((c) => ({ Name: c.name, Type: GLUE_TYPES[c.type] })),
        InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
        OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
        SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', Parameters: { 'serialization.format': '1' } },
      },
    },
  });
}
