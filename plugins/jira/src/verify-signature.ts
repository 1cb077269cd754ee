/**
 * Jira admin-webhook signatures: `X-Hub-Signature: <method>=<hex>` (WebSub style), an HMAC over the
 * exact bytes received. Atlassian says the method may change, so it is read from the header; only
 * sha256 is in use today. Any of the tenant's secrets may match (rotation). Never throws.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RawWebhook, VerifyResult } from '@pool-guard/shared/tracker';

export const SIGNATURE_HEADER = 'x-hub-signature';

/** Header method -> node:crypto algorithm and digest length in bytes. */
const METHODS: Readonly<Record<string, { algorithm: string; bytes: number }>> = {
  sha256: { algorithm: 'sha256', bytes: 32 },
};

export function verifySignature(input: RawWebhook, secrets: readonly string[], _nowMs: number): VerifyResult {
  try {
    const header = input.headers[SIGNATURE_HEADER];
    if (header === undefined || header.trim() === '') return { ok: false, reason: 'missing X-Hub-Signature header' };
    const eq = header.indexOf('=');
    if (eq <= 0) return { ok: false, reason: 'malformed X-Hub-Signature header (expected method=hex)' };
    const method = header.slice(0, eq).trim().toLowerCase();
    const spec = METHODS[method];
    if (!spec) return { ok: false, reason: `unsupported X-Hub-Signature method "${method.slice(0, 20)}"` };
    const hex = header.slice(eq + 1).trim();
    if (hex.length !== spec.bytes * 2 || !/^[0-9a-f]+$/i.test(hex)) {
      return { ok: false, reason: 'malformed X-Hub-Signature digest' };
    }
    const usable = secrets.filter((s) => s.length > 0);
    if (usable.length === 0) return { ok: false, reason: 'no webhook secret configured for this tenant' };
    if (!Buffer.isBuffer(input.body)) return { ok: false, reason: 'the raw body bytes are required to verify the signature' };
    const given = Buffer.from(hex, 'hex');
    let matched = false;
    for (const secret of usable) {
      const expected = createHmac(spec.algorithm, secret).update(input.body).digest();
      // Every secret is checked, so the time taken does not tell which one matched.
      if (timingSafeEqual(expected, given)) matched = true;
    }
    return matched ? { ok: true } : { ok: false, reason: 'signature does not match any configured webhook secret' };
  } catch (err) {
    return { ok: false, reason: `signature check failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}
