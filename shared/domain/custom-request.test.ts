import { describe, expect, it } from '@jest/globals';
import { isCustomRequest, type CustomRequestRules } from './custom-request.js';
import { ticket } from './__tests__/fixtures.js';

const rules: CustomRequestRules = { labels: ['custom-request', 'cr'], issueTypes: ['Customer Request'], includeLinkedCustomerRequests: true };

describe('isCustomRequest', () => {
  it('matches any configured label exactly', () => {
    expect(isCustomRequest(ticket({ labels: ['backend', 'cr'] }), rules)).toBe(true);
    expect(isCustomRequest(ticket({ labels: ['Custom-Request'], issueType: null }), rules)).toBe(false);
    expect(isCustomRequest(ticket({ labels: ['custom-request-old'], issueType: null }), rules)).toBe(false);
  });

  it('matches a configured issue type whatever the labels', () => {
    expect(isCustomRequest(ticket({ labels: [], issueType: 'Customer Request' }), rules)).toBe(true);
    expect(isCustomRequest(ticket({ labels: [], issueType: 'Bug' }), rules)).toBe(false);
  });

  it('counts a linked customer request only when the tenant says so', () => {
    const linked = ticket({ labels: [], issueType: null, linkedToCustomerRequest: true });
    expect(isCustomRequest(linked, rules)).toBe(true);
    expect(isCustomRequest(linked, { ...rules, includeLinkedCustomerRequests: false })).toBe(false);
    expect(isCustomRequest(ticket({ labels: [], issueType: null }), rules)).toBe(false);
  });
});
