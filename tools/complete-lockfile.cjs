#!/usr/bin/env node
/**
 * Completes package-lock.json with the optional per-platform packages (esbuild, swc, duckdb,
 * unrs-resolver bindings for other operating systems and CPUs) that this workplace's npm mirror
 * does not serve and so leaves out of the lock; `npm ci` refuses a lock that lacks them. The
 * added entries carry os/cpu/libc, so npm skips them on other platforms and fetches them from
 * the registry on the platforms that need them. Run after `npm install`:
 *   node tools/complete-lockfile.cjs package-lock.json
 *
 * Each such entry also gets `resolved` and `integrity` from the registry's metadata: the mirror
 * serves other platforms' metadata (`npm view <pkg>@<version> dist`) though not their tarballs,
 * so `npm ci` on macOS or Windows verifies what it downloads like every other entry. An entry
 * whose lookup fails keeps no integrity and is named in the output (npm then trusts the TLS
 * download alone for that one package).
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const file = process.argv[2];
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const pk = lock.packages;
const added = [];
function platformOf(name) {
  const n = name.split('/').pop();
  const os = ['darwin', 'linux', 'win32', 'freebsd', 'android', 'openharmony', 'netbsd', 'openbsd', 'sunos', 'aix', 'wasi', 'wasm32'].find((o) =>
    n.includes(o),
  );
  const cpu = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el', 'wasm32'].find((c) => new RegExp(`(^|-)${c}($|-)`).test(n));
  const libc = /musl/.test(n) ? 'musl' : /gnu/.test(n) ? 'glibc' : undefined;
  return { os, cpu, libc };
}
for (const [key, entry] of Object.entries(pk)) {
  for (const [dep, range] of Object.entries(entry.optionalDependencies || {})) {
    const base = key === '' ? 'node_modules/' : `${key}/node_modules/`;
    const nested = `${base}${dep}`;
    const top = `node_modules/${dep}`;
    if (pk[nested] || pk[top]) continue;
    const { os, cpu, libc } = platformOf(dep);
    if (!os && !cpu) {
      console.error(`cannot infer platform of ${dep}`);
      process.exitCode = 1;
      continue;
    }
    const version = String(range).replace(/^[\^~=]/, '');
    pk[top] = {
      version,
      optional: true,
      ...(os && os !== 'wasm32' && os !== 'wasi' ? { os: [os] } : {}),
      ...(cpu ? { cpu: [cpu] } : {}),
      ...(libc ? { libc: [libc] } : {}),
    };
    added.push(`${dep}@${version}`);
  }
}
/** `{ integrity, tarball }` of one published version, or undefined when the registry does not answer. */
function distOf(name, version) {
  try {
    const out = execFileSync('npm', ['view', `${name}@${version}`, 'dist', '--json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 60_000,
    });
    const dist = JSON.parse(out);
    return typeof dist.integrity === 'string' && typeof dist.tarball === 'string' ? dist : undefined;
  } catch {
    return undefined;
  }
}
const withoutIntegrity = [];
let completed = 0;
for (const [key, entry] of Object.entries(pk)) {
  if (key === '' || entry.integrity || entry.link || !entry.optional || !(entry.os || entry.cpu)) continue;
  const name = key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
  const dist = distOf(name, entry.version);
  if (!dist) {
    withoutIntegrity.push(`${name}@${entry.version}`);
    continue;
  }
  entry.resolved = dist.tarball;
  entry.integrity = dist.integrity;
  completed += 1;
}
const sorted = Object.fromEntries(Object.entries(pk).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
lock.packages = sorted;
fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added.length} optional platform entries; integrity added to ${completed}`);
if (withoutIntegrity.length > 0) console.log(`no integrity from the registry for: ${withoutIntegrity.join(', ')}`);
