export default async function globalTeardown() {
  await globalThis.__POOLGUARD_REDIS__?.stop();
}
