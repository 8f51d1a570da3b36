import { describe, expect, it } from 'vitest';
import { escapeHtml, unescapeHtml } from './html';

describe('escapeHtml', () => {
  it('leaves no character that can open a tag, end an attribute or start an entity', () => {
    const hostile = `"><script>alert('x')</script>&amp;`;
    const out = escapeHtml(hostile);
    expect(out).not.toMatch(/[<>"']/);
    expect(out).toBe('&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;amp;');
  });

  it('round-trips through unescapeHtml, escaping an already escaped value again', () => {
    for (const v of ['a&b', '&amp;', `'"<>`, 'http://127.0.0.1:1/#ticket=ab&x=1', ''])
      expect(unescapeHtml(escapeHtml(v))).toBe(v);
  });
});
