import { describe, expect, it } from 'vitest';
import { isTrustedSender } from './sender';

const trusted = ['app://station', 'http://127.0.0.1:4567'];

describe('isTrustedSender (the one sender check)', () => {
  it.each([
    ['app://station/index.html', true],
    ['app://station/', true],
    ['http://127.0.0.1:4567/', true],
    ['http://127.0.0.1:4567/#token=abc', true],
  ])('accepts the top frame of %s', (url, ok) => {
    expect(isTrustedSender({ url, isMainFrame: true }, trusted)).toBe(ok);
  });

  it.each([
    'app://evil/index.html',
    'app://station.evil/index.html',
    'app://station:99/index.html',
    'http://127.0.0.1:4568/',
    'http://localhost:4567/',
    'https://127.0.0.1:4567/',
    'file:///app/index.html',
    'about:blank',
    'not a url',
    '',
  ])('refuses %s', (url) => {
    expect(isTrustedSender({ url, isMainFrame: true }, trusted)).toBe(false);
  });

  it('refuses a trusted origin when the call comes from a subframe', () => {
    expect(isTrustedSender({ url: 'app://station/index.html', isMainFrame: false }, trusted)).toBe(false);
  });

  it('refuses a sender whose frame is gone (null url)', () => {
    expect(isTrustedSender({ url: null, isMainFrame: true }, trusted)).toBe(false);
  });

  it('refuses everything when nothing is trusted', () => {
    expect(isTrustedSender({ url: 'app://station/', isMainFrame: true }, [])).toBe(false);
  });
});
