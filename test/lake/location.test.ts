// Where `--lake` points: a directory, or an object-store prefix as the http(s) URL ClickHouse's s3()
// is given; what cannot be named in ClickHouse SQL (a glob character, a query) is refused.
import { describe, expect, it } from 'vitest';
import { lakeLocation } from '../../src/lake/location.js';

describe('lakeLocation', () => {
  it('a path is a directory', () => {
    expect(lakeLocation('/data/lake')).toEqual({ kind: 'directory', dir: '/data/lake' });
    expect(lakeLocation('lake')).toEqual({ kind: 'directory', dir: 'lake' });
  });

  it('s3:// is the bucket at AWS (virtual-hosted, in the region when one is set), or path-style at the endpoint override', () => {
    expect(lakeLocation('s3://acme-lakes/prod/lake/', {})).toEqual({ kind: 'object-store', url: 'https://acme-lakes.s3.amazonaws.com/prod/lake', shown: 's3://acme-lakes/prod/lake' });
    expect(lakeLocation('s3://acme-lakes/prod/lake', { AWS_REGION: 'eu-west-1' })).toMatchObject({ url: 'https://acme-lakes.s3.eu-west-1.amazonaws.com/prod/lake' });
    expect(lakeLocation('s3://acme-lakes/lake', { AWS_ENDPOINT_URL: 'http://127.0.0.1:9000/', AWS_REGION: 'eu-west-1' })).toMatchObject({ url: 'http://127.0.0.1:9000/acme-lakes/lake' });
    expect(lakeLocation('s3://acme-lakes/lake', { AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_S3: 'https://r2.example.com' })).toMatchObject({ url: 'https://r2.example.com/acme-lakes/lake' });
  });

  it('an http(s) URL is taken as it is', () => {
    expect(lakeLocation('https://storage.googleapis.com/acme-lakes/month=2026-10/lake', {})).toMatchObject({ kind: 'object-store', url: 'https://storage.googleapis.com/acme-lakes/month=2026-10/lake' });
  });

  it.each([
    ['s3://acme-lakes/lake/{a,b}'], ['s3://acme-lakes/lake*'], ['https://host/bucket/lake?versionId=1'], ["s3://acme-lakes/it's"],
    ['s3://A_Bucket/lake'], ['https://user@host/bucket/lake'], ['s3://acme-lakes/la ke'],
  ])('%s is refused (exit 2)', (arg) => {
    expect(() => lakeLocation(arg, {})).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringContaining('not a lake URL') }));
  });

  it('another scheme is refused', () => {
    expect(() => lakeLocation('ftp://host/lake', {})).toThrow(/expected a directory, s3:\/\/bucket\/prefix or an http\(s\) URL/);
  });
});
