/**
 * Whether a missing local server or browser (moto, chromium) fails the tests instead of skipping
 * them with a message. `.ci/run` sets REQUIRE_LOCAL_SERVERS=true, since it installs and starts
 * them; elsewhere (a laptop, the GitHub workflow, which installs moto but has no Debian chromium)
 * a missing one is a visible skip.
 */
export const LOCAL_SERVERS_REQUIRED = process.env.REQUIRE_LOCAL_SERVERS === 'true';
