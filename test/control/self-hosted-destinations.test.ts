import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateCreate } from '../../src/control/validate-mapping.js';
import { createValidationContext } from '../../src/control/validation-context.js';
import { ApiError } from '../../src/core/errors.js';

const ctx = createValidationContext({ functions: ['fn'], region: 'us-east-1', accountId: '123456789012' });
const kinesis = (Destination: string): unknown => ({
  FunctionName: 'fn',
  EventSourceArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/s',
  StartingPosition: 'TRIM_HORIZON',
  DestinationConfig: { OnFailure: { Destination } },
});

for (const dest of ['file:///var/lib/sluice/failures.jsonl', 'http://127.0.0.1:8080/failures', 'https://hooks.example.com/x?y=1']) {
  test(`self-hosted OnFailure destination accepted: ${dest}`, () => {
    const spec = validateCreate(kinesis(dest), ctx);
    assert.equal(spec.DestinationConfig?.OnFailure?.Destination, dest);
  });
}

for (const dest of ['file://relative.jsonl', 'http://', 'ftp://host/x']) {
  test(`invalid OnFailure destination rejected: ${dest}`, () => {
    assert.throws(
      () => validateCreate(kinesis(dest), ctx),
      (e: unknown) =>
        e instanceof ApiError &&
        e.type === 'InvalidParameterValueException' &&
        e.message === `The provided destination config DestinationConfig(onSuccess=null, onFailure=OnFailure(destination=${dest})) is invalid.`,
    );
  });
}
