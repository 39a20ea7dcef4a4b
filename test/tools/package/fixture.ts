/**
 * A tiny project in a temp dir shaped like ours: generated/root.yaml with two nested stacks,
 * each with one function whose Code is ../dist/handlers/<name>.zip, and fake zips. Independent
 * of the real templates and handler build.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function childTemplate(fn: string): string {
  return [
    "AWSTemplateFormatVersion: '2010-09-09'",
    `Description: ${fn} stack`,
    'Resources:',
    `  ${fn}Role:`,
    '    Type: AWS::IAM::Role',
    '    Properties:',
    '      AssumeRolePolicyDocument: {}',
    `  ${fn}Function:`,
    '    Type: AWS::Lambda::Function',
    '    Properties:',
    '      Runtime: nodejs20.x',
    '      Handler: index.handler',
    `      Role: !GetAtt ${fn}Role.Arn`,
    `      Code: ../dist/handlers/${fn.toLowerCase()}.zip`,
    'Outputs:',
    '  FunctionArn:',
    `    Value: !GetAtt ${fn}Function.Arn`,
    '',
  ].join('\n');
}

export const ROOT_TEMPLATE = [
  "AWSTemplateFormatVersion: '2010-09-09'",
  'Description: root',
  'Resources:',
  '  Alpha:',
  '    Type: AWS::CloudFormation::Stack',
  '    Properties:',
  '      TemplateURL: ./alpha.yaml',
  '  Beta:',
  '    Type: AWS::CloudFormation::Stack',
  '    Properties:',
  '      TemplateURL: ./beta.yaml',
  '      Parameters:',
  '        AlphaArn: !GetAtt Alpha.Outputs.FunctionArn',
  '',
].join('\n');

export async function makeProject(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pkg-fixture-'));
  await mkdir(path.join(dir, 'generated'), { recursive: true });
  await mkdir(path.join(dir, 'dist', 'handlers'), { recursive: true });
  await writeFile(path.join(dir, 'generated', 'root.yaml'), ROOT_TEMPLATE);
  await writeFile(path.join(dir, 'generated', 'alpha.yaml'), childTemplate('Alpha'));
  await writeFile(path.join(dir, 'generated', 'beta.yaml'), childTemplate('Beta'));
  await writeFile(path.join(dir, 'dist', 'handlers', 'alpha.zip'), Buffer.from('PK fake alpha zip v1'));
  await writeFile(path.join(dir, 'dist', 'handlers', 'beta.zip'), Buffer.from('PK fake beta zip v1'));
  return dir;
}
