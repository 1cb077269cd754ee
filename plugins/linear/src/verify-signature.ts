/**
 * Checks a Linear delivery: `linear-signature` is the hex HMAC-SHA256 of the exact body bytes under
 * one of the tenant's secrets (checked by @linear/sdk's `LinearWebhookClient`, constant-time), and
 * the signed body's `webhookTimestamp` is within 60 s of `nowMs` (Linear's advice against replays).
 * The SDK reads the wall clock for that second check, so it is done here against the given clock.
 * Pure and total: returns `{ ok: false, reason }`, never throws; reasons never contain a secret.
 */
import { LINEAR_WEBHOOK_SIGNATURE_HEADER, LINEAR_WEBHOOK_TS_FIELD, LinearWebhookClient } from '@linear/sdk/webhooks';
import type { RawWebhook, VerifyResult } from '@pool-guard/shared/tracker';

/** How far `webhookTimestamp` may be from our clock, either way. */
export const MAX_TIMESTAMP_SKEW_MS = 60_000;

export function verifySignature(input: RawWebhook, secrets: readonly string[], nowMs: number): VerifyResult {
  try {
    const usable = secrets.filter((s) => typeof s === 'string' && s.length > 0);
    if (usable.length === 0) return { ok: false, reason: 'no Linear webhook secret is configured for this tenant' };
    const signature = input.headers[LINEAR_WEBHOOK_SIGNATURE_HEADER];
    if (!signature) return { ok: false, reason: `missing ${LINEAR_WEBHOOK_SIGNATURE_HEADER} header` };
    const hex = signature.trim().toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(hex)) return { ok: false, reason: `malformed ${LINEAR_WEBHOOK_SIGNATURE_HEADER} header (expected 64 hex digits)` };
    if (!Buffer.isBuffer(input.body)) return { ok: false, reason: 'body is not raw bytes' };

    const matched = usable.some((secret) => {
      try {
        // No timestamp argument: the SDK then checks the HMAC only; freshness is checked below with nowMs.
        return new LinearWebhookClient(secret).verify(input.body, hex);
      } catch {
        return false;
      }
    });
    if (!matched) return { ok: false, reason: 'signature does not match any configured webhook secret' };

    let body: unknown;
    try {
      body = JSON.parse(input.body.toString('utf8'));
    } catch {
      // Signed by Linear but not JSON: authentic, so let the caller answer it as a malformed body (400).
      return { ok: true };
    }
    const timestamp = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[LINEAR_WEBHOOK_TS_FIELD] : undefined;
    if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) {
      return { ok: false, reason: `missing or non-numeric ${LINEAR_WEBHOOK_TS_FIELD} in the body` };
    }
    const skew = nowMs - timestamp;
    if (Math.abs(skew) > MAX_TIMESTAMP_SKEW_MS) {
      const seconds = Math.round(Math.abs(skew) / 1000);
      return {
        ok: false,
        reason: `${LINEAR_WEBHOOK_TS_FIELD} is ${seconds} s ${skew > 0 ? 'in the past' : 'in the future'} (limit ${MAX_TIMESTAMP_SKEW_MS / 1000} s); replayed, or a clock is off`,
      };
    }
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: `could not verify the delivery: ${err instanceof Error ? err.name : 'error'}` };
  }
}
