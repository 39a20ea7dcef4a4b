import { CFN_LIMITS } from '../../contracts/cloudformation-limits';
import { LIMITS as PACKAGE_LIMITS } from '../../tools/lib/package/limits';
import { LIMITS as VALIDATE_LIMITS } from '../../tools/lib/validate/limits';

describe('one module of CloudFormation limits', () => {
  test('every limit names the documentation it comes from', () => {
    for (const [name, limit] of Object.entries(CFN_LIMITS))
      expect([name, limit.source]).toEqual([name, expect.stringMatching(/^https:\/\/docs\.aws\.amazon\.com\//)]);
  });

  test('the S3 template limit is the 1,000,000 bytes CloudFormation enforces, not 1 MiB', () => {
    expect(CFN_LIMITS.templateBodyS3Bytes.value).toBe(1_000_000);
  });

  test('validation and packaging read the same values', () => {
    expect(VALIDATE_LIMITS).toEqual({
      templateBodyS3Bytes: CFN_LIMITS.templateBodyS3Bytes.value,
      templateBodyInlineBytes: CFN_LIMITS.templateBodyInlineBytes.value,
      resources: CFN_LIMITS.resources.value,
      parameters: CFN_LIMITS.parameters.value,
      outputs: CFN_LIMITS.outputs.value,
      mappings: CFN_LIMITS.mappings.value,
      logicalIdLength: CFN_LIMITS.logicalIdCharacters.value,
    });
    expect(PACKAGE_LIMITS).toEqual({
      templateBytes: VALIDATE_LIMITS.templateBodyS3Bytes,
      resources: VALIDATE_LIMITS.resources,
      parameters: VALIDATE_LIMITS.parameters,
      outputs: VALIDATE_LIMITS.outputs,
    });
  });
});
