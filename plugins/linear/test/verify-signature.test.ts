import { createHmac } from 'node:crypto';
import { jest } from '@jest/globals';
import { MAX_TIMESTAMP_SKEW_MS, verifySignature } from '../src/verify-signature.js';
import { fixture, FIXTURE_NAMES, FIXTURE_SECRET } from './fixtures.js';

function sign(body: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

function delivery(json: Record<string, unknown>, secret = FIXTURE_SECRET): { headers: Record<string, string>; body: Buffer } {
  const body = Buffer.from(JSON.stringify(json));
  return { headers: { 'linear-signature': sign(body, secret), 'linear-delivery': 'd-1' }, body };
}

describe('verifySignature', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it.each(FIXTURE_NAMES)('accepts the real fixture %s at its webhookTimestamp', (name) => {
    const f = fixture(name);
    expect(verifySignature({ headers: f.headers, body: f.body }, [FIXTURE_SECRET], f.timestamp)).toEqual({ ok: true });
  });

  it('agrees with the @linear/sdk client when the wall clock is faked to the fixture time', async () => {
    const { LinearWebhookClient } = await import('@linear/sdk/webhooks');
    const f = fixture('linear-issue-update.json');
    jest.useFakeTimers({ now: f.timestamp + 5_000 });
    expect(new LinearWebhookClient(FIXTURE_SECRET).verify(f.body, f.headers['linear-signature']!, f.timestamp)).toBe(true);
    expect(verifySignature({ headers: f.headers, body: f.body }, [FIXTURE_SECRET], Date.now())).toEqual({ ok: true });
  });

  it('accepts any of several secrets (rotation)', () => {
    const f = fixture('linear-issue-create.json');
    expect(verifySignature({ headers: f.headers, body: f.body }, ['new-secret', FIXTURE_SECRET], f.timestamp)).toEqual({ ok: true });
  });

  it('rejects a wrong signature, a wrong secret and a changed body', () => {
    const f = fixture('linear-issue-create.json');
    const wrongSig = { ...f.headers, 'linear-signature': 'a'.repeat(64) };
    expect(verifySignature({ headers: wrongSig, body: f.body }, [FIXTURE_SECRET], f.timestamp)).toMatchObject({ ok: false });
    expect(verifySignature({ headers: f.headers, body: f.body }, ['not-the-secret'], f.timestamp)).toEqual({
      ok: false,
      reason: 'signature does not match any configured webhook secret',
    });
    const tampered = Buffer.from(f.body.toString('utf8').replace('"estimate": 3', '"estimate": 1'));
    expect(verifySignature({ headers: f.headers, body: tampered }, [FIXTURE_SECRET], f.timestamp)).toMatchObject({ ok: false });
  });

  it('rejects a missing or malformed signature header', () => {
    const f = fixture('linear-issue-create.json');
    const { 'linear-signature': _sig, ...noSig } = f.headers;
    expect(verifySignature({ headers: noSig, body: f.body }, [FIXTURE_SECRET], f.timestamp)).toEqual({
      ok: false,
      reason: 'missing linear-signature header',
    });
    const short = { ...f.headers, 'linear-signature': 'abc' };
    expect(verifySignature({ headers: short, body: f.body }, [FIXTURE_SECRET], f.timestamp).ok).toBe(false);
  });

  it('accepts an upper-case hex signature', () => {
    const f = fixture('linear-issue-create.json');
    const upper = { ...f.headers, 'linear-signature': f.headers['linear-signature']!.toUpperCase() };
    expect(verifySignature({ headers: upper, body: f.body }, [FIXTURE_SECRET], f.timestamp)).toEqual({ ok: true });
  });

  it('rejects a webhookTimestamp more than 60 s old or ahead, accepts one at the edge', () => {
    const f = fixture('linear-issue-remove.json');
    const input = { headers: f.headers, body: f.body };
    expect(verifySignature(input, [FIXTURE_SECRET], f.timestamp + MAX_TIMESTAMP_SKEW_MS)).toEqual({ ok: true });
    expect(verifySignature(input, [FIXTURE_SECRET], f.timestamp - MAX_TIMESTAMP_SKEW_MS)).toEqual({ ok: true });
    const old = verifySignature(input, [FIXTURE_SECRET], f.timestamp + MAX_TIMESTAMP_SKEW_MS + 1);
    expect(old).toMatchObject({ ok: false });
    expect(old.ok === false && old.reason).toContain('in the past');
    const ahead = verifySignature(input, [FIXTURE_SECRET], f.timestamp - MAX_TIMESTAMP_SKEW_MS - 1);
    expect(ahead.ok === false && ahead.reason).toContain('in the future');
    // the real clock is years past the fixture
    expect(verifySignature(input, [FIXTURE_SECRET], Date.now()).ok).toBe(false);
  });

  it('rejects a signed body without a usable webhookTimestamp', () => {
    const now = 1_800_000_000_000;
    expect(verifySignature(delivery({ type: 'Issue', action: 'create' }), [FIXTURE_SECRET], now)).toEqual({
      ok: false,
      reason: 'missing or non-numeric webhookTimestamp in the body',
    });
    expect(verifySignature(delivery({ webhookTimestamp: String(now) }), [FIXTURE_SECRET], now).ok).toBe(false);
  });

  it('passes a correctly signed body that is not JSON, so the receiver answers it 400 (malformed), not 401', () => {
    const body = Buffer.from('{"type":"Issue",');
    expect(verifySignature({ headers: { 'linear-signature': sign(body, 's3cret') }, body }, ['s3cret'], 0)).toEqual({ ok: true });
    expect(verifySignature({ headers: { 'linear-signature': sign(body, 'other') }, body }, ['s3cret'], 0).ok).toBe(false);
  });

  it('never throws and never names a secret', () => {
    const weird = [
      { headers: {}, body: Buffer.alloc(0) },
      { headers: { 'linear-signature': 'zz' }, body: Buffer.from('x') },
      { headers: { 'linear-signature': 'a'.repeat(64) }, body: undefined as unknown as Buffer },
    ];
    for (const input of weird) {
      for (const secrets of [[], [''], ['top-secret-value']]) {
        const result = verifySignature(input, secrets, 0);
        expect(result.ok).toBe(false);
        expect(JSON.stringify(result)).not.toContain('top-secret-value');
      }
    }
    expect(verifySignature({ headers: { 'linear-signature': 'a'.repeat(64) }, body: Buffer.from('{}') }, [], 0)).toEqual({
      ok: false,
      reason: 'no Linear webhook secret is configured for this tenant',
    });
  });

  it('verifies a fresh delivery signed like the sandbox signs', () => {
    const now = 1_800_000_000_000;
    expect(verifySignature(delivery({ type: 'Issue', webhookTimestamp: now - 1_000 }), [FIXTURE_SECRET], now)).toEqual({ ok: true });
  });
});
