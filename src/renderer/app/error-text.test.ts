import { describe, expect, it } from 'vitest';
import { fieldName, readableMessage } from './error-text';

describe('errors in the operator’s words', () => {
  it('reads a request path as the form names it, items counted from 1', () => {
    expect(fieldName('input.exception.title')).toBe('exception › title');
    expect(fieldName('input.request.san.dns.0')).toBe('request › san › dns › #1');
    expect(fieldName('input')).toBe('the request');
    expect(fieldName('serial')).toBe('serial');
  });

  it('rewrites only the leading field path of a message, never its reason', () => {
    expect(
      readableMessage('input.key.label: Too big: expected string to have <=64 characters', 'input.key.label'),
    ).toBe('key › label: Too big: expected string to have <=64 characters');
    expect(readableMessage('no journal entry with seq 9', 'seq')).toBe('no journal entry with seq 9');
    expect(readableMessage('input.x: bad', undefined)).toBe('input.x: bad');
  });
});
