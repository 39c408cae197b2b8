import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ArchiveStore } from '../ports';
import type { ArchiveObject } from '../archive-format';

/**
 * Puts archive objects into the bucket. Overwrites are intended (a redelivered batch rewrites its
 * object with the same bytes); bucket versioning keeps every version. The metadata lets a reader
 * see the offsets an object covers without downloading it.
 */
export class S3ArchiveStore implements ArchiveStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async put(object: ArchiveObject): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: object.key,
        Body: object.body,
        // Not Content-Encoding: gzip, which makes HTTP clients unpack the file on download.
        ContentType: 'application/gzip',
        Metadata: {
          topic: object.topic,
          partition: String(object.partition),
          'first-offset': String(object.firstOffset),
          'last-offset': String(object.lastOffset),
          'record-count': String(object.recordCount),
        },
      }),
    );
  }
}
