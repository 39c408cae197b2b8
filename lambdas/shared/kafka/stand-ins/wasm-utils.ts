/**
 * Bundle-time stand-in for `@platformatic/wasm-utils` (see lib/function-bundle.ts): the Kafka client
 * only needs CRC-32C to frame the record batches a producer sends. The WebAssembly original adds
 * 76 KB of base64 to every bundle for LZ4 and Snappy codecs this system never uses.
 */

/** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as Kafka record batches carry it. */
const TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  return c;
});

/** The client passes a Buffer or its DynamicBuffer, whose `buffer` is the bytes written so far. */
type Bytes = Uint8Array | { readonly buffer: Uint8Array };

export function crc32c(data: Bytes): number {
  const bytes = data instanceof Uint8Array ? data : data.buffer;
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i += 1) crc = TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function unsupported(codec: string): never {
  throw new Error(`${codec} compression is not bundled: producers here send uncompressed batches`);
}

export const lz4Compress = (): never => unsupported('LZ4');
export const lz4Decompress = (): never => unsupported('LZ4');
export const snappyCompress = (): never => unsupported('Snappy');
export const snappyDecompress = (): never => unsupported('Snappy');
