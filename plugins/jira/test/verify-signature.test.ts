import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { jiraPlugin, verifySignature } from '../src/index.js';
import { FIXTURE_NAMES, FIXTURE_SECRET, fixture, recordedSecret } from './fixtures.js';

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);

describe('verifySignature (X-Hub-Signature)', () => {
  it('uses the secret the fixtures were signed with', () => {
    expect(recordedSecret()).toBe(FIXTURE_SECRET);
  });

  it.each(FIXTURE_NAMES)('accepts the recorded signature of %s over its exact bytes', (name) => {
    const f = fixture(name);
    expect(verifySignature({ headers: f.headers, body: f.body }, [FIXTURE_SECRET], NOW)).toEqual({ ok: true });
    expect(jiraPlugin.verify({ headers: f.headers, body: f.body }, [FIXTURE_SECRET], NOW)).toEqual({ ok: true });
  });

  it('rejects a wrong secret', () => {
    const f = fixture('jira-issue-created.json');
    const result = verifySignature({ headers: f.headers, body: f.body }, ['not-the-secret'], NOW);
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.reason).toMatch(/does not match/);
  });

  it('rejects a tampered body (one byte changed, or re-serialized JSON)', () => {
    const f = fixture('jira-issue-updated-labels.json');
    const tampered = Buffer.from(f.body);
    tampered[tampered.length - 3] = tampered[tampered.length - 3]! ^ 1;
    expect(verifySignature({ headers: f.headers, body: tampered }, [FIXTURE_SECRET], NOW).ok).toBe(false);
    const reserialized = Buffer.from(JSON.stringify(f.json));
    expect(verifySignature({ headers: f.headers, body: reserialized }, [FIXTURE_SECRET], NOW).ok).toBe(false);
  });

  it('rejects a delivery without the header', () => {
    const f = fixture('jira-issue-created.json');
    const { 'x-hub-signature': _dropped, ...headers } = f.headers;
    const result = verifySignature({ headers, body: f.body }, [FIXTURE_SECRET], NOW);
    expect(result).toEqual({ ok: false, reason: 'missing X-Hub-Signature header' });
  });

  it('reads the method from the header and rejects unknown or malformed ones', () => {
    const f = fixture('jira-issue-created.json');
    const hex = f.headers['x-hub-signature']!.split('=')[1]!;
    const sha1 = createHmac('sha1', FIXTURE_SECRET).update(f.body).digest('hex');
    const cases: [string, RegExp][] = [
      [`sha1=${sha1}`, /unsupported X-Hub-Signature method "sha1"/],
      [`md5=${hex}`, /unsupported/],
      [hex, /malformed/],
      [`sha256=${hex.slice(0, 10)}`, /malformed X-Hub-Signature digest/],
      [`sha256=${'z'.repeat(64)}`, /malformed/],
      ['sha256=', /malformed/],
    ];
    for (const [header, reason] of cases) {
      const result = verifySignature({ headers: { ...f.headers, 'x-hub-signature': header }, body: f.body }, [FIXTURE_SECRET], NOW);
      expect(result.ok).toBe(false);
      expect(result.ok === false && result.reason).toMatch(reason);
    }
    // The method name is case-insensitive and the hex may be upper case.
    const upper = `SHA256=${hex.toUpperCase()}`;
    expect(verifySignature({ headers: { ...f.headers, 'x-hub-signature': upper }, body: f.body }, [FIXTURE_SECRET], NOW)).toEqual({ ok: true });
  });

  it('accepts the second secret of a rotation list, and fails with no secret at all', () => {
    const f = fixture('jira-issue-deleted.json');
    expect(verifySignature({ headers: f.headers, body: f.body }, ['the-new-secret', FIXTURE_SECRET], NOW)).toEqual({ ok: true });
    expect(verifySignature({ headers: f.headers, body: f.body }, [], NOW).ok).toBe(false);
    expect(verifySignature({ headers: f.headers, body: f.body }, [''], NOW).ok).toBe(false);
  });

  it("matches Atlassian's documented test vector", () => {
    const body = Buffer.from('Hello World!');
    const headers = { 'x-hub-signature': 'sha256=a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9' };
    expect(verifySignature({ headers, body }, ["It's a Secret to Everybody"], NOW)).toEqual({ ok: true });
    expect(verifySignature({ headers, body }, ["It's a secret to everybody"], NOW).ok).toBe(false);
  });

  it('accepts what it signed and never throws, whatever the input (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.string({ minLength: 1, maxLength: 40 }), (bytes, secret) => {
        const body = Buffer.from(bytes);
        const header = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
        expect(verifySignature({ headers: { 'x-hub-signature': header }, body }, ['other', secret], NOW)).toEqual({ ok: true });
      }),
    );
    fc.assert(
      fc.property(fc.option(fc.string({ maxLength: 100 }), { nil: undefined }), fc.uint8Array({ maxLength: 64 }), (header, bytes) => {
        const result = verifySignature({ headers: { 'x-hub-signature': header }, body: Buffer.from(bytes) }, [FIXTURE_SECRET], NOW);
        expect(result.ok).toBe(false);
      }),
    );
  });
});
