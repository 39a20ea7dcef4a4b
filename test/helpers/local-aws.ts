/**
 * Local AWS services for tests: dynalite, s3rver and kinesalite on 127.0.0.1 with configured
 * SDK clients. The one implementation lives in tools/lib/local-aws.ts, because `npm run demo`
 * starts the same services and tools never import test/; tests keep importing it from here.
 */
export * from '../../tools/lib/local-aws';
