import { crc32c as wasmCrc32c } from '@platformatic/wasm-utils';
import fc from 'fast-check';
import { Ajv2020 } from '../../../lambdas/shared/kafka/stand-ins/ajv';
import { crc32c, lz4Compress } from '../../../lambdas/shared/kafka/stand-ins/wasm-utils';

describe('Kafka client stand-ins for function bundles', () => {
  it('GIVEN the CRC-32C check value input WHEN checksummed THEN it is 0xE3069283', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('GIVEN any bytes, raw or in a buffer wrapper WHEN checksummed THEN the result equals the WebAssembly original', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        const expected = wasmCrc32c(Buffer.from(bytes));
        expect(crc32c(bytes)).toBe(expected);
        expect(crc32c({ buffer: Buffer.from(bytes) })).toBe(expected);
      }),
    );
  });

  it('GIVEN a codec the bundles leave out WHEN used THEN it fails with a reason', () => {
    expect(() => lz4Compress()).toThrow(/LZ4 compression is not bundled/);
  });

  it('GIVEN any options WHEN checked by the validation stand-in THEN they pass without errors', () => {
    const validate = new Ajv2020().addKeyword().compile();
    expect(validate({ anything: true })).toBe(true);
    expect(validate.errors).toBeNull();
  });
});
