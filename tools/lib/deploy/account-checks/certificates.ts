/**
 * Certificates of the API custom domains (failover): a regional API domain accepts only an ACM
 * certificate of its own region, ISSUED, covering the domain name.
 *
 * | certificate                                  | outcome                                                 |
 * |----------------------------------------------|---------------------------------------------------------|
 * | ARN of another region than its API           | stop (offline: the ARN says the region)                 |
 * | not found in that region                     | stop                                                    |
 * | status other than ISSUED (PENDING_VALIDATION, EXPIRED, …) | stop: finish the DNS validation, or request a new one |
 * | DomainName and SubjectAlternativeNames do not cover the API domain | stop                          |
 * | otherwise                                    | nothing                                                 |
 *
 * The root deploy checks both certificates (`ApiCertificateArn` in the primary region,
 * `StandbyApiCertificateArn` in the secondary one), so a wrong standby certificate is found before
 * the primary is deployed; the secondary deploy checks its own.
 */
import { DescribeCertificateCommand } from '@aws-sdk/client-acm';
import { call, errorName } from './read';
import { howToSet, parameterOf, type AccountCheck, type Outcome, type Target } from './types';

export const DOMAIN_PARAMETER = 'ApiDomainName';
export const ZONE_PARAMETER = 'HostedZoneId';

/** Which certificate parameter serves an API in which region of the target. */
export function certificateSlots(t: Target): { parameter: string; region: string }[] {
  const slots = [
    { parameter: 'ApiCertificateArn', region: t.kind === 'root' ? t.region : undefined },
    { parameter: 'StandbyApiCertificateArn', region: t.kind === 'root' ? t.secondaryRegion : t.region },
  ];
  return slots.filter((s): s is { parameter: string; region: string } => s.region !== undefined && Boolean(parameterOf(t, s.parameter)));
}

export interface CertificateState {
  readonly parameter: string;
  readonly arn: string;
  /** The region of the API that uses it. */
  readonly region: string;
  /** Undefined when the ARN names another region (not looked up) or ACM does not know it. */
  readonly found?: { readonly status: string; readonly names: readonly string[] };
}

export interface CertificatesObservation {
  readonly domain: string;
  readonly certificates: readonly CertificateState[];
}

export const regionOfArn = (arn: string): string | undefined => /^arn:[^:]+:acm:([^:]+):/.exec(arn)?.[1];

/** True when `name` (a DNS name or `*.wildcard`) covers `domain`; a wildcard covers one label. */
export function covers(name: string, domain: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  const d = domain.toLowerCase().replace(/\.$/, '');
  if (n === d) return true;
  if (!n.startsWith('*.')) return false;
  const rest = d.slice(d.indexOf('.') + 1);
  return d.includes('.') && rest === n.slice(2);
}

export function decideCertificates(o: CertificatesObservation, t: Target): Outcome[] {
  const out: Outcome[] = [];
  for (const c of o.certificates) {
    const at = `${c.parameter} ${c.arn}`;
    const fix = howToSet(t, c.parameter, `an ACM certificate of ${c.region} that covers ${o.domain}`);
    const arnRegion = regionOfArn(c.arn);
    if (arnRegion !== c.region) {
      out.push({
        kind: 'stop',
        problem: `${at} is a certificate of ${arnRegion ?? 'an unknown region'}, but its API is in ${c.region} (a regional API domain only takes a certificate of its own region)`,
        fix: `request or import one in ${c.region}, then ${fix}`,
      });
    } else if (!c.found) {
      out.push({ kind: 'stop', problem: `${at} does not exist in ${c.region} (acm:DescribeCertificate: not found)`, fix });
    } else if (c.found.status !== 'ISSUED') {
      out.push({
        kind: 'stop',
        problem: `${at} is ${c.found.status}, not ISSUED`,
        fix:
          c.found.status === 'PENDING_VALIDATION'
            ? `create its DNS validation record (aws acm describe-certificate --region ${c.region} shows it) and wait until it is ISSUED, or ${fix}`
            : fix,
      });
    } else if (!c.found.names.some((n) => covers(n, o.domain))) {
      out.push({ kind: 'stop', problem: `${at} covers ${c.found.names.join(', ')}, not ${o.domain}`, fix });
    }
  }
  return out;
}

export const certificatesCheck: AccountCheck<CertificatesObservation> = {
  id: 'certificates',
  subject: 'the API certificates',
  whenUnreadable: 'warn',
  consequence: () => 'the API custom domain is created unchecked (it fails the deploy if the certificate is not ISSUED in its region)',
  applies: (t) => Boolean(parameterOf(t, ZONE_PARAMETER)) && Boolean(parameterOf(t, DOMAIN_PARAMETER)) && certificateSlots(t).length > 0,
  async read(ctx) {
    const t = ctx.target;
    const certificates = await Promise.all(
      certificateSlots(t).map(async ({ parameter, region }): Promise<CertificateState> => {
        const arn = parameterOf(t, parameter)!;
        if (regionOfArn(arn) !== region) return { parameter, arn, region };
        const res = await call(
          'acm:DescribeCertificate',
          () =>
            ctx
              .clients(region)
              .acm()
              .send(new DescribeCertificateCommand({ CertificateArn: arn })),
          (e) => (errorName(e) === 'ResourceNotFoundException' ? { Certificate: undefined } : undefined),
        );
        const cert = res.Certificate;
        if (!cert) return { parameter, arn, region };
        const names = [...new Set([cert.DomainName, ...(cert.SubjectAlternativeNames ?? [])].filter((n): n is string => Boolean(n)))];
        return { parameter, arn, region, found: { status: cert.Status ?? 'UNKNOWN', names } };
      }),
    );
    return { domain: parameterOf(t, DOMAIN_PARAMETER)!, certificates };
  },
  decide: decideCertificates,
};
