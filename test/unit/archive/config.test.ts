import { loadArchiveConfig } from '../../../lambdas/archive/config';

describe('loadArchiveConfig', () => {
  it('GIVEN ARCHIVE_BUCKET WHEN loaded THEN the bucket is read', () => {
    expect(loadArchiveConfig({ ARCHIVE_BUCKET: 'order-pipeline-archive' })).toEqual({
      bucket: 'order-pipeline-archive',
    });
  });

  it('GIVEN no ARCHIVE_BUCKET WHEN loaded THEN it fails naming the variable', () => {
    expect(() => loadArchiveConfig({})).toThrow('Missing required environment variable ARCHIVE_BUCKET');
  });
});
